"""The connection to a paperweb DuckDB file: opening, transactions, bulk loads, queries.

The store's other modules hold the SQL of one table family each and run it through
:meth:`Store.query` and :meth:`Store.execute`, always with ``?`` parameters.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# DuckDB's allocator (jemalloc) keeps freed pages for ~10 s unless told otherwise, so a
# large query result (all paper texts: ~200 MiB at 100k papers) stays resident while the
# next stage peaks. Purge them at once; a value the user set wins. Read when DuckDB loads.
os.environ.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from graph.store.cache import SQL_CACHE_DELETE, SQL_CACHE_GET, SQL_CACHE_PUT
from graph.store.check import CONNECT_CONFIG, check_readable, check_replaceable
from graph.store.schema import (
    GRAPH_TABLES,
    SCHEMA,
    SCHEMA_UPGRADE,
    SCHEMA_VERSION,
    SQL_COLUMNS,
    SQL_MARK,
    SQL_TABLES,
)
from paperweb.errors import DatabaseError, DatabaseInUse, UsageError

__all__ = ["Store", "open_store", "release_memory", "tune_allocator"]

#: rows per INSERT statement of :meth:`Store.insert_columns`
INSERT_BATCH = 1_000_000
#: rows per Arrow record batch within one statement (DuckDB's row group)
INSERT_CHUNK = 122_880

_LOCK_PID = re.compile(r"PID (\d+)")

SQL_SETTING = "SELECT current_setting(?)"
SQL_SET_MEMORY_LIMIT = "SET memory_limit = ?"


#: what DuckDB raises when it reads a damaged or truncated file (often only at a query)
DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)


def damaged(path: Path, exc: BaseException) -> DatabaseError:
    """The one-line error for a file DuckDB could not read."""
    return DatabaseError(
        f"database {path} cannot be read (damaged or truncated?): {_first_line(exc)}"
    )


def was_interrupted(exc: BaseException) -> bool:
    """Whether DuckDB stopped a statement because of Ctrl-C (it raises its own error then)."""
    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and str(exc) == "Query interrupted"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def connect_file(
    path: Path, read_only: bool, spill: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` sandboxed (:data:`CONNECT_CONFIG`); DuckDB's errors become one line.

    ``spill`` is the folder DuckDB may spill to; it can only be set here, since the
    sandbox forbids changing it later.
    """
    config = dict(CONNECT_CONFIG)
    if spill is not None:
        config["temp_directory"] = str(spill)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            pid = _LOCK_PID.search(message)
            holder = f" (pid {pid.group(1)})" if pid else ""
            raise DatabaseInUse(
                f"database {path} is in use by another process{holder}; wait for it to finish "
                "or pass --db to use another file"
            ) from exc
        if "not a valid DuckDB database" in message:
            raise DatabaseError(f"database {path} is not a DuckDB file") from exc
        raise DatabaseError(
            f"database {path} cannot be opened (damaged or unreadable?): {_first_line(exc)}"
        ) from exc
    except duckdb.PermissionException as exc:
        # DuckDB reads SQLite and other formats through extensions, which are never loaded
        raise DatabaseError(f"database {path} is not a DuckDB file ({_first_line(exc)})") from exc
    except duckdb.Error as exc:
        raise DatabaseError(
            f"database {path} is not a readable DuckDB file ({_first_line(exc)})"
        ) from exc
    # DuckDB draws a progress bar of its own on stdout for a query of more than two
    # seconds (a few at 1M papers), across the build's own progress lines. A setting of
    # the session, so it cannot go in CONNECT_CONFIG (cursors start with it off).
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        con.close()
        raise
    return con


def checked(con: duckdb.DuckDBPyConnection, path: Path, check: Callable[..., None]) -> None:
    """Run a schema check; a file too damaged to list its tables is one line too."""
    try:
        check(con, path)
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(
            f"database {path} cannot be read (damaged?): {_first_line(exc)}"
        ) from exc
    except BaseException:
        con.close()
        raise


