"""The ``missing`` command: the works outside the corpus that its papers cite most."""

from __future__ import annotations

import json

import typer

from graph.store import open_store
from graph.store.citations import missing_works
from paperweb.app import DEFAULT_DB
from paperweb.cli.options import DbOption, JsonFlag, LimitOption, MinCitedOption, reports_errors
from paperweb.cli.rows import print_rows

__all__ = ["missing_command"]


@reports_errors
def missing_command(
    limit: LimitOption = 20,
    min_cited: MinCitedOption = 1,
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """List the works outside the corpus that most corpus papers cite (build with works files
    or --online to have references).

    Example: paperweb missing --limit 10
    """
    with open_store(db, read_only=True) as store:
        works = missing_works(store, min_cited, limit)
    if as_json:
        typer.echo(json.dumps(works, indent=1, ensure_ascii=False))
        return
    rows = [
        (n, w["title"] or "", w["year"], w["cited_by"], w["work_key"], "; ".join(w["paper_titles"]))
        for n, w in enumerate(works, 1)
    ]
    print_rows(["rank", "title", "year", "cited by", "work", "citing papers"], rows, False, False)
