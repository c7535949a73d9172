"""[ncci_ptp] NCCI procedure-to-procedure edits."""
