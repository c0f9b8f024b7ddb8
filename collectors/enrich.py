"""Online enrichment as data: what each service added, and what failed, for the build to apply.

Every collector returns an :class:`Enrichment`; the build merges them and applies
the result to its papers before the graph stages (``graph/enrichment.py``). A
failing item becomes a :class:`Failure` and the run goes on; a service that
keeps refusing connections is given up after a few items rather than waited on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

import httpx

from collectors.huggingface import (
    fetch_hf_paper,
    hf_links,
    match_hf_paper,
    search_hf_papers,
)
from collectors.payloads import error_reason
from collectors.records import Link, Paper, Reference
from collectors.shortlinks import resolve_short_link
from paperweb.errors import FetchError

__all__ = [
    "EnrichProgress",
    "Enrichment",
    "Failure",
    "PaperRef",
    "enrich_with_hf",
    "quiet_progress",
    "resolve_short_links",
]

#: consecutive connection failures after which a service is given up for this run
GIVE_UP_AFTER = 3
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PaperRef:
    """What a collector needs to find a paper: its id, title and arXiv id when known."""

    paper_id: str
    title: str
    arxiv_id: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """One item a service could not answer for, and why (no URLs, no secrets)."""

    service: str
    item: str
    reason: str


@dataclass(slots=True)
class Enrichment:
    """Everything online services added to the offline papers."""

    arxiv_ids: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, Link]] = field(default_factory=list)
    #: (paper_id, keyword, origin)
    keywords: list[tuple[str, str, str]] = field(default_factory=list)
    upvotes: dict[str, int] = field(default_factory=dict)
    published: dict[str, date] = field(default_factory=dict)
    #: short target -> (kind, target, url) it resolves to
    short_links: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: old repo target -> new repo target (GitHub renames)
    renamed: dict[str, str] = field(default_factory=dict)
    #: rows for the repos table (written by the GitHub collector's store code)
    repos: list[Any] = field(default_factory=list)
    #: (citing paper_id, cited paper_id, source API)
    cites: list[tuple[str, str, str]] = field(default_factory=list)
    cited_by_count: dict[str, int] = field(default_factory=dict)
    #: (paper_id, reference): every work a citation service says the paper cites
    references: list[tuple[str, Reference]] = field(default_factory=list)
    #: paper_id -> the paper's ids at the citation services (``openalex:W1``, ``s2:<id>``)
    paper_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: items each service found an answer for, by service
    resolved: Counter[str] = field(default_factory=Counter)
    #: services that ran, in order
    ran: list[str] = field(default_factory=list)

    def merge(self, other: Enrichment) -> Enrichment:
        """Add ``other``'s findings to this one (later collectors win on conflicts)."""
        self.arxiv_ids |= other.arxiv_ids
        self.links += other.links
        self.keywords += other.keywords
        self.upvotes |= other.upvotes
        self.published |= other.published
        self.short_links |= other.short_links
        self.renamed |= other.renamed
        self.repos += other.repos
        self.cites += other.cites
        self.cited_by_count |= other.cited_by_count
        self.references += other.references
        for pid, keys in other.paper_keys.items():
            self.paper_keys[pid] = tuple(dict.fromkeys((*self.paper_keys.get(pid, ()), *keys)))
        self.failures += other.failures
        self.resolved += other.resolved
        self.ran += [s for s in other.ran if s not in self.ran]
        return self


class EnrichProgress(Protocol):
    """Where collectors report progress (the CLI draws a bar per service)."""

    def start(self, service: str, total: int) -> None:
        """A service is about to work through ``total`` items."""

    def advance(self, service: str) -> None:
        """One more item is done."""


class _Quiet:
    def start(self, service: str, total: int) -> None:
        """Say nothing."""

    def advance(self, service: str) -> None:
        """Say nothing."""


quiet_progress: EnrichProgress = _Quiet()


def _each(
    service: str,
    items: Sequence[T],
    name: Callable[[T], str],
    work: Callable[[T], None],
    result: Enrichment,
    progress: EnrichProgress,
) -> None:
    """Run ``work`` per item; record failures; stop asking a service that keeps refusing us."""
    progress.start(service, len(items))
    result.ran.append(service)
    broken = 0
    for item in items:
        if broken >= GIVE_UP_AFTER:
            result.failures.append(
                Failure(service, name(item), "skipped: service unreachable in this run")
            )
        else:
            try:
                work(item)
                broken = 0
            except httpx.TransportError as exc:
                broken += 1
                result.failures.append(Failure(service, name(item), error_reason(exc)))
            except (FetchError, httpx.HTTPError) as exc:
                broken = 0
                result.failures.append(Failure(service, name(item), error_reason(exc)))
        progress.advance(service)


def _record_hf(result: Enrichment, paper_id: str, found: Paper) -> None:
    result.resolved["hf"] += 1
    if found.arxiv_id:
        result.arxiv_ids[paper_id] = found.arxiv_id
    result.links += [(paper_id, link) for link in hf_links(found)]
    result.keywords += [(paper_id, kw, "hf") for kw in found.keywords]
    if found.upvotes is not None:
        result.upvotes[paper_id] = found.upvotes
    if found.published is not None:
        result.published[paper_id] = found.published


def enrich_with_hf(
    client: httpx.Client, papers: Iterable[PaperRef], progress: EnrichProgress = quiet_progress
) -> Enrichment:
    """Find each paper on Hugging Face (by arXiv id, else by exact normalised title)."""
    result = Enrichment()

    def one(ref: PaperRef) -> None:
        if ref.arxiv_id:
            found = fetch_hf_paper(client, ref.arxiv_id)
        else:
            found = match_hf_paper(ref.title, search_hf_papers(client, ref.title, limit=5))
        if found is not None:
            _record_hf(result, ref.paper_id, found)

    _each("hf", list(papers), lambda r: r.title[:80], one, result, progress)
    return result


def resolve_short_links(
    client: httpx.Client, links: Iterable[Link], progress: EnrichProgress = quiet_progress
) -> Enrichment:
    """Resolve every distinct short link to the target it redirects to."""
    result = Enrichment()
    distinct = sorted({link.target: link for link in links if link.kind == "short"}.items())

    def one(item: tuple[str, Link]) -> None:
        target, link = item
        result.short_links[target] = resolve_short_link(client, link.url)
        result.resolved["short"] += 1

    _each("short", distinct, lambda i: i[0], one, result, progress)
    return result
