"""Find input files and read them as text, refusing what cannot be an input.

Any input may be gzip-compressed (recognised by its first bytes, whatever its name): the
OpenAlex snapshot and the Semantic Scholar datasets come as ``.gz`` files of JSON lines.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from paperweb.errors import InputError

__all__ = [
    "GZIP_ERRORS",
    "MAX_INPUT_BYTES",
    "damaged",
    "decode_text",
    "discover_inputs",
    "input_name",
    "open_input",
    "read_text_file",
    "unreadable",
]

#: Larger files are refused before they are read (a listing page of 100k papers is ~150 MB).
MAX_INPUT_BYTES = 1 << 30
#: Suffixes picked up when an input is a folder (``.gz``: any of them compressed, or a
#: snapshot part such as OpenAlex's ``part_000.gz``).
FOLDER_SUFFIXES = (".txt", ".bib", ".json", ".jsonl", ".gz")
_GZIP_MAGIC = b"\x1f\x8b"
#: what gzip and zlib raise on a damaged or cut-off stream
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def input_name(path: Path) -> str:
    """The file name that says what ``path`` holds: without a ``.gz`` suffix.

    >>> input_name(Path("works/part_003.jsonl.gz")), input_name(Path("refs.bib"))
    ('part_003.jsonl', 'refs.bib')
    """
    name = path.name
    return name[:-3] if name.lower().endswith(".gz") else name


@contextmanager
def open_input(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading bytes, decompressed on the fly when it is gzip data.

    Errors of a damaged stream surface while reading (see :data:`GZIP_ERRORS`).
    """
    with path.open("rb") as raw:
        if raw.read(2) != _GZIP_MAGIC:
            raw.seek(0)
            yield raw
            return
        raw.seek(0)
        with gzip.GzipFile(fileobj=raw, mode="rb") as unpacked:
            yield unpacked  # type: ignore[misc]


def damaged(path: Path, exc: Exception) -> InputError:
    """The one-line error for a compressed input that cannot be decompressed."""
    return InputError(f"{path}: damaged or cut-off gzip file ({exc or type(exc).__name__})")


def discover_inputs(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] = FOLDER_SUFFIXES
) -> list[Path]:
    """Expand folders into the input files below them, sorted, without duplicates."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            below = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
            )
            if not below:
                raise InputError(f"{path}: folder has no input files ({', '.join(suffixes)})")
            found.extend(below)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file")
        else:
            raise InputError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def read_text_file(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 text file (or a gzip of one), with a one-line error for huge, binary or
    undecodable files."""
    limit = f"the {max_bytes / 2**20:,.0f} MiB limit for one input; split it into several files"
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: file is {size / 2**20:,.0f} MiB, over {limit}")
        with open_input(path) as handle:
            # One byte more than allowed tells a compressed file that inflates past the limit.
            data = handle.read(max_bytes + 1)
    except GZIP_ERRORS as exc:  # before OSError: BadGzipFile is one
        raise damaged(path, exc) from exc
    except OSError as exc:
        raise unreadable(path, exc) from exc
    if len(data) > max_bytes:
        raise InputError(f"{path}: file decompresses to over {limit}")
    return decode_text(path, data)


def unreadable(path: Path, exc: OSError) -> InputError:
    """The one-line error for a file the system will not let us read."""
    return InputError(f"{path}: cannot read file ({exc.strerror or exc})")


def decode_text(path: Path, data: bytes, head_of: int | None = None) -> str:
    """``data`` read from ``path`` as UTF-8 text, refusing binary and undecodable files.

    With ``head_of`` (the size asked of a read of a file's head), a head that ends in
    the middle of a multi-byte character is cut before it: that alone is fine.
    """
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: file is binary; expected a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if head_of is not None and len(data) == head_of and exc.start >= head_of - 4:
            return data[: exc.start].decode("utf-8-sig")
        raise InputError(
            f"{path}: file is not UTF-8 text (undecodable byte at offset {exc.start}); "
            "expected a text file"
        ) from exc
