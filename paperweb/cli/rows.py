"""Rows to stdout: a table in a terminal, tab-separated lines in a pipe, or JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["print_rows", "stats_rows"]


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _plain(value: Any) -> str:
    """A value as one tab-separated field: whole, with tabs and line breaks made spaces."""
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def print_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], as_json: bool, as_csv: bool
) -> None:
    """Rows to stdout: JSON or CSV when asked; else a rich table in a terminal, and in a pipe
    a header line then one tab-separated line per row with full values (as ``gh`` does)."""
    if as_json:
        typer.echo(
            json.dumps(
                [dict(zip(columns, row, strict=True)) for row in rows],
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif not _stdout_is_terminal():
        for line in [columns, *rows]:
            typer.echo("\t".join(_plain(v) for v in line))
    elif rows:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(
                *("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
            )
        Console(highlight=False, soft_wrap=False).print(table)


def stats_rows(stats: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``paperweb stats`` as (group, what, count) rows."""
    rows: list[tuple[str, str, Any]] = [("nodes", k, v) for k, v in stats["nodes"].items()]
    rows += [("edges", k, v) for k, v in stats["edges"].items()]
    rows += [
        ("graph", "components", stats["components"]),
        ("graph", "communities", stats["communities"]),
    ]
    rows += [("coverage", k, v) for k, v in stats["coverage"].items()]
    rows += [("link origin", k, v) for k, v in stats["link_origins"].items()]
    return rows
