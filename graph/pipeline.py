"""The build: read inputs, merge papers, and store papers, links, nodes and edges in one transaction."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa

from collectors.arxiv_ids import parse_id_list
from collectors.bibtex import parse_bibtex
from collectors.detect import detect_kind
from collectors.enrich import EnrichProgress, quiet_progress
from collectors.http import HttpSettings, settings_from_env
from collectors.inputs import discover_inputs, read_text_file
from collectors.jsonfeed import iter_jsonl, parse_json
from collectors.listing import parse_listing_page
from collectors.queries import OnlineInputs, collect_online
from collectors.records import Paper, ParseResult
from graph.enrichment import OnlineResult, apply_enrichment, enrich_papers, write_enrichment
from graph.keywords import KeywordOptions, KeywordTable, extract_keywords, paused_gc
from graph.linkgraph import EdgeRow, NodeRow, link_graph
from graph.metrics import (
    graph_metrics,
    label_candidates,
    label_communities,
    label_coverage,
    term_counts,
)
from graph.network import PAPER_EDGE_KINDS, IndexedGraph, graphs_from_numbers
from graph.papers import PaperRow, merge_papers
from graph.report import write_report
from graph.similarity import (
    MIN_SIMILARITY,
    keyword_edge_columns,
    keyword_nodes,
    shared_code_edges,
    similar_edge_columns,
)
from graph.store import Store, open_store, release_memory, tune_allocator
from paperweb.errors import UsageError
from viz.page import write_graph_page
from viz.page_data import load_page_inputs, page_data

__all__ = [
    "BuildOptions",
    "BuildSummary",
    "build",
    "read_inputs",
    "write_papers",
]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Default progress sink: say nothing."""


@dataclass(slots=True)
class BuildOptions:
    """Where the build writes and how much work it does."""

    db: Path = Path("out/paperweb.duckdb")
    out: Path = Path("out")
    #: most ``similar`` neighbours kept per paper (a maximum: weak matches are never kept)
    k: int = 10
    #: cosine below which two papers are never ``similar``
    min_similarity: float = MIN_SIMILARITY
    #: Leiden resolution: higher gives more, smaller communities
    resolution: float = 1.0
    keywords: KeywordOptions = field(default_factory=KeywordOptions)
    #: nodes drawn on the HTML page (the most central ones)
    max_nodes: int = 500
    #: force one input kind (page, ids, bibtex, json, jsonl) instead of detecting it
    input_format: str | None = None
    #: Hugging Face searches and daily lists whose papers join the inputs (need ``online``)
    queries: tuple[str, ...] = ()
    query_limit: int = 50
    days: tuple[date, ...] = ()
    #: ask online services to complete id-only papers, run queries, and enrich the papers
    online: bool = False
    #: ignore cached answers (they are still refreshed in the cache)
    refresh: bool = False
    #: HTTP settings; None reads PAPERWEB_*_URL and the tokens from the environment
    http: HttpSettings | None = None
    #: transport under the HTTP stack (tests inject httpx.MockTransport); None is the network
    http_transport: httpx.BaseTransport | None = None


@dataclass(slots=True)
class BuildSummary:
    """What a build read and stored."""

    files: int = 0
    occurrences: int = 0
    papers: int = 0
    links: int = 0
    nodes: int = 0
    edges: int = 0
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    #: what online enrichment found and what it cost (None when offline)
    online: OnlineResult | None = None


_PARSERS: dict[str, Callable[[str, str], ParseResult]] = {
    "page": parse_listing_page,
    "ids": parse_id_list,
    "bibtex": parse_bibtex,
    "json": parse_json,
}


