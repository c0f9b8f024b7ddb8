"""Reading one answer's body: decompressed as it streams, capped in decoded bytes, within a deadline.

httpx inflates ``Content-Encoding`` bodies whole when a response is built from bytes,
so a 1 MiB gzip bomb becomes 1 GiB in memory before anyone can look at its size.
:class:`ReadTransport`, at the bottom of every client's stack, reads the raw stream
through :func:`decode_body` instead: every layer of
encoding is undone chunk by chunk with zlib's ``max_length``, so no more than the cap
(plus one chunk of raw bytes) is ever held, and a server that drips bytes is cut off
once the whole answer has taken longer than the timeout.

httpx's own timeout bounds each socket read, not the answer: a server that sends its
status line and headers a byte a second never trips it, and the headers are read
before any layer above sees a response. So the network transport
(:class:`NetworkTransport`) reads through sockets whose every read, write and connect
is clamped to the time left before the answer's deadline, which
:class:`ReadTransport` sets for each request (:func:`answer_deadline`).
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from paperweb.errors import FetchError

__all__ = [
    "ACCEPTED_ENCODINGS",
    "AnswerTimeout",
    "NetworkTransport",
    "ReadTransport",
    "ResponseTooLarge",
    "UndecodableAnswer",
    "answer_deadline",
    "decode_body",
]

#: what paperweb asks for (and can inflate itself, under the cap)
ACCEPTED_ENCODINGS = "gzip, deflate"
# Values some servers send that mean "not encoded".
_IDENTITY = frozenset({"", "identity", "none", "utf-8", "utf8"})
# Headers that describe the body as it travelled, not the decoded body handed on.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AnswerTimeout(httpx.ReadTimeout):
    """An answer (status line, headers and body) did not arrive whole within the timeout."""


class ResponseTooLarge(FetchError):
    """A service sent more bytes than paperweb accepts for one answer."""


class UndecodableAnswer(FetchError):
    """An answer's Content-Encoding is one paperweb did not ask for or cannot undo."""


class _Inflater:
    """One layer of gzip or deflate, undone with a bound on what it may produce."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # gzip: header and trailer; deflate: the zlib wrapper, or (some servers) raw deflate.
        self.wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self.inflater = zlib.decompressobj(self.wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``; raise :class:`ResponseTooLarge` past ``room`` bytes of output."""
        out = bytearray()
        while data:
            try:
                piece = self.inflater.decompress(data, room - len(out) + 1)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self.started:
                    self.inflater, self.started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise UndecodableAnswer(f"answer is not valid {self.encoding} ({exc})") from None
            self.started = True
            out += piece
            if len(out) > room:
                raise ResponseTooLarge("")
            data = self.inflater.unconsumed_tail
            if self.inflater.eof:
                # Several gzip members one after another are one body (RFC 1952).
                data = self.inflater.unused_data
                self.inflater = zlib.decompressobj(self.wbits)
        return bytes(out)


def _inflaters(content_encoding: str) -> list[_Inflater]:
    """The layers to undo, outermost (last applied) first."""
    names = [n.strip().lower() for n in content_encoding.split(",")]
    layers: list[_Inflater] = []
    for name in reversed(names):
        if name in _IDENTITY:
            continue
        if name in ("gzip", "x-gzip"):
            layers.append(_Inflater("gzip"))
        elif name == "deflate":
            layers.append(_Inflater("deflate"))
        else:
            raise UndecodableAnswer(f"answer is encoded as {name[:40]!r}, which was not asked for")
    return layers


def decode_body(
    chunks: Iterable[bytes],
    content_encoding: str,
    max_bytes: int,
    *,
    host: str,
    expired: Callable[[], bool] = lambda: False,
) -> bytes:
    """The decoded body of ``chunks``: at most ``max_bytes`` after every encoding is undone.

    Raises :class:`ResponseTooLarge` past the cap, :class:`UndecodableAnswer` for an
    encoding we cannot undo, and ``httpx.ReadTimeout`` when ``expired()`` turns true
    between two chunks.
    """
    layers = _inflaters(content_encoding)
    body = bytearray()
    raw = 0
    try:
        for chunk in chunks:
            raw += len(chunk)
            data = chunk
            for layer in layers:
                room = max_bytes - len(body) if layer is layers[-1] else max_bytes
                data = layer.feed(data, room)
            body += data
            # Raw bytes count too: an answer of endless empty gzip members inflates to nothing.
            if len(body) > max_bytes or raw > max_bytes:
                raise ResponseTooLarge("")
            if expired():
                raise httpx.ReadTimeout(_too_slow(host))
    except ResponseTooLarge:
        raise ResponseTooLarge(f"{host}: answer larger than {max_bytes:,} bytes") from None
    return bytes(body)


