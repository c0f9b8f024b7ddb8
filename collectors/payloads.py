"""Reading the answers of web services: one place that decides what an unusable answer is.

Fetchers in this package return plain records; when a service answers with
something they cannot use (an unexpected status, malformed JSON, a missing field,
a list of the wrong length) they raise :class:`UnusableResponse` or
:class:`BadStatus` (both in ``paperweb.errors``), which callers turn into a
failure record for that item so that a build goes on. The reasons stored in
those records come from :func:`service_failure` and :func:`error_reason`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from collectors.bodies import AnswerTimeout
from collectors.safejson import load_json
from collectors.transports import is_rate_limited
from paperweb.errors import BadStatus, FetchError, UnusableResponse

__all__ = [
    "BadStatus",
    "UnusableResponse",
    "error_reason",
    "expect_ok",
    "get_ok",
    "listed",
    "ok_json",
    "reaching",
    "read_json",
    "service_failure",
]


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
    detail = " (rate-limited)" if is_rate_limited(response) else ""
    try:
        body = load_json(response.content)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, str):
            detail += f": {message[:200]}"
    return f"HTTP {response.status_code}{detail}"


def expect_ok(response: httpx.Response, what: str) -> None:
    """Raise :class:`BadStatus` naming ``what`` unless the answer is a 200."""
    if response.status_code != 200:
        raise BadStatus(f"{what}: {service_failure(response)}")


def ok_json(response: httpx.Response, what: str) -> Any:
    """The JSON body of a 200 answer: :class:`BadStatus` for another status, else as :func:`read_json`."""
    expect_ok(response, what)
    return read_json(response, what)


def listed(data: Any, name: str, what: str) -> list[Any]:
    """The list a list answer holds under ``name`` (``{"results": [...]}``).

    >>> listed({"data": [1]}, "data", "x")
    [1]
    """
    found = data.get(name) if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise UnusableResponse(f"{what}: answer has no {name} list")
    return found


def get_ok(
    client: httpx.Client, path: str, what: str, params: dict[str, Any] | None = None
) -> httpx.Response | None:
    """The 200 answer to ``GET path``, None for a 404 (the service does not know the thing)."""
    response = client.get(path, params=params)
    if response.status_code == 404:
        return None
    expect_ok(response, what)
    return response


def error_reason(exc: Exception) -> str:
    """A one-line reason for a transport error or unusable answer (never the full URL)."""
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, AnswerTimeout):
        return f"timed out ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.HTTPError):
        return f"connection failed ({type(exc).__name__})"
    return type(exc).__name__


@contextmanager
def reaching(client: httpx.Client, path: str) -> Iterator[None]:
    """Turn a transport error into a :class:`FetchError` naming the URL (inputs, not enrichment).

    An input the user asked for that cannot be fetched stops the build with one line;
    enrichment instead lets the error through and records :func:`error_reason`.
    """
    try:
        yield
    except httpx.HTTPError as exc:
        raise FetchError(
            f"{client.base_url}{path}: request failed ({exc}); check the network"
        ) from exc
