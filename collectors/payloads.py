"""Reading JSON answers of web services: one place that decides what an unusable answer is.

Fetchers in this package return plain records; when a service answers with
something they cannot use (malformed JSON, a missing field, a list of the wrong
length) they raise :class:`UnusableResponse`, which callers turn into a failure
record for that item so that a build goes on.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from collectors.safejson import load_json
from paperweb.errors import FetchError

__all__ = ["BadStatus", "UnusableResponse", "expect_ok", "read_json", "service_failure"]


class UnusableResponse(FetchError):
    """A service answered with a body paperweb cannot read (malformed JSON, missing fields)."""


def read_json(response: httpx.Response, what: str) -> Any:
    """The JSON body of ``response``, or :class:`UnusableResponse` naming ``what`` was asked."""
    try:
        return load_json(response.content)
    except json.JSONDecodeError as exc:
        raise UnusableResponse(
            f"{what}: HTTP {response.status_code} answer is not valid JSON ({exc.msg})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise UnusableResponse(
            f"{what}: HTTP {response.status_code} answer is not text ({exc.reason})"
        ) from exc


def service_failure(response: httpx.Response) -> str:
    """A one-line reason for an HTTP answer we did not expect, for failure records."""
    detail = ""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, str):
            detail = f": {message[:200]}"
    return f"HTTP {response.status_code}{detail}"


class BadStatus(FetchError):
    """A service answered with an HTTP status the caller cannot use (after the client's retries)."""


def expect_ok(response: httpx.Response, what: str) -> None:
    """Raise :class:`BadStatus` naming ``what`` unless the answer is a 200."""
    if response.status_code != 200:
        raise BadStatus(f"{what}: {service_failure(response)}")
