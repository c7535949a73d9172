"""[principal_dx] Codes that may not be the principal or first-listed diagnosis."""
