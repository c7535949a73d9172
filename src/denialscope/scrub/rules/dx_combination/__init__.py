"""[dx_combination] Separate codes where ICD-10-CM requires a combination code."""
