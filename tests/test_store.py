"""Tests for the database door: schema, bulk loads, transactions and locking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from graph.store import GRAPH_TABLES, connection, open_store
from graph.store.analysis import member_texts
from paperweb.errors import DatabaseError, DatabaseInUse

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(30)
"""


def test_open_store_creates_schema(tmp_path: Path) -> None:
    """A new file gets every table of the data contract."""
    with open_store(tmp_path / "db.duckdb") as store:
        assert set(GRAPH_TABLES) <= store.table_names()


PROGRESS_BAR_SETTINGS = """
import sys, duckdb
from graph.store import open_store
setting = "SELECT current_setting('enable_progress_bar')"
print(duckdb.connect().execute(setting).fetchone()[0])
with open_store(sys.argv[1]) as store:
    print(store.con.execute(setting).fetchone()[0])
with open_store(sys.argv[1], read_only=True) as store:
    print(store.con.execute(setting).fetchone()[0])
"""


def test_store_connections_draw_no_duckdb_progress_bar(tmp_path: Path) -> None:
    """DuckDB's own progress bar (drawn on stdout for a query of over two seconds) is off
    in the store's connections, where a script's plain connection has it on: it would
    cut through the build's progress lines. (In a process of its own: under pytest
    DuckDB starts with it off; lowering its wait time to test with a quick query would
    switch it back on.)"""
    found = subprocess.run(
        [sys.executable, "-c", PROGRESS_BAR_SETTINGS, str(tmp_path / "db.duckdb")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert found.stdout.split() == ["True", "False", "False"]


def test_insert_columns_bulk_loads_rows(tmp_path: Path) -> None:
    """Column lists land as rows, NULLs included."""
    with open_store(tmp_path / "db.duckdb") as store:
        n = store.insert_columns(
            "nodes",
            {
                "node_id": ["a", "b"],
                "kind": ["paper", "repo"],
                "label": ["A", "B"],
                "url": [None, "https://x"],
            },
        )
        assert n == 2
        assert store.query("SELECT node_id, url FROM nodes ORDER BY 1") == [
            ("a", None),
            ("b", "https://x"),
        ]


def test_insert_columns_in_many_batches_keeps_order_and_fails_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches made while the previous one is inserted land in order; a bad batch fails the
    insert with DuckDB's error, and the transaction keeps what was there."""
    monkeypatch.setattr(connection, "INSERT_BATCH", 7)
    monkeypatch.setattr(connection, "INSERT_CHUNK", 3)
    ids = [f"p{i:03d}" for i in range(100)]
    with open_store(tmp_path / "db.duckdb") as store:
        n = store.insert_columns(
            "nodes", {"node_id": ids, "kind": ["paper"] * 100, "label": ids, "url": [None] * 100}
        )
        assert n == 100
        assert [r[0] for r in store.query("SELECT node_id FROM nodes ORDER BY rowid")] == ids
        # Row 60 repeats a primary key: the fifth batch fails, after four went in.
        again = [f"q{i:03d}" for i in range(100)]
        again[60] = "p000"
        with pytest.raises(duckdb.ConstraintException), store.transaction():
            store.insert_columns(
                "nodes",
                {"node_id": again, "kind": ["paper"] * 100, "label": again, "url": [None] * 100},
            )
        assert store.count("nodes") == 100


def test_insert_columns_appended_on_threads_keep_their_order(tmp_path: Path) -> None:
    """A statement of many record batches, which DuckDB appends on all its threads, stores
    the rows in the order given."""
    rows = 3 * connection.INSERT_CHUNK + 17
    ids = [f"p{(i * 7919) % rows:07d}" for i in range(rows)]
    # A column in parts of its own (as the similar edges' evidence comes), cut elsewhere
    # than the batches: joined before it is cut into batches, in the same order.
    parts = pa.chunked_array([ids[lo : lo + 50_001] for lo in range(0, rows, 50_001)])
    with open_store(tmp_path / "db.duckdb") as store:
        store.insert_columns(
            "keywords",
            {"paper_id": ids, "keyword": parts, "weight": np.arange(rows, dtype=np.float64)},
        )
        stored = store.query_arrow("SELECT paper_id, keyword, weight FROM keywords ORDER BY rowid")
    assert stored["paper_id"].to_pylist() == ids
    assert stored["keyword"].to_pylist() == ids
    assert stored["weight"].to_numpy().tolist() == list(range(rows))


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    """A failure inside a transaction leaves earlier data exactly as it was."""
    with open_store(tmp_path / "db.duckdb") as store:
        store.insert_columns(
            "nodes", {"node_id": ["keep"], "kind": ["paper"], "label": ["K"], "url": [None]}
        )
        with pytest.raises(ZeroDivisionError), store.transaction():
            store.clear()
            store.insert_columns(
                "nodes", {"node_id": ["new"], "kind": ["paper"], "label": ["N"], "url": [None]}
            )
            _ = 1 / 0
        assert store.query("SELECT node_id FROM nodes") == [("keep",)]


def test_open_store_read_only_missing_file(tmp_path: Path) -> None:
    """Opening a missing database read-only says to build first."""
    with pytest.raises(DatabaseError, match="does not exist"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_open_store_not_a_database(tmp_path: Path) -> None:
    """A file that is not DuckDB gives a one-line DatabaseError."""
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database file at all" * 200)
    with pytest.raises(DatabaseError) as info:
        open_store(path)
    assert "\n" not in str(info.value)


def test_open_store_locked_by_other_process(tmp_path: Path) -> None:
    """A second process gets DatabaseInUse naming the file, not a DuckDB traceback."""
    path = tmp_path / "db.duckdb"
    open_store(path).close()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(DatabaseInUse, match="in use by another process") as info:
                open_store(path)
            assert str(path) in str(info.value)
        finally:
            holder.kill()


def test_columns_view_joins_then_disappears(tmp_path: Path) -> None:
    """Column lists can drive a set-based UPDATE, and the scratch relation is gone afterwards."""
    with open_store(tmp_path / "db.duckdb") as store:
        store.insert_columns("papers", {"paper_id": ["a", "b"], "title": ["A", "B"]})
        with store.columns_view("_counts", {"paper_id": ["b"], "n": [7]}) as name:
            store.execute(
                f"UPDATE papers SET cited_by_count = {name}.n FROM {name} "
                f"WHERE papers.paper_id = {name}.paper_id"
            )
        assert store.query("SELECT paper_id, cited_by_count FROM papers ORDER BY 1") == [
            ("a", None),
            ("b", 7),
        ]
        assert store.query("SELECT count(*) FROM duckdb_views() WHERE view_name = '_counts'") == [
            (0,)
        ]


@pytest.mark.parametrize("name", ["papers", "_Counts", "_x; DROP TABLE papers"])
def test_columns_view_refuses_names_that_are_not_scratch(tmp_path: Path, name: str) -> None:
    """Only _lowercase names are accepted, so a scratch relation never hides a real table."""
    with (
        open_store(tmp_path / "db.duckdb") as store,
        pytest.raises(ValueError, match="scratch"),
        store.columns_view(name, {"a": [1]}),
    ):
        pass


def test_member_texts_stream_batches_without_the_gathered_group(tmp_path: Path) -> None:
    """Texts of the papers in _members as record batches, the named group's left out, and
    the scratch table gone afterwards."""
    with open_store(tmp_path / "m.duckdb") as store:
        ids = [f"p{i:03d}" for i in range(10)]
        store.insert_columns(
            "papers",
            {
                "paper_id": ids,
                "title": [f"T{i}" for i in range(10)],
                "abstract": ["a"] * 9 + [None],
            },
        )
        community = [i % 3 for i in range(10)]
        with store.columns_view("_members", {"paper_id": ids, "community": community}):
            batches = list(member_texts(store, rows=4, without=2))
            every = [
                r for b in member_texts(store) for r in zip(*b.to_pydict().values(), strict=True)
            ]
        rows = sorted(r for b in batches for r in zip(*b.to_pydict().values(), strict=True))
        assert all(b.num_rows <= 4 for b in batches)
        assert rows == sorted(
            (i % 3, f"T{i}", "a" if i < 9 else "") for i in range(10) if i % 3 != 2
        )
        assert len(every) == 10
        assert "_member_texts" not in {
            t[0] for t in store.query("SELECT table_name FROM duckdb_tables()")
        }