class ReadTransport(httpx.BaseTransport):
    """Read every answer whole as it arrives: decoded, capped and within the deadline.

    The layers above get complete responses (no ``Content-Encoding`` left, no stream),
    so a failure to read one is the request's failure, seen by the retry layer.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        max_bytes: int,
        timeout: float,
        clock: Callable[[], float],
        skip_body: Callable[[httpx.Request, httpx.Response], bool],
    ) -> None:
        self.inner, self.max_bytes, self.timeout, self.clock = inner, max_bytes, timeout, clock
        self.skip_body = skip_body

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, then read status line, headers and body before ``timeout`` seconds have passed."""
        deadline = self.clock() + self.timeout
        try:
            with answer_deadline(self.timeout, request.url.host):
                response = self.inner.handle_request(request)
                body = self._body(request, response, deadline)
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
            # httpx's per-read timeouts and the answer's deadline are the same failure to a
            # user; a connect timeout keeps its own message.
            raise AnswerTimeout(
                f"{request.url.host}: the answer took longer than the {self.timeout:g} s timeout",
                request=request,
            ) from exc
        headers = [
            (k, v) for k, v in response.headers.items() if k.lower() not in _TRANSFER_HEADERS
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def _body(self, request: httpx.Request, response: httpx.Response, deadline: float) -> bytes:
        try:
            skipped = self.skip_body(request, response)
            body = (
                b""
                if skipped
                else decode_body(
                    response.stream,  # type: ignore[arg-type]
                    response.headers.get("content-encoding", ""),
                    self.max_bytes,
                    host=request.url.host,
                    expired=lambda: self.clock() > deadline,
                )
            )
        finally:
            response.close()
        return body

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()


def _too_slow(host: str) -> str:
    return f"{host}: answer took longer than the timeout"


#: (monotonic deadline, host) of the answer being read on this thread, set by ReadTransport
_DEADLINE: ContextVar[tuple[float, str] | None] = ContextVar("paperweb_deadline", default=None)


@contextmanager
def answer_deadline(seconds: float, host: str) -> Iterator[None]:
    """Bound every socket operation of the block to ``seconds`` from now, all together."""
    token = _DEADLINE.set((time.monotonic() + seconds, host))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _bounded(timeout: float | None, error: type[Exception]) -> tuple[float | None, bool]:
    """``timeout`` clamped to the time left, and whether the deadline is the tighter bound.

    Raises ``error`` once the deadline has passed.
    """
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout, False
    left = deadline[0] - time.monotonic()
    if left <= 0:
        raise error(_too_slow(deadline[1]))
    if timeout is None or left < timeout:
        return left, True
    return timeout, False


def _host() -> str:
    deadline = _DEADLINE.get()
    return deadline[1] if deadline else "server"


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the answer's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded, clamped = _bounded(timeout, httpcore.ReadTimeout)
        try:
            return self.inner.read(max_bytes, bounded)
        except httpcore.ReadTimeout:
            if clamped:
                raise httpcore.ReadTimeout(_too_slow(_host())) from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        bounded, clamped = _bounded(timeout, httpcore.WriteTimeout)
        try:
            self.inner.write(buffer, bounded)
        except httpcore.WriteTimeout:
            if clamped:
                raise httpcore.WriteTimeout(_too_slow(_host())) from None
            raise

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded, _ = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, handing out streams bound by the answer's deadline."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded, _ = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self.inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded, _ = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class NetworkTransport(httpx.HTTPTransport):
    """httpx's network transport, over sockets bound by the deadline of :func:`answer_deadline`."""

    def __init__(self) -> None:
        super().__init__()
        # httpx.HTTPTransport takes no network backend, so its connection pool is made
        # again with one (and httpx's default limits); handle_request uses it as before.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )
