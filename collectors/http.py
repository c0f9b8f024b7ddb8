"""The one place that builds HTTP clients: base URLs, auth, timeouts, cache, retries and pacing.

A client is an ordinary ``httpx.Client`` whose transport is a stack of small
transports, each wrapping the next, so tests slide an ``httpx.MockTransport``
(or a loopback server) underneath and keep every layer above it::

    cache  ->  retries  ->  pacing  ->  read  ->  auth  ->  inner (network or mock)

The cache sits on top so that a cached answer costs no pacing and no retries;
auth sits at the bottom so that a token is added to the copy of the request
that leaves the process and never reaches the cache key, the stored URL or
httpx's own log lines.

Requests are synchronous and serial. The services that matter most limit us
per host (arXiv one request per 3 s, Semantic Scholar about 1 per second,
GitHub asks for serial requests), and a second build is served from the cache,
so concurrency would only pay for Hugging Face on a first run; serial requests
keep the DuckDB cache writes on one connection and one thread.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from collectors.bodies import ACCEPTED_ENCODINGS
from collectors.safejson import load_json
from collectors.services import (
    SECRETS,
    SERVICES,
    USER_AGENT,
    HttpSettings,
    HttpStats,
    settings_from_env,
)
from collectors.transports import (
    NO_BODY,
    AuthTransport,
    CacheStore,
    CacheTransport,
    MirrorTransport,
    PacingTransport,
    ReadTransport,
    ResponseTooLarge,
    RetryTransport,
    is_rate_limited,
    skip_body,
)
from paperweb.errors import FetchError

__all__ = [
    "NO_BODY",
    "SERVICES",
    "CacheStore",
    "HttpSettings",
    "HttpStats",
    "ResponseTooLarge",
    "UnusableAnswer",
    "error_reason",
    "failure_reason",
    "json_body",
    "make_client",
    "settings_from_env",
]


class UnusableAnswer(FetchError):
    """A service answered with a body paperweb cannot read (malformed JSON, wrong shape)."""


def make_client(
    service: str,
    settings: HttpSettings,
    *,
    store: CacheStore | None = None,
    stats: HttpStats | None = None,
    inner: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for ``service`` with the full transport stack over ``inner``."""
    known = SERVICES[service]
    stats = stats if stats is not None else HttpStats()
    transport: httpx.BaseTransport = inner or httpx.HTTPTransport()
    base = settings.base_url(service)
    if service == "short" and base:
        transport = MirrorTransport(transport, base)
        base = ""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPTED_ENCODINGS}
    if service == "github":
        headers |= {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if service in SECRETS:
        var, how, name = SECRETS[service]
        if settings.secrets.get(var) and base:
            host = httpx.URL(base).host
            transport = AuthTransport(transport, host, how, name, settings.secrets[var])
    transport = ReadTransport(
        transport, settings.max_bytes, settings.timeout, settings.clock, skip_body
    )
    transport = PacingTransport(transport, known.interval * settings.pacing, settings, stats)
    transport = RetryTransport(transport, settings, stats)
    transport = CacheTransport(transport, store, settings, stats)
    timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0))
    return httpx.Client(
        base_url=base, headers=headers, timeout=timeout, transport=transport, follow_redirects=False
    )


def failure_reason(response: httpx.Response) -> str:
    """A one-line reason for an answer we cannot use, for failure records."""
    reason = f"HTTP {response.status_code}"
    if is_rate_limited(response):
        reason += " (rate-limited)"
    return reason


def json_body(response: httpx.Response, what: str) -> Any:
    """The JSON of ``response``, or :class:`UnusableAnswer` naming what was asked."""
    try:
        return load_json(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UnusableAnswer(f"{what}: answer is not valid JSON") from exc


def error_reason(exc: Exception) -> str:
    """A one-line reason for a transport error or unusable answer (never the full URL)."""
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.HTTPError):
        return f"connection failed ({type(exc).__name__})"
    return type(exc).__name__
