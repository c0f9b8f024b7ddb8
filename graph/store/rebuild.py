"""A build writes a new file beside the database, then renames it over the old one.

The rename is the only commit point: a crash, kill or Ctrl-C before it leaves the old
file as it was, after it the new one, never a mixture (DuckDB's own COMMIT, interrupted
while it writes its WAL, can leave both in the file). The old file stays open, and so
locked, for the whole build; only the HTTP cache is carried over from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from graph.interrupts import interrupts_deferred
from graph.store.cache import SQL_CACHE_ALL, SQL_CACHE_MERGE, SQL_CACHE_SUM
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


def _keep_answers(new: Store, old: Store) -> bool:
    """A failed build still keeps the answers it fetched: they go into the old file's cache.

    Only the ``http_cache`` table changes, and only when the run fetched something;
    returns whether it did.
    """
    try:
        if "http_cache" not in old.table_names() or new.query(SQL_CACHE_SUM) == old.query(
            SQL_CACHE_SUM
        ):
            return False
        fresh = new.query_arrow(SQL_CACHE_ALL)
        with old.columns_view("_fresh", {n: fresh.column(n) for n in fresh.column_names}):
            old.execute(SQL_CACHE_MERGE)
    except duckdb.Error:
        # the build's own error is the one to report; the answers are fetched again next time
        return False
    return True


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def rebuilding(path: str | Path, memory_limit: int | None = None) -> Iterator[Store]:
    """A store on a new file that replaces ``path`` when the block succeeds.

    ``memory_limit`` (bytes) caps DuckDB's memory on it, spilling to ``<path>.tmp``.

    Errors that the file or its folder cause (in use, not paperweb's, damaged, read-only
    folder) are raised before the block runs.
    """
    path = Path(path)
    old, created = _hold(path)
    tmp = path.with_name(f".{path.name}.building")
    try:
        _remove(tmp)
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
    try:
        if "http_cache" in old.table_names():
            try:
                cache = old.query_arrow(SQL_CACHE_ALL)
            except DAMAGE as exc:
                raise damaged(path, exc) from exc
            new.insert_columns("http_cache", {n: cache.column(n) for n in cache.column_names})
            del cache
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
    except BaseException:
        if _keep_answers(new, old):
            created = False
        raise
    finally:
        if not committed:
            new.close()
            old.close()
            _remove(tmp)
            if created:
                _remove(path)
