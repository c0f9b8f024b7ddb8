"""The ``paperweb`` command line: a thin shell that wires options to the library.

Exit status: 0 success; 1 an error (one ``Error:`` line on stderr); 2 a usage
error; 3 the build finished but skipped some input entries (listed on stderr).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import httpx
import typer

from collectors.detect import INPUT_KINDS
from graph.explore import (
    PAPER_EDGE_KINDS,
    NodeRef,
    check_choice,
    check_edge_kinds,
    check_node_kinds,
    database_stats,
    default_edge_kinds,
    empty_top_reason,
    find_node,
    find_paper,
    neighbors,
    paper_count,
    strongest_path,
    top_nodes,
)
from graph.export import EXPORT_FORMATS, export_graph
from graph.layout import DEFAULT_MAX_PAPERS
from graph.report import REPORT_FORMATS, write_report
from graph.store import Store, open_store, parse_size
from paperweb import __version__
from paperweb.app import DEFAULT_DB, write_page
from paperweb.cli.citations import missing_command
from paperweb.cli.display import BuildDisplay, print_build_summary
from paperweb.cli.options import (
    EXIT_SKIPPED,
    EXIT_USAGE,
    Command,
    CsvFlag,
    DbOption,
    ExpandOption,
    Group,
    JsonFlag,
    LimitOption,
    MemoryLimitOption,
    MinCitedOption,
    OutOption,
    err,
    error_line,
    query_days,
    reports_errors,
    working,
)
from paperweb.cli.rows import print_rows, stats_rows
from paperweb.errors import UsageError

__all__ = ["app"]


app = typer.Typer(
    name="paperweb",
    cls=Group,
    help="Turn lists of research papers into a graph you can browse and rank.",
    epilog="Example: paperweb build examples/ && paperweb top --limit 5",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"paperweb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn lists of research papers into a graph you can browse and rank."""


def _http_transport() -> httpx.BaseTransport | None:
    """The transport under the HTTP stack: the network (tests put a fake here)."""
    return None


@app.command("build", cls=Command)
@reports_errors
def build_command(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="INPUT",
            help="Listing pages, arXiv id lists, BibTeX, JSON or JSONL files (OpenAlex and "
            "Semantic Scholar works files too), or folders.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    out: OutOption = Path("out"),
    k: Annotated[
        int,
        typer.Option(
            "--k", min=0, metavar="N", help="Most similar neighbours kept per paper (a maximum)."
        ),
    ] = 10,
    min_similarity: Annotated[
        float | None,
        typer.Option(
            "--min-similarity",
            min=0.0,
            max=1.0,
            metavar="X",
            help="Cosine below which two papers are never similar (default 0.05).",
            show_default=False,
        ),
    ] = None,
    resolution: Annotated[
        float,
        typer.Option(
            "--resolution",
            min=0.01,
            max=100.0,
            metavar="X",
            help="Leiden resolution: higher gives more, smaller communities.",
        ),
    ] = 1.0,
    min_cited: MinCitedOption = 3,
    expand: ExpandOption = 0,
    max_nodes: Annotated[
        int,
        typer.Option(
            "--max-nodes", min=1, metavar="N", help="Papers drawn on graph.html (most central)."
        ),
    ] = DEFAULT_MAX_PAPERS,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format", metavar="KIND", help=f"Read every input as: {'|'.join(INPUT_KINDS)}."
        ),
    ] = None,
    query: Annotated[
        list[str] | None,
        typer.Option(
            "--query", metavar="TEXT", help="Hugging Face papers search (repeatable; --online)."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="Papers per --query.")
    ] = 50,
    daily: Annotated[
        list[str] | None,
        typer.Option(
            "--daily",
            metavar="DATE",
            help="Hugging Face daily papers of DATE, YYYY-MM-DD (repeatable; --online).",
        ),
    ] = None,
    daily_range: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--daily-range",
            metavar="START END",
            help="Daily papers from START to END, both YYYY-MM-DD (--online).",
        ),
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
    memory_limit: MemoryLimitOption = None,
) -> None:
    """Read papers from INPUT files (and online queries) and rebuild the database, graph and outputs.

    A build replaces the whole corpus: give every input each time (or one folder of them).

    Example: paperweb build ids.txt refs.bib page.txt papers.jsonl --db out/paperweb.duckdb
    """
    try:
        days = query_days(online, query or [], daily or [], daily_range)
        if not inputs and not (online and (query or days)):
            raise UsageError("nothing to build: give input files, or --online with --query/--daily")
        if refresh and not online:
            raise UsageError(
                "--refresh only applies to online enrichment; add --online or drop --refresh"
            )
        budget = parse_size(memory_limit) if memory_limit is not None else None
    except UsageError as exc:
        error_line(exc)
        raise typer.Exit(EXIT_USAGE) from None
    # Imported here: the build pulls in scikit-learn, which costs the other commands seconds.
    from paperweb.pipeline import BuildOptions, build

    options = BuildOptions(
        db=db,
        out=out,
        k=k,
        resolution=resolution,
        min_cited=min_cited,
        expand=expand,
        max_nodes=max_nodes,
        input_format=input_format,
        online=online,
        refresh=refresh,
        queries=tuple(query or ()),
        query_limit=limit,
        days=days,
        http_transport=_http_transport(),
    )
    # Unset options keep the library's defaults (documented in --help).
    options.min_similarity = options.min_similarity if min_similarity is None else min_similarity
    options.memory_limit = options.memory_limit if budget is None else budget
    before = paper_count(db)
    with BuildDisplay(db) as display:
        summary = build(
            inputs or [],
            options,
            progress=display.stage_done,
            online_progress=display,
            steps=display.step,
        )
    print_build_summary(db, before, summary)
    if summary.skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _write_from(db: Path, doing: str, write: Callable[[Store], list[Path]]) -> None:
    """Run ``write`` over the database opened read-only, then print every file it wrote."""
    with open_store(db, read_only=True) as store, working(doing):
        written = write(store)
    for path in written:
        typer.echo(str(path))


