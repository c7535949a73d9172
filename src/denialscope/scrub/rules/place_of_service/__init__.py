"""[place_of_service] Place of service inconsistent with the facility or the procedure."""
