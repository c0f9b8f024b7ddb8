"""How the `similar` rules trade edges for meaning, measured against Hugging Face's own keywords.

    python bench/bench_similarity.py [CORPUS_HF_DIR]

Reads the Hugging Face daily-papers files of ``../shared/corpus-hf`` (files that are not
lists of paper objects are skipped), extracts keywords from title and abstract only (the
papers' ``ai_keywords`` are *not* given to the extractor), and builds `similar` edges
under several settings. An edge counts as *confirmed* when its two papers share at least
one of Hugging Face's ``ai_keywords`` (after case, plural and hyphen folding) — an
independent, if partial, judgement of relatedness. For each setting the table gives the
edges, the share confirmed, the share resting on a single everyday word, and the papers
left without a `similar` edge.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.keywords import extract_keywords  # noqa: E402
from graph.similarity import similar_edge_columns  # noqa: E402
from graph.words import everyday_word  # noqa: E402


def _fold(keyword: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", keyword.lower()).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def read_papers(folder: Path) -> tuple[list[tuple[str, str, str]], dict[str, set[str]]]:
    """(id, title, abstract) of every distinct paper, and its folded ai_keywords."""
    papers: dict[str, tuple[str, str, str]] = {}
    given: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            continue
        for item in data:
            if not isinstance(item, dict):
                continue
            paper = item.get("paper", item)
            pid, title = paper.get("id"), paper.get("title")
            if not pid or not title:
                continue
            papers[pid] = (pid, title, paper.get("summary") or "")
            given[pid] = {_fold(k) for k in paper.get("ai_keywords") or [] if k}
    return sorted(papers.values()), given


SETTINGS = [
    ("forced top-10 (before)", 0.0, 0.0, False),
    ("min cosine 0.05 only", 0.05, 0.0, False),
    ("informative evidence only", 0.0, 0.0, True),
    ("default: 0.05 + half of best + informative", 0.05, 0.5, True),
    ("0.05 + 0.7 of best + informative", 0.05, 0.7, True),
    ("0.10 + half of best + informative", 0.10, 0.5, True),
]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus-hf"
    papers, given = read_papers(folder)
    started = time.perf_counter()
    table = extract_keywords(papers)
    print(f"{len(papers):,} papers, keywords in {time.perf_counter() - started:.1f} s")
    rng = random.Random(0)
    ids = [p[0] for p in papers]
    sample = [rng.sample(ids, 2) for _ in range(20000)]
    base = sum(bool(given[a] & given[b]) for a, b in sample) / len(sample)
    print(f"random pairs sharing an ai_keyword: {base:.2%}\n")
    import graph.similarity as similarity

    print(
        "| setting | edges | median cosine | confirmed by ai_keywords | on one everyday word "
        "| papers without an edge |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, minimum, relative, informative in SETTINGS:
        support = similarity.keyword_support
        if not informative:
            similarity.keyword_support = lambda label: 1.0  # type: ignore[assignment]
        try:
            edges = similar_edge_columns(table, 10, minimum, relative)
        finally:
            similarity.keyword_support = support  # type: ignore[assignment]
        pairs = list(zip(edges["src"], edges["dst"], edges["evidence"], strict=True))
        confirmed = sum(bool(given[a] & given[b]) for a, b, _ in pairs)
        single = sum(
            "," not in e and everyday_word(e.removeprefix("shares keywords: ")) for _, _, e in pairs
        )
        linked = {p for a, b, _ in pairs for p in (a, b)}
        print(
            f"| {name} | {len(pairs):,} | {float(np.median(edges['weight'])):.3f} | "
            f"{confirmed / max(len(pairs), 1):.1%} | "
            f"{single / max(len(pairs), 1):.1%} | {len(papers) - len(linked):,} |"
        )


if __name__ == "__main__":
    main()
