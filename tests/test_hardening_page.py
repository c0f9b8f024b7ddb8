"""A ten-million-character title in the page (issue 18, point 10): shown capped, kept whole in the data.

Runs in headless Chromium (skipped without it, like tests/test_viewer_browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_viewer import _inputs
from tests.test_viewer_browser import Visit, browser  # noqa: F401  (the browser fixture)
from viz.page import write_graph_page
from viz.page_data import page_data

pytestmark = pytest.mark.browser
#: 10,000,000 characters of words
HUGE = ("long title words " * 600_000)[:10_000_000]
ABSTRACT = "An abstract of many words. " * 20_000


def _huge_page(tmp: Path) -> Path:
    inputs = _inputs()
    inputs.nodes = [
        (pid, kind, HUGE if pid == "p3" else label, url) for pid, kind, label, url in inputs.nodes
    ]
    inputs.papers["p3"] = inputs.papers["p3"] | {"title": HUGE, "abstract": ABSTRACT}
    return write_graph_page(page_data(inputs), tmp / "huge.html")


def test_viewer_caps_a_ten_million_character_title(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """Clicking, hovering and searching a paper with a 10M-character title shows capped text."""
    visit = Visit(browser, _huge_page(tmp_path))
    page = visit.page
    assert page.evaluate("paperweb.details['p3'].title.length") == len(HUGE)
    page.evaluate("paperweb.focusNode('p3')")
    heading = page.inner_text("#pw-panel h3")
    assert len(heading) <= 5000 and heading.endswith("\u2026")
    assert HUGE.startswith(heading[:-1])
    abstract = page.inner_text("#pw-panel .pw-abstract p")
    assert len(abstract) <= 5000 and abstract.endswith("\u2026")
    assert page.evaluate("network.body.data.nodes.get('p3').title.length") <= 600
    page.evaluate("paperweb.search('long title words')")
    assert all(
        len(t) <= 5000
        for t in page.eval_on_selector_all("#pw-results li", "e => e.map(x => x.textContent)")
    )
    page.evaluate("paperweb.showTab('list')")
    titles = page.eval_on_selector_all(".pw-list-title", "e => e.map(x => x.textContent.length)")
    assert titles and max(titles) <= 5000
    assert visit.errors == [] and visit.requests == []


def test_viewer_short_text_is_shown_whole(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """Ordinary titles are not touched by the cap (the control of the test above)."""
    visit = Visit(browser, _huge_page(tmp_path))
    page = visit.page
    page.evaluate("paperweb.focusNode('p1')")
    assert page.inner_text("#pw-panel h3") == "GNOT: A General Neural Operator Transformer"
    assert page.evaluate("network.body.data.nodes.get('p1').title").startswith("GNOT: A General")
