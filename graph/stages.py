"""The build's graph stages, each inside the caller's transaction: papers and links, then
keywords and paper-paper edges, then metrics and communities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from collectors.records import Reference
from graph.citations import MIN_CITED, citation_layer
from graph.coupling import binary_matrix, salton_edge_columns
from graph.keywords import (
    KeywordOptions,
    KeywordTable,
    extract_keywords,
    paused_gc,
)
from graph.labels import (
    LABEL_MIN_SHARE,
    Background,
    PaperTerms,
    community_terms,
    label_candidates,
    label_communities,
    label_coverage,
    paper_terms,
)
from graph.linkgraph import NodeRow, link_graph
from graph.metrics import graph_metrics
from graph.network import IndexedGraph, graphs_from_numbers
from graph.papers import PaperRow
from graph.parallel import (
    MIN_BACKGROUND_ROWS,
    MIN_PARALLEL_ROWS,
    Steps,
    available_workers,
    background,
    no_steps,
)
from graph.similarity import (
    MIN_SIMILARITY,
    keyword_edge_columns,
    keyword_nodes,
    shared_code_edges,
    similar_edge_columns,
)
from graph.store import Store, release_memory
from graph.store.analysis import (
    community_keyword_pairs,
    keyword_degrees,
    member_texts,
    numbered_graph,
    sample_texts,
)
from graph.store.papers import code_links, given_keywords, paper_texts, replace_keywords

__all__ = ["read_graphs", "write_citations", "write_metrics", "write_paper_edges", "write_papers"]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Default progress sink: say nothing."""


