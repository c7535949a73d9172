"""Source files: every X12 file denialscope has read, with its counts and diagnostics."""
