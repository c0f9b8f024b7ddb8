"""Hostile and failing services in whole online builds (issue 18, points 3, 4 and 9).

A build of a small page runs against a loopback server that answers as badly as a
test asks; the build must finish (or fail with one Error line), record per-item
failures, cache nothing unusable, and never print a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import open_store
from paperweb.cli import app
from tests.conftest import RICH_PAGE
from tests.fake_hub import arxiv_feed, hf_paper
from tests.hostile_server import HeaderDrip, HostileServer, Route, hostile, send

runner = CliRunner()
TITLE = "Sparse Routing for Tiny Graph Transformers"
REPO = "Example-Lab/TinyRoute"


@pytest.fixture
def point(monkeypatch: pytest.MonkeyPatch) -> Callable[[HostileServer], None]:
    """Point every service at a hostile server, with quick retries and no tokens."""

    def to(server: HostileServer) -> None:
        for var in ("HF", "GITHUB", "S2", "OPENALEX", "ARXIV", "SHORTLINK"):
            monkeypatch.setenv(f"PAPERWEB_{var}_URL", server.url)
        monkeypatch.setenv("PAPERWEB_HTTP_BACKOFF", "0.01")
        monkeypatch.setenv("PAPERWEB_HTTP_TIMEOUT", "5")
        for var in ("GITHUB_TOKEN", "S2_API_KEY", "OPENALEX_API_KEY"):
            monkeypatch.delenv(var, raising=False)

    return to


def _page(tmp: Path) -> Path:
    page = tmp / "page.txt"
    page.write_text(RICH_PAGE, encoding="utf-8")
    return page


def _build(
    tmp: Path, *inputs: Path | str, extra: tuple[str, ...] = ("--online",)
) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "build",
            *map(str, inputs),
            "--db",
            str(tmp / "db.duckdb"),
            "--out",
            str(tmp / "out"),
            *extra,
        ],
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def _json(body: object) -> Route:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, json.dumps(body).encode())

    return answer


def _raw(status: int, body: bytes, headers: dict[str, str] | None = None) -> Route:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, status, body, headers)

    return answer


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as store:
        return store.query(sql)


def _hostile_repo() -> dict[str, object]:
    return {
        "full_name": REPO,
        "html_url": f"https://github.com/{REPO}",
        "stargazers_count": 10**30,
        "forks_count": -4,
        "topics": ["graphs", "\ud800"],
        "pushed_at": "9999-12-31T23:00:00-12:00",
    }


def test_hostile_hf_and_github_values_are_dropped_not_crashing(
    tmp_path: Path, point: Callable[[HostileServer], None]
) -> None:
    """HF upvotes 10**30, GitHub stars 10**30, pushed_at past year 9999: fields dropped, build done."""
    found = hf_paper("2401.00001", TITLE, upvotes=10**30, githubRepo=REPO)
    routes = {
        "/api/papers/search": _json([{"paper": found, "title": TITLE}]),
        f"/repos/{REPO.lower()}": _json(_hostile_repo()),
    }
    with hostile(routes) as server:
        point(server)
        code, err = _build(tmp_path, _page(tmp_path))
    assert code == 0, err
    db = tmp_path / "db.duckdb"
    assert _query(db, f"SELECT upvotes, arxiv_id FROM papers WHERE title = '{TITLE}'") == [
        (12, "2401.00001")  # the page's own 12 upvotes stay; HF's 10**30 is dropped
    ]
    assert _query(
        db,
        "SELECT status, stars, forks, pushed_at, topics FROM repos WHERE target LIKE '%tinyroute'",
    ) == [("ok", None, None, None, ["graphs", "\ufffd"])]


def test_deeply_nested_hf_answer_is_a_failure_and_not_cached(
    tmp_path: Path, point: Callable[[HostileServer], None]
) -> None:
    """HF JSON nested 200k deep fails its items; the next build asks again (nothing cached)."""
    deep = b"[" * 200_000 + b"]" * 200_000
    routes = {"/api/papers/search": _raw(200, deep)}
    with hostile(routes) as server:
        point(server)
        code, err = _build(tmp_path, _page(tmp_path))
        assert code == 0, err
        assert "hf: 0 resolved, 3 failed" in err
        first = server.hits("/api/papers/search")
        code, err = _build(tmp_path, _page(tmp_path))
        assert code == 0, err
        assert server.hits("/api/papers/search") == 2 * first
    rows = _query(
        tmp_path / "db.duckdb", "SELECT key FROM http_cache WHERE key LIKE '%/api/papers/search%'"
    )
    assert rows == []


def test_bad_timeout_setting_is_one_error_line_and_db_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PAPERWEB_HTTP_TIMEOUT=inf stops an online build with one line; the old database is kept."""
    page = _page(tmp_path)
    code, err = _build(tmp_path, page, extra=())
    assert code == 0, err
    db = tmp_path / "db.duckdb"
    before = db.read_bytes()
    for value in ("inf", "nan", "-1", "fast"):
        monkeypatch.setenv("PAPERWEB_HTTP_TIMEOUT", value)
        code, err = _build(tmp_path, page)
        assert code == 1
        assert [line for line in err.splitlines() if line.startswith("Error:")] == [
            f"Error: PAPERWEB_HTTP_TIMEOUT={value!r} must be a number of seconds above 0; "
            "unset it or fix it"
        ]
        assert db.read_bytes() == before


