"""Claims as submitted (837): patients, claims, their versions, codes and lines."""
