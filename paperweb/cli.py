"""The ``paperweb`` command line: a thin shell that wires options to the library.

Exit status: 0 success; 1 an error (one ``Error:`` line on stderr); 2 a usage
error; 3 the build finished but skipped some input entries (listed on stderr).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collectors.detect import INPUT_KINDS
from collectors.queries import days_between
from graph.enrichment import OnlineResult
from graph.explore import (
    PAPER_EDGE_KINDS,
    database_stats,
    find_paper,
    neighbors,
    strongest_path,
    top_nodes,
)
from graph.export import EXPORT_FORMATS, export_graph
from graph.layout import DEFAULT_MAX_PAPERS
from graph.pipeline import BuildOptions, build
from graph.report import REPORT_FORMATS, write_report
from graph.store import open_store
from paperweb.errors import PaperwebError, UsageError
from viz.page import write_graph_page
from viz.page_data import load_page_inputs, page_data

__all__ = ["app"]

EXIT_USAGE = 2
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


def _http_transport() -> httpx.BaseTransport | None:
    """The transport under the HTTP stack: the network (tests put a fake here)."""
    return None


def _query_days(
    online: bool, queries: list[str], daily: list[str], daily_range: tuple[str, str] | None
) -> tuple[date, ...]:
    """Days of ``--daily``/``--daily-range``; query options without ``--online`` are a usage error."""
    days = [day for text in daily for day in days_between(text, text)]
    days += days_between(*daily_range) if daily_range else []
    if not online and (queries or days):
        raise UsageError("--query, --daily and --daily-range need --online")
    return tuple(days)


@app.command("build")
def build_command(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Listing pages, arXiv id lists, BibTeX, JSON or JSONL files, or folders.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = Path("out/paperweb.duckdb"),
    out: OutOption = Path("out"),
    k: Annotated[
        int, typer.Option("--k", min=0, help="Strongest similar neighbours kept per paper.")
    ] = 10,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Papers drawn on graph.html (most central).")
    ] = DEFAULT_MAX_PAPERS,
    input_format: Annotated[
        str | None,
        typer.Option("--format", help=f"Read every input as: {'|'.join(INPUT_KINDS)}."),
    ] = None,
    query: Annotated[
        list[str] | None,
        typer.Option("--query", help="Hugging Face papers search (repeatable; --online)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Papers per --query.")] = 50,
    daily: Annotated[
        list[str] | None,
        typer.Option("--daily", help="Hugging Face daily papers of YYYY-MM-DD (--online)."),
    ] = None,
    daily_range: Annotated[
        tuple[str, str] | None,
        typer.Option("--daily-range", help="Daily papers from START to END (--online)."),
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Complete id-only papers, run queries, and enrich with online services.",
        ),
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="With --online: ignore cached answers.")
    ] = False,
) -> None:
    """Read papers from INPUTS (and online queries) and (re)build the database, graph and outputs.

    Example: paperweb build ids.txt refs.bib page.txt papers.jsonl --online
    """
    try:
        days = _query_days(online, query or [], daily or [], daily_range)
        if not inputs and not (online and (query or days)):
            raise UsageError("nothing to build: give input files, or --online with --query/--daily")
    except UsageError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    options = BuildOptions(
        db=db,
        out=out,
        k=k,
        max_nodes=max_nodes,
        input_format=input_format,
        online=online,
        refresh=refresh,
        queries=tuple(query or ()),
        query_limit=limit,
        days=days,
        http_transport=_http_transport(),
    )
    try:
        with _ServiceBars() as bars:
            summary = build(
                inputs or [],
                options,
                progress=lambda m: err.print(m, markup=False),
                online_progress=bars,
            )
    except PaperwebError as exc:
        raise _fail(exc) from None
    if summary.online is not None:
        _print_online_summary(summary.online)
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


class _ServiceBars:
    """A rich progress bar per online service, on stderr."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:>6}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _ServiceBars:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tasks:
            self.progress.stop()

    def start(self, service: str, total: int) -> None:
        """Add the service's bar (the first one starts the display; offline builds draw none)."""
        if not self.tasks:
            self.progress.start()
        self.tasks[service] = self.progress.add_task(service, total=total)

    def advance(self, service: str) -> None:
        """Move the service's bar one item on."""
        self.progress.advance(self.tasks[service])