def test_headers_dripped_by_hf_fail_its_items_not_the_build(
    tmp_path: Path, point: Callable[[HostileServer], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HF sending its headers a byte at a time: each paper fails at the 1 s timeout, the build
    finishes, says why, and caches nothing from HF."""
    dripping = HeaderDrip()
    with hostile({"/api/papers/search": dripping}) as server:
        point(server)
        monkeypatch.setenv("PAPERWEB_HTTP_TIMEOUT", "1")
        monkeypatch.setenv("PAPERWEB_HTTP_TRIES", "1")
        code, err = _build(tmp_path, _page(tmp_path))
        asked = server.hits("/api/papers/search")
    assert code == 0, err
    assert "hf: 0 resolved, 3 failed" in err
    assert "hf x3: timed out (127.0.0.1: the answer took longer than the 1 s timeout)" in err
    assert 1 <= asked <= 3
    assert dripping.sent < dripping.total
    cached = _query(
        tmp_path / "db.duckdb", "SELECT key FROM http_cache WHERE key LIKE '%/api/papers/%'"
    )
    assert cached == []
    assert _query(tmp_path / "db.duckdb", "SELECT count(*) FROM papers") == [(3,)]


def test_github_refusing_every_repo_is_given_up_after_three(
    tmp_path: Path, point: Callable[[HostileServer], None]
) -> None:
    """GitHub answering 503 with an unreadable Retry-After is asked for 3 repos, not all 12."""
    page = tmp_path / "many.txt"
    links = " ".join(f"https://github.com/lab/repo{n}" for n in range(12))
    page.write_text(RICH_PAGE.replace("Code: https://github.com/Example-Lab/TinyRoute", links))
    routes = {"/repos/": _raw(503, b'{"message": "down"}', {"Retry-After": "later, maybe"})}
    with hostile(routes) as server:
        point(server)
        code, err = _build(tmp_path, page)
        asked = server.hits("/repos/")
    assert code == 0, err
    assert "github: 0 resolved, 13 failed" in err
    assert asked <= 3 * 4
    assert "given up after 3 failed requests in a row" in err


def test_arxiv_failure_costs_its_own_items_not_the_build(
    tmp_path: Path, point: Callable[[HostileServer], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ids HF does not know and arXiv answers 500 for stay id-only; the rest is built (exit 3)."""
    ids = tmp_path / "ids.txt"
    ids.write_text("2401.00001\n2401.00002\n", encoding="utf-8")
    known = hf_paper("2401.00001", "A Paper Hugging Face Knows")
    routes = {
        "/api/papers/2401.00001": _json(known),
        "/api/query": _raw(500, b"<error/>", {"Content-Type": "application/atom+xml"}),
    }
    with hostile(routes) as server:
        point(server)
        monkeypatch.setenv("PAPERWEB_HTTP_TRIES", "1")  # arXiv is paced 3 s a request
        code, err = _build(tmp_path, ids)
    assert code == 3, err
    assert "2401.00002 not found on Hugging Face or arXiv" in err
    assert "arXiv: HTTP 500" in err
    titles = _query(tmp_path / "db.duckdb", "SELECT title FROM papers ORDER BY title")
    assert titles == [("A Paper Hugging Face Knows",), ("arXiv:2401.00002",)]


def test_arxiv_answers_are_used_when_it_works(
    tmp_path: Path, point: Callable[[HostileServer], None]
) -> None:
    """The same build with a working arXiv completes the id (the failure test's control)."""
    ids = tmp_path / "ids.txt"
    ids.write_text("2401.00002\n", encoding="utf-8")
    feed = arxiv_feed([("2401.00002v1", "An arXiv Only Paper", "We study things.")]).encode()
    routes = {"/api/query": _raw(200, feed, {"Content-Type": "application/atom+xml"})}
    with hostile(routes) as server:
        point(server)
        code, err = _build(tmp_path, ids)
    assert code == 0, err
    assert _query(tmp_path / "db.duckdb", "SELECT title FROM papers") == [("An arXiv Only Paper",)]


def test_github_answer_of_the_wrong_shape_is_not_kept(
    tmp_path: Path, point: Callable[[HostileServer], None]
) -> None:
    """Valid JSON that is no repository (no full_name) fails its repo and is asked again next run."""
    routes = {"/repos/": _json({"message": "everything is fine", "stargazers_count": 5})}
    with hostile(routes) as server:
        point(server)
        code, err = _build(tmp_path, _page(tmp_path))
        assert code == 0, err
        assert "GitHub repository answer has no owner/name full_name" in err
        first = server.hits("/repos/")
        code, err = _build(tmp_path, _page(tmp_path))
        assert code == 0, err
        assert server.hits("/repos/") == 2 * first
    cached = _query(tmp_path / "db.duckdb", "SELECT key FROM http_cache WHERE key LIKE '%/repos/%'")
    assert cached == []
