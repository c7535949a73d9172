"""Organizations: payers, providers, and the editable facility/department mapping."""
