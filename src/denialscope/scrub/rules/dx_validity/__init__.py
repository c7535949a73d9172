"""[dx_validity] ICD-10-CM diagnosis codes that exist and are billable."""
