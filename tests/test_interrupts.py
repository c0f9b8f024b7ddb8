"""Ctrl-C at every stage of a real build: one line, exit 130, and the old or the new database.

Each case copies a finished build of one input, starts ``python -m paperweb build`` on
another input against it, and sends SIGINT when a chosen progress line appears on stderr.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph.store import open_store

REPO = Path(__file__).resolve().parents[1]
OLD_INPUT = REPO / "examples" / "more-operators.txt"
NEW_INPUT = REPO / "examples"
#: progress lines (their start) after which SIGINT is sent; "wrote the report" is the
#: last line before the new file is checkpointed and renamed (the commit)
STAGES = [
    "read ",
    "distinct papers",
    "stored papers",
    "linking keywords",
    "metrics for",
    "laid out",
    "wrote the graph page",
    "wrote the report",
]


def _command(db: Path, out: Path, *inputs: Path) -> list[str]:
    files = [str(path) for path in inputs]
    return [sys.executable, "-m", "paperweb", "build", *files, "--db", str(db), "--out", str(out)]


def _fingerprint(db: Path) -> dict[str, Any]:
    """What a build stored: every paper, and the size of each graph table."""
    with open_store(db, read_only=True) as store:
        return {
            "papers": store.query("SELECT paper_id, title FROM papers ORDER BY 1"),
            **{t: store.count(t) for t in ("links", "keywords", "nodes", "edges", "metrics")},
        }


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A database built from the old input and one from the new input (which differ)."""
    root = tmp_path_factory.mktemp("references")
    built = {}
    for name, source in (("old", OLD_INPUT), ("new", NEW_INPUT)):
        db = root / f"{name}.duckdb"
        done = subprocess.run(_command(db, root / f"out-{name}", source), capture_output=True)
        assert done.returncode == 0, done.stderr
        built[name] = db
    assert _fingerprint(built["old"]) != _fingerprint(built["new"])
    return built


def _interrupt_after(command: list[str], line_start: str | None) -> tuple[int, list[str]]:
    """Run ``command``; SIGINT when a stderr line starts with ``line_start`` (None: at start-up)."""
    lines = []
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=REPO
    ) as child:
        assert child.stderr is not None
        if line_start is None:
            # while Python imports typer, DuckDB and NumPy (a second or more)
            time.sleep(0.4)
            child.send_signal(signal.SIGINT)
        for line in child.stderr:
            lines.append(line.rstrip("\n"))
            if line_start is not None and line.startswith(line_start):
                child.send_signal(signal.SIGINT)
        return child.wait(timeout=120), lines


@pytest.mark.parametrize("stage", [None, *STAGES], ids=["start-up", *STAGES])
def test_sigint_at_each_stage_keeps_the_old_or_the_new_database(
    tmp_path: Path, references: dict[str, Path], stage: str | None
) -> None:
    """Exit 130, one 'Interrupted;' line and no traceback; the db equals one of the two builds."""
    db = tmp_path / "db.duckdb"
    shutil.copyfile(references["old"], db)
    before = db.read_bytes()
    code, lines = _interrupt_after(_command(db, tmp_path / "out", NEW_INPUT), stage)
    progress = [line for line in lines if not line.startswith("Interrupted;")]
    said = [line for line in lines if line.startswith("Interrupted;")]
    if code == 0:
        # the signal came after the last step: the whole build landed
        assert _fingerprint(db) == _fingerprint(references["new"])
        return
    assert code == 130, "\n".join(lines)
    assert len(said) == 1 and lines[-1] == said[0], lines
    assert not any("Traceback" in line or "Error" in line for line in progress), lines
    assert not Path(f"{db}.wal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".db")] == []
    if "was left as it was" in said[0] or "nothing was changed" in said[0]:
        assert db.read_bytes() == before
    else:
        assert "holds the new build" in said[0]
        assert _fingerprint(db) == _fingerprint(references["new"])


def test_sigint_during_commit_is_held_until_the_rename_is_done(
    tmp_path: Path, references: dict[str, Path]
) -> None:
    """SIGINT sent while the new file is checkpointed and renamed: the new build lands whole."""
    db = tmp_path / "db.duckdb"
    shutil.copyfile(references["old"], db)
    # a child that sends itself SIGINT from inside the commit point, right before the rename
    script = (
        "import os, signal, sys\n"
        "import graph.store.rebuild as rebuild\n"
        "real = os.replace\n"
        "def replace(a, b):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    real(a, b)\n"
        "rebuild.os = type('os', (), {'replace': staticmethod(replace), 'open': os.open,"
        " 'fsync': os.fsync, 'close': os.close, 'O_RDONLY': os.O_RDONLY})\n"
        "sys.argv = ['paperweb'] + sys.argv[1:]\n"
        "from paperweb.__main__ import main\n"
        "main()\n"
    )
    args = _command(db, tmp_path / "out", NEW_INPUT)[3:]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1].startswith("Interrupted; ")
    assert "holds the new build" in done.stderr
    assert "Traceback" not in done.stderr
    assert _fingerprint(db) == _fingerprint(references["new"])
    # the outputs are moved in after the database: none of them landed, and no staging is left
    assert os.listdir(tmp_path / "out") == []


def _visible_files(out: Path) -> dict[str, bytes]:
    """The outputs a user sees: every file under ``out`` outside hidden (staging) folders."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts[:-1])
    }


def test_kill_while_the_report_is_written_leaves_the_old_outputs_whole(
    tmp_path: Path, references: dict[str, Path]
) -> None:
    """kill -9 right after the report is written (the commit still to come): --out holds the
    previous build's files only, byte for byte, and the database is the old one."""
    db, out = tmp_path / "db.duckdb", tmp_path / "out"
    done = subprocess.run(_command(db, out, OLD_INPUT), capture_output=True)
    assert done.returncode == 0, done.stderr
    before_db, before_out = db.read_bytes(), _visible_files(out)
    assert "report.md" in before_out and "graph.html" in before_out
    with subprocess.Popen(
        _command(db, out, NEW_INPUT),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    ) as child:
        assert child.stderr is not None
        for line in child.stderr:
            if line.startswith("wrote the report"):
                child.kill()
                break
        code = child.wait(timeout=120)
    assert code == -signal.SIGKILL
    assert _visible_files(out) == before_out
    assert db.read_bytes() == before_db
    # The killed build could not remove its staging folder; the next build in --out does,
    # and leaves one of a build still running (this test's own pid) and foreign names alone.
    abandoned = [p for p in out.iterdir() if p.name.startswith(".paperweb-staging-")]
    assert len(abandoned) == 1 and (abandoned[0] / "report.md").exists()
    running = out / abandoned[0].name.replace(f"-{child.pid}-", f"-{os.getpid()}-")
    running.mkdir()
    (out / ".paperweb-staging-someone-else").mkdir()
    done = subprocess.run(_command(db, out, NEW_INPUT), capture_output=True)
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in out.iterdir() if p.name.startswith(".paperweb-staging-"))
    assert left == sorted([running.name, ".paperweb-staging-someone-else"])
