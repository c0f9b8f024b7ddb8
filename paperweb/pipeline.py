"""The build's orchestration (top layer): inputs -> online inputs -> de-duplication ->
online enrichment -> graph stages -> report and page, all into a new database file and a
staging folder that replace the old ones at the end (graph/store/rebuild.py).

``collectors/`` reads, ``graph/`` stores and analyses, ``viz/`` draws; only ``paperweb/``
uses all three. Kept apart from :mod:`paperweb.app` because the graph stages import
scikit-learn, which would cost every other command seconds.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from collectors.corpus import read_inputs
from collectors.enrich import EnrichProgress, quiet_progress
from collectors.http import HttpSettings, settings_from_env
from collectors.queries import OnlineInputs, collect_online
from graph.citations import MIN_CITED
from graph.enrichment import (
    OnlineResult,
    apply_enrichment,
    enrich_papers,
    expand_corpus,
    write_enrichment,
)
from graph.interrupts import InterruptCheckpoints
from graph.keywords import KeywordOptions
from graph.layout import DEFAULT_MAX_PAPERS, write_layout
from graph.outputs import StagedOutputs
from graph.papers import PaperRow, merge_papers
from graph.parallel import Steps, available_workers, no_steps
from graph.report import picture_helper, writing_report
from graph.similarity import MIN_SIMILARITY
from graph.stages import write_citations, write_metrics, write_paper_edges, write_papers
from graph.store import Store, default_memory_limit, rebuilding, release_memory, tune_allocator
from paperweb.app import DEFAULT_DB, write_page
from paperweb.errors import Interrupted, UsageError

__all__ = ["BuildOptions", "BuildSummary", "build"]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Default progress sink: say nothing."""


@dataclass(slots=True)
class BuildOptions:
    """Where the build writes and how much work it does."""

    db: Path = DEFAULT_DB
    out: Path = Path("out")
    #: most ``similar`` neighbours kept per paper (a maximum: weak matches are never kept)
    k: int = 10
    #: cosine below which two papers are never ``similar``
    min_similarity: float = MIN_SIMILARITY
    #: corpus papers that must cite an outside work before it becomes a ``work`` node
    min_cited: int = MIN_CITED
    #: Leiden resolution: higher gives more, smaller communities
    resolution: float = 1.0
    keywords: KeywordOptions = field(default_factory=KeywordOptions)
    #: papers drawn on the HTML page (the most central ones when there are more)
    max_nodes: int = DEFAULT_MAX_PAPERS
    #: force one input kind (page, ids, bibtex, json, jsonl) instead of detecting it
    input_format: str | None = None
    #: Hugging Face searches and daily lists whose papers join the inputs (need ``online``)
    queries: tuple[str, ...] = ()
    query_limit: int = 50
    days: tuple[date, ...] = ()
    #: ask online services to complete id-only papers, run queries, and enrich the papers
    online: bool = False
    #: outside works (the most cited) fetched and added as corpus papers (needs ``online``)
    expand: int = 0
    #: ignore cached answers (they are still refreshed in the cache)
    refresh: bool = False
    #: HTTP settings; None reads PAPERWEB_*_URL and the tokens from the environment
    http: HttpSettings | None = None
    #: transport under the HTTP stack (tests inject httpx.MockTransport); None is the network
    http_transport: httpx.BaseTransport | None = None
    #: bytes DuckDB may hold before it spills to ``<db>.tmp/`` (default: half the machine's memory)
    memory_limit: int = field(default_factory=default_memory_limit)


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


