"""The report's pictures drawn: map, papers per year, community sizes, PageRank.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no
global backend switch) from :class:`graph.figures.FigureInputs`. Each picture is a
PNG written atomically next to ``report.md``, which links it by a relative path.
Only the process that draws imports this module (matplotlib takes half a second to
load).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import offset_copy
from PIL import Image

from graph.figures import (
    BARS,
    CENTRALITY,
    CENTRALITY_ALT,
    CENTRALITY_NOTE,
    COMMUNITIES,
    COMMUNITIES_ALT,
    DPI,
    LABELLED,
    MAP,
    MAP_ALT,
    UNNAMED,
    YEAR_GROUPS,
    YEARS,
    YEARS_ALT,
    DrawnFigure,
    FigureInputs,
    community_color,
    short_label,
)
from graph.outputs import atomic_open

__all__ = ["draw_figures", "log_tick"]


@contextmanager
def _drawing() -> Iterator[None]:
    # A character the font lacks is drawn as a box instead of failing the report.
    with mpl.rc_context({"font.size": 9}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def _figure(width: float, height: float) -> Figure:
    """A figure with its Agg canvas from the start.

    matplotlib caches the size of each text per renderer, and a canvas keeps its renderer:
    with one canvas from ``tight_layout`` and label placement to the final draw, every
    text is laid out once (a third of the pictures' time went to laying them out twice).
    """
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path, fine_shades: bool = False) -> None:
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    # A 256-colour palette keeps the map's thousands of faint anti-aliased edges from making
    # a half-megabyte file; the pictures have few colours, so nothing visible is lost.
    # The octree palette is five times quicker to make, but it keeps few of the near-white
    # shades, which only the map's faint edges need (``fine_shades``: they turn dotted).
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    method = Image.Quantize.MEDIANCUT if fine_shades else Image.Quantize.FASTOCTREE
    with atomic_open(path, "wb") as handle:
        image.convert("RGB").quantize(256, method=method).save(handle, format="png")


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def log_tick(value: float, _position: object = None) -> str:
    """A log axis's tick as plain text: ``0.005``, ``1,000``, ``2×10⁻⁵``.

    Plain text rather than matplotlib's mathtext, whose parser takes a third of a
    second to build in every process that draws.

    >>> [log_tick(v) for v in (2e-5, 1e-4, 0.005, 0.05, 1.0, 1000.0, 3e6)]
    ['2×10⁻⁵', '10⁻⁴', '0.005', '0.05', '1', '1,000', '3×10⁶']
    """
    if value <= 0:
        return ""
    if 0.001 <= value < 1e5:
        return f"{value:,.12g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0**exponent, 6)
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def _log_axis(axis: Any, low: float, high: float) -> None:
    """Ticks of a log axis from ``low`` to ``high``: 1, 2 and 5 of each decade when it spans
    two decades or fewer, decades otherwise; unlabelled minor ticks."""
    narrow = high <= low * 100
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if narrow else (1.0,)))
    axis.set_major_formatter(FuncFormatter(log_tick))
    axis.set_minor_formatter(NullFormatter())


def _place_labels(figure: Figure, texts: Sequence[Text]) -> None:
    """Move labels up or down, in the order given, until none overlaps one placed before it."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    placed: list[Any] = []
    for text in texts:
        box = text.get_window_extent(renderer).expanded(1.04, 1.15)
        step = box.height
        for attempt in range(40):
            shift = (attempt + 1) // 2 * step * (1 if attempt % 2 else -1)
            moved = box.translated(0, shift)
            if not any(moved.overlaps(other) for other in placed):
                break
        else:
            moved, shift = box, 0.0
        if shift:
            x, y = text.get_position()
            display = text.get_transform().transform((x, y))
            nx, ny = text.get_transform().inverted().transform((display[0], display[1] + shift))
            text.set_position((float(nx), float(ny)))
        placed.append(moved)


def draw_map(inputs: FigureInputs, path: Path) -> DrawnFigure | None:
    """The overview map: drawn nodes at their positions, coloured by community, each named
    community labelled just above its papers."""
    xy = inputs.node_xy
    if len(xy) == 0:
        return None
    figure = _figure(10, 8)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if inputs.links:
        pairs = np.array(inputs.links)
        segments = list(np.stack([xy[pairs[:, 0]], xy[pairs[:, 1]]], axis=1))
        ax.add_collection(LineCollection(segments, colors="#9a9a9a", linewidths=0.4, alpha=0.25))
    papers = np.array([k == "paper" for k in inputs.node_kind])
    weight = inputs.node_weight
    top = float(weight.max()) if len(weight) and weight.max() > 0 else 1.0
    sizes = 6 + 90 * np.sqrt(np.clip(weight, 0, None) / top)
    colors = [community_color(c, inputs.communities) for c in inputs.node_community]
    others = ~papers
    if others.any():
        ax.scatter(xy[others, 0], xy[others, 1], s=8, c="#dddddd", marker="s", linewidths=0)
    ax.scatter(
        xy[papers, 0],
        xy[papers, 1],
        s=sizes[papers],
        c=[c for c, p in zip(colors, papers, strict=True) if p],
        edgecolors="white",
        linewidths=0.3,
        # Papers stay visible over the label boxes, whichever way the labels were pushed.
        zorder=3,
    )
    # Each label sits just above its community, not on it: on a small community's centre
    # the box would hide the very papers it names.
    lift = 0.015 * float(np.ptp(xy[:, 1]) or 1.0)
    ranked = sorted(inputs.communities, key=lambda c: (-inputs.community_sizes.get(c, 0), c))
    texts = []
    community = np.array([-1 if c is None else c for c in inputs.node_community])
    for c in ranked[:LABELLED]:
        members = xy[(community == c) & papers]
        if len(members) == 0:
            continue
        cx = float(np.median(members[:, 0]))
        texts.append(
            ax.text(
                cx,
                float(members[:, 1].max()) + lift,
                f"{c}: {short_label(inputs.communities[c])}",
                ha="center",
                va="bottom",
                zorder=2,
                fontsize=8.5,
                color="#202020",
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "facecolor": "white",
                    "edgecolor": community_color(c, inputs.communities),
                    "linewidth": 1.2,
                    "alpha": 0.85,
                },
            )
        )
    ax.autoscale_view()
    drawn = int(papers.sum())
    title = f"Communities of the paper graph ({drawn:,} papers drawn; colour = community)"
    if len(ranked) > LABELLED:
        title += f"; the {LABELLED} largest of {len(ranked):,} labelled"
    ax.set_title(title, fontsize=10)
    figure.tight_layout()
    _place_labels(figure, texts)
    _save(figure, path, fine_shades=True)
    return DrawnFigure(path.name, MAP_ALT, inputs.layout_note)


