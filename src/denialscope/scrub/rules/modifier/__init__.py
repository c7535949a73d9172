"""[modifier] Modifier use."""
