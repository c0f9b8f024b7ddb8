"""Rebuilding over an existing database leaves a file the size of a fresh build (issue 17)."""

from __future__ import annotations

from pathlib import Path

from graph.store import open_store
from tests.conftest import CORPUS_PAGES
from tests.test_build import _build, _tables


def _fresh_and_rebuilt(tmp_path: Path, rebuilds: int) -> tuple[Path, Path, list[int]]:
    pages = CORPUS_PAGES["000"].parent
    fresh, again = tmp_path / "fresh.duckdb", tmp_path / "again.duckdb"
    code, _, err = _build(pages, "--db", fresh, "--out", tmp_path / "out-fresh")
    assert code == 0, err
    sizes = []
    for _ in range(rebuilds):
        code, _, err = _build(pages, "--db", again, "--out", tmp_path / "out-again")
        assert code == 0, err
        sizes.append(again.stat().st_size)
    return fresh, again, sizes


def test_three_rebuilds_stay_the_size_of_a_fresh_build(tmp_path: Path) -> None:
    """Each of three rebuilds of the same input leaves the file within 10% of a fresh
    build's (the issue's bound; here a block or so of 256 KiB), with the same tables, and
    no scratch file beside it. Rebuilding in place doubled the file the first time."""
    fresh, again, sizes = _fresh_and_rebuilt(tmp_path, 3)
    fresh_size = fresh.stat().st_size
    assert all(abs(size - fresh_size) <= 0.10 * fresh_size for size in sizes), (fresh_size, sizes)
    assert _tables(again) == _tables(fresh)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "again.duckdb",
        "fresh.duckdb",
    ]


def test_rebuild_keeps_the_cache_and_the_size(tmp_path: Path) -> None:
    """A rebuild into a fresh file carries the HTTP cache over and stays the size it was."""
    fresh, _, _ = _fresh_and_rebuilt(tmp_path, 0)
    with open_store(fresh) as store:
        store.remember_answer("https://example.org/a", 200, "{}", b"body", 1.0)
        papers = store.count("papers")
    size = fresh.stat().st_size
    code, _, err = _build(CORPUS_PAGES["000"].parent, "--db", fresh, "--out", tmp_path / "out")
    assert code == 0, err
    with open_store(fresh) as store:
        assert store.cached_answer("https://example.org/a") == (200, "{}", b"body", 1.0)
        assert store.count("papers") == papers
    assert fresh.stat().st_size <= 1.1 * size
