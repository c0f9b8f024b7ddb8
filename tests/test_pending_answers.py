"""A failed build leaves ``--db`` byte-identical; its answers wait beside it (issue 18).

The answers an online build fetched before it failed go to ``<db>.pending-answers``
(graph/store/pending.py); the next build reads them, sends none of those requests again,
and deletes the file once it has committed. A file of that name that is not paperweb's
is ignored with one warning line and left as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from collectors.http import HttpSettings
from graph.store import open_store, rebuilding
from graph.store.pending import pending_path, read_pending, write_pending
from paperweb import pipeline
from paperweb.cli import app
from paperweb.errors import Interrupted
from paperweb.pipeline import BuildOptions, build


def _hf(request: httpx.Request) -> httpx.Response:
    title = request.url.params.get("q", "")
    paper = {"id": "2401.00042", "title": title, "githubRepo": "example-lab/tinyroute"}
    return httpx.Response(200, json=[{"paper": paper}])


class _Counting:
    """A fake of every service that records the requests it is sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url}")
        if request.url.host == "hf.test":
            return _hf(request)
        return httpx.Response(404, json={"message": "Not Found"})


def _options(root: Path, fake: _Counting, online: bool = True) -> BuildOptions:
    return BuildOptions(
        db=root / "db.duckdb",
        out=root / "out",
        online=online,
        http=HttpSettings(base_urls={"hf": "https://hf.test"}, sleep=lambda s: None),
        http_transport=httpx.MockTransport(fake),
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("crash", [RuntimeError, KeyboardInterrupt], ids=["error", "ctrl-c"])
def test_failed_online_build_leaves_the_database_byte_identical(
    rich_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: type[BaseException]
) -> None:
    """An online build that fails (or is interrupted) late: every file of the database is as it
    was, the fetched answers wait beside it, and a rerun sends none of those requests again."""
    fake = _Counting()
    build([rich_page], _options(tmp_path, fake, online=False))
    before = _files(tmp_path)
    assert "db.duckdb" in before and fake.sent == []

    def broken(*args: object, **kwargs: object) -> None:
        raise crash("crash in a later stage")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "write_metrics", broken)
        with pytest.raises(RuntimeError if crash is RuntimeError else Interrupted):
            build([rich_page], _options(tmp_path, fake))
    pending = pending_path(tmp_path / "db.duckdb")
    after = _files(tmp_path)
    assert after.pop(pending.name)
    assert after == before  # the database byte for byte, no .wal beside it
    fetched = set(fake.sent)
    assert sum("hf.test/api/papers/search" in s for s in fetched) == 3

    fake.sent.clear()
    build([rich_page], _options(tmp_path, fake))
    assert not set(fake.sent) & fetched
    assert not pending.exists()
    with open_store(tmp_path / "db.duckdb", read_only=True) as store:
        assert store.count("papers") == 3
        searches = store.query("SELECT count(*) FROM http_cache WHERE key LIKE '%hf.test%search%'")
    assert searches == [(3,)]


