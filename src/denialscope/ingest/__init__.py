"""Flows that cross domains: file -> x12 records -> database rows -> classification."""
