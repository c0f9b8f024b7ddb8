"""The centrality report: what is central and why, as Markdown, JSON and CSV.

``report_data`` reads everything once from the store into plain data;
``render_markdown`` turns that data into text, so the report is testable
without files, and the JSON carries the same facts for scripts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.outputs import atomic_write_text
from graph.store import Store
from paperweb.errors import UsageError

__all__ = ["REPORT_FORMATS", "render_markdown", "report_data", "write_report"]

REPORT_FORMATS = ("md", "json", "csv")
TOP = 10

SQL_SUMMARY = """
SELECT
  (SELECT count(*) FROM papers) AS papers,
  (SELECT count(DISTINCT source) FROM paper_sources) AS sources,
  (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'repo') AS papers_with_code,
  (SELECT count(DISTINCT paper_id) FROM links WHERE kind = 'page') AS papers_with_page,
  (SELECT count(*) FROM nodes WHERE kind = 'repo') AS repos,
  (SELECT count(*) FROM nodes WHERE kind = 'owner') AS owners,
  (SELECT count(*) FROM nodes WHERE kind = 'keyword') AS keywords,
  (SELECT count(DISTINCT value) FROM metrics WHERE metric = 'component') AS components,
  (SELECT count(*) FROM nodes n JOIN metrics m USING (node_id)
     WHERE n.kind = 'paper' AND m.metric = 'degree' AND m.value = 0) AS isolated_papers,
  (SELECT count(*) FROM communities) AS communities,
  (SELECT count(*) FROM edges WHERE kind = 'similar') AS similar_edges,
  (SELECT count(*) FROM edges WHERE kind = 'shared_code') AS shared_code_edges,
  (SELECT count(*) FROM edges WHERE kind = 'cites') AS cites_edges
"""
SQL_PAPER_TABLE = """
SELECT p.paper_id, p.title, p.arxiv_id,
       max(CASE WHEN m.metric = 'pagerank' THEN m.value END) AS pagerank,
       max(CASE WHEN m.metric = 'betweenness' THEN m.value END) AS betweenness,
       max(CASE WHEN m.metric = 'degree' THEN m.value END) AS degree,
       max(CASE WHEN m.metric = 'participation' THEN m.value END) AS participation,
       CAST(max(CASE WHEN m.metric = 'community' THEN m.value END) AS INTEGER) AS community
FROM papers p LEFT JOIN metrics m ON m.node_id = p.paper_id
GROUP BY ALL
ORDER BY pagerank DESC NULLS LAST, p.paper_id
"""
SQL_STRONGEST = """
SELECT e.kind, e.weight, e.evidence, n.label, n.kind AS node_kind
FROM edges e JOIN nodes n ON n.node_id = CASE WHEN e.src = ? THEN e.dst ELSE e.src END
WHERE (e.src = ? OR e.dst = ?) AND e.kind <> 'keyword'
ORDER BY CASE e.kind WHEN 'cites' THEN 0 WHEN 'shared_code' THEN 1 WHEN 'code' THEN 2 ELSE 3 END,
         e.weight DESC, n.label