def write_papers(store: Store, rows: Sequence[PaperRow]) -> None:
    """Load papers, their sources, links and source keywords (inside the caller's transaction)."""
    # An empty list would say "no categories"; NULL says the source gave none.
    store.insert_records("papers", rows, convert={"categories": lambda c: list(c) or None})
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
    store.insert_records(
        "links", [link for _, link in links], extra={"paper_id": [pid for pid, _ in links]}
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
    store.insert_records("nodes", paper_nodes + graph.nodes)
    store.insert_records("edges", graph.edges)


def write_citations(
    store: Store,
    rows: Sequence[PaperRow],
    references: Sequence[tuple[str, Reference]] = (),
    cites: Sequence[tuple[str, str, str]] = (),
    min_cited: int = MIN_CITED,
    k: int = 10,
    progress: Progress = _quiet,
) -> None:
    """References, works, ``cites`` edges, ``work`` nodes and the ``coupling`` and ``cocited``
    edges (inside the caller's transaction, after :func:`write_papers`).

    ``references`` and ``cites`` are what the online services added to the papers' own lists.
    The cyclic garbage collector leaves the rows and their references alone meanwhile (at
    100k papers, 3M reference objects that every full collection would walk).
    """
    with paused_gc():
        _write_citations(store, rows, references, cites, min_cited, k, progress)


def _write_citations(
    store: Store,
    rows: Sequence[PaperRow],
    references: Sequence[tuple[str, Reference]],
    cites: Sequence[tuple[str, str, str]],
    min_cited: int,
    k: int,
    progress: Progress,
) -> None:
    store.insert_columns("build_info", {"key": ["citations.min_cited"], "value": [str(min_cited)]})
    if not references and not cites and not any(r.references or r.cited_by for r in rows):
        # Nothing cites anything: indexing every paper's ids and title to resolve
        # references would cost seconds at 100k papers for empty tables.
        progress("no references in the inputs; no citation edges")
        return
    layer = citation_layer(rows, references, cites, min_cited)
    refs = layer.references
    store.insert_columns("references", refs)
    store.insert_records("works", layer.works)
    store.insert_records("nodes", layer.nodes)
    named = {w.work_key: w.title or w.work_key for w in layer.works}
    labels = [r.title for r in rows] + [named[key] for key in layer.target_keys[len(rows) :]]
    shape = (len(rows), len(labels))
    matrix = binary_matrix(layer.citing, layer.cited, shape)
    ids = [r.paper_id for r in rows]
    coupling = salton_edge_columns("coupling", "shared references", matrix, ids, labels, k)
    del matrix
    inside = (layer.cited < len(rows)) & (layer.cited != layer.citing)
    # Co-citation: papers (rows) by the corpus papers citing them (columns).
    cocited_by = binary_matrix(layer.cited[inside], layer.citing[inside], (len(rows), len(rows)))
    cocited = salton_edge_columns(
        "cocited", "papers citing both", cocited_by, ids, labels[: len(rows)], k
    )
    del cocited_by, labels
    store.insert_columns("edges", layer.edges)
    store.insert_columns("edges", coupling)
    store.insert_columns("edges", cocited)
    progress(
        f"{len(refs['paper_id']):,} references, {int(inside.sum()):,} of them to corpus papers, "
        f"{len(layer.nodes):,} work nodes, {len(coupling['src']):,} coupling and "
        f"{len(cocited['src']):,} cocited edges"
    )


def write_paper_edges(
    store: Store,
    keywords: KeywordOptions | None = None,
    k: int = 10,
    min_similarity: float = MIN_SIMILARITY,
    progress: Progress = _quiet,
    steps: Steps = no_steps,
) -> None:
    """Keywords, keyword nodes, and the ``similar`` and ``shared_code`` edges (in the caller's transaction).

    Rows go to DuckDB as columns (lists and numpy arrays through Arrow), not as row
    objects: at 100k papers that is ~1.2M keyword rows and ~1M edges. The cyclic garbage
    collector leaves the objects that were alive before the stage alone meanwhile.
    """
    with paused_gc():
        _write_paper_edges(store, keywords or KeywordOptions(), k, min_similarity, progress, steps)


def _write_paper_edges(
    store: Store,
    options: KeywordOptions,
    k: int,
    min_similarity: float,
    progress: Progress,
    steps: Steps,
) -> None:
    workers = available_workers() if store.count("papers") >= MIN_BACKGROUND_ROWS else 1
    # The shared_code pairs (dicts of repositories and owners, 6 s at 1M papers) are
    # worked out in a forked process while this one extracts the keywords; forked
    # before the texts are read, it copies little.
    with background(shared_code_edges, code_links(store), workers) as shared_edges:
        papers = paper_texts(store)
        given = given_keywords(store)
        table = extract_keywords(papers, options, given, steps=steps, consume=True)
        del papers, given
        release_memory()
        # Storing the keyword rows and making the keyword nodes and edges is DuckDB and
        # Arrow work that mostly lets go of the GIL, and the similar edges are NumPy and
        # forked workers: the first runs on a thread beside the second, so that each
        # fills the other's one-core stretches. Nothing else uses the connection meanwhile.
        with ThreadPoolExecutor(1) as side:
            stored = side.submit(_store_keywords, store, table)
            similar = similar_edge_columns(table, k, min_similarity, steps=steps)
            nodes, edges = stored.result()
        keyword_edges = len(edges["src"])
        del table
        for name, values in similar.items():
            edges[name] = _concat(edges[name], values)
        shared = shared_edges()
    for name in ("src", "dst", "weight", "evidence"):
        edges[name] = _concat(edges[name], [getattr(e, name) for e in shared])
    similar_count = len(similar["src"])
    del similar
    store.insert_records("nodes", nodes)
    kinds = pa.DictionaryArray.from_arrays(
        np.repeat(np.arange(3, dtype=np.int8), [keyword_edges, similar_count, len(shared)]),
        pa.array(["keyword", "similar", "shared_code"]),
    ).cast(pa.string())
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


def _store_keywords(store: Store, table: KeywordTable) -> tuple[list[NodeRow], dict[str, Any]]:
    """Store the table's keyword rows; the keyword nodes and the paper -> keyword edge columns."""
    replace_keywords(store, _keyword_columns(table))
    return keyword_nodes(table), keyword_edge_columns(table)


def _keyword_columns(table: KeywordTable) -> dict[str, Any]:
    """The ``keywords`` rows of the table as Arrow columns, in paper order."""
    shown = table.shown
    return {
        "paper_id": pa.array(table.paper_ids, pa.string()).take(shown.rows),
        "keyword": pa.array(shown.labels, pa.string()).take(shown.label),
        "weight": shown.weight,
        "origin": pa.array(shown.origins, pa.string()).take(shown.origin),
    }


def _concat(first: Any, second: Any) -> Any:
    """Join two edge columns: a weight column (either part a NumPy array) as a float array;
    text columns (ids, evidence: lists, Arrow arrays or chunked arrays) as one chunked
    Arrow column, its parts' chunks kept as they are (nothing is copied)."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.concatenate(
            [np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)]
        )
    chunks: list[pa.Array] = []
    for part in (first, second):
        if isinstance(part, pa.ChunkedArray):
            chunks.extend(part.chunks)
        else:
            chunks.append(part if isinstance(part, pa.Array) else pa.array(part, pa.string()))
    return pa.chunked_array(chunks, pa.string())


def read_graphs(
    store: Store,
) -> tuple[IndexedGraph, IndexedGraph, pa.Array, np.ndarray, np.ndarray]:
    """The analysis graph, the paper graph, the keyword degrees and the owner flags, numbered in SQL.

    The same graphs as :func:`graph.network.indexed_graph` over the ``nodes`` and
    ``edges`` tables (a test checks), at a fraction of the memory.
    """
    nodes, edges = numbered_graph(store)
    graph, papers = graphs_from_numbers(
        nodes["node_id"].to_pylist(),
        np.asarray(nodes["is_paper"].to_numpy(), dtype=bool),
        np.asarray(edges["a"].to_numpy(), dtype=np.int64),
        np.asarray(edges["b"].to_numpy(), dtype=np.int64),
        np.asarray(edges["weight"].to_numpy(), dtype=np.float64),
        np.asarray(edges["paper_kind"].to_numpy(), dtype=bool),
    )
    keywords = keyword_degrees(store)
    return (
        graph,
        papers,
        keywords["node_id"].combine_chunks(),
        np.asarray(keywords["degree"].to_numpy(), dtype=np.float64),
        np.asarray(nodes["is_owner"].to_numpy(), dtype=bool),
    )


def write_metrics(store: Store, progress: Progress = _quiet, resolution: float = 1.0) -> None:
    """Centrality, components and communities into ``metrics`` and ``communities`` (caller's transaction)."""
    graph, papers_graph, keyword_ids, keyword_degree, is_owner = read_graphs(store)
    terms: list[PaperTerms] = []
    # Papers are numbered as the community column will list them: in paper graph order.
    numbers = {
        "paper_id": pa.array(papers_graph.nodes, pa.string()),
        "number": pa.array(np.arange(papers_graph.n)),
    }

    def keyword_terms() -> None:
        # Which paper has which term needs no communities: at 1M papers it is done
        # while Leiden still runs in its own process.
        with store.columns_view("_members", numbers):
            pairs, names = community_keyword_pairs(store)
        terms.append(
            paper_terms(
                np.asarray(pairs["paper"].to_numpy(), dtype=np.int64),
                np.asarray(pairs["keyword"].to_numpy(), dtype=np.int64),
                names,
                len(numbers["number"]),
            )
        )

    result = graph_metrics(
        graph,
        papers_graph,
        keyword_ids,
        keyword_degree,
        resolution=resolution,
        is_owner=is_owner,
        meanwhile=keyword_terms,
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
        counts = community_terms(terms.pop(), labels_of).without(other)
        candidates = label_candidates(named, counts, total)
        # Folded and searched in Python a batch at a time: DuckDB's regexp_replace and
        # translate took 6 s over 100k abstracts, str.translate a fraction of that.
        workers = available_workers() if total >= MIN_PARALLEL_ROWS else 1
        # The gathered group has no candidates: its texts are not read.
        covered = label_coverage(member_texts(store, without=other), candidates, workers)
        # How common the candidates are in the corpus's texts, from an even sample of them;
        # only those enough of their community's texts hold can be shown, so only they are asked.
        shown = (w for (c, w), n in covered.items() if n >= LABEL_MIN_SHARE * named[c])
        every = Background.every(len(labels_of))
        background = Background.from_texts(sample_texts(store, every), shown, len(labels_of), every)
    labels = label_communities(named, counts, total, covered=covered, background=background)
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
