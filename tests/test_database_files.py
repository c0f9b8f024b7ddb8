"""Databases and output folders paperweb must not use: each is one Error line, nothing changed.

Foreign DuckDB files, views that read other files, SQLite and damaged files as ``--db``,
folders that cannot be written as ``--out``; and every connection is sandboxed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


Run = Callable[..., tuple[int, str, str]]


@dataclass
class CliUser:
    """Runs the CLI as a user whom file modes bind, in a folder that user owns.

    root writes into read-only folders, so as root (CI may run so) the CLI runs as a
    child process without root's powers: root with every capability dropped (setpriv),
    or else user nobody; only when neither can run it is the test skipped.
    """

    folder: Path
    run: Run
    #: hand a path made by the test to the CLI's user
    own: Callable[[Path], None]


def _python(folder: Path, prefix: list[str], **how: Any) -> Run:
    """Runs this Python with the given arguments in a child process, in ``folder``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "MPLCONFIGDIR": str(folder / ".mpl"),
        "LANG": "C.UTF-8",
    }

    def run(*args: str | Path) -> tuple[int, str, str]:
        command = [*prefix, sys.executable, *map(str, args)]
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=folder, env=env, timeout=600, **how
        )
        return done.returncode, done.stdout, done.stderr

    return run


def _powerless(python: Run, folder: Path, own: Callable[[Path], None]) -> bool:
    """Whether the child runs Python and is refused a write into a read-only folder."""
    probe = folder / "probe"
    probe.mkdir()
    own(probe)
    probe.chmod(0o555)
    try:
        code, _, err = python("-c", f"open({str(probe / 'x')!r}, 'w')")
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe)
    return code != 0 and "PermissionError" in err


def _cli(python: Run) -> Run:
    return lambda *args: python("-m", "paperweb", *args)


@pytest.fixture
def cli_user(tmp_path: Path) -> Iterator[CliUser]:
    """The CLI in-process for an ordinary user; as root, a child process without root's powers."""
    if os.geteuid() != 0:
        yield CliUser(tmp_path, _run, lambda path: None)
        return
    setpriv = shutil.which("setpriv")
    if setpriv:
        drop = [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]
        python = _python(tmp_path, drop)
        if _powerless(python, tmp_path, lambda path: None):
            yield CliUser(tmp_path, _cli(python), lambda path: None)
            return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root without setpriv, and there is no user nobody")
    uid, gid = nobody.pw_uid, nobody.pw_gid
    # pytest's tmp_path (under a 0700 folder of root's) is not reachable for nobody
    folder = Path(tempfile.mkdtemp(prefix="paperweb-nobody-"))
    try:
        folder.chmod(0o755)
        os.chown(folder, uid, gid)

        def own(path: Path) -> None:
            os.chown(path, uid, gid)

        python = _python(folder, [], user=uid, group=gid, extra_groups=[])
        try:
            usable = _powerless(python, folder, own)
        except PermissionError:
            usable = False  # nobody cannot reach this Python (it lives under /root, say)
        if not usable:
            pytest.skip("running as root, and neither setpriv nor user nobody can run the CLI")
        yield CliUser(folder, _cli(python), own)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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


def test_read_only_out_folder_fails_before_building(built: Path, cli_user: CliUser) -> None:
    """A read-only --out folder: one Error line, the database unchanged."""
    db = Path(shutil.copyfile(built, cli_user.folder / "db.duckdb"))
    cli_user.own(db)
    out = cli_user.folder / "ro"
    out.mkdir()
    cli_user.own(out)
    out.chmod(0o555)
    before = db.read_bytes()
    try:
        line = _one_error(*cli_user.run("build", INPUT, "--db", db, "--out", out))
    finally:
        out.chmod(0o755)
    assert "--out" in line and str(out) in line
    assert db.read_bytes() == before
    assert list(out.iterdir()) == []


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


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            "DROP TABLE edges; CREATE VIEW edges AS SELECT node_id AS src, node_id AS dst, "
            "kind, 1.0 AS weight, '' AS evidence FROM nodes",
            "'edges' is a view",
        ),
        (
            "DROP TABLE papers; CREATE TABLE papers (paper_id INTEGER, title VARCHAR)",
            "papers.paper_id is INTEGER",
        ),
    ],
    ids=["edges-view", "papers-columns"],
)
@pytest.mark.parametrize("command", [["stats"], ["build", str(INPUT)]], ids=lambda c: c[0])
def test_edges_view_or_foreign_papers_table_is_one_error_line(
    db: Path, tmp_path: Path, sql: str, problem: str, command: list[str]
) -> None:
    """An edges view or a papers table of other types: one Error line (read or rebuild), no
    traceback, the file unchanged."""
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()
    before = db.read_bytes()
    extra = ["--out", str(tmp_path / "out")] if command[0] == "build" else []
    line = _one_error(*_run(*command, "--db", db, *extra))
    assert problem in line
    assert db.read_bytes() == before


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


def test_database_in_a_read_only_folder_fails_before_building(
    built: Path, cli_user: CliUser
) -> None:
    """A database whose folder is read-only: one Error line, the file unchanged."""
    folder = cli_user.folder / "dbs"
    folder.mkdir()
    cli_user.own(folder)
    db = Path(shutil.copyfile(built, folder / "db.duckdb"))
    cli_user.own(db)
    out = cli_user.folder / "out"
    out.mkdir()
    cli_user.own(out)
    before = db.read_bytes()
    folder.chmod(0o555)
    try:
        line = _one_error(*cli_user.run("build", INPUT, "--db", db, "--out", out))
    finally:
        folder.chmod(0o755)
    assert "not writable" in line and str(folder) in line
    assert db.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["db.duckdb"]
    assert not (out / "graph.html").exists()


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
