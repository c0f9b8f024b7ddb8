"""Read every input of a build into paper records, by the kind each file is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from collectors.arxiv_ids import parse_id_list
from collectors.bibtex import bibtex_strings, parse_bibtex
from collectors.detect import detect_kind, json_shape, read_head
from collectors.inputs import discover_inputs, input_name, read_text_file
from collectors.jsonfeed import iter_jsonl, parse_json
from collectors.listing import parse_listing_page
from collectors.records import Paper, ParseResult
from paperweb.errors import InputError

__all__ = ["read_inputs"]

_PARSERS: dict[str, Callable[[str, str], ParseResult]] = {
    "page": parse_listing_page,
    "ids": parse_id_list,
    "json": parse_json,
}


def read_inputs(
    paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[list[Paper], list[str], int]:
    """Parse every input file by its detected (or forced) kind.

    A lone input file that cannot be read is an error. In a folder, or among several
    inputs, such a file is reported in the skipped list (its name and why) and the others
    are read; when none of them gives a paper, that is an error again. BibTeX ``@string``
    macros of every file serve all of them.
    """
    files = discover_inputs(paths)
    lenient = len(files) > 1 or any(Path(p).is_dir() for p in paths)
    papers: list[Paper] = []
    skipped: list[str] = []
    unusable: list[str] = []
    kinds: dict[Path, str] = {}
    bib_texts: dict[Path, str] = {}
    for path in files:
        try:
            kinds[path] = detect_kind(path, input_format)
            if kinds[path] == "bibtex":
                bib_texts[path] = read_text_file(path)
        except InputError as exc:
            if not lenient:
                raise
            kinds.pop(path, None)
            unusable.append(str(exc))
    strings = {path: bibtex_strings(text) for path, text in bib_texts.items()}
    for path, kind in kinds.items():
        try:
            if kind in ("openalex", "s2"):
                # Works files are JSON documents or JSONL; each object is recognised by its shape.
                kind = json_shape(read_head(path), input_name(path))
            if kind == "jsonl":
                # Read whole before keeping any, so an unusable file adds nothing.
                streamed: list[str] = []
                found = list(iter_jsonl(path, streamed))
                papers.extend(found)
                skipped.extend(streamed)
                del found
                continue
            if kind == "bibtex":
                # A file's own macros come first; those of the other files fill the gaps.
                shared = [s for other, own in strings.items() if other != path for s in own]
                result = parse_bibtex(
                    bib_texts.pop(path), str(path), shared, strings_only_ok=len(files) > 1
                )
            else:
                result = _PARSERS[kind](read_text_file(path), str(path))
        except InputError as exc:
            if not lenient:
                raise
            unusable.append(str(exc))
            continue
        papers.extend(result.papers)
        skipped.extend(result.skipped)
    if unusable and not papers:
        raise InputError(f"no usable input among {len(files):,} files; the first: {unusable[0]}")
    return papers, [*unusable, *skipped], len(files)
