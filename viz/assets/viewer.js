// paperweb viewer: cluster labels, legend, years, list, search and the details panel around
// the pyvis network. Everything that came from input is put into the page with textContent
// (or canvas fillText), never as HTML, and only http(s) URLs become links.
(function () {
  "use strict";

  // The page's data is gzipped JSON in base64 (a third of the JSON's size); the browser's
  // own DecompressionStream opens it, and the network gets its nodes and edges from it.
  function readData(done) {
    var holder = document.getElementById("pw-data");
    if (typeof DecompressionStream === "undefined" || typeof Response === "undefined") {
      document.getElementById("pw-status").textContent =
        "This browser cannot open the page's data: it needs Chrome 80, Firefox 113, Safari 16.4 or newer.";
      return;
    }
    var text = atob(holder.textContent.trim());
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).text().then(function (json) { done(JSON.parse(json)); }, function (err) {
      document.getElementById("pw-status").textContent = "The page's data is damaged: " + err;
    });
  }

  readData(start);

  function start(data) {
    nodes.add(data.nodes);
    edges.add(data.edges);
    var details = data.details;
    var index = data.index;
    var communities = data.communities;
    var KIND_COLORS = data.kindColors;
    var DIM = "rgba(200,205,212,0.30)";
    var hiddenKinds = {};
    var hiddenEdgeKinds = {};
    var byCommunity = true;
    var selected = null;
    var years = { lo: null, hi: null, none: true };
    var fitScale = 1;
    var labelled = [];
    var fontSize = {};
    var fontPx = {};
    var fontColor = {};

    // Text from input is shown capped: a ten-million-character title would take the page
    // seconds to lay out on every click and hover. The full value stays in the data.
    var MAX_TEXT = 5000, MAX_TIP = 600, MAX_URL = 4000;

    function capped(text, limit) {
      var s = String(text);
      if (s.length <= limit) return s;
      var end = limit - 1;
      // Never cut between the two halves of a surrogate pair.
      var code = s.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
      return s.slice(0, end) + "\u2026";
    }

    function el(tag, text, cls) {
      var node = document.createElement(tag);
      if (text !== undefined && text !== null) node.textContent = capped(text, MAX_TEXT);
      if (cls) node.className = cls;
      return node;
    }

    function isHttp(url) {
      return typeof url === "string" && url.length <= MAX_URL && /^https?:\/\/[^\s]+$/i.test(url);
    }

    // Hover titles (tooltips) and labels of the drawn nodes and edges, capped once at start.
    function capItems(set) {
      var long = set.get({ filter: function (item) {
        return (typeof item.title === "string" && item.title.length > MAX_TIP) ||
               (typeof item.label === "string" && item.label.length > MAX_TIP);
      } });
      if (!long.length) return;
      set.update(long.map(function (item) {
        var change = { id: item.id };
        if (typeof item.title === "string") change.title = capped(item.title, MAX_TIP);
        if (typeof item.label === "string") change.label = capped(item.label, MAX_TIP);
        return change;
      }));
    }
    capItems(nodes);
    capItems(edges);

    function link(url, text) {
      if (!isHttp(url)) return el("span", text || url);
      var a = el("a", text || url);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }

    function communityColor(c) {
      var info = c === null || c === undefined ? null : communities[c];
      return info ? info.color : "#b8bec7";
    }

    function baseColor(node) {
      if (node.kind === "paper") return byCommunity ? communityColor(node.community) : KIND_COLORS.paper;
      // In community colours the other kinds step back; their shapes still tell them apart.
      return byCommunity ? "#7b8794" : KIND_COLORS[node.kind] || "#999999";
    }

    function yearOf(id) {
      var d = details[id];
      return d && d.year ? d.year : null;
    }

    function inYears(node) {
      if (node.kind !== "paper") return true;
      var y = yearOf(node.id);
      if (y === null) return years.none;
      return (years.lo === null || y >= years.lo) && (years.hi === null || y <= years.hi);
    }

    // What each node and edge shows now, so that a repaint sends only what changes
    // (DataSet updates of thousands of items cost more than the drawing).
    var nodeShown = {}, edgeShown = {};

    function repaint() {
      var near = null;
      if (selected !== null && nodes.get(selected)) {
        near = {};
        near[selected] = true;
        network.getConnectedNodes(selected).forEach(function (id) { near[id] = true; });
      }
      var lit = {}, nodeChanges = [], edgeChanges = [];
      nodes.get().forEach(function (node) {
        var on = (near === null || near[node.id]) && inYears(node);
        lit[node.id] = on;
        var color = on ? baseColor(node) : DIM, hidden = !!hiddenKinds[node.kind];
        var key = color + (hidden ? "h" : "") + (fontPx[node.id] ? fontSize[node.id] : "");
        if (nodeShown[node.id] === key) return;
        nodeShown[node.id] = key;
        fontColor[node.id] = on ? "#1f2933" : "rgba(0,0,0,0.10)";
        var font = { color: fontColor[node.id] };
        // Headline titles carry their own size; the others follow the global font option.
        if (fontPx[node.id]) font.size = fontSize[node.id];
        nodeChanges.push({ id: node.id, color: color, hidden: hidden, font: font });
      });
      edges.get().forEach(function (edge) {
        var on = near === null ? lit[edge.from] && lit[edge.to] : edge.from === selected || edge.to === selected;
        var color = on ? data.edgeColors[edge.kind] || "#cccccc" : "rgba(200,205,212,0.12)";
        var hidden = !!hiddenEdgeKinds[edge.kind];
        var key = color + (hidden ? "h" : "");
        if (edgeShown[edge.id] === key) return;
        edgeShown[edge.id] = key;
        edgeChanges.push({ id: edge.id, hidden: hidden, color: { color: color } });
      });
      if (nodeChanges.length) nodes.update(nodeChanges);
      if (edgeChanges.length) edges.update(edgeChanges);
      syncList();
    }

    // ---- cluster labels, drawn on the canvas in network coordinates ----
    var clusterLabels = data.clusterLabels.map(function (c) {
      return { label: c.label, x: c.x, y: c.y, size: c.size, community: c.community, drawn: c.drawn,
               top: c.top, bottom: c.bottom };
    });
    var members = {};
    nodes.get().forEach(function (n) {
      if (n.kind === "paper" && n.community !== null) (members[n.community] = members[n.community] || []).push(n.id);
    });

    function labelPixels(size) {
      return Math.max(11, Math.min(16, 9.5 + 2 * Math.log2(1 + size / 5)));
    }

    function labelAlpha(scale) {
      var zoom = scale / fitScale;
      if (zoom <= 1.6) return 0.95;
      if (zoom >= 4) return 0;
      return 0.95 * (4 - zoom) / 2.4;
    }

    network.on("afterDrawing", function (ctx) {
      var scale = network.getScale();
      var alpha = labelAlpha(scale);
      if (alpha <= 0) return;
      if (network.physics.options.enabled) {
        // While the layout relaxes, labels follow their papers.
        clusterLabels.forEach(function (c) {
          var pos = network.getPositions(members[c.community] || []);
          var ids = Object.keys(pos);
          if (!ids.length) return;
          c.x = ids.reduce(function (s, id) { return s + pos[id].x; }, 0) / ids.length;
          c.y = ids.reduce(function (s, id) { return s + pos[id].y; }, 0) / ids.length;
        });
      }
      ctx.save();
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      // Largest communities first; a label that would cover one already drawn is skipped at
      // this zoom (zooming in spreads the regions, and it appears).
      var boxes = [];
      var shown = 0;
      var frame = document.getElementById("mynetwork").getBoundingClientRect();
      var topLeft = network.DOMtoCanvas({ x: 0, y: 0 });
      var bottomRight = network.DOMtoCanvas({ x: frame.width, y: frame.height });
      var view = { x0: topLeft.x + 4 / scale, x1: bottomRight.x - 4 / scale };
      clusterLabels.slice().sort(function (a, b) { return b.size - a.size; }).forEach(function (c) {
        var px = labelPixels(c.size) / scale;
        ctx.font = "600 " + px + "px system-ui, -apple-system, 'Segoe UI', sans-serif";
        var w = ctx.measureText(c.label).width, h = px * 1.2;
        // Kept inside the window, so labels of regions at the rim are not cut off.
        var cx = Math.min(Math.max(c.x, view.x0 + w / 2), view.x1 - w / 2);
        // The middle of the region first, then just above or below it.
        var spots = [c.y, c.top - h * 0.8, c.bottom + h * 0.8];
        var box = null;
        for (var i = 0; i < spots.length && box === null; i++) {
          var b0 = { x0: cx - w / 2, x1: cx + w / 2, y0: spots[i] - h / 2, y1: spots[i] + h / 2 };
          if (!boxes.some(function (b) { return b.x0 < b0.x1 && b0.x0 < b.x1 && b.y0 < b0.y1 && b0.y0 < b.y1; })) box = b0;
        }
        if (box === null) return;
        boxes.push(box);
        shown += 1;
        var at = (box.y0 + box.y1) / 2;
        ctx.lineWidth = 4 / scale;
        ctx.strokeStyle = "rgba(255,255,255," + (0.9 * alpha) + ")";
        ctx.fillStyle = "rgba(31,41,51," + alpha + ")";
        ctx.strokeText(c.label, cx, at);
        ctx.fillText(c.label, cx, at);
      });
      window.paperweb.shownClusterLabels = shown;
      ctx.restore();
    });

    // ---- node labels: the most central papers of each community at the default fit ----
    function chooseLabels() {
      fitScale = network.getScale();
      var boxes = clusterLabels.map(function (c) {
        var h = labelPixels(c.size) / fitScale, w = c.label.length * 0.56 * h;
        return { x0: c.x - w / 2, x1: c.x + w / 2, y0: c.y - h / 2, y1: c.y + h / 2 };
      });
      var candidates = nodes.get().filter(function (n) { return n.headline; });
      candidates.sort(function (a, b) { return a.headline - b.headline || b.size - a.size; });
      var chosen = {};
      candidates.forEach(function (n) {
        var px = n.headline === 1 ? 13 : 11.5;
        var h = (px * 1.25) / fitScale, w = (n.label.length * 0.55 * px + 6) / fitScale;
        var top = n.y + n.size + 2 / fitScale;
        var box = { x0: n.x - w / 2, x1: n.x + w / 2, y0: top, y1: top + h };
        var clash = boxes.some(function (b) { return b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1; });
        if (!clash) { boxes.push(box); chosen[n.id] = px; }
      });
      labelled = Object.keys(chosen);
      // Other titles show once the view is zoomed in about twice (vis hides labels under 6 px).
      var small = 3.2 / fitScale;
      Object.keys(chosen).forEach(function (id) { fontPx[id] = chosen[id]; });
      sizeFonts();
    }

    // On-screen label sizes grow slowly with zoom and stop at a legible size: the headline
    // titles stay readable, the others appear from about twice the default zoom.
    var smallSize = data.smallFont;
    function sizeFonts() {
      var scale = network.getScale(), zoom = scale / fitScale;
      // Other titles show from about twice the default zoom.
      var showSmall = zoom >= 1.6;
      var small = (showSmall ? Math.min(Math.max(9, 4.5 * zoom), 12.5) : 3) / scale;
      // Setting the global font re-reads every node (costly on big pages): only on real changes.
      // Hidden titles only need to stay under the draw threshold; shown ones near their size.
      var fine = !showSmall ? smallSize * scale < 5.5 : Math.abs(small - smallSize) / smallSize <= 0.25;
      if (!fine) {
        network.setOptions({ nodes: { font: { size: small } } });
        smallSize = small;
      }
      var changes = [];
      Object.keys(fontPx).forEach(function (id) {
        if (!fontPx[id]) return;
        var size = Math.min(fontPx[id] * Math.sqrt(Math.max(zoom, 1)), 16) / scale;
        if (Math.abs((fontSize[id] || 0) - size) < 1e-9) return;
        fontSize[id] = size;
        changes.push({ id: id, font: { size: size, color: fontColor[id] || "#1f2933" } });
      });
      if (changes.length) nodes.update(changes);
    }
    var pendingFonts = false, fontScale = null;
    // Any change of zoom (wheel, focus, fit, animation) ends in a frame: resize after it.
    network.on("afterDrawing", function () {
      var scale = network.getScale();
      if (pendingFonts || fontScale === null || Math.abs(scale - fontScale) < 1e-9) return;
      pendingFonts = true;
      window.requestAnimationFrame(function () { pendingFonts = false; fontScale = network.getScale(); sizeFonts(); });
    });

    // ---- details panel ----
    function row(dl, name, value) {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", name));
      var dd = el("dd");
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = capped(value, MAX_TEXT);
      dl.appendChild(dd);
    }

    function ordinal(n) {
      var teen = n % 100 >= 10 && n % 100 <= 20;
      return n + (teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" })[n % 10] || "th");
    }

    var METRIC_NAMES = { pagerank: "PageRank", betweenness: "betweenness", degree: "degree",
                         weighted_degree: "weighted degree", eigenvector: "eigenvector" };

    function edgeKey(a, b, kind) { return a + "\u0001" + b + "\u0001" + kind; }
    var edgeByEnds = {};
    edges.get().forEach(function (e) { edgeByEnds[edgeKey(e.from, e.to, e.kind)] = e; });
    var currentId = null;

    // A connection is [other node, edge kind, weight, evidence (none when the edge is drawn:
    // it is the edge's), label (none for papers)].
    function connectionItem(c) {
      var other = c[0];
      var li = el("li");
      var title = c[4] || (details[other] || {}).title || (indexPos[other] !== undefined ? index.title[indexPos[other]] : other);
      var name = el("a", title);
      name.href = "#";
      name.addEventListener("click", function (ev) { ev.preventDefault(); focusNode(other); });
      li.appendChild(name);
      if (!nodes.get(other)) li.appendChild(el("span", " (not drawn)", "pw-kind"));
      var evidence = c[3];
      if (evidence === null) {
        var edge = edgeByEnds[edgeKey(currentId, other, c[1])] || edgeByEnds[edgeKey(other, currentId, c[1])];
        evidence = edge ? edge.title.slice(edge.title.indexOf(": ") + 2) : "";
      }
      li.appendChild(el("div", c[1].replace("_", " ") + " (" + c[2] + "): " + evidence, "pw-kind"));
      return li;
    }

    function showPanel(id) {
      var panel = document.getElementById("pw-panel");
      panel.replaceChildren();
      panel.className = "";
      var d = details[id];
      currentId = id;
      if (!d) { panel.className = "pw-empty"; panel.textContent = "Click a paper on the map, in the list or in the search results to see its details."; return; }
      panel.appendChild(el("h3", d.title));
      var dl = el("dl");
      if (d.kind !== "paper") row(dl, "kind", d.kind);
      if (d.url && d.kind !== "paper") row(dl, "url", link(d.url));
      row(dl, "date", d.date);
      row(dl, "authors", d.authors);
      row(dl, "upvotes", d.upvotes);
      row(dl, "cited by", d.cited_by);
      if (d.community) {
        var cbox = el("span");
        var sw = el("span", null, "pw-swatch"); sw.style.background = communityColor(d.community.id);
        cbox.appendChild(sw); cbox.appendChild(el("span", " " + d.community.label));
        row(dl, "community", cbox);
      }
      if (d.sources && d.sources.length) row(dl, "source", d.sources.join("; "));
      panel.appendChild(dl);
      if (d.notDrawn) panel.appendChild(el("p", d.notDrawn, "pw-note"));
      if (d.read && d.read.length) {
        var read = el("div", null, "pw-read");
        d.read.forEach(function (r) { read.appendChild(link(r.url, r.text)); });
        panel.appendChild(read);
      }
      if (d.abstract) {
        var box = el("details"); box.open = true; box.className = "pw-abstract";
        box.appendChild(el("summary", "Abstract"));
        box.appendChild(el("p", d.abstract));
        panel.appendChild(box);
      }
      if (d.links && d.links.length) {
        panel.appendChild(el("h2", "Code and project pages"));
        var ul = el("ul");
        d.links.forEach(function (l) { var li = el("li"); li.appendChild(link(l.url, l.target)); li.appendChild(el("span", " (" + l.kind + ")", "pw-kind")); ul.appendChild(li); });
        panel.appendChild(ul);
      }
      if (d.keywords && d.keywords.length) {
        panel.appendChild(el("h2", "Keywords"));
        var kw = el("div");
        d.keywords.forEach(function (k) { kw.appendChild(el("span", k, "pw-chip")); });
        panel.appendChild(kw);
      }
      if (d.ranks && d.ranks.length) {
        panel.appendChild(el("h2", "Centrality"));
        var rl = el("ul", null, "pw-ranks");
        d.ranks.forEach(function (r) {
          rl.appendChild(el("li", (METRIC_NAMES[r[0]] || r[0]) + " " + ordinal(r[1]) + " of " + r[2].toLocaleString("en")));
        });
        panel.appendChild(rl);
      }
      var conns = d.connections || [];
      // The page lists a node's strongest connections only; connectionCount has them all.
      var connCount = Math.max(d.connectionCount || 0, conns.length);
      if (conns.length) {
        panel.appendChild(el("h2", "Connections (" + connCount.toLocaleString("en") + ", strongest first)"));
        var cl = el("ul", null, "pw-connections");
        conns.slice(0, 15).forEach(function (c) { cl.appendChild(connectionItem(c)); });
        panel.appendChild(cl);
        if (connCount > conns.length) {
          panel.appendChild(el("p", "The " + conns.length + " strongest are listed; `paperweb neighbors` lists all " +
                                    connCount.toLocaleString("en") + ".", "pw-note"));
        }
        if (conns.length > 15) {
          var more = el("button", "show all " + conns.length, "pw-more");
          more.addEventListener("click", function () {
            conns.slice(15).forEach(function (c) { cl.appendChild(connectionItem(c)); });
            more.remove();
          });
          panel.appendChild(more);
        }
      }
    }

    // ---- tabs ----
    function showTab(name) {
      document.querySelectorAll("#pw-tabs button").forEach(function (b) { b.className = b.getAttribute("data-tab") === name ? "pw-on" : ""; });
      document.querySelectorAll(".pw-tab").forEach(function (s) { s.hidden = s.id !== "pw-tab-" + name; });
      if (name === "list") renderList();
    }
    document.querySelectorAll("#pw-tabs button").forEach(function (b) {
      b.addEventListener("click", function () { showTab(b.getAttribute("data-tab")); });
    });

    // ---- papers that are not drawn: added on demand from the search index ----
    var indexPos = {};
    index.id.forEach(function (id, i) { indexPos[id] = i; });

    function addUndrawn(id) {
      var i = indexPos[id];
      if (i === undefined) return false;
      var c = index.community[i];
      var title = index.title[i];
      var arxiv = index.arxiv[i];
      var centre = clusterLabels.filter(function (l) { return l.community === c; })[0];
      var angle = (i * 2.399963) % (2 * Math.PI);
      var x = centre ? centre.x : 0, y = centre ? centre.y : 0;
      details[id] = {
        kind: "paper", title: title, year: index.year[i], date: index.year[i] ? String(index.year[i]) : null,
        community: c === null || !communities[c] ? null : { id: c, label: communities[c].label },
        read: arxiv ? [{ url: "https://arxiv.org/abs/" + encodeURIComponent(arxiv), text: "arXiv " + arxiv },
                       { url: "https://huggingface.co/papers/" + encodeURIComponent(arxiv), text: "Hugging Face paper page" }]
                    : [{ url: "https://scholar.google.com/scholar?q=" + encodeURIComponent(capped(title, 300)), text: "search the title on Google Scholar" }],
        notDrawn: "Not drawn by default: " + (i + 1).toLocaleString("en") + " of " + (data.totalPapers || index.id.length).toLocaleString("en") +
                  " papers by PageRank. Added to the map beside its community.",
        connections: [], ranks: [], keywords: [], links: []
      };
      nodes.add({ id: id, label: capped(title, 28), title: capped(title, MAX_TIP) + "\n(paper, not drawn by default)",
                  kind: "paper", shape: "dot", community: c, size: 8, headline: 0,
                  x: x + 60 * Math.cos(angle), y: y + 60 * Math.sin(angle), font: { size: 11.5 / fitScale } });
      fontPx[id] = 11.5;
      fontSize[id] = 11.5 / fitScale;
      return true;
    }

    function focusNode(id) {
      if (!nodes.get(id) && !addUndrawn(id)) return;
      var node = nodes.get(id);
      if (hiddenKinds[node.kind]) { hiddenKinds[node.kind] = false; syncChecks(); }
      selected = id;
      network.selectNodes([id]);
      network.focus(id, { scale: Math.max(network.getScale(), fitScale * 2), animation: { duration: 300 } });
      repaint();
      showPanel(id);
      showTab("details");
    }

    // ---- search over every paper of the database and the drawn link nodes ----
    var titlesLower = index.title.map(function (t) { return t.toLowerCase(); });
    var extra = nodes.get().map(function (n) {
      var d = details[n.id] || {};
      var parts = [];
      if (n.kind !== "paper") parts.push(d.title || "");
      (d.keywords || []).forEach(function (k) { parts.push(k); });
      (d.links || []).forEach(function (l) { parts.push(l.target); });
      return { id: n.id, text: parts.join(" \u0001 ").toLowerCase() };
    });

    function search(query) {
      var q = query.trim().toLowerCase();
      var list = document.getElementById("pw-results");
      list.replaceChildren();
      if (!q) return [];
      var hits = [], seen = {};
      titlesLower.forEach(function (t, i) {
        var at = t.indexOf(q);
        if (at >= 0) { hits.push({ id: index.id[i], title: index.title[i], rank: at === 0 ? 0 : 1, order: i }); seen[index.id[i]] = true; }
      });
      extra.forEach(function (e, i) {
        if (!seen[e.id] && e.text.indexOf(q) >= 0) hits.push({ id: e.id, title: (details[e.id] || {}).title || e.id, rank: 2, order: index.id.length + i });
      });
      hits.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
      hits.slice(0, 15).forEach(function (hit, i) {
        var li = el("li", hit.title);
        if (i === 0) li.className = "pw-active";
        var d = details[hit.id];
        li.appendChild(el("span", d ? (d.kind === "paper" ? "" : d.kind) : "not drawn", "pw-kind"));
        li.addEventListener("click", function () { focusNode(hit.id); });
        list.appendChild(li);
      });
      if (hits.length > 15) list.appendChild(el("li", (hits.length - 15) + " more: type more of the title", "pw-more-hits"));
      return hits;
    }

    // ---- legend ----
    function syncChecks() {
      document.querySelectorAll("input[data-kind]").forEach(function (box) { box.checked = !hiddenKinds[box.getAttribute("data-kind")]; });
    }

    function legend() {
      var counts = {}, edgeCounts = {}, drawnIn = {};
      nodes.get().forEach(function (n) {
        counts[n.kind] = (counts[n.kind] || 0) + 1;
        if (n.kind === "paper" && n.community !== null) drawnIn[n.community] = (drawnIn[n.community] || 0) + 1;
      });
      edges.get().forEach(function (e) { edgeCounts[e.kind] = (edgeCounts[e.kind] || 0) + 1; });
      var box = document.getElementById("pw-kinds");
      Object.keys(KIND_COLORS).forEach(function (kind) {
        if (!counts[kind]) return;
        var label = el("label");
        var check = el("input"); check.type = "checkbox"; check.checked = true; check.setAttribute("data-kind", kind);
        check.addEventListener("change", function () { hiddenKinds[kind] = !check.checked; repaint(); });
        label.appendChild(check); label.appendChild(el("span", kind)); label.appendChild(el("span", counts[kind], "pw-count"));
        box.appendChild(label);
      });
      var ebox = document.getElementById("pw-edge-kinds");
      Object.keys(data.edgeColors).forEach(function (kind) {
        if (!edgeCounts[kind]) return;
        var label = el("label");
        var check = el("input"); check.type = "checkbox"; check.checked = true; check.setAttribute("data-edge-kind", kind);
        check.addEventListener("change", function () { hiddenEdgeKinds[kind] = !check.checked; repaint(); });
        var sw = el("span", null, "pw-line"); sw.style.background = data.edgeColors[kind];
        label.appendChild(check); label.appendChild(sw); label.appendChild(el("span", kind.replace("_", " "))); label.appendChild(el("span", edgeCounts[kind], "pw-count"));
        ebox.appendChild(label);
      });
      // Every community is listed, the named ones first (they come numbered largest first).
      var cbox = document.getElementById("pw-communities");
      Object.keys(communities).sort(function (a, b) {
        return (communities[a].other - communities[b].other) || (Number(a) - Number(b));
      }).forEach(function (c) {
        var info = communities[c];
        var item = el("div", null, "pw-community");
        item.setAttribute("data-community", c);
        item.title = capped(info.label, MAX_TIP);
        var sw = el("span", null, "pw-swatch"); sw.style.background = info.color;
        item.appendChild(sw); item.appendChild(el("span", info.label, "pw-community-label"));
        item.appendChild(el("span", info.size, "pw-count"));
        item.addEventListener("click", function () {
          var ids = members[c] || [];
          if (ids.length) network.fit({ nodes: ids, maxZoomLevel: 4, animation: { duration: 400 } });
        });
        cbox.appendChild(item);
      });
    }

    // ---- year histogram with a range filter ----
    function yearsPanel() {
      var box = document.getElementById("pw-years");
      var count = {}, none = 0;
      nodes.get().forEach(function (n) {
        if (n.kind !== "paper") return;
        var y = yearOf(n.id);
        if (y === null) none += 1; else count[y] = (count[y] || 0) + 1;
      });
      var list = Object.keys(count).map(Number).sort(function (a, b) { return a - b; });
      if (!list.length) { box.appendChild(el("div", "No drawn paper has a year (" + none + " without one).", "pw-kind")); return; }
      var lo = list[0], hi = list[list.length - 1];
      var peak = Math.max.apply(null, list.map(function (y) { return count[y]; }));
      var bars = el("div", null, "pw-bars");
      var barOf = {};
      for (var y = lo; y <= hi; y++) {
        var bar = el("div", null, "pw-bar");
        var fill = el("div", null, "pw-fill");
        fill.style.height = (count[y] ? Math.max(4, 100 * count[y] / peak) : 0) + "%";
        bar.title = y + ": " + (count[y] || 0) + " papers";
        bar.appendChild(fill);
        bars.appendChild(bar);
        barOf[y] = bar;
      }
      box.appendChild(bars);
      var axis = el("div", null, "pw-axis");
      axis.appendChild(el("span", lo)); axis.appendChild(el("span", hi));
      box.appendChild(axis);
      var controls = el("div", null, "pw-range");
      var from = el("input"); from.type = "range"; from.min = lo; from.max = hi; from.value = lo; from.id = "pw-year-from";
      var to = el("input"); to.type = "range"; to.min = lo; to.max = hi; to.value = hi; to.id = "pw-year-to";
      var shown = el("div", null, "pw-kind"); shown.id = "pw-year-shown";
      controls.appendChild(from); controls.appendChild(to);
      box.appendChild(controls);
      var noneBox = el("label", null, "pw-toggle");
      var check = el("input"); check.type = "checkbox"; check.checked = true; check.id = "pw-no-year";
      noneBox.appendChild(check); noneBox.appendChild(el("span", "show papers without a year (" + none + ")"));
      box.appendChild(noneBox);
      box.appendChild(shown);
      function apply() {
        var a = Math.min(Number(from.value), Number(to.value)), b = Math.max(Number(from.value), Number(to.value));
        years.lo = a; years.hi = b; years.none = check.checked;
        Object.keys(barOf).forEach(function (y) { barOf[y].className = Number(y) >= a && Number(y) <= b ? "pw-bar" : "pw-bar pw-out"; });
        var inside = list.filter(function (y) { return y >= a && y <= b; }).reduce(function (s, y) { return s + count[y]; }, 0);
        shown.textContent = a + "–" + b + ": " + inside + " papers" + (check.checked ? ", plus " + none + " without a year" : "");
        repaint();
      }
      from.addEventListener("input", apply); to.addEventListener("input", apply); check.addEventListener("change", apply);
      window.paperweb.setYears = function (a, b, showNone) {
        from.value = a; to.value = b; check.checked = showNone !== false; apply();
      };
      shown.textContent = lo + "–" + hi + ": " + (list.reduce(function (s, y) { return s + count[y]; }, 0)) + " papers, plus " + none + " without a year";
    }

    // ---- list view of the drawn papers, in sync with the selection ----
    var listBuilt = false;
    function sortKey(by) {
      return function (a, b) {
        var da = details[a], db = details[b];
        var va, vb;
        if (by === "year") { va = da.year || 0; vb = db.year || 0; return vb - va || da.title.localeCompare(db.title); }
        if (by === "degree") { va = da.degree || 0; vb = db.degree || 0; return vb - va || da.title.localeCompare(db.title); }
        if (by === "community") {
          va = da.community ? da.community.id : 1e9; vb = db.community ? db.community.id : 1e9;
          return va - vb || (db.pagerank || 0) - (da.pagerank || 0);
        }
        if (by === "title") return da.title.localeCompare(db.title);
        return (db.pagerank || 0) - (da.pagerank || 0) || da.title.localeCompare(db.title);
      };
    }

    function renderList() {
      var by = document.getElementById("pw-sort-by").value;
      var ids = nodes.get().filter(function (n) { return n.kind === "paper" && details[n.id]; }).map(function (n) { return n.id; });
      ids.sort(sortKey(by));
      var list = document.getElementById("pw-list");
      list.replaceChildren();
      ids.forEach(function (id) {
        var d = details[id];
        var li = el("li");
        li.setAttribute("data-id", id);
        var sw = el("span", null, "pw-swatch"); sw.style.background = communityColor(d.community ? d.community.id : null);
        li.appendChild(sw);
        li.appendChild(el("span", d.title, "pw-list-title"));
        var pr = (d.ranks || []).filter(function (r) { return r[0] === "pagerank"; })[0];
        li.appendChild(el("span", [d.year || "no year", pr ? "PageRank " + ordinal(pr[1]) : "", "degree " + (d.degree || 0)].join(" · "), "pw-kind"));
        li.addEventListener("click", function () { focusNode(id); });
        list.appendChild(li);
      });
      listBuilt = true;
      syncList();
    }

    function syncList() {
      if (!listBuilt) return;
      document.querySelectorAll("#pw-list li").forEach(function (li) {
        var id = li.getAttribute("data-id");
        var node = nodes.get(id);
        li.className = (id === selected ? "pw-sel" : "") + (node && inYears(node) ? "" : " pw-out");
        if (id === selected && !document.getElementById("pw-tab-list").hidden) li.scrollIntoView({ block: "nearest" });
      });
    }
    document.getElementById("pw-sort-by").addEventListener("change", renderList);

    // ---- wiring ----
    window.paperweb = { focusNode: focusNode, search: search, details: details, clusterLabels: clusterLabels,
                        communities: communities,
                        drawnAt: null, fitScale: null, labelled: [], index: index, showTab: showTab,
                        selected: function () { return selected; } };
    document.getElementById("pw-status").textContent = data.status;
    legend();
    yearsPanel();
    if (!Object.keys(communities).length) {
      byCommunity = false;
      document.getElementById("pw-by-community").checked = false;
      document.querySelector(".pw-toggle").style.display = "none";
    }
    document.getElementById("pw-by-community").addEventListener("change", function (ev) {
      byCommunity = ev.target.checked;
      repaint();
    });
    document.getElementById("pw-physics").addEventListener("change", function (ev) {
      network.setOptions({ physics: { enabled: ev.target.checked, solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -40, springLength: 40, avoidOverlap: 0.3 }, stabilization: false } });
    });
    var input = document.getElementById("pw-search");
    input.addEventListener("input", function () { search(input.value); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var hits = search(input.value); if (hits.length) focusNode(hits[0].id); }
    });
    network.on("click", function (params) {
      if (params.nodes.length) { selected = params.nodes[0]; showPanel(selected); showTab("details"); }
      else { selected = null; showPanel(null); }
      repaint();
    });
    showPanel(null);
    // vis-network stops a fit at 100% zoom; a small map may fill the window too.
    network.fit({ maxZoomLevel: 4 });
    // A margin around the fitted map, so that labels at its rim stay inside the canvas.
    network.moveTo({ scale: network.getScale() * 0.9 });
    chooseLabels();
    fontScale = fitScale;
    window.paperweb.fitScale = fitScale;
    window.paperweb.labelled = labelled;
    // Colours were set when the page was written; only the labelled titles needed sizes.
    nodes.get().forEach(function (node) {
      nodeShown[node.id] = baseColor(node) + (fontPx[node.id] ? fontSize[node.id] : "");
      fontColor[node.id] = "#1f2933";
    });
    edges.get().forEach(function (edge) { edgeShown[edge.id] = data.edgeColors[edge.kind] || "#cccccc"; });
    // Physics is off, so the first frame is the settled layout; tests and bench/ read this time.
    network.once("afterDrawing", function () { window.paperweb.drawnAt = performance.now(); });
    network.redraw();
  }
})();