def read_inputs(
    paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[list[Paper], list[str], int]:
    """Parse every input file by its detected (or forced) kind; any unreadable file stops the build."""
    files = discover_inputs(paths)
    papers: list[Paper] = []
    skipped: list[str] = []
    for path in files:
        kind = detect_kind(path, input_format)
        if kind == "jsonl":
            papers.extend(iter_jsonl(path, skipped))
            continue
        result = _PARSERS[kind](read_text_file(path), str(path))
        papers.extend(result.papers)
        skipped.extend(result.skipped)
    return papers, skipped, len(files)


def write_papers(store: Store, rows: Sequence[PaperRow]) -> None:
    """Load papers, their sources, links and source keywords (inside the caller's transaction)."""
    store.insert_columns(
        "papers",
        {
            "paper_id": [r.paper_id for r in rows],
            "title": [r.title for r in rows],
            "abstract": [r.abstract for r in rows],
            "authors": [r.authors for r in rows],
            "published": [r.published for r in rows],
            "published_text": [r.published_text for r in rows],
            "upvotes": [r.upvotes for r in rows],
            "arxiv_id": [r.arxiv_id for r in rows],
        },
    )
    sources = [(r.paper_id, s, p) for r in rows for s, p in r.sources]
    store.insert_columns(
        "paper_sources",
        {
            "paper_id": [s[0] for s in sources],
            "source": [s[1] for s in sources],
            "position": [s[2] for s in sources],
        },
    )
    links = [(r.paper_id, link) for r in rows for link in r.links]
    store.insert_columns(
        "links",
        {
            "paper_id": [pid for pid, _ in links],
            "url": [link.url for _, link in links],
            "kind": [link.kind for _, link in links],
            "target": [link.target for _, link in links],
            "origin": [link.origin for _, link in links],
        },
    )
    given = [(r.paper_id, keyword, origin) for r in rows for keyword, origin in r.keywords]
    store.insert_columns(
        "keywords",
        {
            "paper_id": [g[0] for g in given],
            "keyword": [g[1] for g in given],
            "weight": [1.0] * len(given),
            "origin": [g[2] for g in given],
        },
    )
    graph = link_graph(links)
    paper_nodes = [NodeRow(r.paper_id, "paper", r.title, _paper_url(r)) for r in rows]
    _insert_nodes(store, paper_nodes + graph.nodes)
    _insert_edges(store, graph.edges)


# A placeholder title ("arXiv:<id>", for papers known only by id) is no text to take keywords from.
SQL_PAPER_TEXTS = (
    "SELECT paper_id, CASE WHEN title = 'arXiv:' || arxiv_id THEN '' ELSE title END, "
    "coalesce(abstract, '') FROM papers ORDER BY paper_id"
)
SQL_GIVEN_KEYWORDS = (
    "SELECT paper_id, keyword, origin FROM keywords WHERE origin <> 'text' ORDER BY ALL"
)
SQL_CODE_LINKS = "SELECT DISTINCT src, dst FROM edges WHERE kind = 'code' ORDER BY ALL"


def _insert_nodes(store: Store, nodes: Sequence[NodeRow]) -> None:
    store.insert_columns(
        "nodes",
        {
            "node_id": [n.node_id for n in nodes],
            "kind": [n.kind for n in nodes],
            "label": [n.label for n in nodes],
            "url": [n.url for n in nodes],
        },
    )


def _insert_edges(store: Store, edges: Sequence[EdgeRow]) -> None:
    store.insert_columns("edges", _edge_columns(edges))


def write_paper_edges(store: Store, options: BuildOptions, progress: Progress = _quiet) -> None:
    """Keywords, keyword nodes, and the ``similar`` and ``shared_code`` edges (in the caller's transaction).

    Rows go to DuckDB as columns (lists and numpy arrays through Arrow), not as row
    objects: at 100k papers that is ~1.2M keyword rows and ~1M edges. The cyclic garbage
    collector leaves the objects that were alive before the stage alone meanwhile.
    """
    with paused_gc():
        _write_paper_edges(store, options, progress)


def _write_paper_edges(store: Store, options: BuildOptions, progress: Progress) -> None:
    papers = store.query(SQL_PAPER_TEXTS)
    given = store.query(SQL_GIVEN_KEYWORDS)
    table = extract_keywords(papers, options.keywords, given)
    del papers, given
    release_memory()
    store.execute("DELETE FROM keywords")
    store.insert_columns("keywords", _keyword_columns(table))
    nodes = keyword_nodes(table)
    edges = keyword_edge_columns(table)
    keyword_edges = len(edges["src"])
    # The per-paper keyword lists are stored; similarity only needs the matrix.
    table.by_paper.clear()
    release_memory()
    similar = similar_edge_columns(table, options.k, options.min_similarity)
    del table
    for name, values in similar.items():
        edges[name] = _concat(edges[name], values)
    shared = shared_code_edges(store.query(SQL_CODE_LINKS))
    for name, values in _edge_columns(shared).items():
        if name != "kind":
            edges[name] = _concat(edges[name], values)
    similar_count = len(similar["src"])
    del similar
    _insert_nodes(store, nodes)
    kinds = (
        ["keyword"] * keyword_edges + ["similar"] * similar_count + ["shared_code"] * len(shared)
    )
    store.insert_columns(
        "edges",
        {
            "src": edges.pop("src"),
            "dst": edges.pop("dst"),
            "kind": kinds,
            "weight": edges.pop("weight"),
            "evidence": edges.pop("evidence"),
        },
    )
    del edges, kinds
    release_memory()
    progress(
        f"{len(nodes):,} linking keywords, {similar_count:,} similar and "
        f"{len(shared):,} shared_code edges"
    )


def _keyword_columns(table: KeywordTable) -> dict[str, list[Any]]:
    """The ``keywords`` rows of the table as columns, in paper order."""
    paper_id: list[str] = []
    keyword: list[str] = []
    weight: list[float] = []
    origin: list[str] = []
    for pid, keywords in table.by_paper.items():
        paper_id.extend([pid] * len(keywords))
        for label, value, source, _ in keywords:
            keyword.append(label)
            weight.append(value)
            origin.append(source)
    return {"paper_id": paper_id, "keyword": keyword, "weight": weight, "origin": origin}


def _edge_columns(edges: Sequence[EdgeRow]) -> dict[str, list[Any]]:
    return {
        "src": [e.src for e in edges],
        "dst": [e.dst for e in edges],
        "kind": [e.kind for e in edges],
        "weight": [e.weight for e in edges],
        "evidence": [e.evidence for e in edges],
    }


def _concat(first: Any, second: Any) -> Any:
    """Join two edge columns: lists (ids, evidence) stay lists; anything else is a weight
    column, joined as a float array."""
    if isinstance(first, list) and isinstance(second, list):
        first.extend(second)
        return first
    return np.concatenate(
        [np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)]
    )


