"""Input kind detection from content, forced kinds, and the error for files of no kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.detect import detect_kind
from paperweb.errors import InputError, UsageError
from tests.conftest import COMPACT_PAGE, CORPUS_PAGES, RICH_PAGE

SAMPLES = {
    "rich.txt": (RICH_PAGE, "page"),
    "compact.txt": (COMPACT_PAGE, "page"),
    "ids.txt": ("# my list\n2506.22712\nhttps://arxiv.org/abs/2401.00001\n", "ids"),
    "ids.bib": ("2506.22712\n", "ids"),
    "refs.bib": ("@article{a, title={T}}\n", "bibtex"),
    "refs.txt": ("% header\n\n@misc{a,\n title = {T}\n}\n", "bibtex"),
    "papers.json": (json.dumps([{"title": "T"}], indent=1), "json"),
    "one.json": (json.dumps({"title": "T"}), "json"),
    "papers.txt": ('{"title": "A"}\n{"title": "B"}\n', "jsonl"),
    "one.jsonl": ('{"title": "A"}\n', "jsonl"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detect_kind_from_content(tmp_path: Path, name: str) -> None:
    """Each kind is recognised from what the file holds, whatever its extension."""
    text, kind = SAMPLES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert detect_kind(path) == kind


def test_detect_kind_corpus_pages(corpus: Path) -> None:
    """The real listing pages are pages."""
    assert {detect_kind(path) for path in CORPUS_PAGES.values()} == {"page"}


def test_detect_kind_forced(tmp_path: Path) -> None:
    """--format overrides detection; an unknown kind is a usage error."""
    path = tmp_path / "x.txt"
    path.write_text("2506.22712\n", encoding="utf-8")
    assert detect_kind(path, "jsonl") == "jsonl"
    with pytest.raises(UsageError, match="--format 'xml' is unknown"):
        detect_kind(path, "xml")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (
            b"just some notes\nabout nothing in particular\n",
            "not a Hugging Face Papers listing page",
        ),
        (b"<!DOCTYPE html><html></html>", "HTML"),
        ("caf\xe9".encode("latin-1"), "not UTF-8"),
        (b"\x00\x01\x02", "binary"),
    ],
)
def test_detect_kind_refuses_unknown_files(tmp_path: Path, content: bytes, problem: str) -> None:
    """A file of no known kind gives one line naming it and the problem."""
    path = tmp_path / "bad.dat"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        detect_kind(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message
