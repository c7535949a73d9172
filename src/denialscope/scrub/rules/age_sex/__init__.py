"""[age_sex] Diagnoses that conflict with the patient's age or sex."""
