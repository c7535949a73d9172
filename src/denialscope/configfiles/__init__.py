"""Organization configuration files: view, validate, install (docs/web.md)."""
