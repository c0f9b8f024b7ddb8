"""Tell the kind of an input file from its content (the extension only breaks ties)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from collectors.arxiv_ids import looks_like_id_list
from collectors.bibtex import looks_like_bibtex
from collectors.inputs import GZIP_ERRORS, damaged, decode_text, input_name, open_input, unreadable
from collectors.listing import looks_like_listing_page
from paperweb.errors import InputError, UsageError

__all__ = ["INPUT_KINDS", "detect_kind", "detect_kind_of_text", "json_shape", "read_head"]

#: what ``--format`` accepts (``openalex`` and ``s2``: works files of those services, JSON or
#: JSONL, whose papers carry their reference lists)
INPUT_KINDS = ("page", "ids", "bibtex", "json", "jsonl", "openalex", "s2")
_OPENALEX_WORK = re.compile(r'"id"\s*:\s*"https://openalex\.org/W\d+"')
_S2_PAPER = re.compile(r'"paperId"\s*:')
#: enough of a file to recognise it (a listing page's first author line is well within it)
HEAD_BYTES = 256 * 1024


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes of a file (decompressed, for a gzip) as text, without reading
    the rest."""
    try:
        with open_input(path) as handle:
            data = handle.read(size)
    except GZIP_ERRORS as exc:  # before OSError: BadGzipFile is one
        raise damaged(path, exc) from exc
    except OSError as exc:
        raise unreadable(path, exc) from exc
    return decode_text(path, data, head_of=size)


def _is_json_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def json_shape(head: str, name: str) -> str:
    """``jsonl`` when the file holds one JSON object a line, else ``json``."""
    text = head.lstrip("\ufeff \t\r\n")
    lines = [line for line in text.splitlines() if line.strip()]
    # JSONL: the first line is a whole object and a second line starts another one.
    if Path(name).suffix.lower() == ".jsonl" or (
        len(lines) > 1 and lines[1].lstrip().startswith("{") and _is_json_line(lines[0])
    ):
        return "jsonl"
    return "json"


def detect_kind_of_text(head: str, name: str) -> str | None:
    """``page``, ``ids``, ``bibtex``, ``json``, ``jsonl``, ``openalex`` or ``s2`` for the start
    of a file, or None."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text:
        return None
    suffix = Path(name).suffix.lower()
    if text[0] in "[{":
        if _OPENALEX_WORK.search(text):
            return "openalex"
        if _S2_PAPER.search(text):
            return "s2"
        return json_shape(text, name)
    if looks_like_bibtex(text) and (suffix == ".bib" or text[0] in "@%"):
        return "bibtex"
    if looks_like_listing_page(text):
        return "page"
    if looks_like_id_list(text):
        return "ids"
    if looks_like_bibtex(text):
        return "bibtex"
    return None


def detect_kind(path: Path, forced: str | None = None) -> str:
    """The kind of one input file: ``forced`` when given, else recognised from its content."""
    if forced is not None:
        if forced not in INPUT_KINDS:
            raise UsageError(f"--format {forced!r} is unknown; use one of {', '.join(INPUT_KINDS)}")
        return forced
    head = read_head(path)
    if not head.strip():
        raise InputError(f"{path}: file is empty; expected papers")
    if head.lstrip("\ufeff \t\r\n")[:200].lower().startswith(("<!doctype html", "<html")):
        raise InputError(
            f"{path}: file is HTML; expected the page's text (select all on the Hugging Face "
            "Papers page and paste into a .txt file), an id list, BibTeX or JSON"
        )
    kind = detect_kind_of_text(head, input_name(path))
    if kind is None:
        raise InputError(
            f"{path}: not a Hugging Face Papers listing page, arXiv id list, BibTeX, JSON or JSONL file; "
            f"pass --format {'|'.join(INPUT_KINDS)} to force one"
        )
    return kind
