"""Render the graph page: pyvis draws the network, our own small script adds the rest.

The page is one self-contained file: vis-network is inlined by pyvis
(``cdn_resources="in_line"``), the Bootstrap links pyvis's template adds are
removed, and our CSS and script are inlined too, so it works with no network.

Everything drawn and shown (vis nodes and edges, details, the search index) travels as
one gzipped JSON document in base64 (:func:`pack_data`), which the page's script opens
with the browser's own ``DecompressionStream``: the JSON is mostly abstracts, titles and
connection lists, and packed (gzip, then base64's third more) it is about a third of its
size. Base64 also cannot close a script element or carry markup, whatever the input's
titles hold.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from pyvis.network import Network

from graph.outputs import atomic_write_text
from viz.page_data import EDGE_COLORS, KIND_COLORS, PageData

__all__ = ["pack_data", "render_graph_page", "write_graph_page"]

# vis-network options: positions are precomputed, so physics stays off and the page is usable at once.
OPTIONS = {
    "physics": {"enabled": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 150,
        "hideEdgesOnDrag": True,
        "navigationButtons": False,
    },
    "nodes": {
        "shape": "dot",
        "font": {"size": 14, "face": "system-ui, sans-serif"},
        "borderWidth": 1,
        # Labels smaller than this many pixels on screen are not drawn: titles appear as one zooms in.
        "scaling": {"label": {"drawThreshold": 7, "maxVisible": 18}},
    },
    "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1.5, "color": {"opacity": 0.25}},
}
# Any tag pyvis's template adds that would fetch from another host.
_REMOTE_TAG = re.compile(
    r"<link\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"[^>]*>|<script\b[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"[^>]*>\s*</script>",
    re.IGNORECASE | re.DOTALL,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def _asset(name: str) -> str:
    return (resources.files("viz") / "assets" / name).read_text(encoding="utf-8")


def pack_data(value: Any) -> str:
    """``value`` as JSON, gzipped (level 6; no timestamp, so a page is the same bytes for the
    same data) and in base64: what the page's ``pw-data`` element holds.

    The JSON is orjson's (compact UTF-8, the text ``json.dumps`` writes with compact
    separators, but a tenth of the time: 90 -> 8 ms for the 11 MB of a 10k build's page).
    Keys that are not strings become strings, as ``json.dumps`` makes them.

    >>> json.loads(gzip.decompress(base64.b64decode(pack_data({"t": "</script>", 1: [2.5]}))))
    {'t': '</script>', '1': [2.5]}
    """
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    packed = gzip.compress(text, compresslevel=6, mtime=0)
    return base64.b64encode(packed).decode("ascii")


#: on-screen size of titles that are not headlines at the default fit: below vis-network's
#: draw threshold, so they appear only as one zooms in (the page adjusts it to the real fit)
SMALL_LABEL_PX = 3.0


def _expected_fit(data: PageData, width: float = 1000.0, height: float = 850.0) -> float:
    """The zoom at which a typical window shows the whole map (the page measures the real one)."""
    if not data.nodes:
        return 1.0
    xs = [node["x"] for node in data.nodes]
    ys = [node["y"] for node in data.nodes]
    span_x, span_y = max(xs) - min(xs) + 80.0, max(ys) - min(ys) + 80.0
    return 0.9 * min(width / span_x, height / span_y)


def _status(data: PageData) -> str:
    drawn = data.drawn_papers
    others = len(data.nodes) - drawn
    text = f"{drawn:,} of {data.total_papers:,} papers drawn"
    if data.left_out_papers:
        found = (
            f"search finds the {len(data.index['id']):,} most central"
            if data.index_capped
            else "search finds them all"
        )
        text += f" ({data.left_out_papers:,} less central ones left out; {found})"
    if others:
        text += f", with {others:,} repositories, owners or pages that join two or more of them"
    return text + f"; {len(data.edges):,} edges"


def _search_hint(data: PageData) -> str:
    if data.index_capped:
        return (
            f"search the {len(data.index['id']):,} most central papers: title, keyword, repository"
        )
    return "search every paper: title, keyword, repository"


def render_graph_page(data: PageData, title: str = "paperweb") -> str:
    """The whole HTML page for ``data`` as one string."""
    net = Network(height="100vh", width="100%", directed=False, cdn_resources="in_line", heading="")
    # pyvis writes the network with no items; the page's script adds them from the packed
    # data (as JSON in pyvis's script they would be the largest part of the page, unpacked).
    net.nodes, net.edges = [], []
    options = json.loads(json.dumps(OPTIONS))
    options["nodes"]["font"]["size"] = round(SMALL_LABEL_PX / _expected_fit(data), 2)
    net.set_options(json.dumps(options))
    page = net.generate_html(notebook=False)
    page = _REMOTE_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    payload = {
        "nodes": data.nodes,
        "edges": data.edges,
        "details": data.details,
        "communities": data.communities,
        "clusterLabels": data.cluster_labels,
        "index": data.index,
        "kindColors": KIND_COLORS,
        "edgeColors": EDGE_COLORS,
        "status": _status(data),
        "leftOut": data.left_out_papers,
        "totalPapers": data.total_papers,
        "smallFont": options["nodes"]["font"]["size"],
    }
    side = f"""
<aside id="pw-side">
  <h1>{html.escape(title)}</h1>
  <div id="pw-status"></div>
  <input id="pw-search" type="search" placeholder="{html.escape(_search_hint(data))}" autocomplete="off">
  <ul id="pw-results"></ul>
  <nav id="pw-tabs">
    <button data-tab="map" class="pw-on">Map</button><button data-tab="details">Details</button><button data-tab="list">List</button>
  </nav>
  <section id="pw-tab-map" class="pw-tab">
    <h2>Communities</h2>
    <label class="pw-toggle"><input id="pw-by-community" type="checkbox" checked> colour papers by community</label>
    <div id="pw-communities" class="pw-legend"></div>
    <h2>Years</h2>
    <div id="pw-years"></div>
    <h2>Nodes</h2>
    <div id="pw-kinds" class="pw-legend"></div>
    <h2>Edges</h2>
    <div id="pw-edge-kinds" class="pw-legend"></div>
    <label class="pw-toggle"><input id="pw-physics" type="checkbox"> let the layout relax (physics)</label>
  </section>
  <section id="pw-tab-details" class="pw-tab" hidden><div id="pw-panel"></div></section>
  <section id="pw-tab-list" class="pw-tab" hidden>
    <div id="pw-sort">sort by <select id="pw-sort-by">
      <option value="pagerank">PageRank</option><option value="degree">degree</option>
      <option value="year">year</option><option value="community">community</option><option value="title">title</option>
    </select></div>
    <ol id="pw-list"></ol>
  </section>
</aside>
<script id="pw-data" type="application/octet-stream" data-encoding="gzip+base64">{pack_data(payload)}</script>
<script>{_asset("viewer.js")}</script>
"""
    head = f'<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n<style>{_asset("viewer.css")}</style>\n'
    page = page.replace("<head>", "<head>\n" + head, 1)
    return page.replace("</body>", side + "</body>", 1)


def write_graph_page(data: PageData, path: Path, title: str = "paperweb") -> Path:
    """Write the page atomically as UTF-8, whatever the platform's default encoding."""
    return atomic_write_text(path, render_graph_page(data, title))
