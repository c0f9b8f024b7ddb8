"""The build's memory budget reaches DuckDB (issue 17): ``--memory-limit`` and its default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import graph.store.rebuild as rebuild
from graph.store import Store, default_memory_limit, open_store, parse_size
from graph.store.memory import machine_memory
from paperweb.errors import UsageError
from paperweb.pipeline import BuildOptions, build
from tests.conftest import CORPUS_PAGES
from tests.test_build import _build


def test_open_store_sets_memory_limit_and_temp_directory(tmp_path: Path) -> None:
    """The limit is DuckDB's memory_limit; DuckDB spills to a folder beside the file."""
    with open_store(tmp_path / "db.duckdb", memory_limit=300 * 2**20) as store:
        assert store.setting("memory_limit") == "300.0 MiB"
        assert store.setting("temp_directory") == str(tmp_path / "db.duckdb.tmp")
    with open_store(tmp_path / "db.duckdb") as store:
        # without a budget the connection keeps DuckDB's own default
        assert store.setting("memory_limit") != "300.0 MiB"


def test_sizes() -> None:
    """Sizes in DuckDB's units or as a share of the machine; nonsense is a usage error."""
    assert parse_size("8GB") == 8 * 10**9 and parse_size("2 GiB") == 2 * 2**30
    assert parse_size("25%") == pytest.approx(machine_memory() / 4, rel=1e-6)
    assert default_memory_limit() == pytest.approx(machine_memory() / 2, rel=1e-6)
    for bad in ("lots", "8 parsecs", "0%", "150%", "1MB", ""):
        with pytest.raises(UsageError, match="--memory-limit"):
            parse_size(bad)


def test_build_connection_keeps_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stage of a build runs on a connection under the budget BuildOptions gives,
    spilling beside the database file; the default is half the machine's memory."""
    opened: list[Store] = []
    real = rebuild.open_store

    closed: set[int] = set()

    def spy(path: str | Path, **kwargs: Any) -> Store:
        store = real(path, **kwargs)
        close = store.close

        def closing() -> None:
            closed.add(id(store))
            close()

        store.close = closing  # type: ignore[method-assign]
        opened.append(store)
        return store

    monkeypatch.setattr(rebuild, "open_store", spy)
    seen: list[tuple[str, str, str]] = []
    db = tmp_path / "db.duckdb"

    def progress(message: str) -> None:
        store = opened[-1] if opened else None
        if store is not None and store.path.name.endswith(".building") and id(store) not in closed:
            seen.append((message, store.setting("memory_limit"), store.setting("temp_directory")))

    pages = [CORPUS_PAGES["000"]]
    options = BuildOptions(db=db, out=tmp_path / "out")
    assert options.memory_limit == default_memory_limit()
    build(pages, options)
    options.memory_limit = 200 * 2**20
    build(pages, options, progress=progress)
    assert len(seen) > 5
    assert {(limit, spill) for _, limit, spill in seen} == {("200.0 MiB", f"{db}.tmp")}


def test_cli_rejects_a_bad_memory_limit(tmp_path: Path) -> None:
    """A size that is not one is a one-line usage error before anything is read."""
    code, _, err = _build(CORPUS_PAGES["000"], "--db", tmp_path / "db", "--memory-limit", "lots")
    assert code == 2
    assert err.strip().startswith("Error: --memory-limit 'lots' is not a size")
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "db").exists()


def test_cli_passes_the_memory_limit(tmp_path: Path) -> None:
    """--memory-limit builds as usual with the budget it names."""
    code, _, err = _build(
        CORPUS_PAGES["000"], "--db", tmp_path / "db", "--out", tmp_path, "--memory-limit", "1GiB"
    )
    assert code == 0, err
