"""Short links: redirects followed by status and Location only, bodies never read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from collectors.enrich import resolve_short_links
from collectors.http import HttpSettings, make_client
from collectors.records import Link
from collectors.shortlinks import resolve_short_link
from graph.store import open_store
from paperweb.errors import FetchError

Routes = dict[tuple[str, str], tuple[int, str | None]]


class Unreadable(httpx.SyncByteStream):
    """A body that fails the test if anyone reads it."""

    def __iter__(self) -> Iterator[bytes]:
        raise AssertionError("the body of a short-link answer was read")


def _client(routes: Routes, seen: list[str], store_path: Path | None = None) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        key = (request.method, f"{request.url.host}{request.url.path}")
        seen.append(f"{key[0]} {key[1]}")
        status, location = routes.get(key, (404, None))
        headers = {"Location": location} if location else {}
        return httpx.Response(status, headers=headers, stream=Unreadable())

    settings = HttpSettings(sleep=lambda s: None, jitter=lambda: 0.0)
    store = open_store(store_path) if store_path else None
    return make_client("short", settings, store=store, inner=httpx.MockTransport(handle))


def test_resolve_short_link_follows_301_to_repo() -> None:
    """A bit.ly 301 to GitHub resolves to the canonical repo target with one HEAD."""
    seen: list[str] = []
    routes: Routes = {("HEAD", "bit.ly/abc"): (301, "https://github.com/Example-Lab/Repo.git")}
    with _client(routes, seen) as client:
        assert resolve_short_link(client, "https://bit.ly/abc") == (
            "repo",
            "github.com/example-lab/repo",
            "https://github.com/Example-Lab/Repo.git",
        )
    assert seen == ["HEAD bit.ly/abc"]


def test_resolve_short_link_get_fallback_without_body() -> None:
    """A shortener that refuses HEAD (405) is asked with a GET whose body is never read."""
    seen: list[str] = []
    routes: Routes = {
        ("HEAD", "tinyurl.com/x1"): (405, None),
        ("GET", "tinyurl.com/x1"): (302, "https://bit.ly/y2"),
        ("HEAD", "bit.ly/y2"): (301, "https://example.org/project/"),
    }
    with _client(routes, seen) as client:
        assert resolve_short_link(client, "tinyurl.com/x1") == (
            "page",
            "example.org/project",
            "https://example.org/project/",
        )
    assert seen == ["HEAD tinyurl.com/x1", "GET tinyurl.com/x1", "HEAD bit.ly/y2"]


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({}, "HTTP 404"),
        ({("HEAD", "bit.ly/a"): (200, None)}, "HTTP 200 without a redirect"),
        ({("HEAD", "bit.ly/a"): (301, "https://bit.ly/a")}, "more than 5 redirects"),
        ({("HEAD", "bit.ly/a"): (301, "mailto:x@example.org")}, "invalid URL"),
        ({("HEAD", "bit.ly/a"): (301, "ftp://example.org/x")}, "not an http\\(s\\) page"),
    ],
)
def test_resolve_short_link_failures(routes: Routes, message: str) -> None:
    """Dead, non-redirecting, looping and non-web short links are failures with a reason."""
    with _client(routes, []) as client, pytest.raises(FetchError, match=message):
        resolve_short_link(client, "https://bit.ly/a")


def test_resolve_short_links_cached_second_time(tmp_path: Path) -> None:
    """Each distinct short target is asked once; a second run asks nothing."""
    seen: list[str] = []
    routes: Routes = {("HEAD", "bit.ly/abc"): (301, "https://github.com/a/b")}
    links = [
        Link("https://bit.ly/abc", "short", "bit.ly/abc"),
        Link("http://bit.ly/abc", "short", "bit.ly/abc"),
    ]
    links.append(Link("https://github.com/c/d", "repo", "github.com/c/d"))
    for _ in range(2):
        with _client(routes, seen, tmp_path / "db.duckdb") as client:
            found = resolve_short_links(client, links)
            client._transport.store.close()  # type: ignore[attr-defined]
        assert found.short_links == {
            "bit.ly/abc": ("repo", "github.com/a/b", "https://github.com/a/b")
        }
    assert seen == ["HEAD bit.ly/abc"]
