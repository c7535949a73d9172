"""HTML to PDF with WeasyPrint, for every PDF denialscope writes (appeal letters, the
governance report): the domains supply the HTML, this module prints it.

WeasyPrint is imported inside :func:`html_to_pdf` (it loads Pango): importing this module is
cheap. Its URL fetcher is replaced by one that reads only the caller's own asset folder
(stylesheets, images shipped beside the templates) and inline ``data:`` URIs: a
``file:///etc/passwd`` attachment, an ``http://`` image or a path that climbs out of the
folder through ``..`` or a symlink is refused, and the document with it (a PDF that silently
lost a resource would be sent as is).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from denialscope.errors import ConfigurationError

__all__ = ["asset_fetcher", "check_fetches", "html_to_pdf"]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return True


def _fetcher_class() -> type[Any]:
    """The fetcher class, built on WeasyPrint's own (imported late: it loads Pango)."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, assets: Path) -> None:
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
            raise ValueError(f"a document may only use its own assets, not {url}")

    return _Fetcher


def asset_fetcher(assets: Path) -> Any:
    """A WeasyPrint URL fetcher that reads only files inside ``assets`` and data: URIs."""
    return _fetcher_class()(assets)


def check_fetches(fetcher: Any) -> None:
    """Raise when the rendered document asked for anything but its assets."""
    refused: list[str] = list(getattr(fetcher, "refused", []))
    if refused:
        shown = ", ".join(sorted(set(refused))[:3])
        raise ConfigurationError(
            f"the template refers to {shown}: a document may only use the images and "
            f"stylesheets shipped in {fetcher.assets} or inline data: URIs; nothing was written"
        )


def html_to_pdf(html: str, *, assets: Path) -> bytes:
    """The HTML printed to PDF; relative URLs resolve in ``assets``, the only folder (with
    data: URIs) the document may read. ConfigurationError when WeasyPrint's system libraries
    are missing or the document reaches outside."""
    try:
        with warnings.catch_warnings():
            # Without libharfbuzz-subset0 WeasyPrint 70 only warns about future versions.
            warnings.simplefilter("ignore", DeprecationWarning)
            # No type information ships with WeasyPrint.
            import weasyprint  # type: ignore[import-untyped]
    except OSError as error:
        raise ConfigurationError(
            f"WeasyPrint cannot load its system libraries (install pango): {error}"
        ) from error
    fetcher = asset_fetcher(assets)
    pdf: bytes = weasyprint.HTML(string=html, base_url=str(assets), url_fetcher=fetcher).write_pdf()
    check_fetches(fetcher)
    return pdf