LIMIT 3
"""
SQL_BRIDGE_COMMUNITIES = """
SELECT DISTINCT CAST(m.value AS INTEGER)
FROM edges e JOIN metrics m ON m.node_id = CASE WHEN e.src = ? THEN e.dst ELSE e.src END
WHERE (e.src = ? OR e.dst = ?) AND e.kind IN ('similar', 'shared_code', 'cites') AND m.metric = 'community'
ORDER BY 1
"""
SQL_COMMUNITIES = (
    "SELECT community, label, size FROM communities WHERE size > 1 ORDER BY size DESC, community"
)
SQL_SHARED_TARGETS = """
WITH code AS (SELECT src AS paper_id, dst AS node_id FROM edges WHERE kind = 'code'),
linked AS (
  SELECT paper_id, node_id FROM code
  UNION
  -- a paper reaches an owner through any of its repositories (repo -> owner edges)
  SELECT code.paper_id, owner.dst FROM code JOIN edges owner ON owner.kind = 'owner' AND owner.src = code.node_id
)
SELECT n.node_id, n.kind, count(DISTINCT p.paper_id) AS papers, list(DISTINCT p.title ORDER BY p.title) AS titles
FROM linked JOIN nodes n USING (node_id) JOIN papers p USING (paper_id)
WHERE n.kind IN ('repo', 'owner')
GROUP BY n.node_id, n.kind HAVING count(DISTINCT p.paper_id) > 1
ORDER BY papers DESC, n.node_id
LIMIT 20
"""
SQL_TOP_KEYWORDS = """
SELECT n.label, CAST(m.value AS INTEGER) AS papers
FROM nodes n JOIN metrics m USING (node_id)
WHERE n.kind = 'keyword' AND m.metric = 'degree'
ORDER BY m.value DESC, n.label LIMIT 15
"""
SQL_NOTES = "SELECT key, value FROM build_info ORDER BY key"

# Enough to keep input from forming emphasis, code, links, HTML or table cells on GitHub.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")


def md(text: object) -> str:
    """Text from the input made safe inside a Markdown table cell (no HTML, no links, no breaks)."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _why(store: Store, paper_id: str) -> list[dict[str, Any]]:
    rows = store.query_dicts(SQL_STRONGEST, [paper_id, paper_id, paper_id])
    return [
        {"kind": r["kind"], "with": r["label"], "weight": r["weight"], "evidence": r["evidence"]}
        for r in rows
    ]


def report_data(store: Store) -> dict[str, Any]:
    """Every fact of the report, read once from the store."""
    summary = store.query_dicts(SQL_SUMMARY)[0]
    papers = store.query_dicts(SQL_PAPER_TABLE)
    labels = {c["community"]: c["label"] for c in store.query_dicts(SQL_COMMUNITIES)}
    for paper in papers:
        paper["community_label"] = labels.get(paper["community"])
    by_pagerank = [p for p in papers if p["pagerank"] is not None][:TOP]
    by_betweenness = sorted(
        (p for p in papers if p["betweenness"]), key=lambda p: (-p["betweenness"], p["paper_id"])
    )[:TOP]
    for paper in {p["paper_id"]: p for p in by_pagerank + by_betweenness}.values():
        paper["why"] = _why(store, paper["paper_id"])
    bridges = sorted(
        (p for p in papers if (p["participation"] or 0) > 0 and p["betweenness"]),
        key=lambda p: (-(p["participation"] * p["betweenness"]), p["paper_id"]),
    )[:TOP]
    for paper in bridges:
        joined = [row[0] for row in store.query(SQL_BRIDGE_COMMUNITIES, [paper["paper_id"]] * 3)]
        paper["joins"] = [
            {"community": c, "label": labels.get(c, f"community {c}")} for c in joined
        ]
    # papers are in PageRank order, so the first three seen per community are its most central.
    central: dict[int, list[str]] = {}
    for paper in papers:
        titles = central.setdefault(paper["community"], [])
        if len(titles) < 3:
            titles.append(paper["title"])
    communities = [
        {**community, "central_papers": central.get(community["community"], [])}
        for community in store.query_dicts(SQL_COMMUNITIES)
    ]
    return {
        "summary": summary,
        "top_pagerank": by_pagerank,
        "top_betweenness": by_betweenness,
        "bridges": bridges,
        "communities": communities,
        "shared_code": store.query_dicts(SQL_SHARED_TARGETS),
        "top_keywords": store.query_dicts(SQL_TOP_KEYWORDS),
        "notes": dict(store.query(SQL_NOTES)),
        "papers": papers,
    }


def _why_lines(paper: dict[str, Any]) -> list[str]:
    lines = []
    for why in paper.get("why", []):
        lines.append(
            f"  - {why['kind']} with *{md(why['with'])}* ({why['weight']:.3g}): {md(why['evidence'])}"
        )
    return lines or ["  - no connections"]