class Store:
    """A connection to one paperweb database file."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        read_only: bool,
        temp_directory: Path | None = None,
    ) -> None:
        self.con = con
        self.path = path
        #: the folder DuckDB spills to (beside the database file unless given)
        self.temp_directory = temp_directory or path.with_name(path.name + ".tmp")
        self.read_only = read_only
        self._sandboxed = False
        #: bytes DuckDB may hold before spilling (None: DuckDB's default)
        self.memory_limit: int | None = None

    def limit_memory(self, limit: int) -> None:
        """Let DuckDB hold at most ``limit`` bytes, spilling the rest to
        :attr:`temp_directory` (where a large sort or join of the build goes)."""
        self.con.execute(SQL_SET_MEMORY_LIMIT, [f"{limit}B"])
        self.memory_limit = limit

    def setting(self, name: str) -> str:
        """The current value of a DuckDB setting, as DuckDB prints it."""
        row = self.con.execute(SQL_SETTING, [name]).fetchone()
        return str(row[0]) if row else ""

    def close(self) -> None:
        """Close the connection (and release the file lock)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        if exc is not None and was_interrupted(exc):
            raise KeyboardInterrupt from None
        if isinstance(exc, DAMAGE):
            raise damaged(self.path, exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run the block in one transaction: all of it lands, or none of it."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement that returns nothing."""
        self.con.execute(sql, params or [])

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        return self.con.execute(sql, params or []).fetchall()

    def query_dicts(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts keyed by column name."""
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_table(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a query and return its column names and rows."""
        cursor = self.con.execute(sql, params or [])
        return [d[0] for d in cursor.description or []], cursor.fetchall()

    def user_query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run SQL a user typed, on a read-only connection with no file or network access."""
        if not self.read_only:
            raise DatabaseError(
                "user SQL needs a read-only connection; open the store with read_only=True"
            )
        if not self._sandboxed:
            self.con.execute("SET enable_external_access = false")
            self.con.execute("SET lock_configuration = true")
            self._sandboxed = True
        try:
            return self.query_table(sql)
        except duckdb.Error as exc:
            first = _first_line(exc)
            if "read-only" in first or "read only" in first:
                raise UsageError(
                    f"refused: paperweb sql opens {self.path} read-only and does not change it ({first})"
                ) from exc
            raise UsageError(f"SQL error: {first}") from exc

    def query_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return an Arrow table (for large results)."""
        result = self.con.execute(sql, params or [])
        # duckdb 1.5 deprecates fetch_arrow_table for to_arrow_table, which older releases lack.
        fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
        table: pa.Table = fetch()
        return table

    def query_batches(
        self, sql: str, params: Sequence[Any] | None = None, rows: int = 20_000
    ) -> Iterator[pa.RecordBatch]:
        """Run a query and yield its result as Arrow record batches of about ``rows`` rows.

        For results too large to hold at once in this process (every abstract, say).
        """
        # A relation streams its result; execute() would first materialise all of it.
        relation = self.con.sql(sql, params=params) if params else self.con.sql(sql)
        # duckdb 1.5 deprecates fetch_arrow_reader for to_arrow_reader, which older releases lack.
        reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
        yield from reader(rows)

    def insert_columns(
        self, table: str, columns: Mapping[str, Sequence[Any] | pa.Array | pa.ChunkedArray]
    ) -> int:
        """Bulk-append column lists (NumPy or Arrow arrays) to ``table`` through Arrow; returns the row count.

        Large loads go in statements of :data:`INSERT_BATCH` rows, so that neither the
        Arrow copy nor DuckDB's conversion of it holds the whole load at once. A statement
        hands DuckDB record batches of :data:`INSERT_CHUNK` rows, which it appends on all
        its threads in their order (one batch would be one thread: 11M keyword rows at 1M
        papers took 6.7 s that way, 3.2 s in batches).
        """
        if table not in self.table_names():
            raise DatabaseError(f"database {self.path} has no table {table!r}")
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns for {table!r} differ in length: {sorted(lengths)}")
        rows = lengths.pop() if lengths else 0
        names = ", ".join(f'"{name}"' for name in columns)
        batches = (
            _in_chunks(
                pa.table(
                    {
                        name: _arrow(values[first : first + INSERT_BATCH])
                        for name, values in columns.items()
                    }
                )
            )
            for first in range(0, rows, INSERT_BATCH)
        )
        if rows <= INSERT_BATCH:
            for data in batches:
                self._insert(table, names, data)
            return rows
        # The next batch is made (Python lists to Arrow, holding the GIL) while DuckDB
        # inserts this one in a thread (without it): 950k papers in 14 s instead of 20 s.
        # Only that thread uses the connection meanwhile.
        with ThreadPoolExecutor(1) as writer:
            pending: Future[None] | None = None
            try:
                for data in batches:
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(self._insert, table, names, data)
                    del data
                if pending is not None:
                    pending.result()
            except KeyboardInterrupt:
                # Ctrl-C reaches this thread only: stop the writer's statement too.
                self.con.interrupt()
                raise
        return rows

    def _insert(self, table: str, names: str, data: pa.Table) -> None:
        self.con.register("_paperweb_load", data)
        try:
            self.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _paperweb_load')
        finally:
            self.con.unregister("_paperweb_load")

    def insert_records(
        self,
        table: str,
        records: Sequence[Any],
        convert: Mapping[str, Callable[[Any], Any]] | None = None,
        extra: Mapping[str, Sequence[Any]] | None = None,
    ) -> int:
        """Bulk-append dataclass records to ``table``: a column per field the table has.

        Fields the table lacks (a paper's links, say) are left out; ``convert`` maps a
        field to the function that makes its stored value, and ``extra`` adds columns
        that are not fields (the paper id of each link). Returns the row count.
        """
        if not records:
            return 0
        known = self.columns(table)
        convert = convert or {}
        names = [f.name for f in dataclasses.fields(records[0]) if f.name in known]
        columns: dict[str, Sequence[Any]] = {}
        for name in names:
            values = [getattr(record, name) for record in records]
            change = convert.get(name)
            columns[name] = [change(v) for v in values] if change else values
        columns.update(extra or {})
        return self.insert_columns(table, columns)

    def columns(self, table: str) -> set[str]:
        """Names of the columns of a table."""
        rows = self.con.execute(SQL_COLUMNS, [table]).fetchall()
        return {row[0] for row in rows}

    def cached_answer(self, key: str) -> tuple[int, str, bytes, float] | None:
        """The ``http_cache`` row of ``key``: status, headers (JSON), body, fetched_at."""
        row = self.con.execute(SQL_CACHE_GET, [key]).fetchone()
        return (int(row[0]), str(row[1]), bytes(row[2]), float(row[3])) if row else None

    def remember_answer(
        self, key: str, status: int, headers: str, body: bytes, fetched_at: float
    ) -> None:
        """Store (or replace) the cached answer of ``key``; outside a transaction it commits at once."""
        self.con.execute(SQL_CACHE_PUT, [key, status, headers, body, fetched_at])

    def forget_answer(self, key: str) -> None:
        """Drop the cached answer of ``key`` (its reader found it unusable)."""
        self.con.execute(SQL_CACHE_DELETE, [key])

    @contextmanager
    def columns_view(
        self, name: str, columns: Mapping[str, Sequence[Any] | pa.Array | pa.ChunkedArray]
    ) -> Iterator[str]:
        """Expose column lists as a temporary relation ``name`` (through Arrow) for set-based SQL.

        For updates and joins against many values: binding a long Python list as a
        ``?`` parameter costs seconds per 10k items, an Arrow relation milliseconds.
        """
        if not re.fullmatch(r"_[a-z_]+", name):
            raise ValueError(f"scratch relation names start with _ and use a-z only: {name!r}")
        data = pa.table({col: _arrow(values) for col, values in columns.items()})
        self.con.register(name, data)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def clear(self, tables: Sequence[str] = GRAPH_TABLES) -> None:
        """Empty the given tables (inside the caller's transaction)."""
        known = self.table_names()
        for table in tables:
            if table in known:
                self.con.execute(f'DELETE FROM "{table}"')

    def table_names(self) -> set[str]:
        """Names of the tables in the main schema."""
        rows = self.con.execute(SQL_TABLES).fetchall()
        return {row[0] for row in rows}

    def count(self, table: str) -> int:
        """Number of rows in a table of the schema."""
        if table not in self.table_names():
            raise DatabaseError(f"database {self.path} has no table {table!r}")
        row = self.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        return int(row[0]) if row else 0

    def copy_to_parquet(self, sql: str, path: Path) -> None:
        """Write a query's result to a Parquet file (through Arrow: the connection has no file access)."""
        pq.write_table(self.query_arrow(sql), str(path))


def _arrow(values: Sequence[Any] | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as an Arrow array; NumPy arrays convert without a detour through Python
    objects, Arrow arrays pass through untouched."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, np.ndarray) and values.dtype != object:
        return pa.array(values)
    return pa.array(values if isinstance(values, list) else list(values))


def _in_chunks(data: pa.Table) -> pa.Table:
    """``data`` as record batches of :data:`INSERT_CHUNK` rows.

    A column made of many chunks (the evidence texts of the similar edges come in 100k-row
    parts) is joined into one first: cut wherever any column's chunks end, the batches
    took DuckDB twice as long to append (7 s against 4 s for 6M edges). A column of one
    chunk is not copied.
    """
    data = data.combine_chunks()
    return pa.Table.from_batches(data.to_batches(max_chunksize=INSERT_CHUNK), data.schema)


#: glibc's mallopt parameter number for the mmap threshold
_M_MMAP_THRESHOLD = -3
#: blocks from this size up get a mapping of their own, returned to the system when freed
MMAP_THRESHOLD = 32 * 1024 * 1024


def tune_allocator() -> None:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`: blocks above it (the corpus-size
    arrays of the keyword stage) are mapped on their own and returned at once when freed.

    By default glibc raises the threshold to the largest block freed so far, so after
    one such array is freed the next ones stay in the heap and the process stays
    hundreds of MiB larger. Below it, the chunk-sized temporaries of the threaded NumPy
    passes (8 MiB each) reuse heap memory; mapped on their own, each one's pages would be
    faulted in anew (a quarter of the 1M keyword stage's CPU time in the kernel, more
    on a virtual machine whose host takes freed pages back). :func:`release_memory`
    returns the heap's free pages between stages. Elsewhere than glibc this does nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_memory() -> None:
    """Hand memory that Python, numpy and Arrow have freed back to the operating system.

    glibc keeps freed heap memory for reuse, so without this the process stays at the
    size of its largest stage. Elsewhere than glibc this does nothing.
    """
    pa.default_memory_pool().release_unused()
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def open_store(
    path: str | Path,
    *,
    read_only: bool = False,
    create: bool = True,
    memory_limit: int | None = None,
    temp_directory: Path | None = None,
) -> Store:
    """Open (and on first write create) a paperweb database with its schema.

    ``read_only`` opens an existing file without taking the write lock; a
    missing file is an error then, as it is when ``create`` is False.
    ``memory_limit`` (bytes) caps DuckDB's memory (see :meth:`Store.limit_memory`);
    it spills to ``temp_directory`` (default: ``<db>.tmp`` beside the file).
    """
    path = Path(path)
    if (read_only or not create) and not path.exists():
        raise DatabaseError(
            f"database {path} does not exist; run 'paperweb build INPUT... --db {path}' first"
        )
    if path.exists() and not path.is_file():
        raise DatabaseError(f"database {path} is not a file")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"database folder {path.parent} cannot be created ({exc.strerror})"
            ) from exc
    spill = temp_directory or path.with_name(path.name + ".tmp")
    con = connect_file(path, read_only, spill if memory_limit is not None else None)
    if read_only:
        checked(con, path, check_readable)
        return Store(con, path, read_only, spill)
    checked(con, path, check_replaceable)
    try:
        con.execute(SCHEMA)
        con.execute(SCHEMA_UPGRADE)
        con.execute(SQL_MARK, [str(SCHEMA_VERSION)])
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(f"database {path} cannot be prepared: {_first_line(exc)}") from exc
    store = Store(con, path, read_only, spill)
    if memory_limit is not None:
        store.limit_memory(memory_limit)
    return store
