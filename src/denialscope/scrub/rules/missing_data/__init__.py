"""[missing_data] Required data absent from the claim or its lines."""
