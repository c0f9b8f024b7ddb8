"""Answers that a failed build fetched, kept beside the database until a build succeeds.

A build that fails or is interrupted leaves the file named by ``--db`` byte for byte as
it was, so the web answers it fetched cannot go into that file's ``http_cache``. They go
into ``<db>.pending-answers`` instead: a DuckDB file of paperweb's own (an ``http_cache``
table and a ``paperweb_meta`` row that says what the file is), written under another
name and renamed into place, so it is whole or absent. The next build reads it as part
of its cache (the newer of two answers to a request wins) and deletes it once its new
database has replaced the old one. A file of that name that is not such a file (another
program's, damaged, truncated, a folder) is ignored with a one-line warning and left as
it is: it only costs the requests it would have saved.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from graph.store.cache import SQL_CACHE_ALL
from graph.store.check import expected_columns
from graph.store.connection import Store, connect_file
from graph.store.schema import MARK_TABLE, SCHEMA_VERSION, SQL_RELATIONS, SQL_SCHEMA_COLUMNS
from paperweb.errors import DatabaseError

__all__ = ["SUFFIX", "pending_exists", "pending_path", "read_pending", "write_pending"]

SUFFIX = ".pending-answers"
#: the mark row of a pending-answers file (a paperweb database has ``schema_version`` instead)
MARK_KEY = "pending_answers"

SQL_PENDING_META = f"CREATE TABLE {MARK_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"
SQL_PENDING_MARK = f"INSERT INTO {MARK_TABLE} VALUES ('{MARK_KEY}', ?)"
SQL_PENDING_MARK_GET = f"SELECT value FROM {MARK_TABLE} WHERE key = '{MARK_KEY}'"
SQL_PENDING_CREATE = (
    "CREATE TABLE http_cache AS SELECT key, status, headers, body, fetched_at FROM _answers"
)


def pending_path(db: Path) -> Path:
    """Where the pending answers of database ``db`` are kept."""
    return db.with_name(db.name + SUFFIX)


def pending_exists(db: Path) -> bool:
    """Whether anything (a file, folder or link, even a dangling one) has the pending name."""
    return os.path.lexists(pending_path(db))


def _check(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse anything but the two tables :func:`write_pending` makes, with their mark."""
    relations = dict(con.execute(SQL_RELATIONS).fetchall())
    if relations != {"http_cache": "BASE TABLE", MARK_TABLE: "BASE TABLE"}:
        raise DatabaseError("not a paperweb answers file (other tables)")
    columns: dict[str, str] = {}
    for table, column, kind in con.execute(SQL_SCHEMA_COLUMNS).fetchall():
        if table == "http_cache":
            columns[column] = kind
    if columns != expected_columns()["http_cache"]:
        raise DatabaseError("not a paperweb answers file (other http_cache columns)")
    if con.execute(SQL_PENDING_MARK_GET).fetchall() != [(str(SCHEMA_VERSION),)]:
        raise DatabaseError("not a paperweb answers file (no mark of this version)")


def read_pending(db: Path, warn: Callable[[str], None]) -> pa.Table | None:
    """The answers kept beside ``db`` by a failed build, or None (none, or unusable: warned)."""
    path = pending_path(db)
    if not pending_exists(db):
        return None
    try:
        if not path.is_file():
            raise DatabaseError("not a file")
        con = connect_file(path, read_only=True)
        try:
            _check(con, path)
            table = Store(con, path, read_only=True).query_arrow(SQL_CACHE_ALL)
        finally:
            con.close()
    except (DatabaseError, duckdb.Error, OSError) as exc:
        # connect_file's errors begin "database PATH is ..."; the warning names the file once
        # (the name may hold a newline: the first line of the reason is taken without it)
        reason = str(exc).removeprefix(f"database {path} ").removeprefix("is ")
        reason = (reason.replace(str(path), "\0").splitlines() or [type(exc).__name__])[0]
        reason = reason.replace("\0", path.name)
        warn(f"Warning: ignored {path}, left as it is: {reason}")
        return None
    return table


def write_pending(db: Path, answers: pa.Table) -> None:
    """Keep ``answers`` beside ``db``, replacing what was kept there before, whole or not at all."""
    path = pending_path(db)
    tmp = path.with_name(f".{path.name}.writing")
    tmp.unlink(missing_ok=True)
    try:
        con = connect_file(tmp, read_only=False)
        try:
            con.execute(SQL_PENDING_META)
            con.execute(SQL_PENDING_MARK, [str(SCHEMA_VERSION)])
            con.register("_answers", answers)
            con.execute(SQL_PENDING_CREATE)
            con.unregister("_answers")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