def _print_online_summary(online: OnlineResult) -> None:
    """One screen: per service resolved / cached / failed / waits, then failures by reason."""
    found = online.enrichment
    failed: dict[str, int] = {}
    reasons: dict[tuple[str, str], list[str]] = {}
    for f in found.failures:
        failed[f.service] = failed.get(f.service, 0) + 1
        reasons.setdefault((f.service, f.reason), []).append(f.item)
    for service in found.ran:
        stats = online.stats.get(service)
        line = f"{service}: {found.resolved.get(service, 0):,} resolved, {failed.get(service, 0):,} failed"
        if stats is not None:
            line += (
                f", {stats.requests:,} requests, {stats.cached:,} cached, "
                f"{stats.rate_limit_waits:,} rate-limit waits ({stats.waited:.1f} s)"
            )
        err.print(line, markup=False)
    for (service, reason), items in sorted(reasons.items(), key=lambda kv: -len(kv[1]))[:10]:
        shown = "; ".join(items[:3]) + (" ..." if len(items) > 3 else "")
        err.print(f"Failed: {service} x{len(items)}: {reason} ({shown})", markup=False)


@app.command("report")
def report_command(
    db: DbOption = Path("out/paperweb.duckdb"),
    out: OutOption = Path("out"),
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format", help=f"One or more of: {', '.join(REPORT_FORMATS)} (default all)."
        ),
    ] = None,
) -> None:
    """Re-render the centrality report (report.md, report.json, CSV tables) from a database.

    Example: paperweb report --db out/paperweb.duckdb --format md
    """
    try:
        with open_store(db, read_only=True) as store:
            written = write_report(store, out, fmt or REPORT_FORMATS)
    except PaperwebError as exc:
        raise _fail(exc) from None
    for path in written:
        typer.echo(str(path))


@app.command("view")
def view_command(
    db: DbOption = Path("out/paperweb.duckdb"),
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "out/graph.html"
    ),
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Most central papers to draw.")
    ] = DEFAULT_MAX_PAPERS,
    kinds: Annotated[
        str | None, typer.Option("--kinds", help="Node kinds to draw, e.g. paper,repo.")
    ] = None,
) -> None:
    """Re-render the interactive offline HTML page from a database.

    Example: paperweb view --max-nodes 2000 --kinds paper,repo,owner --out out/papers.html
    """
    try:
        with open_store(db, read_only=True) as store:
            wanted = _split_kinds(kinds) if kinds else None
            data = page_data(load_page_inputs(store, max_nodes, wanted))
        write_graph_page(data, out)
    except PaperwebError as exc:
        raise _fail(exc) from None
    err.print(
        f"{data.drawn_papers:,} of {data.total_papers:,} papers, {len(data.nodes):,} nodes, {len(data.edges):,} edges",
        markup=False,
    )
    typer.echo(str(out))


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]


def _split_kinds(kinds: str) -> list[str]:
    return [k.strip() for k in kinds.split(",") if k.strip()]


