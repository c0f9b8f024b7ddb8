"""Output files are written whole or not at all: to a temporary file beside, then moved into place.

A build's outputs go first into a staging folder inside ``--out`` and are moved in together
(:class:`StagedOutputs`), so the folder never holds the report of one build beside the
page of another; the folder is checked before the build starts.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from graph.interrupts import interrupts_deferred
from paperweb.errors import UsageError

__all__ = ["StagedOutputs", "atomic_open", "atomic_write_text", "remove_abandoned_staging"]

#: lists the files the last build wrote into its ``--out`` folder (so the next removes them)
MANIFEST = ".paperweb-outputs"
#: staging folders are named ``.paperweb-staging-<host>-<pid>-<random>``
STAGING_PREFIX = ".paperweb-staging-"


def _host_prefix() -> str:
    """The staging prefix of this host (no ``-`` inside the host part, so the pid is parsed)."""
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:40] or "host"
    return f"{STAGING_PREFIX}{host}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_abandoned_staging(out: Path) -> list[Path]:
    """Remove the staging folders in ``out`` left by builds of this host that were killed
    (their process is gone); a running build's folder, or another host's, is left alone."""
    mine = _host_prefix()
    removed = []
    for folder in out.glob(f"{STAGING_PREFIX}*"):
        pid_text = folder.name[len(mine) :].split("-", 1)[0] if folder.name.startswith(mine) else ""
        dead = pid_text.isdigit() and not _alive(int(pid_text))
        if dead and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


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


class StagedOutputs:
    """A staging folder inside ``out``: write there, then :meth:`publish` or :meth:`discard`.

    Creating it is the check that ``out`` is a folder paperweb can write, made before the
    database is touched.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {_shown(out)} is not a folder; name a folder for the outputs")
        try:
            out.mkdir(parents=True, exist_ok=True)
            # A build killed with -9 cannot remove its folder; the next build in ``out`` does.
            remove_abandoned_staging(out)
            self.path = Path(tempfile.mkdtemp(dir=out, prefix=f"{_host_prefix()}{os.getpid()}-"))
        except OSError as exc:
            raise UsageError(
                f"--out {_shown(out)} cannot be written ({exc.strerror}); name a folder you can write"
            ) from exc

    def final(self, staged: Path) -> Path:
        """Where a staged file lands."""
        return self.out / staged.relative_to(self.path)

    def publish(self, committed: str) -> None:
        """Move every staged file into ``out`` and remove the last build's other files.

        Ctrl-C meanwhile is held back and then raised as :class:`Interrupted` with the
        message ``committed``.
        """
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        new = {str(p.relative_to(self.path)) for p in staged}
        manifest = self.out / MANIFEST
        with interrupts_deferred(committed):
            old = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
            for path in staged:
                target = self.final(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            for name in old:
                stale = self.out / name
                if name not in new and ".." not in Path(name).parts and stale.is_file():
                    stale.unlink()
            atomic_write_text(manifest, "".join(f"{name}\n" for name in sorted(new)))
            self.discard()

    def discard(self) -> None:
        """Remove the staging folder and whatever is left in it."""
        shutil.rmtree(self.path, ignore_errors=True)


def _shown(path: Path) -> str:
    """A path for a one-line message: control characters escaped, as repr does."""
    text = str(path)
    return repr(text)[1:-1] if not text.isprintable() else text
