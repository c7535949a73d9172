"""The built-in rules, one small class per file, one folder per category."""
