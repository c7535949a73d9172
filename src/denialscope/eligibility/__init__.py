"""Eligibility responses (X12 271): what the payer said about a member's coverage, and when."""
