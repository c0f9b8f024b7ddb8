"""A loopback server whose answers are written by each test: bombs, drips, refusals and junk.

``HostileServer`` maps a path prefix to a function that writes the whole answer
(status line, headers and body) on the raw handler, so a test can send what no
well-behaved service would: a gzip bomb, a body that trickles in, a 500 forever.
Paths without a route answer 404 with a JSON error, like the real services.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HeaderDrip", "HostileServer", "Route", "drip", "gzip_bomb", "hostile", "send"]

Route = Callable[[BaseHTTPRequestHandler], None]


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    """Write one complete answer with a Content-Length."""
    handler.send_response(status)
    given = {"Content-Type": "application/json"} | (headers or {})
    for name, value in given.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


@cache
def gzip_bomb(inflated: int = 256 << 20) -> bytes:
    """``inflated`` bytes of zeros (256 MiB by default) as gzip: about a thousandth the size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(inflated >> 20)]
    return b"".join(parts) + packer.flush()


def drip(handler: BaseHTTPRequestHandler, length: int = 600, every: float = 0.1) -> None:
    """Headers at once, then the body one byte every ``every`` seconds (a minute by default)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(length))
    handler.end_headers()
    try:
        for _ in range(length):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(every)
    except OSError:
        pass  # the client gave up, as it should


class HeaderDrip:
    """A route that sends even its status line and headers one byte every ``every`` seconds.

    It records how many bytes it wrote before the client hung up (``sent`` of ``total``)
    and sets ``stopped`` when it ends either way.
    """

    def __init__(self, every: float = 0.05, padding: int = 1200) -> None:
        self.every = every
        self.head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + b"X-Pad: "
            + b"x" * padding
            + b"\r\nContent-Length: 2\r\n\r\n{}"
        )
        self.total = len(self.head)
        self.sent = 0
        self.stopped = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        """Write the answer a byte at a time until it is done or the client is gone."""
        try:
            for byte in self.head:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                self.sent += 1
                time.sleep(self.every)
        except OSError:
            handler.close_connection = True  # the client gave up, as it should
        finally:
            self.stopped.set()


class HostileServer:
    """Serves ``routes`` on 127.0.0.1 and records every request's method and path."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def hits(self, prefix: str) -> int:
        """How many requests asked for a path starting with ``prefix``."""
        with self.lock:
            return sum(1 for _, path in self.requests if path.startswith(prefix))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output clean."""

            def do_GET(self) -> None:
                """Every method goes to the routes."""
                server.answer(self)

            def do_HEAD(self) -> None:
                """Every method goes to the routes."""
                server.answer(self)

            def do_POST(self) -> None:
                """Every method goes to the routes (the request body is read and dropped)."""
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                server.answer(self)

        return Handler

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Record the request, then let the longest matching route write the answer."""
        with self.lock:
            self.requests.append((handler.command, handler.path))
        matches = [p for p in self.routes if handler.path.startswith(p)]
        if not matches:
            send(handler, 404, b'{"error": "Not Found"}')
            return
        self.routes[max(matches, key=len)](handler)


@contextmanager
def hostile(routes: dict[str, Route]) -> Iterator[HostileServer]:
    """A running :class:`HostileServer`, shut down at the end."""
    server = HostileServer(routes)
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
