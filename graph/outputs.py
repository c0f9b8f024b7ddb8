"""Output files are written whole or not at all: to a temporary file beside, then moved into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write_text"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` (text is UTF-8) and move it there when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp makes the file private; outputs get the usual permissions instead.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        if "b" in mode:
            with os.fdopen(fd, mode) as handle:
                yield handle
        else:
            with os.fdopen(fd, mode, encoding="utf-8", newline="") as handle:
                yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8, atomically."""
    with atomic_open(path) as handle:
        handle.write(text)
    return path
