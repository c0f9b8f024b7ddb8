"""The online enrichment stage: run the collectors, apply what they found to the papers, record it.

``enrich_papers`` runs before the build's transaction (so the HTTP cache commits
answers as they arrive); ``write_enrichment`` runs inside it, after the papers are
stored. Adding a collector is one more ``result.merge(...)`` line in ``enrich_papers``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from collectors.citations import CitationResult, citations_for
from collectors.enrich import (
    Enrichment,
    EnrichProgress,
    Failure,
    PaperRef,
    enrich_with_hf,
    quiet_progress,
    resolve_short_links,
)
from collectors.github import GithubEnrichment, enrich_repos
from collectors.http import HttpSettings, HttpStats, make_client
from collectors.records import Link, Paper
from collectors.snowball import fetch_works
from graph.citations import WorkRow, citation_layer
from graph.papers import PaperRow
from graph.store import Store
from graph.store.enrichment import write_repo_topics, write_repos
from graph.store.papers import set_cited_by

__all__ = [
    "OnlineResult",
    "apply_enrichment",
    "enrich_papers",
    "expand_corpus",
    "write_enrichment",
]

#: failures listed one by one in build_info (the rest are counted)
LISTED_FAILURES = 50
#: rounds of `--expand` lookups: works no service knows are replaced by the next ones this often
EXPAND_ROUNDS = 3


@dataclass(slots=True)
class OnlineResult:
    """What the online stage found, and what each service's client did."""

    enrichment: Enrichment = field(default_factory=Enrichment)
    stats: dict[str, HttpStats] = field(default_factory=dict)
    github: GithubEnrichment | None = None
    citations: CitationResult | None = None

    def client(
        self,
        service: str,
        settings: HttpSettings,
        store: Store,
        inner: httpx.BaseTransport | None = None,
    ) -> httpx.Client:
        """A client for ``service`` whose requests are counted in this result's stats."""
        stats = self.stats.setdefault(service, HttpStats())
        return make_client(service, settings, store=store, stats=stats, inner=inner)


def enrich_papers(
    store: Store,
    rows: Sequence[PaperRow],
    settings: HttpSettings,
    progress: EnrichProgress = quiet_progress,
    inner: httpx.BaseTransport | None = None,
    online: OnlineResult | None = None,
) -> OnlineResult:
    """Ask every online service about ``rows``; answers are cached in ``store`` as they arrive."""
    online = online if online is not None else OnlineResult()

    def client(service: str) -> httpx.Client:
        return online.client(service, settings, store, inner)

    refs = [PaperRef(r.paper_id, r.title, r.arxiv_id) for r in rows]
    with client("hf") as hf:
        online.enrichment.merge(enrich_with_hf(hf, refs, progress))
    with client("short") as web:
        links = [link for r in rows for link in r.links]
        online.enrichment.merge(resolve_short_links(web, links, progress))
    found = online.enrichment
    targets = {link.target for r in rows for link in r.links if link.kind == "repo"}
    targets |= {link.target for _, link in found.links if link.kind == "repo"}
    targets |= {target for kind, target, _ in found.short_links.values() if kind == "repo"}
    github_targets = sorted(t for t in targets if t.startswith("github.com/"))
    with client("github") as github:
        online.github = enrich_repos(github, github_targets)
    found.ran.append("github")
    found.resolved["github"] += len(online.github.repos)
    found.renamed |= online.github.renamed
    found.failures += [
        Failure("github", target, reason) for target, reason in online.github.failures
    ]
    papers = [(r.paper_id, found.arxiv_ids.get(r.paper_id) or r.arxiv_id, r.title) for r in rows]
    with client("s2") as s2, client("openalex") as openalex:
        online.citations = citations_for(papers, s2, openalex)
    found.ran.append("citations")
    found.resolved["citations"] += len(online.citations.cited_by_count)
    found.cites += [(c.citing, c.cited, c.evidence) for c in online.citations.cites]
    found.cited_by_count |= online.citations.cited_by_count
    found.references += online.citations.references
    for pid, keys in online.citations.keys.items():
        found.paper_keys[pid] = tuple(dict.fromkeys((*found.paper_keys.get(pid, ()), *keys)))
    found.failures += [
        Failure("citations", pid, reason) for pid, reason in online.citations.failures
    ]
    return online


def _fetch_key(work: WorkRow) -> str | None:
    """The key a service can look the work up by (a title alone is none)."""
    if work.openalex_id:
        return f"openalex:{work.openalex_id}"
    if work.s2_id:
        return f"s2:{work.s2_id}"
    if work.doi:
        return f"doi:{work.doi}"
    return f"arxiv:{work.arxiv_id}" if work.arxiv_id else None


