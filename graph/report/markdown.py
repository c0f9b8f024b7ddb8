"""report.md: the report's data as Markdown, with everything from the input escaped."""

from __future__ import annotations

import math
import re
from typing import Any

from graph.labels import LABEL_MIN_LIFT, LABEL_MIN_SHARE
from graph.report.data import TOP, competition_ranks

__all__ = ["md", "ordinal", "render_markdown", "scale", "shorten"]

#: rows of the "Repositories and labs" table
TOP_LINKED = 15
#: rows of the "Communities" table: a million papers make tens of thousands of
#: communities (8 MB of Markdown at 2.7M papers), which no one reads as a table; the
#: largest ones are shown and report_communities.csv holds every one
TOP_COMMUNITIES = 300

# Enough to keep input from forming emphasis, code, links, HTML or table cells on GitHub.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")


def md(text: object) -> str:
    """Text from the input made safe inside a Markdown table cell (no HTML, no links, no breaks)."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def scale(rank: int | None, total: int) -> str:
    """Where a value stands: '3rd of 441' and, past the top ten, the share ranked at or above it."""
    if rank is None or total == 0:
        return "unranked"
    if rank <= TOP:
        return f"{ordinal(rank)} of {total:,}"
    return f"{ordinal(rank)} of {total:,}, top {max(1, math.ceil(100 * rank / total))}%"


def how_to_read(papers: int) -> str:
    """What the report's terms mean, with its rank examples on this corpus's scale.

    >>> "3rd of 68" in how_to_read(68)
    True
    """
    example = scale(min(3, papers), papers) if papers else "3rd of 100"
    return (
        "Every paper is a node; two papers are joined when they share keywords (`similar`), "
        "code (`shared_code`), a citation (`cites`), references (`coupling`: both cite the "
        "same works) or citers (`cocited`: cited together). **PageRank** is the share of time "
        "a random walk along these edges spends on a paper: central papers are tied to many "
        "papers that are tied to many others. **Betweenness** is the share of shortest paths "
        "between other papers that pass through it: high for papers that connect otherwise "
        "separate groups. **Communities** are groups of papers more tightly joined to each "
        "other than to the rest; **modularity** (from -0.5 to 1) says how clear that grouping "
        "is (above 0.3 is a clear structure). **Participation** (0 to 1) is how evenly a "
        "paper's edges spread over communities. Bare values mean little on their own, so each "
        f'comes with its rank among all papers ("{example}") or, past the top ten, the share '
        'of papers ranked at or above it ("top 5%").'
    )


def _metric(name: str, value: float | None, rank: int | None, total: int) -> str:
    if value is None:
        return f"{name} not computed"
    return f"{name} {value:.3g} ({scale(rank, total)})"


def _why_lines(paper: dict[str, Any]) -> list[str]:
    lines = []
    for why in paper.get("why", []):
        # an edge weight, not a metric: a cosine for `similar`, 1 or 0.5 for links and shared code
        name = "similarity" if why["kind"] == "similar" else "weight"
        strength = f" ({name} {why['weight']:.2g})"
        lines.append(f"  - {why['kind']} with *{md(why['with'])}*{strength}: {md(why['evidence'])}")
    return lines or ["  - no connections"]


def _short_label(label: str | None, limit: int = 60) -> str:
    return md(shorten(label or "no community", limit))


def _bridge_lines(paper: dict[str, Any], number: int, ranked: dict[str, int]) -> list[str]:
    """One line for the paper, one per community it joins (at most three), each under 400 characters."""
    head = f"{number}. **{md(shorten(paper['title'], 120))}** — " + ", ".join(
        _metric(m, paper[m], paper[f"{m}_rank"], ranked.get(m, 0))
        for m in ("betweenness", "participation")
    )
    lines = [head]
    for join in paper["joins"]:
        own = " (its own community)" if join["own"] else ""
        edges = "1 edge" if join["edges"] == 1 else f"{join['edges']} edges"
        strongest = join["strongest"]
        lines.append(
            f"   - *{_short_label(join['label'])}*{own}: {edges}, {100 * join['share']:.0f}% of its "
            f"edge weight; strongest {strongest['kind']} with "
            f"*{md(shorten(strongest['with'], 80))}*: {md(shorten(strongest['evidence'], 110))}"
        )
    return lines


def _figure(data: dict[str, Any], name: str) -> list[str]:
    for figure in data["figures"]:
        if figure["file"] == name:
            lines = [f"![{figure['alt']}]({figure['file']})", ""]
            if figure.get("note"):
                lines += [f"*{md(figure['note'])}*", ""]
            return lines
    return []


def render_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown that reads well in a terminal and on GitHub."""
    s = data["summary"]
    papers = max(s["papers"], 1)
    ranked = s.get("ranked", {})
    groups = s["components"]
    out = ["# paperweb centrality report", ""]
    out += [
        f"**{s['papers']:,} papers** in **{s['communities']:,} communities** · "
        + (
            f"modularity **{s['modularity']:.2f}**"
            if s.get("modularity") is not None
            else "modularity not defined (no paper-paper edges)"
        )
        + f" · **{s['isolated_papers']:,} isolated papers** (no edge to another paper) · "
        f"**{groups:,} connected {'group' if groups == 1 else 'groups'}** of two or more papers.",
        "",
        f"Communities: {md(s.get('partition_method') or 'none computed')}."
        + (
            " Modularity computed by the report from the stored communities."
            if s.get("modularity_source") == "report"
            else ""
        ),
        "",
    ]
    out += _figure(data, "report-map.png")
    out += ["## How to read this report", "", how_to_read(s["papers"]), ""]
    out += ["## Corpus", ""]
    out += [
        "| what | count |",
        "|---|---:|",
        f"| papers | {s['papers']:,} |",
        f"| sources (input files, queries) | {s['sources']:,} |",
        f"| papers with code links | {s['papers_with_code']:,} ({100 * s['papers_with_code'] / papers:.0f}%) |",
        f"| papers with project pages | {s['papers_with_page']:,} ({100 * s['papers_with_page'] / papers:.0f}%) |",
        f"| papers without a date | {s['papers_without_date']:,} |",
        f"| repositories / owners | {s['repos']:,} / {s['owners']:,} |",
        f"| linking keywords | {s['keywords']:,} |",
        f"| similar / shared_code / cites edges | {s['similar_edges']:,} / {s['shared_code_edges']:,} / {s['cites_edges']:,} |",
        f"| coupling / cocited edges (shared references / shared citers) | {s.get('coupling_edges', 0):,} / {s.get('cocited_edges', 0):,} |",
        f"| cited works outside the corpus, drawn as nodes | {s.get('work_nodes', 0):,} |",
        f"| connected groups of 2+ papers | {s['components']:,} |",
        f"| isolated papers | {s['isolated_papers']:,} |",
        f"| communities | {s['communities']:,} |",
        f"| modularity | {'n/a' if s.get('modularity') is None else format(s['modularity'], '.3f')} |",
        "",
    ]
    for title, key, metric, other in (
        ("Top papers by PageRank", "top_pagerank", "pagerank", "betweenness"),
        ("Top papers by betweenness", "top_betweenness", "betweenness", "pagerank"),
    ):
        out += [f"## {title}", ""]
        for rank, paper in enumerate(data[key], 1):
            community = (
                f" — community {paper['community']}: {_short_label(paper['community_label'])}"
                if paper.get("community_label")
                else ""
            )
            out.append(
                f"{rank}. **{md(paper['title'])}** — "
                f"{_metric(metric, paper[metric], paper[f'{metric}_rank'], ranked.get(metric, 0))}; "
                f"{_metric(other, paper[other], paper[f'{other}_rank'], ranked.get(other, 0))}"
                f"{community}"
            )
            out += _why_lines(paper)
        out.append("")
    out += _figure(data, "report-centrality.png")
    out += [
        "## Bridge papers",
        "",
        "Papers whose edges spread over several communities (participation x betweenness). "
        "Under each, the communities it joins most strongly and its strongest edge into each; "
        "report.json and report_bridges.csv hold the full spread.",
        "",
    ]
    for number, paper in enumerate(data["bridges"], 1):
        out += _bridge_lines(paper, number, ranked)
    named = sorted(
        (c for c in data["communities"] if "size_rank" in c), key=lambda c: c["size_rank"]
    )
    small = [c for c in data["communities"] if "size_rank" not in c]
    out += ["", "## Communities", ""]
    out += _figure(data, "report-communities.png")
    out += [
        f"A label names phrases that at least {100 * LABEL_MIN_SHARE:.0f}% of the community's "
        f"papers write in their title or abstract, each at least {LABEL_MIN_LIFT:g} times as "
        "common there as in the rest of the corpus; a community with none is *mixed*, named by "
        "its most distinctive keywords.",
        "",
        "| # | label | papers | label keyword in | edge weight inside | most central |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for c in named[:TOP_COMMUNITIES]:
        ends = 2 * c["internal_weight"] + c["external_weight"]
        inside = f"{100 * 2 * c['internal_weight'] / ends:.0f}%" if ends > 0 else "—"
        central = "; ".join(md(shorten(t, 90)) for t in c["central_papers"])
        out.append(
            f"| {c['community']} | {md(c['label'])} | {c['size']:,} ({ordinal(c['size_rank'])} of "
            f"{len(named):,}) | {c['coverage']:,} of {c['size']:,} | {inside} | {central} |"
        )
    if len(named) > TOP_COMMUNITIES:
        left = named[TOP_COMMUNITIES:]
        out += [
            "",
            f"The {TOP_COMMUNITIES:,} largest of {len(named):,} named communities are shown; "
            f"the other {len(left):,} ({sum(c['size'] for c in left):,} papers, "
            f"{left[-1]['size']:,} to {left[0]['size']:,} each) are in report_communities.csv.",
        ]
    if small:
        gathered = sum(c["size"] for c in small)
        out += [
            "",
            f"Not in the table: {gathered:,} papers in {len(small):,} "
            f"{'group' if len(small) == 1 else 'groups'} too small to name"
            + (f" ({md(small[0]['label'])})" if len(small) == 1 else "")
            + ".",
        ]
    out += [""]
    out += _figure(data, "report-years.png")
    out += _linked_section(data)
    out += _missing_section(data)
    out += ["", "## Most connecting keywords", "", "| # | keyword | papers |", "|---:|---|---:|"]
    keyword_ranks = competition_ranks([k["papers"] for k in data["top_keywords"]])
    out += [
        f"| {rank} | {md(k['label'])} | {k['papers']} |"
        for k, rank in zip(data["top_keywords"], keyword_ranks, strict=True)
    ]
    out += ["", "## How these numbers were computed", ""]
    out += [
        f"- {md(key.removeprefix('metric.'))}: {md(value)}"
        for key, value in sorted(data["notes"].items())
    ]
    return "\n".join(out) + "\n"


def _linked_section(data: dict[str, Any]) -> list[str]:
    rows = data["linked"][:TOP_LINKED]
    out = [
        "## Repositories and labs",
        "",
        "Repositories, their owners (labs, companies, people) and project pages, by how many "
        "papers link them; summed PageRank is that of those papers.",
        "",
    ]
    if not rows:
        return [*out, "No paper links a repository or a page."]
    online = any(r["stars"] is not None for r in data["linked"])
    header = "| # | node | kind | papers linking | summed PageRank | most central paper |"
    rule = "|---:|---|---|---:|---:|---|"
    if online:
        header += " stars | archived |"
        rule += "---:|---|"
    out += [header, rule]
    for number, row in enumerate(rows, 1):
        line = (
            f"| {number} | {md(row['node_id'])} | {row['kind']} | {row['papers']:,} "
            f"({ordinal(row['rank'])} of {row['of']:,} {row['kind']}s) | {row['paper_pagerank']:.3g} | "
            f"{md(shorten(row['top_paper'], 80))} |"
        )
        if online:
            stars = "" if row["stars"] is None else f"{row['stars']:,}"
            archived = {True: "yes", False: "no"}.get(row["archived"], "")
            line += f" {stars} | {archived} |"
        out.append(line)
    return out


def _missing_section(data: dict[str, Any]) -> list[str]:
    rows = data.get("missing") or []
    out = [
        "",
        "## Most cited works not in the corpus",
        "",
        "Works the corpus papers cite that are not among them, by how many corpus papers cite "
        "them (`paperweb missing` lists more).",
        "",
    ]
    if not rows:
        return [*out, "No outside work is cited often enough (or the papers have no references)."]
    out += ["| # | work | year | cited by | citing papers |", "|---:|---|---:|---:|---|"]
    for number, row in enumerate(rows, 1):
        citing = "; ".join(shorten(t, 60) for t in row["paper_titles"][:5])
        more = f" (+{len(row['paper_titles']) - 5} more)" if len(row["paper_titles"]) > 5 else ""
        out.append(
            f"| {number} | {md(shorten(row['title'] or row['work_key'], 80))} | "
            f"{row['year'] or ''} | {row['cited_by']:,} | {md(citing + more)} |"
        )
    return out