def render_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown that reads well in a terminal and on GitHub."""
    s = data["summary"]
    papers = max(s["papers"], 1)
    out = ["# paperweb centrality report", "", "## Corpus", ""]
    out += [
        "| what | count |",
        "|---|---:|",
        f"| papers | {s['papers']:,} |",
        f"| sources (input files, queries) | {s['sources']:,} |",
        f"| papers with code links | {s['papers_with_code']:,} ({100 * s['papers_with_code'] / papers:.0f}%) |",
        f"| papers with project pages | {s['papers_with_page']:,} ({100 * s['papers_with_page'] / papers:.0f}%) |",
        f"| repositories / owners | {s['repos']:,} / {s['owners']:,} |",
        f"| linking keywords | {s['keywords']:,} |",
        f"| similar / shared_code / cites edges | {s['similar_edges']:,} / {s['shared_code_edges']:,} / {s['cites_edges']:,} |",
        f"| connected components | {s['components']:,} |",
        f"| isolated papers | {s['isolated_papers']:,} |",
        f"| communities | {s['communities']:,} |",
        "",
    ]
    for title, key, metric in (
        ("Top papers by PageRank", "top_pagerank", "pagerank"),
        ("Top papers by betweenness", "top_betweenness", "betweenness"),
    ):
        out += [f"## {title}", ""]
        for rank, paper in enumerate(data[key], 1):
            community = (
                f" — community: {md(paper['community_label'])}"
                if paper.get("community_label")
                else ""
            )
            out.append(
                f"{rank}. **{md(paper['title'])}** ({metric} {paper[metric]:.4g}){community}"
            )
            out += _why_lines(paper)
        out.append("")
    out += [
        "## Bridge papers",
        "",
        "Papers whose connections spread over several communities (participation coefficient x betweenness).",
        "",
    ]
    for paper in data["bridges"]:
        joins = "; ".join(md(j["label"]) for j in paper["joins"])
        out.append(f"- **{md(paper['title'])}** joins: {joins}")
    out += [
        "",
        "## Communities",
        "",
        "| # | label | papers | most central |",
        "|---:|---|---:|---|",
    ]
    for c in data["communities"]:
        central = "; ".join(md(t) for t in c["central_papers"])
        out.append(f"| {c['community']} | {md(c['label'])} | {c['size']} | {central} |")
    out += [
        "",
        "## Shared repositories and owners",
        "",
        "| repo / owner | kind | papers |",
        "|---|---|---:|",
    ]
    for row in data["shared_code"]:
        out.append(f"| {md(row['node_id'])} | {row['kind']} | {row['papers']} |")
    out += ["", "## Most connecting keywords", "", "| keyword | papers |", "|---|---:|"]
    out += [f"| {md(k['label'])} | {k['papers']} |" for k in data["top_keywords"]]
    out += ["", "## How these numbers were computed", ""]
    out += [
        f"- {md(key.removeprefix('metric.'))}: {md(value)}"
        for key, value in sorted(data["notes"].items())
    ]
    return "\n".join(out) + "\n"


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(c) for c in columns] for row in rows)
    return buffer.getvalue()


def write_report(store: Store, out: Path, formats: Sequence[str] = REPORT_FORMATS) -> list[Path]:
    """Write the report files into ``out`` (atomically); return their paths."""
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        raise UsageError(
            f"unknown report format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}"
        )
    data = report_data(store)
    written = []
    if "md" in formats:
        written.append(out / "report.md")
        atomic_write_text(written[-1], render_markdown(data))
    if "json" in formats:
        written.append(out / "report.json")
        atomic_write_text(
            written[-1], json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"
        )
    if "csv" in formats:
        paper_columns = [
            "paper_id",
            "title",
            "arxiv_id",
            "pagerank",
            "betweenness",
            "degree",
            "participation",
            "community",
            "community_label",
        ]
        written.append(out / "report_papers.csv")
        atomic_write_text(written[-1], _csv(data["papers"], paper_columns))
        written.append(out / "report_communities.csv")
        atomic_write_text(written[-1], _csv(data["communities"], ["community", "label", "size"]))
    return written
