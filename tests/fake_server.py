"""A small fake of the online services on 127.0.0.1, for end-to-end tests of ``build --online``.

Hugging Face search answers every query with a paper of exactly that title (and a
made-up arXiv id), except the titles in ``MISMATCHED`` (a near miss that must not be
accepted); ``HF_EXTRA`` adds a repository and keywords to chosen papers. Short links
live under ``/<host>/<code>`` (the PAPERWEB_SHORTLINK_URL mirror layout). GitHub answers
every repo under its own name except ``RENAMED`` (a 301); Semantic Scholar's batch
says every paper cites ``MINDEYE``. Every other path (OpenAlex included) is a 404.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "HF_EXTRA",
    "MINDEYE",
    "MISMATCHED",
    "RENAMED",
    "SHORT_LINKS",
    "FakeServices",
    "fake_arxiv_id",
    "serving",
]

HF_EXTRA: dict[str, dict[str, Any]] = {
    "MindEye2: Shared-Subject Models Enable fMRI-To-Image With 1 Hour of Data": {
        "githubRepo": "MedARC-AI/MindEyeV2",
        "projectPage": None,
        "ai_keywords": ["neural decoding", "fMRI-to-image"],
        "upvotes": 31,
    },
}
MISMATCHED = {"Deep Networks Always Grok and Here is Why"}
# path -> (HEAD status, GET status, Location)
SHORT_LINKS = {
    "/bit.ly/3zdVqcg": (301, 301, "https://github.com/Example-Lab/NestedMorph"),
    "/bit.ly/grok-adversarial": (405, 302, "https://example-lab.github.io/grokking/"),
}


# GitHub: this repo was renamed (old lower-case name, new full name)
RENAMED = ("thu-ml/gnot", "thu-ml/GNOT-v2")


def _repo(full_name: str) -> dict[str, Any]:
    return {
        "id": 4242 if full_name == RENAMED[1] else 1,
        "full_name": full_name,
        "html_url": f"https://github.com/{full_name}",
        "description": "A repository of the fake server.",
        "homepage": None,
        "stargazers_count": 10,
        "forks_count": 2,
        "topics": [],
        "language": "Python",
        "license": {"spdx_id": "MIT", "name": "MIT License"},
        "archived": False,
        "fork": False,
        "pushed_at": "2024-05-01T12:00:00Z",
    }


def _s2_paper(requested: str) -> dict[str, Any]:
    """Semantic Scholar: every paper cites MindEye2 (MINDEYE), which cites nothing."""
    arxiv_id = requested.removeprefix("ARXIV:")
    cited = fake_arxiv_id(MINDEYE)
    references = (
        [] if arxiv_id == cited else [{"paperId": f"S2-{cited}", "externalIds": {"ArXiv": cited}}]
    )
    return {
        "paperId": f"S2-{arxiv_id}",
        "externalIds": {"ArXiv": arxiv_id},
        "title": None,
        "citationCount": 7,
        "references": references,
    }


MINDEYE = "MindEye2: Shared-Subject Models Enable fMRI-To-Image With 1 Hour of Data"


def fake_arxiv_id(title: str) -> str:
    """A stable made-up arXiv id for a title."""
    number = int(hashlib.sha1(title.encode()).hexdigest(), 16) % 100000
    return f"2401.{number:05d}"


def _paper(title: str) -> dict[str, Any]:
    paper: dict[str, Any] = {
        "id": fake_arxiv_id(title),
        "title": title,
        "summary": "A summary written for the fake server.",
        "authors": [{"name": "A. Author", "hidden": False}],
        "publishedAt": "2024-03-01T00:00:00.000Z",
        "upvotes": 3,
        "githubRepo": None,
        "projectPage": None,
        "ai_keywords": [],
        "ai_summary": "Fake.",
    }
    return paper | HF_EXTRA.get(title, {})


class FakeServices:
    """Counts requests; can die (stop answering for good) after a number of them."""

    def __init__(self, die_after: int | None = None, port: int = 0) -> None:
        self.die_after = die_after
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.dead = False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output clean."""

            def do_HEAD(self) -> None:
                """Short links answer HEAD; anything else is a 404."""
                fake.answer(self, "HEAD")

            def do_GET(self) -> None:
                """Hugging Face and short links."""
                fake.answer(self, "GET")

            def do_POST(self) -> None:
                """Semantic Scholar's batch endpoint; anything else is a 404."""
                fake.answer(self, "POST")

        return Handler

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        """Serve one request (or drop it and shut down once the server is to die)."""
        with self.lock:
            self.requests.append((method, handler.path, dict(handler.headers.items())))
            count = len(self.requests)
        if self.die_after is not None and count > self.die_after:
            if not self.dead:
                self.dead = True
                threading.Thread(target=self.stop, daemon=True).start()
            handler.close_connection = True
            return
        parts = urlsplit(handler.path)
        if parts.path in SHORT_LINKS:
            head, get, location = SHORT_LINKS[parts.path]
            status = head if method == "HEAD" else get
            self._send(handler, status, b"moved" if method == "GET" else b"", location)
        elif parts.path.startswith(("/repos/", "/repositories/")):
            self._github(handler, parts.path)
        elif parts.path == "/paper/batch" and method == "POST":
            length = int(handler.headers.get("Content-Length", "0"))
            ids = json.loads(handler.rfile.read(length) or b"{}").get("ids", [])
            self._send(handler, 200, json.dumps([_s2_paper(i) for i in ids]).encode())
        elif parts.path == "/api/papers/search":
            query = parse_qs(parts.query).get("q", [""])[0]
            title = query + " (extended)" if query in MISMATCHED else query
            body = [{"paper": _paper(title), "title": title, "numComments": 0}]
            self._send(handler, 200, json.dumps(body).encode())
        else:
            self._send(handler, 404, b'{"error": "Not Found"}')

    def _github(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        """Every repo exists under its own name, except RENAMED, which moved (301, then 200)."""
        if path == "/repositories/4242":
            self._send(handler, 200, json.dumps(_repo(RENAMED[1])).encode())
            return
        name = path.removeprefix("/repos/")
        if name.lower() == RENAMED[0]:
            self._send(handler, 301, b"", f"{self.url}/repositories/4242")
        else:
            self._send(handler, 200, json.dumps(_repo(name)).encode())

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, location: str = ""
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        if location:
            handler.send_header("Location", location)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serving(die_after: int | None = None, port: int = 0) -> Iterator[FakeServices]:
    """A running fake server (on ``port``, or any free one), stopped at the end."""
    fake = FakeServices(die_after, port)
    fake.thread.start()
    try:
        yield fake
    finally:
        if not fake.dead:
            fake.stop()
