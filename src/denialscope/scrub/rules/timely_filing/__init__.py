"""[timely_filing] Claims at or past the payer's filing limit."""
