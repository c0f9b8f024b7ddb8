"""The HTML viewer in headless Chromium, with every request off the file blocked and recorded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
    """The corpus page draws the expected graph offline: counts, search, panel, no errors, no requests."""
    with open_store(corpus_page.parent.parent / "db.duckdb", read_only=True) as store:
        expected = page_data(load_page_inputs(store))
    visit = Visit(browser, corpus_page)
    page = visit.page
    assert page.evaluate("network.body.data.nodes.length") == len(expected.nodes) == 500
    assert page.evaluate("network.body.data.edges.length") == len(expected.edges)
    assert "left out" in page.inner_text("#pw-status")
    page.wait_for_function("window.paperweb.drawnAt !== null")
    assert page.evaluate("network.physics.options.enabled") is False
    page.fill("#pw-search", "GNOT")
    page.press("#pw-search", "Enter")
    page.wait_for_timeout(500)
    selected = page.evaluate("network.getSelectedNodes()")
    assert len(selected) == 1
    assert page.evaluate(f"network.body.data.nodes.get({selected[0]!r}).label") == "GNOT"
    panel = page.inner_text("#pw-panel")
    assert "GNOT: A General Neural Operator Transformer for Operator Learning" in panel
    hrefs = page.eval_on_selector_all("#pw-panel a[href^='http']", "els => els.map(e => e.href)")
    assert "https://github.com/thu-ml/GNOT" in hrefs
    page.screenshot(path=str(tmp_path / "corpus.png"))
    assert visit.errors == [] and visit.requests == []


def test_viewer_click_and_filters(browser: Any, corpus_page: Path) -> None:
    """Clicking a node opens its panel; kind and edge filters hide what they name."""
    page = Visit(browser, corpus_page).page
    node_id = page.evaluate("network.body.data.nodes.get().find(n => n.label === 'GNOT').id")
    page.evaluate(f"network.focus({node_id!r}, {{scale: 1.0}})")
    point = page.evaluate(f"network.canvasToDOM(network.getPosition({node_id!r}))")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(300)
    assert "GNOT: A General Neural Operator" in page.inner_text("#pw-panel")
    page.uncheck("input[data-kind='repo']")
    assert (
        page.evaluate(
            "network.body.data.nodes.get().filter(n => n.kind === 'repo' && !n.hidden).length"
        )
        == 0
    )
    page.uncheck("input[data-edge-kind='similar']")
    assert (
        page.evaluate(
            "network.body.data.edges.get().filter(e => e.kind === 'similar' && !e.hidden).length"
        )
        == 0
    )
    page.check("#pw-by-community")
    colours = page.evaluate(
        "new Set(network.body.data.nodes.get().filter(n => n.kind === 'paper').map(n => n.color)).size"
    )
    assert colours > 3


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
    path = write_graph_page(page_data(_inputs()), tmp_path / "hover.html")
    visit = Visit(browser, path)
    page = visit.page
    page.wait_for_function("window.paperweb.drawnAt !== null")
    midpoint = (
        "((a, b) => ({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}))"
        "(network.getPosition('p1'), network.getPosition('github.com/thu-ml/gnot'))"
    )
    assert (
        _hover(page, midpoint) == "code (1): links https://github.com/thu-ml/GNOT (from abstract)"
    )
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
    assert visit.errors == [] and visit.requests == []
