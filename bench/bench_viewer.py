"""Time the HTML viewer: render time and file size by page size, and Chromium's time to a drawn page.

Usage: python bench/bench_viewer.py [N ...]   (default: 500 2000 10000)

Each size is a synthetic graph (seed 0) shaped like a build's: 70% papers linked by ``similar``
edges (about four per paper), repositories with their owners, project pages and keywords, with
PageRank and communities. All nodes are drawn (``max_nodes=N``). Render time covers the pure page
data (ranking, spring layout, details) and the pyvis render. Chromium's time is from navigation
to the first frame of the network (physics is off, so that frame is the settled layout), measured
for pages of up to 2,000 nodes with every request off the file blocked.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from viz.page import render_graph_page  # noqa: E402
from viz.page_data import PageInputs, page_data  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def synthetic_inputs(n: int, seed: int = 0) -> PageInputs:
    """A graph of ``n`` nodes of every kind with metrics and paper details."""
    rng = random.Random(seed)
    papers = [f"p{i:06d}" for i in range(int(n * 0.70))]
    owners = [f"github.com/owner{i}" for i in range(int(n * 0.06))]
    repos = [f"{rng.choice(owners)}/repo{i}" for i in range(int(n * 0.12))]
    pages = [f"site{i}.example.org" for i in range(int(n * 0.04))]
    keywords = [
        f"keyword:topic {i}" for i in range(n - len(papers) - len(owners) - len(repos) - len(pages))
    ]
    nodes: list[tuple[str, str, str, str | None]] = [
        (p, "paper", f"Paper {i}: a synthetic title about topic {i % 97}", None)
        for i, p in enumerate(papers)
    ]
    nodes += [(r, "repo", r.removeprefix("github.com/"), f"https://{r}") for r in repos]
    nodes += [(o, "owner", o.removeprefix("github.com/"), f"https://{o}") for o in owners]
    nodes += [(s, "page", s, f"https://{s}/") for s in pages]
    nodes += [(k, "keyword", k.removeprefix("keyword:"), None) for k in keywords]
    edges: set[tuple[str, str, str, float, str]] = set()
    for i, paper in enumerate(papers):
        # Neighbours mostly nearby in the list, so the graph has communities to find.
        for _ in range(4):
            j = min(len(papers) - 1, max(0, i + int(rng.gauss(0, 40))))
            if j != i:
                a, b = sorted((paper, papers[j]))
                edges.add((a, b, "similar", round(rng.random(), 3), "shares keywords: a, b"))
        if rng.random() < 0.15:
            edges.add((paper, rng.choice(repos), "code", 1.0, "links the repository"))
        if rng.random() < 0.05:
            edges.add((paper, rng.choice(pages), "page", 1.0, "links the page"))
        for _ in range(2):
            edges.add((paper, rng.choice(keywords), "keyword", 1.0, "keyword from the abstract"))
    for repo in repos:
        edges.add((repo, repo.rsplit("/", 1)[0], "owner", 1.0, "belongs to the owner"))
    metrics = {node_id: {"pagerank": rng.random() / n} for node_id, *_ in nodes}
    for i, paper in enumerate(papers):
        metrics[paper]["community"] = float(i // 200)
    communities = {c: {"label": f"topic {c}", "size": 200} for c in range(len(papers) // 200 + 1)}
    details = {
        p: {"paper_id": p, "title": f"Paper {p}", "published": None, "published_text": "Jan 5",
            "authors": 4, "upvotes": 10, "arxiv_id": None, "cited_by_count": None}
        for p in papers
    }  # fmt: skip
    return PageInputs(
        nodes=nodes,
        edges=sorted(edges),
        metrics=metrics,
        papers=details,
        keywords={p: ["topic"] for p in papers},
        communities=communities,
    )


def time_in_chromium(path: Path) -> float:
    """Seconds from navigation to the first drawn frame of the network, offline."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "blob:"))
                else route.abort()
            ),
        )
        page.goto(path.as_uri())
        page.wait_for_function(
            "window.paperweb && window.paperweb.drawnAt !== null", timeout=60_000
        )
        drawn_ms = page.evaluate("window.paperweb.drawnAt")
        browser.close()
    return float(drawn_ms) / 1000


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [500, 2_000, 10_000]
    out = HERE / "data" / "viewer"
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| nodes | edges | page data (CPU) | render (CPU) | file size | Chromium to drawn |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        inputs = synthetic_inputs(n)
        # CPU time too: on a shared machine the wall clock also measures the neighbours.
        start, cpu_start = time.perf_counter(), time.process_time()
        data = page_data(inputs, max_nodes=n)
        middle, cpu_middle = time.perf_counter(), time.process_time()
        page = render_graph_page(data)
        end, cpu_end = time.perf_counter(), time.process_time()
        path = out / f"graph-{n}.html"
        path.write_text(page, encoding="utf-8")
        size_mib = path.stat().st_size / 2**20
        drawn = f"{time_in_chromium(path):.2f} s" if n <= 2_000 and Path(CHROMIUM).exists() else "-"
        print(
            f"| {len(data.nodes):,} | {len(data.edges):,} "
            f"| {middle - start:.2f} s ({cpu_middle - cpu_start:.2f} s) "
            f"| {end - middle:.2f} s ({cpu_end - cpu_middle:.2f} s) | {size_mib:.1f} MiB | {drawn} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
