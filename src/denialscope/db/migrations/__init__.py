"""Alembic migration environment; a package so that setuptools ships the scripts."""
