"""[mue] Medically Unlikely Edits."""