@app.command("report", cls=Command)
@reports_errors
def report_command(
    db: DbOption = DEFAULT_DB,
    out: OutOption = Path("out"),
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=f"One or more of: {', '.join(REPORT_FORMATS)} (repeatable; default all).",
        ),
    ] = None,
) -> None:
    """Re-render the centrality report (report.md, report.json, CSV tables) from a database.

    Example: paperweb report --db out/paperweb.duckdb --format md --format json
    """
    formats = check_choice("--format", fmt, REPORT_FORMATS) if fmt else REPORT_FORMATS
    _write_from(db, f"writing the report to {out}", lambda s: write_report(s, out, formats))


@app.command("view", cls=Command)
@reports_errors
def view_command(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="HTML file to write.")] = Path(
        "out/graph.html"
    ),
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, metavar="N", help="Most central papers to draw.")
    ] = DEFAULT_MAX_PAPERS,
    kinds: Annotated[
        str | None,
        typer.Option("--kinds", metavar="KIND,...", help="Node kinds to draw, e.g. paper,repo."),
    ] = None,
) -> None:
    """Re-render the interactive offline HTML page from a database.

    Example: paperweb view --max-nodes 2000 --kinds paper,repo,owner --out out/papers.html
    """
    with open_store(db, read_only=True) as store, working(f"drawing {out}"):
        wanted = check_node_kinds(store, _split_kinds(kinds), "--kinds") if kinds else None
        _, data = write_page(store, out, max_nodes, wanted)
    err.print(
        f"{data.drawn_papers:,} of {data.total_papers:,} papers, {len(data.nodes):,} nodes, {len(data.edges):,} edges",
        markup=False,
    )
    typer.echo(str(out))


def _split_kinds(kinds: str) -> list[str]:
    return [k.strip() for k in kinds.split(",") if k.strip()]