def _print_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], as_json: bool, as_csv: bool
) -> None:
    """Rows to stdout: a rich table in a terminal, or JSON / CSV for scripts."""
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
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(
                *("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
            )
        Console(highlight=False, soft_wrap=False).print(table)


@app.command("neighbors")
def neighbors_command(
    paper: Annotated[
        str, typer.Argument(help="arXiv id, exact title, or a unique part of a title.")
    ],
    kind: Annotated[str, typer.Option("--kind", help="Edge kinds, comma-separated.")] = ",".join(
        PAPER_EDGE_KINDS
    ),
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many connections.")] = 10,
    db: DbOption = Path("out/paperweb.duckdb"),
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Show a paper's strongest connections and the evidence for each.

    Example: paperweb neighbors "I-ViT" --kind similar --limit 5
    """
    try:
        with open_store(db, read_only=True) as store:
            found = find_paper(store, paper)
            rows = neighbors(store, found, _split_kinds(kind), limit)
    except PaperwebError as exc:
        raise _fail(exc) from None
    err.print(f"{found.title} ({found.paper_id}): {len(rows)} connection(s)", markup=False)
    _print_rows(
        ["neighbor", "node_kind", "edge", "weight", "evidence"],
        [(n.label, n.node_kind, n.direction or n.edge_kind, n.weight, n.evidence) for n in rows],
        as_json,
        as_csv,
    )


@app.command("path")
def path_command(
    paper_a: Annotated[str, typer.Argument(help="First paper: arXiv id or (part of) a title.")],
    paper_b: Annotated[str, typer.Argument(help="Second paper.")],
    kind: Annotated[
        str, typer.Option("--kind", help="Edge kinds to walk, comma-separated.")
    ] = ",".join(PAPER_EDGE_KINDS),
    db: DbOption = Path("out/paperweb.duckdb"),
    as_json: JsonFlag = False,
) -> None:
    """Show the shortest, then strongest, chain of papers between two papers.

    Example: paperweb path "DistZO2" "DeepZero"
    """
    try:
        with open_store(db, read_only=True) as store:
            a, b = find_paper(store, paper_a), find_paper(store, paper_b)
            steps = strongest_path(store, a, b, _split_kinds(kind))
    except PaperwebError as exc:
        raise _fail(exc) from None
    if steps is None:
        err.print(
            f"No path: {a.title!r} and {b.title!r} are not connected by {kind} edges.", markup=False
        )
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps([asdict(step) for step in steps], ensure_ascii=False, indent=1))
        return
    typer.echo(a.title)
    for step in steps:
        typer.echo(f"  --[{step.kind} {step.weight:.3g}: {step.evidence}]-->")
        typer.echo(step.dst_label)
    err.print(f"{len(steps)} step(s)", markup=False)


@app.command("top")
def top_command(
    metric: Annotated[
        str, typer.Option("--metric", help="pagerank, betweenness, degree, ...")
    ] = "pagerank",
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only nodes of this kind: paper, repo, owner, page, keyword."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
    db: DbOption = Path("out/paperweb.duckdb"),
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Rank nodes by a stored metric.

    Example: paperweb top --metric betweenness --kind paper --limit 10
    """
    try:
        with open_store(db, read_only=True) as store:
            rows = top_nodes(store, metric, kind, limit)
    except PaperwebError as exc:
        raise _fail(exc) from None
    ranked = [
        (rank, label, node_kind, value, node_id)
        for rank, (node_id, node_kind, label, value) in enumerate(rows, 1)
    ]
    _print_rows(["rank", "label", "kind", metric, "node_id"], ranked, as_json, as_csv)


@app.command("stats")
def stats_command(db: DbOption = Path("out/paperweb.duckdb"), as_json: JsonFlag = False) -> None:
    """Count nodes and edges per kind, components, communities and enrichment coverage.

    Example: paperweb stats --db out/paperweb.duckdb
    """
    try:
        with open_store(db, read_only=True) as store:
            stats = database_stats(store)
    except PaperwebError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(stats, indent=1, default=str))
        return
    rows: list[tuple[str, str, Any]] = [("nodes", k, v) for k, v in stats["nodes"].items()]
    rows += [("edges", k, v) for k, v in stats["edges"].items()]
    rows += [
        ("graph", "components", stats["components"]),
        ("graph", "communities", stats["communities"]),
    ]
    rows += [("coverage", k, v) for k, v in stats["coverage"].items()]
    rows += [("link origin", k, v) for k, v in stats["link_origins"].items()]
    _print_rows(["group", "what", "count"], rows, False, False)


@app.command("export")
def export_command(
    fmt: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(EXPORT_FORMATS)}.")
    ] = "graphml",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File (graphml, gexf, json) or folder (csv, parquet)."),
    ] = None,
    db: DbOption = Path("out/paperweb.duckdb"),
) -> None:
    """Write the graph for Gephi, Cytoscape, D3, spreadsheets or data frames.

    Example: paperweb export --format gexf --out out/paperweb.gexf
    """
    target = out or (Path("out") / ("export" if fmt in ("csv", "parquet") else f"paperweb.{fmt}"))
    try:
        with open_store(db, read_only=True) as store:
            written = export_graph(store, fmt, target)
    except PaperwebError as exc:
        raise _fail(exc) from None
    for path in written:
        typer.echo(str(path))


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A SELECT statement.")],
    db: DbOption = Path("out/paperweb.duckdb"),
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Run read-only SQL over the database and print the result.

    Example: paperweb sql "SELECT kind, count(*) FROM edges GROUP BY kind"
    """
    try:
        with open_store(db, read_only=True) as store:
            columns, rows = store.user_query(query)
    except PaperwebError as exc:
        raise _fail(exc) from None
    _print_rows(columns, rows, as_json, as_csv)


def main() -> None:
    """Entry point for ``python -m paperweb``."""
    app()
