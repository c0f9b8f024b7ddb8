"""The one place that builds HTTP clients: base URLs, auth, timeouts, cache, retries and pacing.

A client is an ordinary ``httpx.Client`` whose transport is a stack of small
transports, each wrapping the next, so tests slide an ``httpx.MockTransport``
(or a loopback server) underneath and keep every layer above it::

    cache  ->  retries  ->  pacing  ->  auth  ->  inner (network or mock)

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

import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import httpx

from paperweb import __version__
from paperweb.errors import FetchError, UsageError

__all__ = [
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

USER_AGENT = f"paperweb/{__version__} (+https://github.com/paperweb/paperweb)"
#: request extension that asks the cache layer not to read (or store) the body
NO_BODY = "paperweb_no_body"
#: response extension set on answers served from the cache
FROM_CACHE = "paperweb_cached"


@dataclass(frozen=True, slots=True)
class Service:
    """A remote service: where it lives by default and how often we may ask it."""

    env: str | None
    default_url: str | None
    #: seconds between two requests to the same host
    interval: float


SERVICES: dict[str, Service] = {
    "hf": Service("PAPERWEB_HF_URL", "https://huggingface.co", 0.0),
    "github": Service("PAPERWEB_GITHUB_URL", "https://api.github.com", 0.0),
    "s2": Service("PAPERWEB_S2_URL", "https://api.semanticscholar.org/graph/v1", 1.0),
    "openalex": Service("PAPERWEB_OPENALEX_URL", "https://api.openalex.org", 0.1),
    "arxiv": Service("PAPERWEB_ARXIV_URL", "http://export.arxiv.org", 3.0),
    # short links: any host; a mirror URL (for tests) receives them as <mirror>/<host>/<path>
    "web": Service("PAPERWEB_SHORTLINK_URL", None, 0.2),
}

# Which secret goes to which service, and how (a header or a query parameter).
_SECRETS = {
    "github": ("GITHUB_TOKEN", "header", "Authorization"),
    "s2": ("S2_API_KEY", "header", "x-api-key"),
    "openalex": ("OPENALEX_API_KEY", "param", "api_key"),
}
_SECRET_PARAMS = frozenset({"api_key", "key", "token", "access_token"})
# Headers worth keeping in the cache; nothing that can carry a credential or a cookie.
_KEPT_HEADERS = ("content-type", "content-encoding", "location")
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_HF_RATELIMIT = re.compile(r"""r=(\d+)\s*;\s*t=(\d+)""")


class CacheStore(Protocol):
    """What the cache needs of the database (``graph.store.Store`` has it)."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement that returns nothing."""

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows."""


class ResponseTooLarge(FetchError):
    """A service sent more bytes than paperweb accepts for one answer."""


class UnusableAnswer(FetchError):
    """A service answered with a body paperweb cannot read (malformed JSON, wrong shape)."""


@dataclass(slots=True)
class HttpSettings:
    """Where the services live, which secrets we hold, and how patient we are."""

    base_urls: dict[str, str] = field(default_factory=dict)
    #: secret values by environment variable name; never printed (repr=False)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    refresh: bool = False
    fresh_for: float = 7 * 86400.0
    missing_fresh_for: float = 86400.0
    max_bytes: int = 8 << 20
    max_tries: int = 4
    backoff: float = 1.0
    #: longest single wait we accept; a longer rate-limit wait fails the item instead
    max_wait: float = 60.0
    timeout: float = 15.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random

    def base_url(self, service: str) -> str:
        """The base URL of ``service``: the environment's override or the public default."""
        known = SERVICES[service]
        return self.base_urls.get(service) or known.default_url or ""


def settings_from_env(environ: Mapping[str, str], *, refresh: bool = False) -> HttpSettings:
    """Settings from PAPERWEB_*_URL and the token variables of ``environ``."""
    bases = {
        name: environ[s.env].rstrip("/")
        for name, s in SERVICES.items()
        if s.env and environ.get(s.env, "").strip()
    }
    secrets = {
        var: environ[var].strip() for var, _, _ in _SECRETS.values() if environ.get(var, "").strip()
    }
    settings = HttpSettings(base_urls=bases, secrets=secrets, refresh=refresh)
    # Patience knobs, for slow mirrors and for tests that must not wait.
    for var, name in (
        ("PAPERWEB_HTTP_TRIES", "max_tries"),
        ("PAPERWEB_HTTP_BACKOFF", "backoff"),
        ("PAPERWEB_HTTP_MAX_WAIT", "max_wait"),
        ("PAPERWEB_HTTP_TIMEOUT", "timeout"),
    ):
        if environ.get(var, "").strip():
            try:
                value = float(environ[var])
            except ValueError:
                raise UsageError(
                    f"{var}={environ[var]!r} is not a number; unset it or fix it"
                ) from None
            setattr(settings, name, max(1, int(value)) if name == "max_tries" else max(0.0, value))
    return settings