@app.command("neighbors", cls=Command)
@reports_errors
def neighbors_command(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NODE",
            help="A paper (arXiv id, paper id, exact title or a part only it has) or a node id.",
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND,...",
            help=f"Edge kinds, comma-separated (default: {','.join(PAPER_EDGE_KINDS)} for a paper, "
            "every kind for another node).",
        ),
    ] = None,
    limit: LimitOption = 10,
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Show a paper's (or any node's) strongest connections and the evidence for each.

    Example: paperweb neighbors "I-ViT" --kind similar --limit 5
    """
    with open_store(db, read_only=True) as store:
        kinds = check_edge_kinds(store, _split_kinds(kind)) if kind is not None else None
        node = find_node(store, name)
        rows = neighbors(store, node.node_id, kinds or default_edge_kinds(node), limit)
    err.print(_neighbors_header(node, len(rows), kinds or default_edge_kinds(node)), markup=False)
    print_rows(
        ["neighbor", "node_kind", "edge", "weight", "evidence", "neighbor_id"],
        [
            (n.label, n.node_kind, n.direction or n.edge_kind, n.weight, n.evidence, n.node_id)
            for n in rows
        ],
        as_json,
        as_csv,
    )


def _neighbors_header(node: NodeRef, count: int, kinds: Sequence[str]) -> str:
    if count:
        return f"{node.label} ({node.node_id}): {count} connection(s)"
    return f"{node.label} ({node.node_id}) has no {', '.join(kinds)} connections"


@app.command("path", cls=Command)
@reports_errors
def path_command(
    paper_a: Annotated[
        str,
        typer.Argument(
            metavar="PAPER_A", help="First paper: arXiv id, paper id or (part of) a title."
        ),
    ],
    paper_b: Annotated[str, typer.Argument(metavar="PAPER_B", help="Second paper.")],
    kind: Annotated[
        str, typer.Option("--kind", metavar="KIND,...", help="Edge kinds to walk, comma-separated.")
    ] = ",".join(PAPER_EDGE_KINDS),
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """Show the shortest, then strongest, chain of papers between two papers.

    Example: paperweb path "DistZO2" "DeepZero"
    """
    with open_store(db, read_only=True) as store:
        kinds = check_edge_kinds(store, _split_kinds(kind))
        a, b = find_paper(store, paper_a), find_paper(store, paper_b)
        steps = strongest_path(store, a, b, kinds)
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


@app.command("top", cls=Command)
@reports_errors
def top_command(
    metric: Annotated[
        str,
        typer.Option("--metric", metavar="METRIC", help="pagerank, betweenness, degree, ..."),
    ] = "pagerank",
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Nodes of this kind: paper, repo, owner, page, keyword, work, or all.",
        ),
    ] = "paper",
    limit: LimitOption = 20,
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Rank papers (or other nodes) by a stored metric.

    Example: paperweb top --metric betweenness --limit 10
    """
    only = None if kind == "all" else kind
    with open_store(db, read_only=True) as store:
        rows = top_nodes(store, metric, only, limit)
        empty = None if rows else empty_top_reason(store, metric, only)
    if empty:
        err.print(empty, markup=False)
    ranked = [
        (rank, label, node_kind, value, node_id)
        for rank, (node_id, node_kind, label, value) in enumerate(rows, 1)
    ]
    print_rows(["rank", "label", "kind", metric, "node_id"], ranked, as_json, as_csv)


@app.command("stats", cls=Command)
@reports_errors
def stats_command(db: DbOption = DEFAULT_DB, as_json: JsonFlag = False) -> None:
    """Count nodes and edges per kind, components, communities and enrichment coverage.

    Example: paperweb stats --db out/paperweb.duckdb
    """
    with open_store(db, read_only=True) as store:
        stats = database_stats(store)
    if as_json:
        typer.echo(json.dumps(stats, indent=1, default=str))
        return
    print_rows(["group", "what", "count"], stats_rows(stats), False, False)


@app.command("export", cls=Command)
@reports_errors
def export_command(
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="FORMAT", help=f"One of: {', '.join(EXPORT_FORMATS)}."),
    ] = "graphml",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="PATH", help="File (graphml, gexf, json) or folder (csv, parquet)."
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the graph for Gephi, Cytoscape, D3, spreadsheets or data frames.

    Example: paperweb export --format gexf --out out/paperweb.gexf
    """
    target = out or (Path("out") / ("export" if fmt in ("csv", "parquet") else f"paperweb.{fmt}"))
    check_choice("--format", [fmt], EXPORT_FORMATS)
    _write_from(db, f"exporting to {target}", lambda s: export_graph(s, fmt, target))


@app.command("sql", cls=Command)
@reports_errors
def sql_command(
    query: Annotated[str, typer.Argument(metavar="SQL", help="A SELECT statement.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Run read-only SQL over the database and print the result.

    Example: paperweb sql "SELECT kind, count(*) FROM edges GROUP BY kind"
    """
    with open_store(db, read_only=True) as store:
        columns, rows = store.user_query(query)
    print_rows(columns, rows, as_json, as_csv)


app.command("missing", cls=Command)(missing_command)


def main() -> None:
    """Entry point for ``python -m paperweb``."""
    app()
