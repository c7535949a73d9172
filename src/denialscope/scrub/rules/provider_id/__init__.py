"""[provider_id] Provider identifiers: NPI check digit and taxonomy."""
