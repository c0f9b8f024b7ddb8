"""The transports under every client: cache, retries, pacing, auth and a mirror, each wrapping the next.

Each is an ``httpx.BaseTransport`` holding an inner transport, so tests put an
``httpx.MockTransport`` (or a loopback server) at the bottom and keep every layer above.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

import httpx

from collectors.bodies import ReadTransport, ResponseTooLarge, UndecodableAnswer, decode_body
from collectors.safejson import load_json
from collectors.services import HttpSettings, HttpStats
from paperweb.errors import FetchError

__all__ = [
    "FROM_CACHE",
    "NO_BODY",
    "AuthTransport",
    "CacheStore",
    "CacheTransport",
    "MirrorTransport",
    "PacingTransport",
    "ReadTransport",
    "ResponseTooLarge",
    "RetryTransport",
    "ServiceGivenUp",
    "cache_key",
    "forget_answer",
    "is_rate_limited",
    "requested_wait",
    "skip_body",
]

#: request extension that asks the cache layer not to read (or store) the body
NO_BODY = "paperweb_no_body"
#: response extension set on answers served from the cache
FROM_CACHE = "paperweb_cached"
_SECRET_PARAMS = frozenset({"api_key", "key", "token", "access_token"})
# Headers worth keeping in the cache; nothing that can carry a credential or a cookie.
# Bodies are stored decoded, so Content-Encoding is not kept (rows written before that
# still carry it and are decoded under the cap when read).
_KEPT_HEADERS = ("content-type", "location")
# Headers that describe a body as it travelled (only old cache rows still have them).
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_HF_RATELIMIT = re.compile(r"""r=(\d+)\s*;\s*t=(\d+)""")


class CacheStore(Protocol):
    """What the cache needs of the database (``graph.store.Store`` has it)."""

    def cached_answer(self, key: str) -> tuple[int, str, bytes, float] | None:
        """The stored status, headers (JSON), body and fetch time of ``key``, if any."""

    def remember_answer(
        self, key: str, status: int, headers: str, body: bytes, fetched_at: float
    ) -> None:
        """Store (or replace) the answer of ``key``."""

    def forget_answer(self, key: str) -> None:
        """Drop the answer of ``key``."""


class ServiceGivenUp(FetchError):
    """A host failed too many requests in a row; it is not asked again in this run."""


def skip_body(request: httpx.Request, response: httpx.Response) -> bool:
    """True for answers whose body paperweb never reads (HEAD, redirects, NO_BODY requests)."""
    return (
        request.method == "HEAD"
        or 300 <= response.status_code < 400
        or bool(request.extensions.get(NO_BODY))
    )


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


#: response extension: a callable that drops the answer from the cache (see forget_answer)
FORGET = "paperweb_forget"


def forget_answer(response: httpx.Response | None) -> None:
    """Drop a cached answer its reader found unusable, so the next run asks again."""
    forget = response.extensions.get(FORGET) if response is not None else None
    if callable(forget):
        forget()


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
        # The read layer below has read the body already (decoded and capped).
        body = b"" if skip_body(request, response) else response.content
        headers = [(k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS]
        if (
            self.store is not None
            and self._cacheable(response.status_code)
            and self._readable(response, body)
        ):
            self.store.remember_answer(
                key, response.status_code, json.dumps(headers), body, self.settings.wall()
            )
            response.extensions[FORGET] = self._forgetter(key)
        return response

    def _forgetter(self, key: str) -> Callable[[], None]:
        store = self.store
        assert store is not None
        return lambda: store.forget_answer(key)

    @staticmethod
    def _readable(response: httpx.Response, body: bytes) -> bool:
        """False for a JSON answer that does not decode: it is not kept as if it were good."""
        if "json" not in response.headers.get("content-type", "").lower() or not body:
            return True
        try:
            load_json(body)
        except (ValueError, UnicodeDecodeError):
            return False
        return True

    @staticmethod
    def _cacheable(status: int) -> bool:
        # Final answers only: a 429 or 5xx says nothing about the thing we asked for.
        return 200 <= status < 400 or status in (404, 405, 410)

    def _lookup(self, key: str, request: httpx.Request) -> httpx.Response | None:
        assert self.store is not None
        row = self.store.cached_answer(key)
        if row is None:
            return None
        status, headers, body, fetched_at = row
        ttl = self.settings.fresh_for if status < 400 else self.settings.missing_fresh_for
        if self.settings.wall() - fetched_at > ttl:
            return None
        kept = [tuple(h) for h in json.loads(headers)]
        encoding = ", ".join(v for k, v in kept if k.lower() == "content-encoding")
        content = bytes(body)
        if encoding:
            try:
                content = decode_body(
                    [content], encoding, self.settings.max_bytes, host=request.url.host
                )
            except (ResponseTooLarge, UndecodableAnswer):
                return None  # asked again; a good answer replaces the row
        return httpx.Response(
            status,
            headers=[h for h in kept if h[0].lower() not in _TRANSFER_HEADERS],
            content=content,
            request=request,
            extensions={FROM_CACHE: True, FORGET: self._forgetter(key)},
        )

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


def is_rate_limited(response: httpx.Response) -> bool:
    status = response.status_code
    github_limit = status == 403 and response.headers.get("x-ratelimit-remaining") == "0"
    return status == 429 or github_limit


class RetryTransport(httpx.BaseTransport):
    """Retry connect errors, timeouts, 429 and 5xx with exponential backoff and jitter.

    Per host, it is also a circuit breaker: once ``give_up_after`` requests in a row
    have failed (after their retries), the host is not asked again in this run and
    every later request raises :class:`ServiceGivenUp` at once; and a run of failures
    stops being retried once it has taken ``retry_budget`` seconds, so a service that
    always answers 500 costs a few seconds in all, not a dozen per item.
    """

    def __init__(
        self, inner: httpx.BaseTransport, settings: HttpSettings, stats: HttpStats
    ) -> None:
        self.inner, self.settings, self.stats = inner, settings, stats
        #: host -> wall time until which it told us to stay away (longer than max_wait)
        self.blocked_until: dict[str, float] = {}
        #: host -> requests in a row that failed after their retries
        self.failed_in_row: dict[str, int] = {}
        #: host -> clock reading when its current run of failed attempts began
        self.failing_since: dict[str, float] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, and on a transient failure wait and send again, a bounded number of times."""
        s = self.settings
        host = request.url.host
        failed = self.failed_in_row.get(host, 0)
        if failed >= s.give_up_after:
            raise ServiceGivenUp(f"{host}: given up after {failed} failed requests in a row")
        if s.wall() < self.blocked_until.get(host, 0.0):
            # The host's quota is spent for longer than we wait: fail the item without asking.
            self.stats.rate_limited += 1
            left = int(self.blocked_until[host] - s.wall()) + 1
            return httpx.Response(429, headers={"retry-after": str(left)}, request=request)
        for attempt in range(1, s.max_tries + 1):
            began = s.clock()
            try:
                response = self.inner.handle_request(request)
            except _RETRY_ERRORS:
                pause = self._backoff(attempt)
                if not self._may_retry(host, began, attempt, pause, budgeted=True):
                    self._failed(host)
                    raise
                self._wait(pause, limited=False)
                continue
            except FetchError:
                # Too large or undecodable: the same answer would come again.
                self._failed(host)
                raise
            limited = is_rate_limited(response)
            if not (limited or response.status_code >= 500):
                self._succeeded(host)
                self._respect_quota(response)
                return response
            wait = requested_wait(response, s.wall())
            if wait is not None and wait > s.max_wait:
                # Never sleep for an hour inside a build: give up on this item (and the host) now.
                self.stats.rate_limited += 1
                self.blocked_until[host] = s.wall() + wait
                return response
            pause = wait if wait is not None else self._backoff(attempt)
            # A 429's own wait is the service pacing us, not a failure to budget.
            paced = limited and wait is not None
            if not self._may_retry(host, began, attempt, pause, budgeted=not paced):
                if limited:
                    self.stats.rate_limited += 1
                self._failed(host)
                return response
            response.close()
            self._wait(pause, limited=limited)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _may_retry(
        self, host: str, began: float, attempt: int, pause: float, *, budgeted: bool
    ) -> bool:
        """Whether a failed attempt is tried again: tries left, and the run's time budget."""
        if attempt >= self.settings.max_tries:
            return False
        if not budgeted:
            return True
        since = self.failing_since.setdefault(host, began)
        return self.settings.clock() - since + pause <= self.settings.retry_budget

    def _failed(self, host: str) -> None:
        self.failed_in_row[host] = self.failed_in_row.get(host, 0) + 1

    def _succeeded(self, host: str) -> None:
        self.failed_in_row.pop(host, None)
        self.failing_since.pop(host, None)

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
