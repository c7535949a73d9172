"""What a test can check of a PDF without a PDF reader installed: its pages.

WeasyPrint writes its page objects inside compressed object streams, so the page count is
read by inflating every FlateDecode stream and counting ``/Type /Page`` dictionaries.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["pdf_pages"]

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(content: bytes) -> int:
    """The number of page objects in ``content`` (a whole PDF file)."""
    if not content.startswith(b"%PDF-"):
        raise ValueError("not a PDF file")
    found = len(PAGE.findall(content))
    for match in STREAM.finditer(content):
        try:
            found += len(PAGE.findall(zlib.decompress(match.group(1))))
        except zlib.error:
            continue  # an image or a stream with another filter
    return found
