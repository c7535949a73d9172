"""Appeal letters (Jinja2 templates rendered to PDF) and their reference library."""
