"""[dx_procedure_coverage] Procedures whose pack coverage list does not include the diagnosis."""
