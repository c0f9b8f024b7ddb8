"""Compressed inputs: gzip files (the OpenAlex snapshot's ``part_000.gz``, a ``.txt.gz`` page)
read as their plain text, and damaged or inflating ones refused with one line."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collectors.jsonfeed
from collectors.inputs import read_text_file
from collectors.jsonfeed import _bounded_lines
from graph.store import open_store
from paperweb.cli import app
from paperweb.errors import InputError
from tests.conftest import CORPUS_PAGES

runner = CliRunner()


def _work(number: int, title: str, refs: list[int]) -> dict[str, object]:
    return {
        "id": f"https://openalex.org/W{number}",
        "title": title,
        "publication_year": 2024,
        "referenced_works": [f"https://openalex.org/W{r}" for r in refs],
    }


WORKS = [
    _work(1, "Spectral Routing in Graph Transformers", [5, 6, 7]),
    _work(2, "Koopman Operators for Graph Signals", [5, 6, 7]),
    _work(3, "Unrelated Protein Folding Study", [8]),
]


def _build(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["build", *map(str, args)])
    return result.exit_code, result.stderr


def _tables(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with open_store(db, read_only=True) as store:
        papers = store.query("SELECT title, published_text FROM papers ORDER BY title")
        edges = store.query("SELECT src, dst, kind, weight FROM edges ORDER BY ALL")
    return papers, edges


def _inputs(folder: Path, compress: bool) -> Path:
    folder.mkdir()
    lines = "".join(json.dumps(w) + "\n" for w in WORKS).encode()
    page = CORPUS_PAGES["003"].read_bytes()
    if compress:
        # The snapshot's parts have no inner suffix: only the content says they are JSONL.
        (folder / "part_000.gz").write_bytes(gzip.compress(lines))
        (folder / "operators.txt.gz").write_bytes(gzip.compress(page))
    else:
        (folder / "part_000.jsonl").write_bytes(lines)
        (folder / "operators.txt").write_bytes(page)
    return folder


def test_gzip_inputs_build_the_same_graph_as_plain_ones(tmp_path: Path) -> None:
    """A folder of gzip files gives the papers and edges its plain twin gives."""
    built = []
    for compress in (False, True):
        folder = _inputs(tmp_path / f"in-{compress}", compress)
        db = tmp_path / f"db-{compress}.duckdb"
        code, err = _build(folder, "--db", db, "--out", tmp_path / f"out-{compress}")
        assert code == 0, err
        built.append(_tables(db))
    papers, edges = built[1]
    assert built[0] == built[1]
    titles = {title for title, _ in papers}
    assert {"Spectral Routing in Graph Transformers", "Unrelated Protein Folding Study"} <= titles
    assert len(titles) > len(WORKS)  # the page's papers too
    assert any(kind == "coupling" for _, _, kind, _ in edges)


def test_damaged_gzip_is_reported_and_skipped(tmp_path: Path) -> None:
    """A cut-off gzip among good inputs: one line naming it; the rest builds. Alone: exit 1,
    the database untouched."""
    folder = _inputs(tmp_path / "in", compress=True)
    whole = (folder / "part_000.gz").read_bytes()
    (folder / "part_000.gz").write_bytes(whole[: len(whole) // 2])
    db = tmp_path / "db.duckdb"
    code, err = _build(folder, "--db", db, "--out", tmp_path / "out")
    assert code == 3, err
    assert f"{folder / 'part_000.gz'}: damaged or cut-off gzip file" in err
    assert "Spectral Routing" not in str(_tables(db)[0])
    before = db.read_bytes()
    code, err = _build(folder / "part_000.gz", "--db", db, "--out", tmp_path / "out")
    assert code == 1 and err.count("\n") == 1 and "damaged or cut-off gzip file" in err
    assert db.read_bytes() == before


def test_gzip_that_inflates_past_the_limit_is_refused(tmp_path: Path) -> None:
    """The size limit counts what a compressed file inflates to, not its compressed bytes."""
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 50_000))
    with pytest.raises(InputError, match=r"bomb\.txt\.gz: file decompresses to over"):
        read_text_file(path, max_bytes=10_000)
    assert len(read_text_file(path, max_bytes=60_000)) == 50_000


def test_endless_jsonl_line_is_skipped_without_filling_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line over the limit is one skipped line (read past, never held); the lines after it
    are read."""
    assert list(_bounded_lines(io.StringIO("short\n" + "x" * 25 + "\nok\n"), 10)) == [
        "short\n",
        None,
        "ok\n",
    ]
    monkeypatch.setattr(collectors.jsonfeed, "MAX_LINE", 1000)
    path = tmp_path / "works.jsonl.gz"
    big = json.dumps({"title": "Padded", "abstract": "word " * 400})
    path.write_bytes(gzip.compress(f"{big}\n{json.dumps(WORKS[0])}\n".encode()))
    skipped: list[str] = []
    papers = list(collectors.jsonfeed.iter_jsonl(path, skipped))
    assert [p.title for p in papers] == ["Spectral Routing in Graph Transformers"]
    assert skipped == [f"{path}:1: line over 0 MiB; not a paper"]


def test_gzip_without_a_gz_name_is_recognised_by_its_bytes(tmp_path: Path) -> None:
    """A gzip named plainly (no .gz) is recognised by its bytes as well."""
    folder = _inputs(tmp_path / "in", compress=True)
    shutil.move(folder / "operators.txt.gz", folder / "operators.txt")
    code, err = _build(
        folder / "operators.txt", "--db", tmp_path / "db.duckdb", "--out", tmp_path / "o"
    )
    assert code == 0, err
