"""Denials as the organization works them: classification history (and, later, work items)."""
