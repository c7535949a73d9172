"""[duplicate] Services already billed."""