def expand_corpus(
    store: Store,
    rows: Sequence[PaperRow],
    settings: HttpSettings,
    online: OnlineResult,
    count: int,
    inner: httpx.BaseTransport | None = None,
) -> list[Paper]:
    """The ``count`` outside works most corpus papers cite, fetched as papers (one snowball step)."""
    found = online.enrichment
    works = citation_layer(rows, found.references, found.cites, min_cited=1).works
    ranked = sorted(works, key=lambda w: (-w.cited_by, w.work_key))
    candidates = [key for w in ranked if (key := _fetch_key(w)) is not None]
    papers: list[Paper] = []
    failures: list[Failure] = []
    asked = 0
    with (
        online.client("openalex", settings, store, inner) as openalex,
        online.client("s2", settings, store, inner) as s2,
    ):
        # Works no service knows leave their place to the next most cited ones.
        for _ in range(EXPAND_ROUNDS):
            keys = candidates[asked : asked + count - len(papers)]
            if not keys:
                break
            asked += len(keys)
            fetched, failed = fetch_works(keys, openalex, s2, start=len(papers))
            papers += fetched
            failures += failed
    found.ran.append("expand")
    found.resolved["expand"] += len(papers)
    found.failures += failures
    return papers


def _resolve(link: Link, found: Enrichment) -> Link:
    """A link with its short target resolved and a renamed repo under its new name (url kept)."""
    if link.kind == "short" and link.target in found.short_links:
        kind, target, _ = found.short_links[link.target]
        link = dataclasses.replace(link, kind=kind, target=target)
    if link.target in found.renamed:
        link = dataclasses.replace(link, target=found.renamed[link.target])
    return link


def apply_enrichment(rows: Sequence[PaperRow], found: Enrichment) -> list[PaperRow]:
    """The papers with arXiv ids, links, keywords and missing fields the services gave."""
    added: dict[str, list[Link]] = {}
    for paper_id, link in found.links:
        added.setdefault(paper_id, []).append(link)
    keywords: dict[str, list[tuple[str, str]]] = {}
    for paper_id, keyword, origin in found.keywords:
        keywords.setdefault(paper_id, []).append((keyword, origin))
    result = []
    for row in rows:
        links: dict[str, Link] = {}
        # Offline links first: a service's link only counts when it adds a new target.
        for link in (*row.links, *added.get(row.paper_id, ())):
            resolved = _resolve(link, found)
            links.setdefault(resolved.target, resolved)
        result.append(
            dataclasses.replace(
                row,
                arxiv_id=row.arxiv_id or found.arxiv_ids.get(row.paper_id),
                upvotes=row.upvotes if row.upvotes is not None else found.upvotes.get(row.paper_id),
                published=row.published or found.published.get(row.paper_id),
                links=tuple(links.values()),
                keywords=tuple(sorted({*row.keywords, *keywords.get(row.paper_id, ())})),
                keys=tuple(sorted({*row.keys, *found.paper_keys.get(row.paper_id, ())})),
            )
        )
    return result


def info_rows(online: OnlineResult | None) -> dict[str, str]:
    """build_info keys that say which enrichments ran and what failed (see the README)."""
    if online is None:
        return {"online.enabled": "false"}
    found = online.enrichment
    info = {"online.enabled": "true", "online.ran": ",".join(found.ran)}
    failed: dict[str, int] = {}
    for failure in found.failures:
        failed[failure.service] = failed.get(failure.service, 0) + 1
    for service in found.ran:
        info[f"online.{service}.resolved"] = str(found.resolved.get(service, 0))
        info[f"online.{service}.failed"] = str(failed.get(service, 0))
    for service, stats in online.stats.items():
        info[f"http.{service}"] = json.dumps(dataclasses.asdict(stats), sort_keys=True)
    info["online.failures"] = json.dumps(
        [dataclasses.asdict(f) for f in found.failures[:LISTED_FAILURES]], ensure_ascii=False
    )
    return info


def write_enrichment(store: Store, online: OnlineResult | None) -> None:
    """Repos, cited_by_count and the build_info notes (inside the caller's transaction); the
    citations go to :func:`graph.stages.write_citations`."""
    if online is not None:
        found = online.enrichment
        if online.github is not None:
            write_repos(store, online.github.repos)
            write_repo_topics(store, online.github.topics)
        if found.cited_by_count:
            counts = sorted(found.cited_by_count.items())
            set_cited_by(store, counts)
    info = sorted(info_rows(online).items())
    store.insert_columns("build_info", {"key": [k for k, _ in info], "value": [v for _, v in info]})