class _Clock:
    """Seconds since the last lap, for progress lines that say how long each stage took."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, papers: int = 0) -> str:
        """``(12.3 s)``, or with the papers the stage handled ``(12.3 s, 7,700 papers/s)``."""
        now = time.perf_counter()
        spent, self.last = now - self.last, now
        if papers <= 0:
            return f"({spent:.1f} s)"
        return f"({spent:.1f} s, {papers / max(spent, 1e-3):,.0f} papers/s)"


@contextmanager
def _collector_held() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector off.

    The offline stages make millions of small objects (records, tuples, strings,
    keyword rows) that form no cycles and mostly stay alive for the stage; each time
    the heap grew by a quarter the collector walked every one of them again. At 100k
    papers that was 2 of 7 s of reading and de-duplicating, and 4 s of the keyword and
    metric stages (which only kept it off the objects older than the stage). Memory is
    freed by reference counting as before; only cyclic garbage made meanwhile (a few
    pools' threads and queues) waits for the next collection after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(
    inputs: Sequence[str | Path],
    options: BuildOptions,
    progress: Progress = _quiet,
    online_progress: EnrichProgress = quiet_progress,
    steps: Steps = no_steps,
) -> BuildSummary:
    """Rebuild the database from ``inputs`` into a new file that replaces the old one at the end.

    The outputs are checked first and written beside, then moved in after the database.
    Ctrl-C at any point raises :class:`Interrupted` saying what was kept. ``progress``
    hears of each stage done (with its papers per second), ``steps`` of the papers done
    within the long parts of the keyword stage.
    """
    tune_allocator()
    if options.refresh and not options.online:
        raise UsageError(
            "--refresh only applies to online enrichment; add --online or drop --refresh"
        )
    if options.expand and not options.online:
        raise UsageError("--expand fetches works online; add --online or drop --expand")
    staged = StagedOutputs(options.out)
    db, out = options.db, options.out
    committed = False
    try:
        summary = _build_staged(inputs, options, staged, progress, online_progress, steps)
        committed = True
        staged.publish(f"{db} and {out} hold the new build")
        summary.outputs = [staged.final(path) for path in summary.outputs]
    except Interrupted:
        raise
    except KeyboardInterrupt:
        kept = f"{db} holds the new build, {out} the previous outputs" if committed else None
        raise Interrupted(kept or f"{db} was left as it was") from None
    finally:
        staged.discard()
    return summary


def _build_staged(
    inputs: Sequence[str | Path],
    options: BuildOptions,
    staged: StagedOutputs,
    progress: Progress,
    online_progress: EnrichProgress,
    steps: Steps,
) -> BuildSummary:
    """The build into a new database file and the staging folder; the file replaces the old one."""
    clock = _Clock()
    with rebuilding(options.db, memory_limit=options.memory_limit, warn=progress) as store:
        with _collector_held():
            occurrences, skipped, files = read_inputs(inputs, options.input_format)
        progress(
            f"read {len(occurrences):,} papers from {files:,} file(s) {clock.lap(len(occurrences))}"
        )
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
        with _collector_held():
            rows = merge_papers(occurrences)
        progress(
            f"{len(rows):,} distinct papers after de-duplication {clock.lap(len(occurrences))}"
        )
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
            if options.expand:
                added = expand_corpus(
                    store, rows, settings, summary.online, options.expand, options.http_transport
                )
                occurrences = [*occurrences, *added]
                rows = apply_enrichment(merge_papers(occurrences), summary.online.enrichment)
                summary.occurrences, summary.papers = len(occurrences), len(rows)
                progress(f"added {len(added):,} most cited outside works {clock.lap()}")
        del occurrences
        with InterruptCheckpoints() as interrupts:

            def stage(message: str) -> None:
                # Papers per second for every stage: what tells how a bigger corpus will go.
                progress(f"{message} {clock.lap(summary.papers)}")
                interrupts.check()

            with _collector_held():
                _write_graph(store, rows, summary, options, staged, stage, steps)
    progress(f"committed {clock.lap()}")
    return summary


def _write_graph(
    store: Store,
    rows: list[PaperRow],
    summary: BuildSummary,
    options: BuildOptions,
    staged: StagedOutputs,
    stage: Progress,
    steps: Steps,
) -> None:
    """The offline stages, from the stored papers to the page (in the new database file)."""
    write_papers(store, rows)
    write_enrichment(store, summary.online)
    # Said before the citation stage, so that its line times the citations alone.
    stage("stored papers, links and link nodes")
    found = summary.online.enrichment if summary.online is not None else None
    write_citations(
        store,
        rows,
        found.references if found is not None else (),
        found.cites if found is not None else (),
        options.min_cited,
        options.k,
        stage,
    )
    # Later stages read what they need back from the database; at 100k papers
    # the Paper and PaperRow objects are a few hundred MiB of the process.
    rows.clear()
    release_memory()
    write_paper_edges(store, options.keywords, options.k, options.min_similarity, stage, steps)
    write_metrics(store, stage, options.resolution)
    # The report's pictures are drawn in another process while this one lays out the map
    # and writes the page; forked now, it loads matplotlib during the layout.
    with picture_helper(available_workers()) as helper:
        drawn = write_layout(store, options.max_nodes)
        stage(f"laid out {len(drawn.nodes):,} nodes of the map")
        summary.links = store.count("links")
        summary.nodes = store.count("nodes")
        summary.edges = store.count("edges")
        with writing_report(store, staged.path, helper=helper) as finish_report:
            path, data = write_page(
                store, staged.path / "graph.html", options.max_nodes, drawn=drawn
            )
            stage(f"wrote the graph page, {data.drawn_papers:,} of {data.total_papers:,} papers")
            summary.outputs += finish_report()
    summary.outputs.append(path)
    stage("wrote the report")
