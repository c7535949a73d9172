"""ADT intake: HL7 v2 ADT messages (files and an MLLP listener) and FHIR R4 bundles, kept
as a census of current inpatient and observation stays with their status history."""
