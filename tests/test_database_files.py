"""Databases and output folders paperweb must not use: each is one Error line, nothing changed.

Foreign DuckDB files, views that read other files, SQLite and damaged files as ``--db``,
folders that cannot be written as ``--out``; and every connection is sandboxed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from graph.store import open_store, rebuilding
from paperweb.cli import app

REPO = Path(__file__).resolve().parents[1]
INPUT = REPO / "examples" / "operators.txt"
runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _one_error(code: int, stdout: str, stderr: str) -> str:
    """The run failed with exactly one Error line on stderr and no traceback."""
    assert code in (1, 2), stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stdout + stderr
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build of examples/operators.txt."""
    root = tmp_path_factory.mktemp("built")
    code, _, err = _run("build", INPUT, "--db", root / "db.duckdb", "--out", root / "out")
    assert code == 0, err
    return root / "db.duckdb"


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built database."""
    return Path(shutil.copyfile(built, tmp_path / "db.duckdb"))


def _build(db: Path, out: Path) -> tuple[int, str, str]:
    return _run("build", INPUT, "--db", db, "--out", out)


@pytest.mark.parametrize("kind", ["dev-null", "a-file", "proc-self", "under-a-file"])
def test_unusable_out_fails_before_the_database_is_touched(
    db: Path, tmp_path: Path, kind: str
) -> None:
    """--out naming /dev/null, a file, /proc/self or a path under a file: one Error line first."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    out = {
        "dev-null": Path("/dev/null"),
        "a-file": a_file,
        "proc-self": Path("/proc/self"),
        "under-a-file": a_file / "out",
    }[kind]
    before = db.read_bytes()
    line = _one_error(*_build(db, out))
    assert "--out" in line
    assert db.read_bytes() == before
    assert a_file.read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_folder_fails_before_building(db: Path, tmp_path: Path) -> None:
    """A read-only --out folder: one Error line, the database unchanged."""
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    before = db.read_bytes()
    try:
        _one_error(*_build(db, out))
    finally:
        out.chmod(0o755)
    assert db.read_bytes() == before


def test_outputs_are_moved_in_together_and_stale_ones_removed(db: Path, tmp_path: Path) -> None:
    """No staging folder is left; the last build's files not written again go; others' stay."""
    out = tmp_path / "out"
    assert _build(db, out)[0] == 0
    (out / "mine.txt").write_text("kept", encoding="utf-8")
    (out / "report-old.png").write_bytes(b"from an older build")
    manifest = out / ".paperweb-outputs"
    names = manifest.read_text(encoding="utf-8").splitlines()
    assert "graph.html" in names and "report.md" in names
    manifest.write_text("\n".join([*names, "report-old.png"]) + "\n", encoding="utf-8")
    code, stdout, _ = _build(db, out)
    assert code == 0
    assert not (out / "report-old.png").exists()
    assert (out / "mine.txt").read_text(encoding="utf-8") == "kept"
    assert not [p for p in out.iterdir() if p.name.startswith(".paperweb-staging")]
    assert str(out / "graph.html") in stdout.splitlines()


def _make_papers_a_view(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE papers")
    con.execute(
        "CREATE VIEW papers AS SELECT content AS paper_id, content AS title, NULL AS abstract "
        "FROM read_text('/etc/passwd')"
    )
    con.close()


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["top"],
        ["view", "--out", "{tmp}/g.html"],
        ["report", "--out", "{tmp}/r"],
        ["export", "--format", "json", "--out", "{tmp}/e.json"],
        ["sql", "SELECT * FROM papers"],
        ["neighbors", "root"],
    ],
    ids=lambda c: c[0],
)
def test_view_over_another_file_is_refused(db: Path, tmp_path: Path, command: list[str]) -> None:
    """papers as a view over read_text('/etc/passwd'): one Error line, nothing of the file shown."""
    _make_papers_a_view(db)
    before = db.read_bytes()
    args = [a.format(tmp=tmp_path) for a in command]
    code, stdout, stderr = _run(*args, "--db", db)
    line = _one_error(code, stdout, stderr)
    assert "'papers' is a view" in line
    assert "root:" not in stdout + stderr
    assert db.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".html", ".json")]


def test_build_over_a_view_is_refused(db: Path, tmp_path: Path) -> None:
    """A rebuild does not write over a file whose papers is a view."""
    _make_papers_a_view(db)
    before = db.read_bytes()
    _one_error(*_build(db, tmp_path / "out"))
    assert db.read_bytes() == before


def test_incompatible_columns_are_refused(db: Path) -> None:
    """A nodes table whose columns have other types is not read."""
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE nodes")
    con.execute("CREATE TABLE nodes (node_id INTEGER, kind VARCHAR, label VARCHAR, url VARCHAR)")
    con.close()
    line = _one_error(*_run("stats", "--db", db))
    assert "nodes.node_id is INTEGER" in line


