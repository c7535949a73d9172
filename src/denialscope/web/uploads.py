"""Files uploaded through the browser: size-checked, kept in a private temporary folder for
the length of one request, and deleted after (whatever happened).

The limit is ``Settings.upload_max_bytes`` for the whole request (all its files): the
``Content-Length`` is checked before the body is read, and the bytes written are counted
again while each file is copied (a client may lie about the length). Names are cut to
their last path part so an upload can never write outside its folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Final

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile

from denialscope.errors import InputError
from denialscope.files import dir_mode
from denialscope.web.deps import settings_of

__all__ = [
    "MAX_FILES",
    "UploadRefused",
    "check_upload_size",
    "hide_folder",
    "read_uploads",
    "upload_folder",
    "upload_form",
]

MAX_FILES: Final = 100  # files in one upload request (a zip carries more)
_CHUNK: Final = 1 << 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRefused(InputError):
    """An upload refused as a whole (too large, no file, too many files): HTTP 413 or 400."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.http_status = status


def _size(count: int) -> str:
    return f"{count:,} bytes" if count < 1_000_000 else f"{count / 1e6:,.1f} MB"


async def check_upload_size(request: Request) -> AsyncIterator[None]:
    """A route dependency that refuses a body larger than the limit before it is read.

    Listed before the permission in a route's signature so no multi-gigabyte body is parsed
    (the CSRF check reads form bodies). When the request ends, however it ends (a 403 from
    the CSRF check included), the parsed form's temporary files are closed.
    """
    limit = settings_of(request).upload_max_bytes
    raw = request.headers.get("content-length")
    if raw is None or not raw.isdigit():
        raise HTTPException(411, "the upload must say its length (Content-Length)")
    if int(raw) > limit + 64_000:  # the form's own fields and boundaries
        raise HTTPException(
            413,
            f"the upload is {_size(int(raw))}, more than the limit of {_size(limit)} "
            "(DENIALSCOPE_UPLOAD_MAX_MB); nothing was read",
        )
    try:
        yield
    finally:
        await request.close()


@asynccontextmanager
async def upload_form(request: Request) -> AsyncIterator[FormData]:
    """The request's form, its uploaded files closed (their temporary files gone) after."""
    form = await request.form(max_files=MAX_FILES + 1)
    try:
        yield form
    finally:
        await form.close()


@contextmanager
def upload_folder(prefix: str) -> Iterator[Path]:
    """A private temporary folder, removed with everything in it when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"denialscope-{prefix}-"))
    try:
        folder.chmod(dir_mode())
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _safe_name(raw: str | None, position: int) -> str:
    name = Path((raw or "").replace("\\", "/")).name
    name = _UNSAFE.sub("_", name).strip(" .")
    return name or f"upload-{position}"


async def read_uploads(
    request: Request, form: FormData, folder: Path, *, field: str = "files"
) -> list[Path]:
    """Copy the request's files (form field ``field``) into ``folder``; their paths in order.

    Two files under one name are kept apart (``name (2)``). Refused with nothing kept: no
    file, more than :data:`MAX_FILES`, or more bytes than the limit.
    """
    limit = settings_of(request).upload_max_bytes
    uploads = [item for item in form.getlist(field) if isinstance(item, UploadFile)]
    uploads = [item for item in uploads if item.filename or item.size]
    if not uploads:
        raise UploadRefused("choose at least one file to upload")
    if len(uploads) > MAX_FILES:
        raise UploadRefused(f"at most {MAX_FILES} files per upload (a zip may carry more)")
    written = 0
    paths: list[Path] = []
    for position, upload in enumerate(uploads, start=1):
        name = _safe_name(upload.filename, position)
        target = folder / name
        copy = 2
        while target.exists():
            stem, dot, suffix = name.rpartition(".")
            target = folder / (f"{stem} ({copy}).{suffix}" if dot else f"{name} ({copy})")
            copy += 1
        with target.open("wb") as out:
            while chunk := await upload.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise UploadRefused(
                        f"the upload holds more than the limit of {_size(limit)} "
                        "(DENIALSCOPE_UPLOAD_MAX_MB); nothing was kept",
                        status=413,
                    )
                out.write(chunk)
        paths.append(target)
    return paths


def hide_folder(text: str | None, folder: Path) -> str | None:
    """A message with the temporary folder taken out: users know the file by its name."""
    if text is None:
        return None
    return text.replace(f"{folder}/", "").replace(str(folder), "")
