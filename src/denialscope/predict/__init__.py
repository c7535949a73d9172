"""Denial-risk prediction: features known at submission, LightGBM, honest time-split evaluation."""
