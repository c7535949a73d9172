"""Letter templates are code an organization edits: render them in a sandbox.

Two doors are shut here. Jinja2's ``ImmutableSandboxedEnvironment`` refuses the attribute
walks (``cycler.__init__.__globals__``, ``__class__.__mro__``...) that would reach ``os`` from a
template, and refuses to mutate the context it is given. WeasyPrint's URL fetcher is replaced
by one that reads only the package's own template assets (stylesheets, images shipped in
``appeals/templates``) and inline ``data:`` URIs: a ``file:///etc/passwd`` attachment, an
``http://`` image or a path that climbs out of the folder through ``..`` or a symlink is
refused, and the letter with it (a PDF that silently lost a resource would be sent as is).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from denialscope.errors import ConfigurationError

__all__ = ["ASSETS_DIR", "asset_fetcher", "check_fetches", "sandboxed_environment"]

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


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return True


def asset_fetcher_class() -> type[Any]:
    """The fetcher class, built on WeasyPrint's own (imported late: it loads Pango)."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, assets: Path = ASSETS_DIR) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.assets = assets
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path))
                if path.is_file() and _inside(path, self.assets):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"letters may only use the package's own assets, not {url}")

    return _Fetcher


def asset_fetcher(assets: Path = ASSETS_DIR) -> Any:
    """A WeasyPrint URL fetcher that reads only ``assets`` and data: URIs."""
    return asset_fetcher_class()(assets)


def check_fetches(fetcher: Any) -> None:
    """Raise when the rendered letter asked for anything but the package's assets."""
    refused: list[str] = list(getattr(fetcher, "refused", []))
    if refused:
        shown = ", ".join(sorted(set(refused))[:3])
        raise ConfigurationError(
            f"the letter template refers to {shown}: a letter may only use the images and "
            f"stylesheets shipped in {ASSETS_DIR} or inline data: URIs; nothing was written"
        )
