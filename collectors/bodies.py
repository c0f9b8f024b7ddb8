"""Reading one answer's body: decompressed as it streams, capped in decoded bytes, within a deadline.

httpx inflates ``Content-Encoding`` bodies whole when a response is built from bytes,
so a 1 MiB gzip bomb becomes 1 GiB in memory before anyone can look at its size.
:class:`ReadTransport`, at the bottom of every client's stack, reads the raw stream
through :func:`decode_body` instead: every layer of
encoding is undone chunk by chunk with zlib's ``max_length``, so no more than the cap
(plus one chunk of raw bytes) is ever held, and a server that drips bytes is cut off
once the whole answer has taken longer than the timeout.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

import httpx

from paperweb.errors import FetchError

__all__ = [
    "ACCEPTED_ENCODINGS",
    "ReadTransport",
    "ResponseTooLarge",
    "UndecodableAnswer",
    "decode_body",
]

#: what paperweb asks for (and can inflate itself, under the cap)
ACCEPTED_ENCODINGS = "gzip, deflate"
# Values some servers send that mean "not encoded".
_IDENTITY = frozenset({"", "identity", "none", "utf-8", "utf8"})
# Headers that describe the body as it travelled, not the decoded body handed on.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


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
                raise httpx.ReadTimeout(f"{host}: answer took longer than the timeout")
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
        """Send, then read the body before ``timeout`` seconds have passed since sending."""
        deadline = self.clock() + self.timeout
        response = self.inner.handle_request(request)
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

    def close(self) -> None:
        """Close the inner transports."""
        self.inner.close()
