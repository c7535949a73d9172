"""Governance: action plans on root causes, their progress, and the quarterly report."""
