"""Letter templates are code an organization edits: render them in a sandbox.

Two doors are shut. Here, Jinja2's ``ImmutableSandboxedEnvironment`` refuses the attribute
walks (``cycler.__init__.__globals__``, ``__class__.__mro__``...) that would reach ``os`` from a
template, and refuses to mutate the context it is given. In :mod:`denialscope.output.pdf`,
WeasyPrint reads only the package's own template assets (``ASSETS_DIR``) and data: URIs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["ASSETS_DIR", "sandboxed_environment"]

ASSETS_DIR: Final = Path(__file__).with_name("templates")


def sandboxed_environment(search_path: list[str]) -> jinja2.Environment:
    """The Jinja2 environment every letter template is rendered in."""
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(search_path),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
