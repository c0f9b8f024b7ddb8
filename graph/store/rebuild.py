"""A build writes a new file beside the database, then renames it over the old one.

The rename is the only commit point: a crash, kill or Ctrl-C before it leaves the old
file as it was, after it the new one, never a mixture (DuckDB's own COMMIT, interrupted
while it writes its WAL, can leave both in the file). The old file stays open, and so
locked, for the whole build; only the HTTP cache is carried over from it.

A build that fails leaves the old file byte for byte as it was: the answers it fetched
wait beside it in ``<db>.pending-answers`` (graph/store/pending.py), which the next
build reads as part of its cache and deletes once it has committed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from graph.interrupts import interrupts_deferred
from graph.store.cache import (
    SQL_CACHE_ALL,
    SQL_CACHE_FETCHED,
    SQL_CACHE_MERGE_NEWER,
    SQL_CACHE_SINCE,
    SQL_CACHE_SUM,
)
from graph.store.check import check_replaceable
from graph.store.connection import (
    DAMAGE,
    Store,
    checked,
    connect_file,
    damaged,
    open_store,
    was_interrupted,
)
from graph.store.pending import pending_exists, pending_path, read_pending, write_pending
from paperweb.errors import DatabaseError

__all__ = ["rebuilding"]


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    for each in (path, _wal(path)):
        each.unlink(missing_ok=True)


def _hold(path: Path) -> tuple[Store, bool]:
    """Open (and so lock) the database the build replaces, unchanged; create it if missing.

    Returns the store and whether this call created the file.
    """
    if path.exists() and path.is_file() and path.stat().st_size == 0:
        # DuckDB refuses a 0-byte file; it holds nothing to lose
        path.unlink()
    if not path.exists():
        return open_store(path), True
    if not path.is_file():
        raise DatabaseError(f"database {path} is not a file")
    con = connect_file(path, read_only=False)
    checked(con, path, check_replaceable)
    if _wal(path).exists():
        # fold the log into the file now, so that no .wal of the old file is left beside
        # the new one after the rename (DuckDB would replay it into the new file)
        con.execute("CHECKPOINT")
    return Store(con, path, read_only=False), False


def _silent(message: str) -> None:
    """Default warning sink: say nothing."""


def _columns(table: pa.Table) -> dict[str, Any]:
    return {name: table.column(name) for name in table.column_names}


def _carry_cache(
    old: Store, new: Store, path: Path, warn: Callable[[str], None]
) -> tuple[pa.Table, bool]:
    """Copy the old file's answers and the pending ones into ``new``.

    Returns which answers the old file held, and whether the pending-answers file is
    paperweb's to replace or delete (absent or readable: anything else is left alone).
    """
    before = pa.table({"key": pa.array([], pa.string()), "fetched_at": pa.array([], pa.float64())})
    if "http_cache" in old.table_names():
        try:
            cache = old.query_arrow(SQL_CACHE_ALL)
        except DAMAGE as exc:
            raise damaged(path, exc) from exc
        new.insert_columns("http_cache", _columns(cache))
        before = old.query_arrow(SQL_CACHE_FETCHED)
        del cache
    owned = not pending_exists(path)
    pending = read_pending(path, warn)
    if pending is not None:
        with new.columns_view("_fresh", _columns(pending)):
            new.execute(SQL_CACHE_MERGE_NEWER)
        owned = True
    return before, owned


def _keep_answers(new: Store, path: Path, before: pa.Table, start: list[Any]) -> None:
    """A failed build keeps the answers it fetched beside the old file, which stays as it was.

    Nothing is written when the cache is as the build began (an offline build, say).
    """
    try:
        if new.query(SQL_CACHE_SUM) == start:
            return
        with new.columns_view("_before", _columns(before)):
            fresh = new.query_arrow(SQL_CACHE_SINCE)
        write_pending(path, fresh)
    except (duckdb.Error, DatabaseError, OSError):
        # the build's own error is the one to report; the answers are fetched again next time
        return


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def rebuilding(
    path: str | Path, memory_limit: int | None = None, warn: Callable[[str], None] = _silent
) -> Iterator[Store]:
    """A store on a new file that replaces ``path`` when the block succeeds.

    ``memory_limit`` (bytes) caps DuckDB's memory on it, spilling to ``<path>.tmp``.
    ``warn`` gets a line when the pending answers beside ``path`` are unusable.

    Errors that the file or its folder cause (in use, not paperweb's, damaged, read-only
    folder) are raised before the block runs.
    """
    path = Path(path)
    old, created = _hold(path)
    tmp = path.with_name(f".{path.name}.building")
    try:
        _remove(tmp)
        # DuckDB's own refusal names the temporary file and guesses "damaged?": ask the
        # folder first, so the error says what is wrong with it
        tmp.touch()
        tmp.unlink()
        new = open_store(
            tmp, memory_limit=memory_limit, temp_directory=path.with_name(f"{path.name}.tmp")
        )
    except OSError as exc:
        old.close()
        raise DatabaseError(
            f"database folder {path.parent} is not writable ({exc.strerror}); "
            "pass --db with a file in a folder you can write"
        ) from exc
    except BaseException:
        old.close()
        raise
    committed = False
    start: list[Any] | None = None
    try:
        before, owned = _carry_cache(old, new, path, warn)
        start = new.query(SQL_CACHE_SUM)
        try:
            yield new
            # Ctrl-C inside DuckDB (the checkpoint too) surfaces as its own error.
            new.execute("CHECKPOINT")
        except (RuntimeError, duckdb.Error) as exc:
            if was_interrupted(exc):
                raise KeyboardInterrupt from None
            raise
        new.close()
        with interrupts_deferred(f"{path} holds the new build"):
            os.replace(tmp, path)
            committed = True
            _fsync_folder(path.parent)
            old.close()
        # the new file holds them now; a stale copy left by a failed unlink would lose
        # to the newer answers anyway (SQL_CACHE_MERGE_NEWER)
        if owned:
            with contextlib.suppress(OSError):
                pending_path(path).unlink(missing_ok=True)
    except BaseException:
        if not committed and start is not None and owned:
            _keep_answers(new, path, before, start)
        raise
    finally:
        if not committed:
            new.close()
            old.close()
            _remove(tmp)
            if created:
                _remove(path)
