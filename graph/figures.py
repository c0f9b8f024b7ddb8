"""The report's pictures before drawing: their inputs, names, colours and plan.

A map of the communities, papers per year, community sizes and PageRank, drawn by
:mod:`graph.pictures` from the plain :class:`FigureInputs` that
:func:`graph.report.figure_inputs` reads from the store. Nothing here loads
matplotlib: the report is planned in the build's process, the pictures are drawn
(matplotlib and all) in whichever process draws them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "COMMUNITY_COLORS",
    "FIGURE_FILES",
    "DrawnFigure",
    "FigureInputs",
    "community_color",
    "plan_figures",
]

#: the viewer's community colours (viz/page_data.py), so the map and graph.html agree
COMMUNITY_COLORS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf",
]  # fmt: skip
UNNAMED = "#dedede"
DPI = 100
#: communities labelled on the map and drawn in their own colour in the other pictures
LABELLED = 20
MAP, CENTRALITY, COMMUNITIES, YEARS = (
    "report-map.png",
    "report-centrality.png",
    "report-communities.png",
    "report-years.png",
)
#: every picture a report can have, in the order it is drawn
FIGURE_FILES = (MAP, CENTRALITY, COMMUNITIES, YEARS)
MAP_ALT = "Map of the paper graph, coloured by community, each community labelled"
CENTRALITY_ALT = (
    "Distribution of PageRank over papers, log scale, with the papers named in the report"
)
CENTRALITY_NOTE = (
    "P1-P10 are the top papers by PageRank, B1-B10 the bridge papers (numbered as below)"
)
COMMUNITIES_ALT = "Community sizes with their labels"
YEARS_ALT = "Papers per year, stacked by community"
#: community bars drawn at most
BARS = 30
#: communities with their own colour in the years picture
YEAR_GROUPS = 10


@dataclass(slots=True)
class FigureInputs:
    """Plain data for the pictures, read from the store by :func:`graph.report.figure_inputs`."""

    #: map: one row per drawn node (x, y), its kind, community and PageRank
    node_xy: np.ndarray
    node_kind: list[str]
    node_community: list[int | None]
    node_weight: np.ndarray
    #: map edges as pairs of row numbers of ``node_xy``
    links: list[tuple[int, int]]
    #: said under the map when its positions are not the viewer's
    layout_note: str | None
    #: named communities: number -> label; sizes and label coverage by number
    communities: dict[int, str]
    community_sizes: dict[int, int]
    community_coverage: dict[int, int]
    #: (year or None, community or None, papers)
    years: list[tuple[int | None, int | None, int]]
    #: PageRank of every ranked paper, and (mark, value) of the papers the report names
    pagerank: np.ndarray
    marked: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DrawnFigure:
    """A picture written next to the report: its file name, alt text and an optional note."""

    file: str
    alt: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The figure as plain data for report.json."""
        return asdict(self)


def community_color(community: int | None, named: dict[int, str]) -> str:
    """The colour of a community: the viewer's palette by number, grey when it has no name."""
    if community is None or community not in named:
        return UNNAMED
    return COMMUNITY_COLORS[community % len(COMMUNITY_COLORS)]


def plain(text: str) -> str:
    r"""Text from the input, with its dollar signs escaped so they never start mathtext.

    >>> plain("costs $5 and $6")
    'costs \\$5 and \\$6'
    """
    return text.replace("$", r"\$")


def leading_phrases(label: str, limit: int) -> str:
    """A community label's first phrase and each later one that still fits in ``limit``
    characters; a mixed community keeps its "mixed:" mark (which ``limit`` leaves out).

    >>> leading_phrases("mixed: binary neural networks, GELU activation, I-BERT", 30)
    'mixed: binary neural networks, I-BERT'
    """
    mixed = label.startswith("mixed:")
    phrases = [p.strip() for p in label.removeprefix("mixed:").split(",") if p.strip()]
    if not phrases:
        return label
    kept = phrases[0]
    for phrase in phrases[1:]:
        if len(kept) + 2 + len(phrase) <= limit:
            kept += ", " + phrase
    return ("mixed: " if mixed else "") + kept


def short_label(label: str, limit: int = 34) -> str:
    """The first phrases of a community label that fit in ``limit`` characters, cut with an
    ellipsis when the first alone is longer (escaped for drawing)."""
    mark = "mixed: " if label.startswith("mixed:") else ""
    kept = leading_phrases(label, limit).removeprefix(mark)
    if len(kept) > limit:
        kept = kept[: limit - 1].rstrip() + "…"
    return plain(mark + kept)


def plan_figures(
    *, nodes: bool, pagerank: bool, communities: bool, years: bool, layout_note: str | None
) -> list[DrawnFigure]:
    """The pictures a report gets (each drawn when its data exists), known before drawing so
    that report.md can be rendered from the report's data alone."""
    plan = [
        (nodes, MAP, MAP_ALT, layout_note),
        (pagerank, CENTRALITY, CENTRALITY_ALT, CENTRALITY_NOTE),
        (communities, COMMUNITIES, COMMUNITIES_ALT, None),
        (years, YEARS, YEARS_ALT, None),
    ]
    return [DrawnFigure(name, alt, note) for wanted, name, alt, note in plan if wanted]
