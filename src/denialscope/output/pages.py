"""An SVG chart as a page a browser opens offline (``report ... --chart FILE.html``)."""

from __future__ import annotations

from html import escape

__all__ = ["chart_page"]


def chart_page(svg: str, *, title: str) -> str:
    """A self-contained HTML page around an inline SVG chart (no script, no external asset)."""
    inline = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body { font-family: sans-serif; margin: 2em; } svg { max-width: 100%; "
        "height: auto; }</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n{inline}</body>\n</html>\n"
    )