@dataclass(slots=True)
class HttpStats:
    """What one service's client did: for the progress summary and build_info."""

    requests: int = 0
    cached: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited: float = 0.0
    #: times we stopped because the service asked us to wait longer than max_wait
    rate_limited: int = 0


def cache_key(request: httpx.Request) -> str:
    """Method and URL (minus any secret parameter), plus a body digest for POSTs."""
    url = request.url
    if url.query:
        pairs = [
            (k, v)
            for k, v in parse_qsl(url.query.decode(), keep_blank_values=True)
            if k not in _SECRET_PARAMS
        ]
        url = url.copy_with(query=urlencode(pairs).encode() or None)
    key = f"{request.method} {url}"
    if request.method not in ("GET", "HEAD"):
        key += " " + hashlib.sha256(request.content).hexdigest()
    return key


SQL_CACHE_GET = "SELECT status, headers, body, fetched_at FROM http_cache WHERE key = ?"
SQL_CACHE_PUT = "INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?)"


class CacheTransport(httpx.BaseTransport):
    """Serve fresh answers from the ``http_cache`` table; store final answers as they arrive.

    Each row is committed on its own (the build's big transaction comes later),
    so an interrupted run resumes from what it already fetched.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        store: CacheStore | None,
        settings: HttpSettings,
        stats: HttpStats,
    ) -> None:
        self.inner, self.store, self.settings, self.stats = inner, store, settings, stats

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from the cache when fresh, else from the network (and remember it)."""
        key = cache_key(request)
        if self.store is not None and not self.settings.refresh:
            hit = self._lookup(key, request)
            if hit is not None:
                self.stats.cached += 1
                return hit
        response = self.inner.handle_request(request)
        skip_body = (
            request.method == "HEAD"
            or 300 <= response.status_code < 400
            or bool(request.extensions.get(NO_BODY))
        )
        body = b"" if skip_body else self._read_capped(response, request)
        response.close()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS]
        if self.store is not None and self._cacheable(response.status_code):
            self.store.execute(
                SQL_CACHE_PUT,
                [key, response.status_code, json.dumps(headers), body, self.settings.wall()],
            )
        return httpx.Response(
            response.status_code,
            headers=response.headers if not skip_body else headers,
            content=body,
            request=request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    @staticmethod
    def _cacheable(status: int) -> bool:
        # Final answers only: a 429 or 5xx says nothing about the thing we asked for.
        return 200 <= status < 400 or status in (404, 405, 410)

    def _lookup(self, key: str, request: httpx.Request) -> httpx.Response | None:
        assert self.store is not None
        rows = self.store.query(SQL_CACHE_GET, [key])
        if not rows:
            return None
        status, headers, body, fetched_at = rows[0]
        ttl = self.settings.fresh_for if status < 400 else self.settings.missing_fresh_for
        if self.settings.wall() - fetched_at > ttl:
            return None
        return httpx.Response(
            status,
            headers=[tuple(h) for h in json.loads(headers)],
            content=bytes(body),
            request=request,
            extensions={FROM_CACHE: True},
        )

    def _read_capped(self, response: httpx.Response, request: httpx.Request) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.stream:  # type: ignore[union-attr]
            size += len(chunk)
            if size > self.settings.max_bytes:
                response.close()
                raise ResponseTooLarge(
                    f"{request.url.host}: answer larger than {self.settings.max_bytes:,} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


def _retry_after(value: str, wall: float) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - wall)
    except (TypeError, ValueError, IndexError):
        return None


def requested_wait(response: httpx.Response, wall: float) -> float | None:
    """Seconds the service asks us to wait (Retry-After, GitHub or HF rate-limit headers), if any."""
    headers = response.headers
    if "retry-after" in headers:
        found = _retry_after(headers["retry-after"], wall)
        if found is not None:
            return found
    if (
        headers.get("x-ratelimit-remaining") == "0"
        and headers.get("x-ratelimit-reset", "").isdigit()
    ):
        return max(0.0, float(headers["x-ratelimit-reset"]) - wall)
    match = _HF_RATELIMIT.search(headers.get("ratelimit", ""))
    if match and (response.status_code == 429 or match.group(1) == "0"):
        return float(match.group(2))
    return None


def _is_limited(response: httpx.Response) -> bool:
    status = response.status_code
    github_limit = status == 403 and response.headers.get("x-ratelimit-remaining") == "0"
    return status == 429 or github_limit


class RetryTransport(httpx.BaseTransport):
    """Retry connect errors, timeouts, 429 and 5xx with exponential backoff and jitter."""

    def __init__(
        self, inner: httpx.BaseTransport, settings: HttpSettings, stats: HttpStats
    ) -> None:
        self.inner, self.settings, self.stats = inner, settings, stats

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, and on a transient failure wait and send again, a bounded number of times."""
        s = self.settings
        for attempt in range(1, s.max_tries + 1):
            last = attempt == s.max_tries
            try:
                response = self.inner.handle_request(request)
            except _RETRY_ERRORS:
                if last:
                    raise
                self._wait(self._backoff(attempt), limited=False)
                continue
            limited = _is_limited(response)
            if not (limited or response.status_code >= 500):
                self._respect_quota(response)
                return response
            wait = requested_wait(response, s.wall())
            if wait is not None and wait > s.max_wait:
                # Never sleep for an hour inside a build: give up on this item now.
                self.stats.rate_limited += 1
                return response
            if last:
                if limited:
                    self.stats.rate_limited += 1
                return response
            response.close()
            self._wait(wait if wait is not None else self._backoff(attempt), limited=limited)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.max_wait, s.backoff * 2 ** (attempt - 1) * (1 + s.jitter()))

    def _wait(self, seconds: float, *, limited: bool) -> None:
        self.stats.retries += 1
        if limited:
            self.stats.rate_limit_waits += 1
        self.stats.waited += seconds
        self.settings.sleep(seconds)

    def _respect_quota(self, response: httpx.Response) -> None:
        # A success that spent the window's last request: wait now rather than be refused next.
        wait = requested_wait(response, self.settings.wall())
        if wait and wait <= self.settings.max_wait and "retry-after" not in response.headers:
            self.stats.rate_limit_waits += 1
            self.stats.waited += wait
            self.settings.sleep(wait)

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


class PacingTransport(httpx.BaseTransport):
    """Keep at least ``interval`` seconds between two requests to the same host."""

    def __init__(
        self, inner: httpx.BaseTransport, interval: float, settings: HttpSettings, stats: HttpStats
    ) -> None:
        self.inner, self.interval, self.settings, self.stats = inner, interval, settings, stats
        self.last: dict[str, float] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for the host's turn, then send."""
        host = request.url.host
        if self.interval and host in self.last:
            gap = self.last[host] + self.interval - self.settings.clock()
            if gap > 0:
                self.settings.sleep(gap)
        self.stats.requests += 1
        try:
            return self.inner.handle_request(request)
        finally:
            self.last[host] = self.settings.clock()

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


class AuthTransport(httpx.BaseTransport):
    """Add a service's secret to requests for that service's own host, and nowhere else."""

    def __init__(self, inner: httpx.BaseTransport, host: str, how: str, name: str, value: str):
        self.inner, self.host, self.how, self.name, self._value = inner, host, how, name, value

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send a copy of the request that carries the secret when the host matches."""
        if request.url.host != self.host:
            return self.inner.handle_request(request)
        headers = request.headers.copy()
        url = request.url
        if self.how == "header":
            bearer = f"Bearer {self._value}" if self.name == "Authorization" else self._value
            headers[self.name] = bearer
        else:
            url = url.copy_merge_params({self.name: self._value})
        signed = httpx.Request(
            request.method,
            url,
            headers=headers,
            content=request.content,
            extensions=request.extensions,
        )
        return self.inner.handle_request(signed)

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


class MirrorTransport(httpx.BaseTransport):
    """Send requests for any host to ``<mirror>/<host>/<path>`` (short links in tests)."""

    def __init__(self, inner: httpx.BaseTransport, mirror: str) -> None:
        self.inner, self.mirror = inner, httpx.URL(mirror)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send a copy of the request to the mirror."""
        path = self.mirror.path.rstrip("/") + f"/{request.url.host}{request.url.path}"
        url = self.mirror.copy_with(path=path, query=request.url.query or None)
        headers = request.headers.copy()
        del headers["host"]
        moved = httpx.Request(request.method, url, headers=headers, extensions=request.extensions)
        return self.inner.handle_request(moved)

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


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
    if service == "web" and base:
        transport = MirrorTransport(transport, base)
        base = ""
    headers = {"User-Agent": USER_AGENT}
    if service == "github":
        headers |= {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if service in _SECRETS:
        var, how, name = _SECRETS[service]
        if settings.secrets.get(var) and base:
            host = httpx.URL(base).host
            transport = AuthTransport(transport, host, how, name, settings.secrets[var])
    transport = PacingTransport(transport, known.interval, settings, stats)
    transport = RetryTransport(transport, settings, stats)
    transport = CacheTransport(transport, store, settings, stats)
    timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0))
    return httpx.Client(
        base_url=base, headers=headers, timeout=timeout, transport=transport, follow_redirects=False
    )


def failure_reason(response: httpx.Response) -> str:
    """A one-line reason for an answer we cannot use, for failure records."""
    reason = f"HTTP {response.status_code}"
    if _is_limited(response):
        reason += " (rate-limited)"
    return reason


def json_body(response: httpx.Response, what: str) -> Any:
    """The JSON of ``response``, or :class:`UnusableAnswer` naming what was asked."""
    try:
        return json.loads(response.content)
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