SQL_GRAPH_NODES = "SELECT node_id, kind FROM nodes ORDER BY node_id"
SQL_GRAPH_EDGES = "SELECT src, dst, kind, weight FROM edges ORDER BY src, dst, kind"
# Every keyword row as (paper number, keyword number), and the distinct keywords in order.
SQL_KEYWORD_NUMBERS = """
CREATE OR REPLACE TEMP TABLE _keyword_numbers AS
SELECT keyword, CAST(row_number() OVER (ORDER BY keyword) - 1 AS INTEGER) AS number
FROM (SELECT DISTINCT keyword FROM keywords)
"""
SQL_PAPER_KEYWORDS = """
SELECT m.number AS paper, k.number AS keyword
FROM keywords JOIN _keyword_numbers AS k USING (keyword) JOIN _members AS m USING (paper_id)
"""


# Non-keyword nodes numbered in id order, and the edges between them as those numbers, so
# that 1.17M edge rows (at 100k papers) never become strings in this process.
SQL_NUMBERED_NODES = """
CREATE OR REPLACE TEMP TABLE _numbered AS
SELECT node_id, kind = 'paper' AS is_paper, kind = 'owner' AS is_owner,
       CAST(row_number() OVER (ORDER BY node_id) - 1 AS INTEGER) AS number
FROM nodes WHERE kind <> 'keyword'
"""
SQL_NUMBERED_EDGES = f"""
SELECT a.number AS a, b.number AS b, e.weight,
       e.kind IN ({", ".join(f"'{kind}'" for kind in sorted(PAPER_EDGE_KINDS))}) AS paper_kind
FROM edges e JOIN _numbered a ON a.node_id = e.src JOIN _numbered b ON b.node_id = e.dst
WHERE e.kind <> 'keyword'
ORDER BY e.src, e.dst, e.kind
"""
SQL_KEYWORD_DEGREE = """
SELECT n.node_id, CAST(count(e.dst) AS DOUBLE) AS degree
FROM nodes n LEFT JOIN edges e ON e.dst = n.node_id AND e.kind = 'keyword'
WHERE n.kind = 'keyword'
GROUP BY n.node_id ORDER BY n.node_id
"""