def test_every_connection_is_sandboxed(db: Path, tmp_path: Path) -> None:
    """Read-only, read-write and build connections: no file access, no extension loading."""
    settings = (
        "SELECT current_setting('enable_external_access'), "
        "current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    )
    with open_store(db, read_only=True) as store:
        assert store.query(settings) == [(False, False, False)]
    with open_store(tmp_path / "other.duckdb") as store:
        assert store.query(settings) == [(False, False, False)]
        with pytest.raises(duckdb.Error, match="disabled"):
            store.query("SELECT * FROM read_text('/etc/passwd')")
    with rebuilding(tmp_path / "third.duckdb") as store:
        assert store.query(settings) == [(False, False, False)]


def test_another_programs_duckdb_file_is_left_alone(tmp_path: Path) -> None:
    """A DuckDB file with metrics and build_info of its own: refused, byte-identical."""
    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE metrics (node_id VARCHAR, metric VARCHAR, value DOUBLE)")
    con.execute("INSERT INTO metrics VALUES ('a', 'sales', 3.5)")
    con.execute("CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    before = db.read_bytes()
    line = _one_error(*_build(db, tmp_path / "out"))
    assert "was not written by paperweb" in line and "'invoices'" in line
    assert db.read_bytes() == before
    assert not (tmp_path / "out" / "graph.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "theirs.duckdb"]


def test_a_build_of_an_older_paperweb_without_the_mark_is_rebuilt(db: Path, tmp_path: Path) -> None:
    """A file whose every table is paperweb's (written before paperweb_meta existed) rebuilds."""
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE paperweb_meta")
    con.close()
    assert _build(db, tmp_path / "out")[0] == 0
    with open_store(db, read_only=True) as store:
        assert store.query("SELECT value FROM paperweb_meta") == [("1",)]


def test_an_empty_file_is_built_into(tmp_path: Path) -> None:
    """A 0-byte --db holds nothing to lose: the build writes it."""
    db = tmp_path / "empty.duckdb"
    db.touch()
    assert _build(db, tmp_path / "out")[0] == 0
    with open_store(db, read_only=True) as store:
        assert store.count("papers") > 0


BUILD_OR_STATS = [["build", str(INPUT), "--out", "{tmp}/out"], ["stats"]]


@pytest.mark.parametrize("command", BUILD_OR_STATS, ids=lambda c: c[0])
def test_sqlite_file_is_refused_without_loading_an_extension(
    tmp_path: Path, command: list[str]
) -> None:
    """A SQLite file: one Error line saying it is not DuckDB; no extension is installed."""
    db = tmp_path / "data.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE papers (paper_id TEXT)")
    con.commit()
    con.close()
    before = db.read_bytes()
    line = _one_error(*_run(*[a.format(tmp=tmp_path) for a in command], "--db", db))
    assert "is not a DuckDB file" in line
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (["data.sqlite"], ["data.sqlite", "out"])


@pytest.mark.parametrize("command", BUILD_OR_STATS, ids=lambda c: c[0])
def test_truncated_database_is_one_error_line(db: Path, tmp_path: Path, command: list[str]) -> None:
    """Half a database file: one Error line (no IOException traceback), the file unchanged."""
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    before = db.read_bytes()
    line = _one_error(*_run(*[a.format(tmp=tmp_path) for a in command], "--db", db))
    assert str(db) in line
    assert db.read_bytes() == before


def test_database_in_an_unwritable_folder_fails_before_building(tmp_path: Path) -> None:
    """--db where no file can be created: one Error line, nothing built."""
    line = _one_error(*_build(Path("/proc/self/paperweb.duckdb"), tmp_path / "out"))
    assert "/proc/self" in line
    assert not (tmp_path / "out" / "graph.html").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_database_in_a_read_only_folder_fails_before_building(db: Path, tmp_path: Path) -> None:
    """A database whose folder is read-only: one Error line, the file unchanged."""
    before = db.read_bytes()
    tmp_path.chmod(0o555)
    try:
        line = _one_error(*_build(db, tmp_path.parent / f"{tmp_path.name}-out"))
    finally:
        tmp_path.chmod(0o755)
    assert "not writable" in line
    assert db.read_bytes() == before


def test_control_characters_in_a_file_name_are_escaped(tmp_path: Path) -> None:
    """A newline or ANSI escape in --db cannot split the Error line or reach the terminal."""
    db = tmp_path / "a\nb\x1b[31m.duckdb"
    line = _one_error(*_run("stats", "--db", db))
    assert "a\\nb\\x1b[31m.duckdb" in line and "\x1b" not in line


@pytest.mark.parametrize(
    "args",
    [
        ["build", str(INPUT), "--refresh"],
        ["export", "--format", "bogus"],
        ["stats", "--out", "x"],
        ["build", str(INPUT), "--k", "-1"],
    ],
    ids=["refresh-offline", "export-format", "unknown-option", "bad-value"],
)
def test_usage_errors_are_one_line_and_exit_2(db: Path, args: list[str]) -> None:
    """Usage errors: exit 2 with one Error line (no boxed panel), the database unchanged."""
    before = db.read_bytes()
    code, stdout, stderr = _run(*args, "--db", db)
    assert code == 2, stderr
    _one_error(code, stdout, stderr)
    assert "╭" not in stderr
    assert db.read_bytes() == before


def test_help_is_still_drawn(db: Path) -> None:
    """--help keeps typer's drawn help."""
    code, stdout, _ = _run("stats", "--help")
    assert code == 0 and "Usage:" in stdout and "--db" in stdout
