"""Remittances (835): payments per claim and service line, adjustments, remark codes."""