def read_graphs(
    store: Store,
) -> tuple[IndexedGraph, IndexedGraph, pa.Array, np.ndarray, np.ndarray]:
    """The analysis graph, the paper graph, the keyword degrees and the owner flags, numbered in SQL.

    The same graphs as :func:`graph.network.indexed_graph` over the ``nodes`` and
    ``edges`` tables (a test checks), at a fraction of the memory.
    """
    store.execute(SQL_NUMBERED_NODES)
    try:
        nodes = store.query_arrow(
            "SELECT node_id, is_paper, is_owner FROM _numbered ORDER BY number"
        )
        edges = store.query_arrow(SQL_NUMBERED_EDGES)
    finally:
        store.execute("DROP TABLE IF EXISTS _numbered")
    graph, papers = graphs_from_numbers(
        nodes["node_id"].to_pylist(),
        np.asarray(nodes["is_paper"].to_numpy(), dtype=bool),
        np.asarray(edges["a"].to_numpy(), dtype=np.int64),
        np.asarray(edges["b"].to_numpy(), dtype=np.int64),
        np.asarray(edges["weight"].to_numpy(), dtype=np.float64),
        np.asarray(edges["paper_kind"].to_numpy(), dtype=bool),
    )
    keywords = store.query_arrow(SQL_KEYWORD_DEGREE)
    return (
        graph,
        papers,
        keywords["node_id"].combine_chunks(),
        np.asarray(keywords["degree"].to_numpy(), dtype=np.float64),
        np.asarray(nodes["is_owner"].to_numpy(), dtype=bool),
    )


# Titles and abstracts with the community of their paper, for the label coverage counts.
SQL_MEMBER_TEXTS = """
SELECT m.community, p.title, coalesce(p.abstract, '') AS abstract
FROM papers p JOIN _members AS m USING (paper_id)
"""


def write_metrics(store: Store, progress: Progress = _quiet, resolution: float = 1.0) -> None:
    """Centrality, components and communities into ``metrics`` and ``communities`` (caller's transaction)."""
    graph, papers_graph, keyword_ids, keyword_degree, is_owner = read_graphs(store)
    result = graph_metrics(
        graph, papers_graph, keyword_ids, keyword_degree, resolution=resolution, is_owner=is_owner
    )
    del graph, papers_graph
    rows = result.rows()
    store.insert_columns("metrics", {name: rows[name] for name in rows.column_names})
    ordered = sorted(result.members)
    sizes = {c: len(result.members[c]) for c in ordered}
    papers, community = result.columns["community"]
    labels_of = community.astype(np.int64)
    notes = sorted(result.notes.items()) + sorted(result.info.items())
    nodes = len(result.columns["degree"][0])
    other, inside, outside = result.other, result.inside, result.outside
    # The labelling query below is the stage's largest allocation (inside DuckDB); the
    # metric columns are stored by now, so their memory goes back first.
    del result, rows
    release_memory()
    named = {c: size for c, size in sizes.items() if c != other}
    total = store.count("papers")
    with store.columns_view(
        "_members",
        {
            "paper_id": papers,
            "number": np.arange(len(labels_of)),
            "community": labels_of,
            "size": np.bincount(labels_of)[labels_of],
        },
    ):
        store.execute(SQL_KEYWORD_NUMBERS)
        try:
            pairs = store.query_arrow(SQL_PAPER_KEYWORDS)
            names = store.query_arrow("SELECT keyword FROM _keyword_numbers ORDER BY number")
        finally:
            store.execute("DROP TABLE IF EXISTS _keyword_numbers")
        counts = term_counts(
            np.asarray(pairs["paper"].to_numpy(), dtype=np.int64),
            np.asarray(pairs["keyword"].to_numpy(), dtype=np.int64),
            names["keyword"].to_pylist(),
            labels_of,
        )
        del pairs, names
        counts = [row for row in counts if row[0] != other]
        candidates = label_candidates(named, counts, total)
        # Folded and searched in Python a batch at a time: DuckDB's regexp_replace and
        # translate took 6 s over 100k abstracts, str.translate a fraction of that.
        covered = label_coverage(
            (
                row
                for batch in store.query_batches(SQL_MEMBER_TEXTS, rows=2048)
                for row in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True)
            ),
            candidates,
        )
    labels = label_communities(named, counts, total, covered=covered)
    if other is not None:
        smallest = next(v for k, v in notes if k == "partition.smallest")
        labels[other] = (f"other: {sizes[other]} papers in groups under {smallest}", [], [])
    store.insert_columns(
        "communities",
        {
            "community": ordered,
            "label": [labels[c][0] for c in ordered],
            "size": [sizes[c] for c in ordered],
            "keywords": [labels[c][1] for c in ordered],
            "keyword_papers": [labels[c][2] for c in ordered],
            "coverage": [labels[c][2][0] if labels[c][2] else 0 for c in ordered],
            "internal_weight": [float(inside[c]) for c in ordered],
            "external_weight": [float(outside[c]) for c in ordered],
            "is_other": [c == other for c in ordered],
        },
    )
    store.insert_columns(
        "build_info",
        {
            "key": [k if "." in k else f"metric.{k}" for k, _ in notes],
            "value": [v for _, v in notes],
        },
    )
    progress(f"metrics for {nodes:,} nodes, {len(named):,} communities")


