"""[prior_auth] Services that need a prior authorization number."""
