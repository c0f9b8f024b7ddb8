// Read a GraphML or GEXF file with graphology's own parsers (what Gephi Lite and sigma.js
// use) and print what they saw as JSON: counts, and the attributes of the nodes asked for.
// Usage: node read_graph.js FILE [NODE_ID...]
"use strict";
const fs = require("fs");
const Graph = require("graphology");

const [file, ...wanted] = process.argv.slice(2);
const text = fs.readFileSync(file, "utf-8");
const parser = file.endsWith(".gexf") ? require("graphology-gexf") : require("graphology-graphml");
const graph = parser.parse(Graph, text);
const kinds = {};
graph.forEachEdge((edge, attrs) => {
  kinds[attrs.kind] = (kinds[attrs.kind] || 0) + 1;
});
const nodes = {};
for (const id of wanted) {
  nodes[id] = graph.hasNode(id) ? graph.getNodeAttributes(id) : null;
}
process.stdout.write(
  JSON.stringify({ order: graph.order, size: graph.size, multi: graph.multi, edgeKinds: kinds, nodes })
);
