"""Nodes and edges that come straight from links: paper->repo, paper->page, repo->owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from collectors.links import repo_owner
from collectors.records import Link

__all__ = ["EdgeRow", "LinkGraph", "NodeRow", "link_graph"]


@dataclass(frozen=True, slots=True, order=True)
class NodeRow:
    """A row of the ``nodes`` table."""

    node_id: str
    kind: str
    label: str
    url: str | None


@dataclass(frozen=True, slots=True, order=True)
class EdgeRow:
    """A row of the ``edges`` table."""

    src: str
    dst: str
    kind: str
    weight: float
    evidence: str


@dataclass(slots=True)
class LinkGraph:
    """Nodes and edges derived from the links of every paper."""

    nodes: list[NodeRow] = field(default_factory=list)
    edges: list[EdgeRow] = field(default_factory=list)


def _repo_label(link: Link) -> str:
    """``Owner/Repo`` in the case the authors wrote it, falling back to the target."""
    parts = urlsplit(link.url).path.strip("/").split("/")
    canonical = link.target.split("/", 1)[1]
    if link.target.startswith("anonymous.4open.science/"):
        written = "/".join(parts[:2])
    else:
        written = "/".join(parts[:2]).removesuffix(".git")
    return written if written.lower() == canonical.lower() else canonical


def link_graph(links: Iterable[tuple[str, Link]]) -> LinkGraph:
    """Build repo, owner and page nodes and the code, page and owner edges for ``(paper_id, link)`` pairs.

    Short links become page nodes until they are resolved online; a link to a code host
    account (kind ``owner``) is a ``code`` edge to that owner node, the one its repos hang
    from; ``other`` links (references to papers, datasets, ...) stay in the links table only.
    """
    nodes: dict[str, NodeRow] = {}
    edges: dict[tuple[str, str, str], EdgeRow] = {}
    for paper_id, link in sorted(
        links, key=lambda pl: (pl[0], pl[1].target, pl[1].origin, pl[1].url)
    ):
        if link.kind == "repo":
            nodes.setdefault(
                link.target,
                NodeRow(link.target, "repo", _repo_label(link), "https://" + link.target),
            )
            edge_kind = "code"
            owner = repo_owner(link.target)
            if owner is not None:
                nodes.setdefault(
                    owner, NodeRow(owner, "owner", owner.split("/", 1)[1], "https://" + owner)
                )
                edges.setdefault(
                    (link.target, owner, "owner"),
                    EdgeRow(link.target, owner, "owner", 1.0, f"{link.target} belongs to {owner}"),
                )
        elif link.kind == "owner":
            nodes.setdefault(
                link.target,
                NodeRow(
                    link.target, "owner", link.target.split("/", 1)[1], "https://" + link.target
                ),
            )
            edge_kind = "code"
        elif link.kind in ("page", "short"):
            nodes.setdefault(link.target, NodeRow(link.target, "page", link.target, link.url))
            edge_kind = "page"
        else:
            continue
        how = "short link, not resolved offline" if link.kind == "short" else f"from {link.origin}"
        edges.setdefault(
            (paper_id, link.target, edge_kind),
            EdgeRow(paper_id, link.target, edge_kind, 1.0, f"links {link.url} ({how})"),
        )
    return LinkGraph(nodes=sorted(nodes.values()), edges=sorted(edges.values()))
