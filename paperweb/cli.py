"""The ``paperweb`` command line: a thin shell that wires options to the library.

Exit status: 0 success; 1 an error (one ``Error:`` line on stderr); 2 a usage
error; 3 the build finished but skipped some input entries (listed on stderr).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph.pipeline import BuildOptions, build
from paperweb.errors import PaperwebError

__all__ = ["app"]

EXIT_SKIPPED = 3

app = typer.Typer(
    name="paperweb",
    help="Turn lists of research papers into a graph you can browse and rank.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    Path,
    typer.Option("--db", help="DuckDB database file.", envvar="PAPERWEB_DB", show_default=True),
]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the report and the HTML page.")]


@app.callback()
def _root() -> None:
    """Turn lists of research papers into a graph you can browse and rank."""


def _fail(exc: PaperwebError) -> typer.Exit:
    err.print(f"Error: {exc}", markup=False)
    return typer.Exit(1)


@app.command("build")
def build_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Listing pages (.txt) or folders of them.", show_default=False),
    ],
    db: DbOption = Path("out/paperweb.duckdb"),
    out: OutOption = Path("out"),
) -> None:
    """Read papers from INPUTS and (re)build the database, graph and outputs.

    Example: paperweb build examples/ --db out/paperweb.duckdb
    """
    try:
        summary = build(
            inputs, BuildOptions(db=db, out=out), progress=lambda m: err.print(m, markup=False)
        )
    except PaperwebError as exc:
        raise _fail(exc) from None
    for line in summary.skipped:
        err.print(f"Skipped: {line}", markup=False)
    err.print(
        f"Built {db}: {summary.papers:,} papers from {summary.occurrences:,} entries in "
        f"{summary.files:,} file(s), {summary.links:,} links, {summary.nodes:,} nodes, "
        f"{summary.edges:,} edges",
        markup=False,
    )
    for path in summary.outputs:
        typer.echo(str(path))
    if summary.skipped:
        raise typer.Exit(EXIT_SKIPPED)


def main() -> None:
    """Entry point for ``python -m paperweb``."""
    app()
