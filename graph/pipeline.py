"""The build: read inputs, merge papers, and store papers, links, nodes and edges in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from collectors.inputs import discover_inputs, read_text_file
from collectors.listing import parse_listing_page
from collectors.records import Paper
from graph.linkgraph import link_graph
from graph.papers import PaperRow, merge_papers
from graph.store import Store, open_store

__all__ = ["BuildOptions", "BuildSummary", "build", "read_inputs", "write_papers"]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Default progress sink: say nothing."""


@dataclass(slots=True)
class BuildOptions:
    """Where the build writes and how much work it does."""

    db: Path = Path("out/paperweb.duckdb")
    out: Path = Path("out")


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


def read_inputs(paths: Sequence[str | Path]) -> tuple[list[Paper], list[str], int]:
    """Parse every input file; any unreadable file stops the build before the database is touched."""
    files = discover_inputs(paths)
    papers: list[Paper] = []
    skipped: list[str] = []
    for path in files:
        result = parse_listing_page(read_text_file(path), str(path))
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
    graph = link_graph(links)
    paper_nodes = [(r.paper_id, "paper", r.title, _paper_url(r)) for r in rows]
    store.insert_columns(
        "nodes",
        {
            "node_id": [n[0] for n in paper_nodes] + [n.node_id for n in graph.nodes],
            "kind": [n[1] for n in paper_nodes] + [n.kind for n in graph.nodes],
            "label": [n[2] for n in paper_nodes] + [n.label for n in graph.nodes],
            "url": [n[3] for n in paper_nodes] + [n.url for n in graph.nodes],
        },
    )
    store.insert_columns(
        "edges",
        {
            "src": [e.src for e in graph.edges],
            "dst": [e.dst for e in graph.edges],
            "kind": [e.kind for e in graph.edges],
            "weight": [e.weight for e in graph.edges],
            "evidence": [e.evidence for e in graph.edges],
        },
    )


def _paper_url(row: PaperRow) -> str | None:
    return f"https://arxiv.org/abs/{row.arxiv_id}" if row.arxiv_id else None


def build(
    inputs: Sequence[str | Path], options: BuildOptions, progress: Progress = _quiet
) -> BuildSummary:
    """Rebuild the database from ``inputs``: all tables are replaced in one transaction."""
    occurrences, skipped, files = read_inputs(inputs)
    progress(f"read {len(occurrences):,} papers from {files:,} file(s)")
    rows = merge_papers(occurrences)
    progress(f"{len(rows):,} distinct papers after de-duplication")
    summary = BuildSummary(
        files=files, occurrences=len(occurrences), papers=len(rows), skipped=skipped
    )
    with open_store(options.db) as store:
        # [stage: online enrichment] adds arXiv ids, links, keywords, citations to rows
        with store.transaction():
            store.clear()
            write_papers(store, rows)
            # [stage: keywords and paper-paper edges]
            # [stage: graph metrics and communities]
        summary.links = store.count("links")
        summary.nodes = store.count("nodes")
        summary.edges = store.count("edges")
        # [stage: outputs] report and HTML page, appended to summary.outputs
    return summary