def _paper_url(row: PaperRow) -> str | None:
    return f"https://arxiv.org/abs/{row.arxiv_id}" if row.arxiv_id else None


class _Clock:
    """Seconds since the last lap, for progress lines that say how long each stage took."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self) -> str:
        now = time.perf_counter()
        spent, self.last = now - self.last, now
        return f"({spent:.1f} s)"


def build(
    inputs: Sequence[str | Path],
    options: BuildOptions,
    progress: Progress = _quiet,
    online_progress: EnrichProgress = quiet_progress,
) -> BuildSummary:
    """Rebuild the database from ``inputs``: all tables are replaced in one transaction."""
    clock = _Clock()
    tune_allocator()
    if options.refresh and not options.online:
        raise UsageError(
            "--refresh only applies to online enrichment; add --online or drop --refresh"
        )
    occurrences, skipped, files = read_inputs(inputs, options.input_format)
    progress(f"read {len(occurrences):,} papers from {files:,} file(s) {clock.lap()}")
    with open_store(options.db) as store:
        online: OnlineResult | None = None
        if options.online:
            settings = options.http or settings_from_env(os.environ, refresh=options.refresh)
            online = OnlineResult()
            # [stage: online inputs] full papers for ids, then query and daily-list papers
            with (
                online.client("hf", settings, store, options.http_transport) as hf,
                online.client("arxiv", settings, store, options.http_transport) as arxiv,
            ):
                fetch = OnlineInputs(
                    hf, arxiv, options.queries, options.query_limit, options.days, arxiv_pause=0.0
                )
                occurrences, not_found = collect_online(fetch, occurrences)
            skipped = skipped + not_found
            progress(f"{len(occurrences):,} papers with online inputs {clock.lap()}")
        rows = merge_papers(occurrences)
        progress(f"{len(rows):,} distinct papers after de-duplication {clock.lap()}")
        summary = BuildSummary(
            files=files, occurrences=len(occurrences), papers=len(rows), skipped=skipped
        )
        # [stage: online enrichment] adds arXiv ids, links, keywords, citations to rows
        if online is not None:
            summary.online = enrich_papers(
                store, rows, settings, online_progress, options.http_transport, online
            )
            rows = apply_enrichment(rows, summary.online.enrichment)
            progress(f"online enrichment {clock.lap()}")
        with store.transaction():
            store.clear()
            write_papers(store, rows)
            write_enrichment(store, summary.online)
            # Later stages read what they need back from the database; at 100k papers
            # the Paper and PaperRow objects are a few hundred MiB of the process.
            del occurrences, rows
            release_memory()
            progress(f"stored papers, links and link nodes {clock.lap()}")
            write_paper_edges(store, options, lambda m: progress(f"{m} {clock.lap()}"))
            write_metrics(store, lambda m: progress(f"{m} {clock.lap()}"), options.resolution)
        progress(f"committed {clock.lap()}")
        summary.links = store.count("links")
        summary.nodes = store.count("nodes")
        summary.edges = store.count("edges")
        summary.outputs += write_report(store, options.out)
        progress(f"wrote the report {clock.lap()}")
        data = page_data(load_page_inputs(store, options.max_nodes), options.max_nodes)
        summary.outputs.append(write_graph_page(data, options.out / "graph.html"))
        progress(
            f"wrote the graph page, {len(data.nodes):,} of {data.total_nodes:,} nodes {clock.lap()}"
        )
    return summary