def test_failed_offline_build_writes_no_pending_answers(
    rich_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing fetched, nothing kept: an offline build that fails leaves only the old files."""
    build([rich_page], _options(tmp_path, _Counting(), online=False))
    before = _files(tmp_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash in a later stage")

    monkeypatch.setattr(pipeline, "write_metrics", broken)
    with pytest.raises(RuntimeError):
        build([rich_page], _options(tmp_path, _Counting(), online=False))
    assert _files(tmp_path) == before


def _answers(*rows: tuple[str, float]) -> pa.Table:
    return pa.table(
        {
            "key": pa.array([key for key, _ in rows], pa.string()),
            "status": pa.array([200] * len(rows), pa.int32()),
            "headers": pa.array(["{}"] * len(rows), pa.string()),
            "body": pa.array([f"at {at}".encode() for _, at in rows], pa.binary()),
            "fetched_at": pa.array([at for _, at in rows], pa.float64()),
        }
    )


def test_newer_answer_wins_and_pending_file_goes_after_a_commit(tmp_path: Path) -> None:
    """A pending answer older than the database's own does not replace it; a new one joins."""
    db = tmp_path / "db.duckdb"
    with rebuilding(db) as store:
        store.remember_answer("GET a", 200, "{}", b"at 200.0", 200.0)
    write_pending(db, _answers(("GET a", 100.0), ("GET b", 50.0)))
    with rebuilding(db) as store:
        assert store.cached_answer("GET a") == (200, "{}", b"at 200.0", 200.0)
        assert store.cached_answer("GET b") == (200, "{}", b"at 50.0", 50.0)
    assert not pending_path(db).exists()
    assert not list(tmp_path.glob(".*"))  # no file left under a temporary name


def _foreign_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE notes (text VARCHAR)")
    con.execute("INSERT INTO notes VALUES ('mine')")
    con.close()


def _wrong_columns(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE http_cache (key VARCHAR, status VARCHAR)")
    con.execute("CREATE TABLE paperweb_meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO paperweb_meta VALUES ('pending_answers', '1')")
    con.close()


def _truncated(path: Path) -> None:
    write_pending(path.with_name("db.duckdb"), _answers(*((f"GET {n}", 1.0) for n in range(500))))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE http_cache (key TEXT)")
    con.commit()
    con.close()


def _paperweb_db(path: Path) -> None:
    open_store(path).close()  # a whole paperweb database, not an answers file


HOSTILE: dict[str, Callable[[Path], object]] = {
    "foreign-duckdb": _foreign_duckdb,
    "wrong-columns": _wrong_columns,
    "truncated": _truncated,
    "text": lambda path: path.write_text("not a database\n", encoding="utf-8"),
    "empty": lambda path: path.write_bytes(b""),
    "sqlite": _sqlite,
    "paperweb-db": _paperweb_db,
    "folder": lambda path: path.mkdir(),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_unusable_pending_file_is_ignored_with_one_warning(
    rich_page: Path, tmp_path: Path, kind: str
) -> None:
    """A pending-answers file that is not paperweb's: one warning, the build runs and fetches
    what it needs, and the file is left as it was."""
    pending = pending_path(tmp_path / "db.duckdb")
    HOSTILE[kind](pending)
    before = pending.read_bytes() if pending.is_file() else None
    lines: list[str] = []
    fake = _Counting()
    summary = build([rich_page], _options(tmp_path, fake), progress=lines.append)
    assert summary.papers == 3
    warnings = [line for line in lines if line.startswith("Warning:")]
    assert len(warnings) == 1 and str(pending) in warnings[0] and "\n" not in warnings[0]
    assert sum("hf.test/api/papers/search" in s for s in fake.sent) == 3
    assert (pending.read_bytes() if pending.is_file() else None) == before
    assert pending.exists()


def test_written_pending_file_reads_back_and_is_no_database(tmp_path: Path) -> None:
    """What write_pending keeps reads back whole; as --db it is refused with one line."""
    db = tmp_path / "db.duckdb"
    write_pending(db, _answers(("GET a", 1.0), ("GET b", 2.0)))
    warned: list[str] = []
    table = read_pending(db, warned.append)
    assert warned == [] and table is not None
    assert sorted(table.column("key").to_pylist()) == ["GET a", "GET b"]
    before = pending_path(db).read_bytes()
    result = CliRunner().invoke(app, ["stats", "--db", str(pending_path(db))])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert pending_path(db).read_bytes() == before


def test_pending_file_survives_a_failed_build_that_fetched_nothing_new(
    rich_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second failure that fetched nothing keeps the first failure's answers as they are."""
    fake = _Counting()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash in a later stage")

    monkeypatch.setattr(pipeline, "write_metrics", broken)
    with pytest.raises(RuntimeError):
        build([rich_page], _options(tmp_path, fake))
    pending = pending_path(tmp_path / "db.duckdb")
    kept = pending.read_bytes()
    first = len(fake.sent)
    with pytest.raises(RuntimeError):
        build([rich_page], _options(tmp_path, fake))
    # every answer of the first run was kept (the 404s too), so none is asked again
    assert first > 3 and len(fake.sent) == first
    assert pending.read_bytes() == kept


def test_cli_build_prints_the_warning_as_one_line(rich_page: Path, tmp_path: Path) -> None:
    """paperweb build beside a junk pending file named with a newline: exit 0, one Warning line."""
    db = tmp_path / "a\nb.duckdb"
    pending_path(db).write_text("junk", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", str(rich_page), "--db", str(db), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "Warning" in line]
    assert warnings == [
        f"Warning: ignored {tmp_path}/a\\nb.duckdb.pending-answers, left as it is: "
        "not a DuckDB file"
    ]
    assert pending_path(db).read_text(encoding="utf-8") == "junk"
