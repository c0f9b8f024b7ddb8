// paperweb viewer: legend, filters, search and the details panel around the pyvis network.
// Everything that came from input is put into the page with textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pw-data").textContent);
  var details = data.details;
  var KIND_COLORS = data.kindColors;
  var DIM = "rgba(200,205,212,0.35)";
  var hiddenKinds = {};
  var hiddenEdgeKinds = {};
  var byCommunity = false;
  var selected = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function isHttp(url) {
    return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url);
  }

  function link(url, text) {
    if (!isHttp(url)) return el("span", text || url);
    var a = el("a", text || url);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function baseColor(node) {
    if (byCommunity && node.kind === "paper" && node.community !== null && data.communities[node.community]) {
      return data.communities[node.community].color;
    }
    // In community colours the other kinds step back so the palette is not mistaken for kinds.
    if (byCommunity) return "#c9ced6";
    return KIND_COLORS[node.kind] || "#999999";
  }

  function repaint() {
    var neighbours = null;
    if (selected !== null) {
      neighbours = {};
      neighbours[selected] = true;
      network.getConnectedNodes(selected).forEach(function (id) { neighbours[id] = true; });
    }
    var updates = nodes.get().map(function (node) {
      var color = neighbours === null || neighbours[node.id] ? baseColor(node) : DIM;
      return { id: node.id, color: color, hidden: !!hiddenKinds[node.kind],
               font: { color: neighbours === null || neighbours[node.id] ? "#1f2933" : "rgba(0,0,0,0.12)" } };
    });
    nodes.update(updates);
    edges.update(edges.get().map(function (edge) {
      var near = neighbours === null || edge.from === selected || edge.to === selected;
      return { id: edge.id, hidden: !!hiddenEdgeKinds[edge.kind],
               color: { color: near ? data.edgeColors[edge.kind] || "#cccccc" : "rgba(200,205,212,0.15)" } };
    }));
  }

  function row(dl, name, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    dl.appendChild(dd);
  }

  function showPanel(id) {
    var panel = document.getElementById("pw-panel");
    panel.replaceChildren();
    panel.className = "";
    var d = details[id];
    if (!d) { panel.className = "pw-empty"; panel.textContent = "Click a node to see its details."; return; }
    panel.appendChild(el("h3", d.title));
    var dl = el("dl");
    row(dl, "kind", d.kind);
    if (d.url) row(dl, "url", link(d.url));
    row(dl, "date", d.date);
    row(dl, "authors", d.authors);
    row(dl, "upvotes", d.upvotes);
    row(dl, "arXiv", d.arxiv_id ? link("https://arxiv.org/abs/" + d.arxiv_id, d.arxiv_id) : null);
    row(dl, "cited by", d.cited_by);
    if (d.community) row(dl, "community", d.community.label);
    panel.appendChild(dl);
    if (d.links && d.links.length) {
      panel.appendChild(el("h2", "Links"));
      var ul = el("ul");
      d.links.forEach(function (l) { var li = el("li"); li.appendChild(link(l.url, l.target)); li.appendChild(el("span", " (" + l.kind + ")", "pw-kind")); ul.appendChild(li); });
      panel.appendChild(ul);
    }
    if (d.keywords && d.keywords.length) {
      panel.appendChild(el("h2", "Keywords"));
      var box = el("div");
      d.keywords.forEach(function (k) { box.appendChild(el("span", k, "pw-chip")); });
      panel.appendChild(box);
    }
    if (d.sources && d.sources.length) {
      panel.appendChild(el("h2", "Sources"));
      var su = el("ul");
      d.sources.forEach(function (s) { su.appendChild(el("li", s)); });
      panel.appendChild(su);
    }
    var names = Object.keys(d.metrics || {});
    if (names.length) {
      panel.appendChild(el("h2", "Metrics"));
      var ml = el("dl");
      names.forEach(function (m) { row(ml, m, d.metrics[m]); });
      panel.appendChild(ml);
    }
    var connected = network.getConnectedEdges(id).map(function (eid) { return edges.get(eid); }).filter(Boolean);
    if (connected.length) {
      panel.appendChild(el("h2", "Connections (" + connected.length + ")"));
      var cl = el("ul");
      connected.slice(0, 12).forEach(function (edge) {
        var other = edge.from === id ? edge.to : edge.from;
        var li = el("li");
        var name = el("a", (details[other] || {}).title || other);
        name.href = "#";
        name.addEventListener("click", function (ev) { ev.preventDefault(); focusNode(other); });
        li.appendChild(name);
        li.appendChild(el("div", edge.title, "pw-kind"));
        cl.appendChild(li);
      });
      panel.appendChild(cl);
    }
  }

  function focusNode(id) {
    if (!nodes.get(id)) return;
    var node = nodes.get(id);
    if (hiddenKinds[node.kind]) { hiddenKinds[node.kind] = false; syncChecks(); }
    selected = id;
    network.selectNodes([id]);
    network.focus(id, { scale: 0.9, animation: { duration: 400 } });
    repaint();
    showPanel(id);
  }

  function searchText(id) {
    var d = details[id] || {};
    var parts = [d.title || "", (nodes.get(id) || {}).label || ""];
    (d.keywords || []).forEach(function (k) { parts.push(k); });
    (d.links || []).forEach(function (l) { parts.push(l.target); });
    return parts.join(" \u0001 ").toLowerCase();
  }

  var index = nodes.getIds().map(function (id) { return { id: id, text: searchText(id) }; });

  function search(query) {
    var q = query.trim().toLowerCase();
    var list = document.getElementById("pw-results");
    list.replaceChildren();
    if (!q) return [];
    var hits = index.filter(function (entry) { return entry.text.indexOf(q) >= 0; });
    hits.sort(function (a, b) {
      var ta = (details[a.id] || {}).title || "", tb = (details[b.id] || {}).title || "";
      var sa = ta.toLowerCase().indexOf(q) === 0 ? 0 : ta.toLowerCase().indexOf(q) >= 0 ? 1 : 2;
      var sb = tb.toLowerCase().indexOf(q) === 0 ? 0 : tb.toLowerCase().indexOf(q) >= 0 ? 1 : 2;
      return sa - sb || ta.localeCompare(tb);
    });
    hits.slice(0, 12).forEach(function (entry, i) {
      var d = details[entry.id] || {};
      var li = el("li", d.title || entry.id);
      if (i === 0) li.className = "pw-active";
      li.appendChild(el("span", d.kind, "pw-kind"));
      li.addEventListener("click", function () { focusNode(entry.id); });
      list.appendChild(li);
    });
    return hits;
  }

  function syncChecks() {
    document.querySelectorAll("input[data-kind]").forEach(function (box) { box.checked = !hiddenKinds[box.getAttribute("data-kind")]; });
  }

  function legend() {
    var counts = {}, edgeCounts = {};
    nodes.get().forEach(function (n) { counts[n.kind] = (counts[n.kind] || 0) + 1; });
    edges.get().forEach(function (e) { edgeCounts[e.kind] = (edgeCounts[e.kind] || 0) + 1; });
    var box = document.getElementById("pw-kinds");
    Object.keys(KIND_COLORS).forEach(function (kind) {
      if (!counts[kind]) return;
      var label = el("label");
      var check = el("input"); check.type = "checkbox"; check.checked = true; check.setAttribute("data-kind", kind);
      check.addEventListener("change", function () { hiddenKinds[kind] = !check.checked; repaint(); });
      var sw = el("span", null, "pw-swatch"); sw.style.background = KIND_COLORS[kind];
      label.appendChild(check); label.appendChild(sw); label.appendChild(el("span", kind)); label.appendChild(el("span", counts[kind], "pw-count"));
      box.appendChild(label);
    });
    var ebox = document.getElementById("pw-edge-kinds");
    Object.keys(data.edgeColors).forEach(function (kind) {
      if (!edgeCounts[kind]) return;
      var label = el("label");
      var check = el("input"); check.type = "checkbox"; check.checked = true; check.setAttribute("data-edge-kind", kind);
      check.addEventListener("change", function () { hiddenEdgeKinds[kind] = !check.checked; repaint(); });
      var sw = el("span", null, "pw-line"); sw.style.background = data.edgeColors[kind];
      label.appendChild(check); label.appendChild(sw); label.appendChild(el("span", kind)); label.appendChild(el("span", edgeCounts[kind], "pw-count"));
      ebox.appendChild(label);
    });
    var cbox = document.getElementById("pw-communities");
    Object.keys(data.communities).slice(0, 12).forEach(function (c) {
      var info = data.communities[c];
      if (info.size < 2) return;
      var label = el("label");
      var sw = el("span", null, "pw-swatch"); sw.style.background = info.color;
      label.appendChild(sw); label.appendChild(el("span", info.label)); label.appendChild(el("span", info.size, "pw-count"));
      cbox.appendChild(label);
    });
  }

  document.getElementById("pw-status").textContent = data.status;
  legend();
  // Without community metrics there is nothing to switch to.
  if (!Object.keys(data.communities).length) document.querySelector(".pw-toggle").style.display = "none";
  document.getElementById("pw-by-community").addEventListener("change", function (ev) {
    byCommunity = ev.target.checked;
    document.getElementById("pw-communities").style.display = byCommunity ? "block" : "none";
    repaint();
  });
  var input = document.getElementById("pw-search");
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = search(input.value); if (hits.length) focusNode(hits[0].id); }
  });
  network.on("click", function (params) {
    if (params.nodes.length) { selected = params.nodes[0]; showPanel(selected); }
    else { selected = null; showPanel(null); }
    repaint();
  });
  showPanel(null);
  window.paperweb = { focusNode: focusNode, search: search, details: details, drawnAt: null };
  // Physics is off, so the first frame is the settled layout; tests and bench/ read this time.
  network.once("afterDrawing", function () { window.paperweb.drawnAt = performance.now(); });
  network.redraw();
})();
