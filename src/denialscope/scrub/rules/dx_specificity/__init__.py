"""[dx_specificity] Unspecified codes where the code set offers more specific ones."""
