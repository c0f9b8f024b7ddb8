"""The HTML viewer in headless Chromium, with every request off the file blocked and recorded."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import silhouette_score

from graph.store import open_store
from tests.test_viewer import HOSTILE_TITLE, _inputs
from viz.page import write_graph_page
from viz.page_data import load_page_inputs, page_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser
re_rank = re.compile(r"PageRank \d+(st|nd|rd|th) of \d+")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module; skipped without it unless CI requires it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("PAPERWEB_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
        pytest.skip("Chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page opened offline: requests that leave the file are aborted and recorded, errors kept."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_function(
            "typeof network !== 'undefined' && network.body.data.nodes.length > 0"
        )

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


@pytest.fixture
def corpus_page(corpus_build: Path) -> Path:
    """graph.html built from the real corpus."""
    return corpus_build / "out" / "graph.html"


def test_viewer_corpus_offline(browser: Any, corpus_page: Path, tmp_path: Path) -> None:
    """The corpus map offline: every paper drawn, communities apart and labelled, no error, no request."""
    with open_store(corpus_page.parent.parent / "db.duckdb", read_only=True) as store:
        papers = store.count("papers")
        # The row gathering small groups and isolated papers (is_other) is no named community.
        large = {
            row["community"]
            for row in store.query_dicts("SELECT * FROM communities")
            if row["size"] >= 10 and not row.get("is_other")
        }
    visit = Visit(browser, corpus_page)
    page = visit.page
    page.wait_for_function("window.paperweb.drawnAt !== null")
    drawn = page.evaluate(
        "network.body.data.nodes.get().filter(n => n.kind === 'paper')"
        ".map(n => [n.community, network.getPosition(n.id).x, network.getPosition(n.id).y])"
    )
    assert len(drawn) == papers
    assert page.evaluate("network.physics.options.enabled") is False
    silhouette = silhouette_score([(x, y) for _, x, y in drawn], [c for c, _, _ in drawn])
    assert silhouette >= 0.35
    labels = page.evaluate("window.paperweb.clusterLabels")
    assert large <= {label["community"] for label in labels}
    assert all({"label", "x", "y", "size"} <= label.keys() for label in labels)
    assert page.evaluate("window.paperweb.shownClusterLabels") >= len(large) - 2
    # Central papers are labelled at a legible size at the default fit.
    readable = page.evaluate(
        "paperweb.labelled.map(id => network.body.nodes[id].options.font.size * network.getScale())"
    )
    assert len(readable) >= 5 and min(readable) >= 10
    legend = page.locator("#pw-communities .pw-community").count()
    assert legend == page.evaluate("Object.keys(window.paperweb.communities).length")
    page.screenshot(path=str(tmp_path / "corpus.png"))
    assert visit.errors == [] and visit.requests == []


def test_viewer_click_shows_abstract_and_ranks(browser: Any, corpus_page: Path) -> None:
    """Clicking a paper opens its details: abstract, reading links, ranks, sorted connections."""
    visit = Visit(browser, corpus_page)
    page = visit.page
    node_id = page.evaluate("network.body.data.nodes.get().find(n => n.label === 'GNOT').id")
    page.evaluate(f"network.focus({node_id!r}, {{scale: 1.5}})")
    page.wait_for_timeout(200)
    point = page.evaluate(f"network.canvasToDOM(network.getPosition({node_id!r}))")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(300)
    panel = page.inner_text("#pw-panel")
    abstract = page.evaluate(f"paperweb.details[{node_id!r}].abstract")
    assert "GNOT: A General Neural Operator Transformer for Operator Learning" in panel
    assert abstract and abstract[:80] in " ".join(panel.split())
    assert re_rank.search(panel)
    # Evidence of drawn edges is read from the edge itself.
    assert "similar (" in panel and "shares keywords: " in panel
    hrefs = page.eval_on_selector_all("#pw-panel a[href^='http']", "els => els.map(e => e.href)")
    assert "https://github.com/thu-ml/GNOT" in hrefs
    weights = page.evaluate(f"paperweb.details[{node_id!r}].connections.map(c => c[2])")
    assert weights == sorted(weights, reverse=True)
    assert visit.errors == [] and visit.requests == []


def test_viewer_search_filters_and_list(browser: Any, corpus_page: Path) -> None:
    """Search selects a paper; years dim papers; the list follows the selection; kind filters hide."""
    visit = Visit(browser, corpus_page)
    page = visit.page
    page.fill("#pw-search", "GNOT")
    page.press("#pw-search", "Enter")
    page.wait_for_timeout(400)
    (selected,) = page.evaluate("network.getSelectedNodes()")
    assert page.evaluate(f"network.body.data.nodes.get({selected!r}).label") == "GNOT"
    page.click("#pw-tabs button[data-tab='list']")
    assert page.locator("#pw-list li.pw-sel").get_attribute("data-id") == selected
    page.select_option("#pw-sort-by", "year")
    years = page.evaluate(
        "[...document.querySelectorAll('#pw-list li')].map(li => paperweb.details[li.dataset.id].year || 0)"
    )
    assert years == sorted(years, reverse=True) and len(years) > 100
    page.click("#pw-tabs button[data-tab='map']")
    # Click the map where no node or edge is (where that is depends on the layout).
    empty = page.evaluate(
        "(() => { const box = document.querySelector('canvas').getBoundingClientRect();"
        " for (let y = box.top + 10; y < box.bottom; y += 15) for (let x = box.left + 10; x < box.right; x += 15) {"
        " const p = {x: x - box.left, y: y - box.top};"
        " if (network.getNodeAt(p) === undefined && network.getEdgeAt(p) === undefined) return {x, y}; }"
        " return null; })()"
    )
    assert empty is not None
    page.mouse.click(empty["x"], empty["y"])
    page.evaluate("paperweb.setYears(2023, 2023, false)")
    dim = page.evaluate(
        "network.body.data.nodes.get().filter(n => n.kind === 'paper')"
        ".map(n => [paperweb.details[n.id].year, n.color])"
    )
    lit = {year for year, color in dim if not color.startswith("rgba(200")}
    assert lit == {2023}
    page.uncheck("input[data-edge-kind='similar']")
    hidden = "network.body.data.edges.get().filter(e => e.kind === 'similar' && !e.hidden).length"
    assert page.evaluate(hidden) == 0
    page.uncheck("#pw-by-community")
    colours = page.evaluate(
        "new Set(network.body.data.nodes.get().filter(n => n.kind === 'paper' && n.color.startsWith('#')).map(n => n.color)).size"
    )
    assert colours == 1
    page.check("#pw-physics")
    assert page.evaluate("network.physics.options.enabled") is True
    assert visit.errors == [] and visit.requests == []


def test_viewer_search_finds_papers_not_drawn(
    browser: Any, corpus_build: Path, tmp_path: Path
) -> None:
    """On a page capped below the corpus, search finds an undrawn paper and choosing it adds it."""
    with open_store(corpus_build / "db.duckdb", read_only=True) as store:
        data = page_data(load_page_inputs(store, 50))
    path = write_graph_page(data, tmp_path / "capped.html")
    visit = Visit(browser, path)
    page = visit.page
    assert "left out" in page.inner_text("#pw-status")
    drawn = {n["id"] for n in data.nodes}
    missing = next(
        (i, t) for i, t in zip(data.index["id"], data.index["title"], strict=True) if i not in drawn
    )
    hits = page.evaluate(f"paperweb.search({missing[1]!r}).map(h => h.id)")
    assert missing[0] in hits
    page.evaluate(f"paperweb.focusNode({missing[0]!r})")
    page.wait_for_timeout(300)
    assert page.evaluate(f"network.body.data.nodes.get({missing[0]!r}) !== null")
    assert missing[1] in page.inner_text("#pw-panel")
    assert "Not drawn by default" in page.inner_text("#pw-panel")
    assert visit.errors == [] and visit.requests == []


def test_viewer_hostile_input_stays_text(browser: Any, tmp_path: Path) -> None:
    """Hostile titles show as text, nothing they carry runs, and javascript:/data: never become links."""
    path = write_graph_page(page_data(_inputs()), tmp_path / "hostile.html")
    visit = Visit(browser, path)
    page = visit.page
    page.evaluate("paperweb.focusNode('p2')")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert HOSTILE_TITLE in page.inner_text("#pw-panel")
    assert (
        page.eval_on_selector_all(
            "a",
            "els => els.filter(e => /^(javascript|data):/i.test(e.getAttribute('href') || '')).length",
        )
        == 0
    )
    assert page.eval_on_selector_all("#pw-panel img", "els => els.length") == 0
    assert visit.requests == []


def _hover(page: Any, canvas_point: str) -> str:
    """Move the mouse to a point of the network (a JS expression) and return the tooltip text."""
    point = page.evaluate(f"network.canvasToDOM({canvas_point})")
    box = page.eval_on_selector("#mynetwork", "e => e.getBoundingClientRect().toJSON()")
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_selector(".vis-tooltip", state="visible")
    return str(page.inner_text(".vis-tooltip"))


def test_viewer_hover_shows_evidence_and_plain_titles(browser: Any, tmp_path: Path) -> None:
    """Hovering an edge shows its kind and evidence; a hostile node title's tooltip is plain text."""
    inputs = _inputs()
    # The keyword node would sit between p1 and p2, its edges over theirs.
    inputs.nodes = [n for n in inputs.nodes if n[1] != "keyword"]
    inputs.edges = [e for e in inputs.edges if e[2] != "keyword"]
    path = write_graph_page(page_data(inputs), tmp_path / "hover.html")
    visit = Visit(browser, path)
    page = visit.page
    page.wait_for_function("window.paperweb.drawnAt !== null")
    midpoint = (
        "((a, b) => ({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}))"
        "(network.getPosition('p1'), network.getPosition('p2'))"
    )
    assert _hover(page, midpoint) == "similar (0.5): shares keywords: neural operators"
    page.mouse.move(1, 1)
    page.wait_for_selector(".vis-tooltip", state="hidden")
    assert _hover(page, "network.getPosition('p2')").startswith(HOSTILE_TITLE)
    assert page.evaluate("window.__pwned") is None
    # Text set with innerText: the newline before "(paper)" is the only element (a <br>).
    tags = page.eval_on_selector_all(".vis-tooltip *", "els => els.map(e => e.tagName)")
    assert tags == ["BR"]
    assert visit.errors == [] and visit.requests == []


def test_viewer_without_metrics_hides_community_switch(browser: Any, tmp_path: Path) -> None:
    """A database with no metrics still draws every node, sized by degree, without the community switch."""
    inputs = _inputs()
    inputs.metrics, inputs.communities = {}, {}
    visit = Visit(browser, write_graph_page(page_data(inputs), tmp_path / "bare.html"))
    page = visit.page
    assert page.evaluate("network.body.data.nodes.length") == len(inputs.nodes)
    assert page.is_hidden(".pw-toggle")
    assert page.evaluate("window.paperweb.clusterLabels") == []
    assert visit.errors == [] and visit.requests == []