def draw_years(inputs: FigureInputs, path: Path) -> DrawnFigure | None:
    """Papers per year, stacked by community; papers without a year in a bar of their own."""
    if not inputs.years:
        return None
    groups = sorted(inputs.communities, key=lambda c: (-inputs.community_sizes.get(c, 0), c))[
        :YEAR_GROUPS
    ]
    years = sorted({y for y, _, _ in inputs.years if y is not None})
    if not years:
        return None
    undated = sum(n for y, _, n in inputs.years if y is None)
    dated = sum(n for y, _, n in inputs.years if y is not None)
    slot = {y: i for i, y in enumerate(years)}
    stack = np.zeros((len(groups) + 1, len(years)))
    row_of = {c: i for i, c in enumerate(groups)}
    for year, community, n in inputs.years:
        if year is not None:
            stack[row_of.get(community, len(groups)) if community is not None else len(groups)][
                slot[year]
            ] += n
    positions = np.arange(len(years), dtype=np.float64)
    figure = _figure(11, 4.8)
    ax = figure.add_subplot()
    bottom = np.zeros(len(years))
    names = [f"{c}: {short_label(inputs.communities[c], 30)}" for c in groups]
    for i, values in enumerate(stack):
        if not values.any():
            continue
        color = community_color(groups[i], inputs.communities) if i < len(groups) else UNNAMED
        label = names[i] if i < len(groups) else "other communities"
        hatch = None if i < len(groups) else "///"
        ax.bar(
            positions,
            values,
            bottom=bottom,
            color=color,
            label=label,
            width=0.8,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += values
    ax.set_xticks(positions, [str(y) for y in years])
    if len(years) > 16:
        every = math.ceil(len(years) / 16)
        for i, tick in enumerate(ax.get_xticklabels()):
            tick.set_visible(i % every == 0 or i == len(years) - 1)
    # Papers without a year are counted apart: a bar of them would dwarf the years when
    # the input gives few dates (pasted search pages often have none).
    ax.text(
        0.01,
        0.97,
        f"{dated:,} papers with a year drawn; {undated:,} without a year not drawn",
        transform=ax.transAxes,
        va="top",
        fontsize=9,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "#f4f4f4", "edgecolor": "#bbbbbb"},
    )
    ax.set_ylabel("papers")
    ax.set_title("Papers per year, by community (largest communities in colour)", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    figure.tight_layout()
    _save(figure, path)
    return DrawnFigure(path.name, YEARS_ALT)


def draw_communities(inputs: FigureInputs, path: Path) -> DrawnFigure | None:
    """Community sizes as horizontal bars, each with its label and how many papers carry it."""
    ranked = sorted(inputs.communities, key=lambda c: (-inputs.community_sizes.get(c, 0), c))
    shown = ranked[:BARS]
    if not shown:
        return None
    sizes = [inputs.community_sizes.get(c, 0) for c in shown]
    figure = _figure(10, max(2.6, 1.2 + 0.32 * len(shown)))
    ax = figure.add_subplot()
    rows = np.arange(len(shown))
    ax.barh(rows, sizes, color=[community_color(c, inputs.communities) for c in shown])
    ax.set_yticks(rows, [f"{c}: {short_label(inputs.communities[c], 60)}" for c in shown])
    ax.invert_yaxis()
    top = max(sizes)
    for row, c, size in zip(rows, shown, sizes, strict=True):
        covered = inputs.community_coverage.get(c)
        text = f"{size:,}" + (f"  (label in {covered:,} of {size:,} papers)" if covered else "")
        ax.text(size + top * 0.01, float(row), text, va="center", fontsize=8)
    ax.set_xlim(0, top * 1.6)
    ax.set_xlabel("papers")
    title = "Community sizes"
    if len(ranked) > BARS:
        title += f" (the {BARS} largest of {len(ranked):,})"
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    _save(figure, path)
    return DrawnFigure(path.name, COMMUNITIES_ALT)


def draw_centrality(inputs: FigureInputs, path: Path) -> DrawnFigure | None:
    """PageRank of all papers on a log scale (histogram, and value by rank) with the named papers marked."""
    values = inputs.pagerank[inputs.pagerank > 0]
    if len(values) == 0:
        return None
    figure = _figure(11, 4.2)
    left, right = figure.subplots(1, 2)
    low, high = float(values.min()), float(values.max())
    bins = np.geomspace(low, high * 1.0001, 40) if high > low else np.array([low * 0.9, low * 1.1])
    left.hist(values, bins=bins, color="#4e79a7")
    left.set_xscale("log")
    _log_axis(left.xaxis, low, high)
    left.set_xlabel("PageRank (log scale)")
    left.set_ylabel("papers")
    median = float(np.median(values))
    left.axvline(median, color="#555555", linestyle="--", linewidth=1)
    left.annotate(
        "median",
        (median, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        fontsize=8,
    )
    for _, value in inputs.marked:
        if value > 0:
            left.axvline(value, color="#e15759", linewidth=0.8, alpha=0.7)
    left.set_title("How PageRank is spread (red: papers named in the report)", fontsize=10)
    ordered = np.sort(values)[::-1]
    ranks = np.arange(1, len(ordered) + 1)
    keep = np.unique(np.geomspace(1, len(ordered), min(len(ordered), 2000)).astype(np.int64)) - 1
    right.plot(ranks[keep], ordered[keep], color="#4e79a7", linewidth=1.5)
    right.set_xscale("log")
    right.set_yscale("log")
    _log_axis(right.xaxis, 1.0, float(len(ordered)))
    _log_axis(right.yaxis, low, high)
    right.set_xlabel("rank (log scale)")
    right.set_ylabel("PageRank (log scale)")
    right.set_title("PageRank by rank, named papers marked", fontsize=10)
    ascending = -ordered
    labels = []
    for i, (mark, value) in enumerate(sorted(inputs.marked, key=lambda m: -m[1])):
        if value <= 0:
            continue
        rank = int(np.searchsorted(ascending, -value, side="left")) + 1
        right.plot([rank], [value], "o", color="#e15759", markersize=4)
        dy = 5 if i % 2 == 0 else -9
        shifted = offset_copy(right.transData, fig=figure, x=5, y=dy, units="points")
        labels.append(right.text(rank, value, mark, transform=shifted, fontsize=7))
    figure.tight_layout()
    _place_labels(figure, labels)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    _save(figure, path)
    return DrawnFigure(path.name, CENTRALITY_ALT, CENTRALITY_NOTE)


def draw_figures(
    inputs: FigureInputs, out: Path, planned: Sequence[DrawnFigure]
) -> list[DrawnFigure]:
    """Draw the ``planned`` pictures into ``out``; return those written."""
    draw = {
        MAP: draw_map,
        CENTRALITY: draw_centrality,
        COMMUNITIES: draw_communities,
        YEARS: draw_years,
    }
    drawn = []
    with _drawing():
        for figure in planned:
            if draw[figure.file](inputs, out / figure.file) is not None:
                drawn.append(figure)
    return drawn
