"""Find input files and read them as text, refusing what cannot be an input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from paperweb.errors import InputError

__all__ = [
    "MAX_INPUT_BYTES",
    "decode_text",
    "discover_inputs",
    "read_text_file",
    "unreadable",
]

#: Larger files are refused before they are read (a listing page of 100k papers is ~150 MB).
MAX_INPUT_BYTES = 1 << 30
#: Suffixes picked up when an input is a folder.
FOLDER_SUFFIXES = (".txt", ".bib", ".json", ".jsonl")


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
    """Read a UTF-8 text file, with a one-line error for huge, binary or undecodable files."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: file is {size / 2**20:,.0f} MiB, over the {max_bytes / 2**20:,.0f} MiB limit "
                "for one input; split it into several files"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc) from exc
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
