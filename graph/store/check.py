"""What a file must hold before paperweb reads or replaces it: its own tables, or nothing.

A view named ``papers`` could read any file on the machine, and another program's
``metrics`` table would be wiped by a rebuild; both are refused with one line instead.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

from graph.store.schema import (
    MARK_TABLE,
    SCHEMA,
    SCHEMA_UPGRADE,
    SQL_MARK_GET,
    SQL_RELATIONS,
    SQL_SCHEMA_COLUMNS,
)
from paperweb.errors import DatabaseError

__all__ = ["CONNECT_CONFIG", "check_readable", "check_replaceable"]

#: every connection: no files but its own, no extension installed or loaded behind our back
CONNECT_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


@functools.cache
def expected_columns() -> dict[str, dict[str, str]]:
    """Table -> column -> DuckDB type of the schema this paperweb writes."""
    con = duckdb.connect(":memory:", config=CONNECT_CONFIG)
    try:
        con.execute(SCHEMA)
        con.execute(SCHEMA_UPGRADE)
        return _columns(con)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for table, column, kind in con.execute(SQL_SCHEMA_COLUMNS).fetchall():
        found.setdefault(table, {})[column] = kind
    return found


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Name -> 'BASE TABLE' / 'VIEW' / ... of everything in the main schema."""
    return {name: kind for name, kind in con.execute(SQL_RELATIONS).fetchall()}


def _problem(con: duckdb.DuckDBPyConnection, relations: dict[str, str]) -> str | None:
    """Why the tables named like paperweb's are not paperweb's, or None."""
    expected = expected_columns()
    present = _columns(con)
    for name, kind in sorted(relations.items()):
        if name not in expected:
            continue
        if kind != "BASE TABLE":
            return f"{name!r} is a {kind.lower()}, not a paperweb table"
        have = present.get(name, {})
        for column, wanted in expected[name].items():
            if column in have and have[column] != wanted:
                return f"column {name}.{column} is {have[column]}, not {wanted}"
    return None


def check_readable(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a file whose tables paperweb reads are views or have foreign columns."""
    relations = _relations(con)
    if "papers" not in relations:
        raise DatabaseError(f"database {path} is not a paperweb database (no papers table)")
    problem = _problem(con, relations)
    if problem:
        raise DatabaseError(
            f"database {path} is not a paperweb database ({problem}); "
            "rebuild it with 'paperweb build INPUT... --db FILE' into a new file"
        )


def check_replaceable(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse to write over a file that holds anything but an earlier paperweb build.

    A file paperweb marked, or one whose every relation is a paperweb table (written
    before the mark existed), or an empty one, may be rebuilt.
    """
    relations = _relations(con)
    if not relations:
        return
    problem = _problem(con, relations)
    if problem is None and MARK_TABLE in relations:
        if con.execute(SQL_MARK_GET).fetchall():
            return
        problem = f"its {MARK_TABLE} table has no schema version"
    if problem is None:
        foreign = sorted(set(relations) - set(expected_columns()))
        if foreign:
            problem = f"it holds {', '.join(repr(n) for n in foreign[:3])}"
            problem += " and more" if len(foreign) > 3 else ""
        elif "papers" not in relations:
            problem = "it has no papers table"
    if problem:
        raise DatabaseError(
            f"database {path} was not written by paperweb ({problem}); it was left as it was: "
            "pass --db with a new file name"
        )
