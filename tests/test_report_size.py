"""report.json stays small as the corpus grows (issue 17): its per-paper lists are capped,
the cap and the totals are stated in it, and the counts stay those of the whole corpus."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

from graph.report import write_report
from graph.stages import write_metrics
from graph.store import open_store

TOPIC = 20
CAP = 40


def _synthetic(path: Path, n: int, seed: int = 0) -> None:
    """A store of ``n`` papers in topics of 20: similar edges inside a topic (a few across),
    one repository per 10 papers under 1 owner per 5 repositories, a keyword per topic."""
    rng = random.Random(seed)
    papers = [f"p{i:05d}" for i in range(n)]
    edges: dict[tuple[str, str, str], tuple[float, str]] = {}
    for i, paper in enumerate(papers):
        topic = i // TOPIC
        for _ in range(3):
            j = topic * TOPIC + rng.randrange(TOPIC) if rng.random() < 0.9 else rng.randrange(n)
            if j != i and j < n:
                a, b = sorted((paper, papers[j]))
                edges[(a, b, "similar")] = (rng.uniform(0.2, 1.0), "shares keywords: k")
        edges[(paper, f"keyword:topic {topic}", "keyword")] = (1.0, f"keyword topic {topic}")
    repos = [f"github.com/o{r // 5}/r{r}" for r in range(n // 10)]
    for r, repo in enumerate(repos):
        edges[(papers[r * 10], repo, "code")] = (1.0, f"links https://{repo}")
        edges[(papers[r * 10 + 1], repo, "code")] = (1.0, f"links https://{repo}")
        edges[(repo, repo.rsplit("/", 1)[0], "owner")] = (1.0, "owned by")
    owners = sorted({repo.rsplit("/", 1)[0] for repo in repos})
    topics = sorted({f"topic {i // TOPIC}" for i in range(n)})
    nodes = [(p, "paper", f"Paper {p}") for p in papers] + [(r, "repo", r) for r in repos]
    nodes += [(o, "owner", o) for o in owners] + [(f"keyword:{t}", "keyword", t) for t in topics]
    with open_store(path) as store, store.transaction():
        store.insert_columns(
            "papers", {"paper_id": papers, "title": [f"Paper {p}" for p in papers]}
        )
        store.insert_columns(
            "paper_sources", {"paper_id": papers, "source": ["s"] * n, "position": list(range(n))}
        )
        store.insert_columns(
            "keywords",
            {
                "paper_id": papers,
                "keyword": [f"topic {i // TOPIC}" for i in range(n)],
                "weight": [1.0] * n,
            },
        )
        store.insert_columns(
            "nodes",
            {
                "node_id": [x[0] for x in nodes],
                "kind": [x[1] for x in nodes],
                "label": [x[2] for x in nodes],
            },
        )
        store.insert_columns(
            "edges",
            {
                "src": [e[0] for e in edges],
                "dst": [e[1] for e in edges],
                "kind": [e[2] for e in edges],
                "weight": [v[0] for v in edges.values()],
                "evidence": [v[1] for v in edges.values()],
            },
        )
        write_metrics(store)


def _report(tmp_path: Path, n: int) -> tuple[dict[str, Any], int, Path, int]:
    db, out = tmp_path / f"db{n}.duckdb", tmp_path / f"out{n}"
    _synthetic(db, n)
    with open_store(db, read_only=True) as store:
        write_report(store, out, ["json", "csv"], json_cap=CAP)
        communities = store.count("communities")
    path = out / "report.json"
    return json.loads(path.read_text(encoding="utf-8")), path.stat().st_size, out, communities


def _csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def test_report_json_is_capped_with_counts_of_the_whole_corpus(tmp_path: Path) -> None:
    """Four times the papers: the CSV of all papers grows about fourfold, report.json by
    far less; the file states each list's cap and total, and its lists are the tops of
    the complete CSVs."""
    small, small_size, small_out, _ = _report(tmp_path, 600)
    large, large_size, large_out, communities = _report(tmp_path, 2400)
    csv_growth = (large_out / "report_papers.csv").stat().st_size / (
        small_out / "report_papers.csv"
    ).stat().st_size
    assert csv_growth > 3.5
    assert large_size < 1.3 * small_size, (small_size, large_size)

    assert large["summary"]["papers"] == 2400 and small["summary"]["papers"] == 600
    lists = large["lists"]
    assert lists["papers"]["total"] == 2400 and lists["papers"]["included"] == CAP
    assert lists["papers"]["cap"] == CAP and "report_papers.csv" in lists["papers"]["complete_in"]
    all_papers = _csv_column(large_out / "report_papers.csv", "paper_id")
    assert len(all_papers) == 2400
    assert [p["paper_id"] for p in large["papers"]] == all_papers[:CAP]

    assert lists["communities"]["total"] == communities > CAP
    assert len(large["communities"]) == lists["communities"]["included"] == CAP
    assert large["communities"] == [
        c for c in large["communities"] if c["community"] < CAP
    ]  # the largest, in the table's order

    linked = _csv_column(large_out / "report_linked.csv", "node_id")
    kinds = [row["kind"] for row in large["linked"]]
    assert lists["linked"]["total"] == len(linked) == 240 + 48
    assert kinds.count("repo") == CAP and kinds.count("owner") == CAP
    assert len(large["linked"]) == lists["linked"]["included"] == 2 * CAP


def test_small_report_json_keeps_everything(tmp_path: Path) -> None:
    """Under the cap nothing is cut: every paper and linked node is in report.json."""
    data, _, out, communities = _report(tmp_path, 30)
    assert data["lists"]["papers"]["total"] == data["lists"]["papers"]["included"] == 30
    assert len(data["papers"]) == 30 and len(data["communities"]) == communities
    assert len(data["linked"]) == len(_csv_column(out / "report_linked.csv", "node_id")) == 3 + 1
