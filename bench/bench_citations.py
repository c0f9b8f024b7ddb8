"""Benchmark: matching citations for N synthetic papers and storing them (services faked in-process).

Usage: python bench/bench_citations.py 10000 100000

Every paper has an arXiv id and 20 references (half to other corpus papers, half
outside); Semantic Scholar and OpenAlex are answered by ``httpx.MockTransport``,
so the numbers are paperweb's own work (JSON parsing, matching, DuckDB writes),
not network time.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

from collectors.citations import CitationResult, citations_for
from graph.linkgraph import EdgeRow
from graph.store import Store, open_store
from graph.store.papers import paper_ids, set_cited_by

REFERENCES = 20


def arxiv_of(i: int) -> str:
    """A synthetic arXiv id for paper number ``i``."""
    return f"25{i // 100_000:02d}.{i % 100_000:05d}"


def write_citations(store: Store, result: CitationResult) -> int:
    """Store ``cites`` edges and cited-by counts the way a build's enrichment stage does."""
    known = paper_ids(store)
    edges = sorted(
        {
            (c.citing, c.cited): c.evidence
            for c in result.cites
            if c.citing in known and c.cited in known and c.citing != c.cited
        }.items()
    )
    store.insert_records("edges", [EdgeRow(a, b, "cites", 1.0, why) for (a, b), why in edges])
    set_cited_by(store, sorted((p, n) for p, n in result.cited_by_count.items() if p in known))
    return len(edges)


def run(n: int) -> str:
    """Time citations_for and write_citations on ``n`` papers; returns a table row."""
    rng = random.Random(0)
    refs = {i: [rng.randrange(n) for _ in range(REFERENCES // 2)] for i in range(n)}
    index = {arxiv_of(i): i for i in range(n)}

    def s2(request: httpx.Request) -> httpx.Response:
        out = []
        for asked in json.loads(request.content)["ids"]:
            i = index[asked.removeprefix("ARXIV:")]
            inside = [{"paperId": f"s{j}", "externalIds": {"ArXiv": arxiv_of(j)}} for j in refs[i]]
            outside = [{"paperId": f"x{i}-{k}", "externalIds": {}} for k in range(REFERENCES // 2)]
            out.append(
                {
                    "paperId": f"s{i}",
                    "externalIds": {"ArXiv": arxiv_of(i)},
                    "title": f"Paper {i}",
                    "citationCount": i % 97,
                    "references": inside + outside,
                }
            )
        return httpx.Response(200, json=out)

    def openalex(request: httpx.Request) -> httpx.Response:
        dois = request.url.params["filter"].removeprefix("doi:").split("|")
        works = []
        for doi in dois:
            i = index[doi.split("arXiv.", 1)[1]]
            works.append(
                {
                    "id": f"https://openalex.org/W{i + 1}",
                    "doi": f"https://doi.org/{doi.lower()}",
                    "title": f"Paper {i}",
                    "cited_by_count": i % 89,
                    "referenced_works": [f"https://openalex.org/W{j + 1}" for j in refs[i]]
                    + [f"https://openalex.org/W{n + i * 20 + k}" for k in range(REFERENCES // 2)],
                }
            )
        return httpx.Response(200, json={"meta": {"count": len(works)}, "results": works})

    papers = [(f"p{i:07d}", arxiv_of(i), f"Paper {i}") for i in range(n)]
    with (
        httpx.Client(
            base_url="https://s2.bench/graph/v1", transport=httpx.MockTransport(s2)
        ) as s2c,
        httpx.Client(base_url="https://oa.bench", transport=httpx.MockTransport(openalex)) as oac,
    ):
        started = time.perf_counter()
        result = citations_for(papers, s2_client=s2c, openalex_client=oac)
        matched = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.duckdb") as store:
        store.insert_columns(
            "papers", {"paper_id": [p[0] for p in papers], "title": [p[2] for p in papers]}
        )
        started = time.perf_counter()
        with store.transaction():
            edges = write_citations(store, result)
        stored = time.perf_counter() - started
    return f"| {n:,} | {matched:.1f} s | {stored:.2f} s | {edges:,} |"


def main(sizes: list[int]) -> None:
    """Print one Markdown table row per corpus size."""
    print("| papers | citations_for (both sources) | write_citations | cites edges |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        print(run(n), flush=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000])
