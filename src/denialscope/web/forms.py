"""Reading a submitted form the same way on every page: a browser's form post or a JSON body
of the same fields (what app.js and API clients send)."""

from __future__ import annotations

from fastapi import Request

from denialscope.errors import InputError

__all__ = ["submitted_fields"]


async def submitted_fields(request: Request) -> dict[str, str]:
    """The form fields, from a form post or a JSON body (the CSRF token left out)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise InputError("the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InputError("expected a JSON object of form fields")
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    submitted = await request.form()
    return {k: v for k, v in submitted.items() if isinstance(v, str) and k != "csrf_token"}
