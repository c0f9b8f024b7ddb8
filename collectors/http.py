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

import httpx

from collectors.bodies import ACCEPTED_ENCODINGS, NetworkTransport
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
    skip_body,
)

__all__ = [
    "NO_BODY",
    "SERVICES",
    "CacheStore",
    "HttpSettings",
    "HttpStats",
    "ResponseTooLarge",
    "make_client",
    "settings_from_env",
]


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
    transport: httpx.BaseTransport = inner or NetworkTransport()
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
