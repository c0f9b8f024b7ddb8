"""Time the map page on built databases: writing it, and Chromium's first draw, click and search.

Usage: python bench/bench_viewer.py DB [DB ...] [--max-nodes 2000 5000]

For each database and each paper cap, the page is written as ``paperweb view`` writes it
(store reads, page data, layout when the stored one does not cover the drawn nodes, pyvis
render, file write). Chromium (Debian's, every request off the file blocked) then opens it:

- *first draw*: from navigation to the first frame of the network (physics is off, so that
  frame is the settled map), read from ``window.paperweb.drawnAt`` (``performance.now()``);
- *click*: from a mouse click on the most central drawn paper to its abstract in the panel;
- *search*: typing the title of a paper that is not drawn (or, with every paper drawn, of the
  least central one) until the first result is listed, then choosing it until its details show.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from graph.store import open_store  # noqa: E402
from viz.page import write_graph_page  # noqa: E402
from viz.page_data import load_page_inputs, page_data  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_page(db: Path, max_nodes: int, out: Path) -> tuple[float, Any]:
    """Write the page for ``db`` with ``max_nodes`` papers; seconds and the page data."""
    start = time.perf_counter()
    with open_store(db, read_only=True) as store:
        data = page_data(load_page_inputs(store, max_nodes))
    write_graph_page(data, out)
    return time.perf_counter() - start, data


def time_in_chromium(path: Path, data: Any) -> dict[str, float]:
    """First draw, click and search times (seconds) of the page in headless Chromium."""
    from playwright.sync_api import sync_playwright

    drawn = {node["id"] for node in data.nodes}
    ids, titles = data.index["id"], data.index["title"]
    target = next((i for i in range(len(ids)) if ids[i] not in drawn), len(ids) - 1)
    clicked = max(
        (n for n in data.nodes if n["kind"] == "paper"), key=lambda n: (n["size"], n["id"])
    )["id"]
    requests: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", route)
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_function(
            "window.paperweb && window.paperweb.drawnAt !== null", timeout=120_000
        )
        first = float(page.evaluate("window.paperweb.drawnAt")) / 1000
        page.wait_for_timeout(300)
        point = page.evaluate(f"network.canvasToDOM(network.getPosition({clicked!r}))")
        start = time.perf_counter()
        page.mouse.click(point["x"], point["y"])
        page.wait_for_function(
            "document.querySelector('#pw-panel .pw-abstract, #pw-panel h3') !== null"
        )
        click = time.perf_counter() - start
        start = time.perf_counter()
        page.fill("#pw-search", titles[target])
        page.wait_for_selector("#pw-results li")
        found = time.perf_counter() - start
        start = time.perf_counter()
        page.click("#pw-results li >> nth=0")
        page.wait_for_function(
            f"document.querySelector('#pw-panel h3') && "
            f"document.querySelector('#pw-panel h3').textContent === {titles[target]!r}"
        )
        chosen = time.perf_counter() - start
        browser.close()
    if requests:
        raise SystemExit(f"the page asked for {len(requests)} outside resources: {requests[:3]}")
    return {"first": first, "click": click, "search": found, "choose": chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="+", type=Path)
    parser.add_argument("--max-nodes", nargs="+", type=int, default=[2_000, 5_000])
    args = parser.parse_args()
    out = HERE / "data" / "viewer"
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        "| database | papers | drawn nodes | edges | page written | file size "
        "| first draw | click | search | choose undrawn |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for db in args.db:
        for cap in args.max_nodes:
            path = out / f"{db.stem}-{cap}.html"
            seconds, data = write_page(db, cap, path)
            t = time_in_chromium(path, data)
            print(
                f"| {db.name} | {data.total_papers:,} | {len(data.nodes):,} | {len(data.edges):,} "
                f"| {seconds:.1f} s | {path.stat().st_size / 2**20:.1f} MiB | {t['first']:.2f} s "
                f"| {t['click']:.2f} s | {t['search']:.2f} s | {t['choose']:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
