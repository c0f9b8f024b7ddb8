"""Measure extracted keywords against Hugging Face's own ``ai_keywords`` on real papers.

Usage: python bench/bench_keyword_quality.py [FOLDER] [--limit N]
(default folder: ../shared/corpus-hf beside the repository; all 2025 day files)

Every usable 2025 day file of the folder is read (files holding ``[]``, an error object
or anything but paper objects are counted and skipped); each paper's ``ai_keywords``
are set aside and the extractor runs on (id, title, summary) of all papers as one
corpus, as a build would. Each paper's stored keywords (``KeywordOptions.per_paper``)
are then compared with its ``ai_keywords``: both are folded (case, plurals, hyphens),
and an extracted phrase matches an HF keyword when they are equal or when the shorter
of the two, if it has two words or more, stands inside the longer. Precision is the
share of extracted phrases that match some HF keyword of the paper; recall the share
of HF keywords matched by some extracted phrase. Papers without ``ai_keywords`` count
for the corpus statistics but not in the scores. A plain scikit-learn TF-IDF (1-3
grams, English stop words, 12 per paper) is scored the same way for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from graph.keywords import KeywordOptions, extract_keywords  # noqa: E402

DEFAULT_FOLDER = HERE.parent.parent / "shared" / "corpus-hf"
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class HfPaper:
    """One paper of a day file: its text and the keywords Hugging Face gave it."""

    paper_id: str
    title: str
    summary: str
    ai_keywords: tuple[str, ...]


def read_day_files(folder: Path, year: str = "2025") -> tuple[list[HfPaper], list[str]]:
    """The papers of every usable day file of ``year``, and a note per skipped file.

    A paper is a wrapper ``{"paper": {...}}`` or a bare object with ``id`` and
    ``title``; a paper met on several days is kept once (its first appearance).
    """
    papers: dict[str, HfPaper] = {}
    skipped: list[str] = []
    for path in sorted(folder.glob(f"{year}-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            skipped.append(f"{path.name}: unreadable ({error})")
            continue
        if not isinstance(data, list) or not data:
            skipped.append(f"{path.name}: {'empty list' if data == [] else 'not a list of papers'}")
            continue
        found = [_paper(item) for item in data]
        if not any(found):
            skipped.append(f"{path.name}: no paper objects")
            continue
        for paper in found:
            if paper is not None:
                papers.setdefault(paper.paper_id, paper)
    return list(papers.values()), skipped


def _paper(item: object) -> HfPaper | None:
    if not isinstance(item, dict):
        return None
    inner = item.get("paper")
    paper = inner if isinstance(inner, dict) else item
    paper_id, title = paper.get("id"), paper.get("title")
    if not isinstance(paper_id, str) or not isinstance(title, str):
        return None
    summary = paper.get("summary")
    keywords = paper.get("ai_keywords")
    return HfPaper(
        paper_id,
        " ".join(title.split()),
        summary if isinstance(summary, str) else "",
        tuple(k for k in keywords if isinstance(k, str) and k.strip())
        if isinstance(keywords, list)
        else (),
    )


def _fold_word(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (len(word) > 4 and word.endswith("es") and word[-3] in "sxz") or word.endswith(
        ("ches", "shes")
    ):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fold(phrase: str) -> tuple[str, ...]:
    """A phrase as comparable words: lower case, hyphens as spaces, plurals folded."""
    return tuple(_fold_word(w) for w in _WORD.findall(phrase.lower().replace("-", " ")))


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    size = len(short)
    return any(long[i : i + size] == short for i in range(len(long) - size + 1))


def phrases_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal, or the shorter (of two words or more) stands inside the longer."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 2 and len(short) < len(long) and _inside(short, long)


@dataclass(frozen=True, slots=True)
class Score:
    """Micro-averaged agreement of extracted phrases with the given keywords."""

    precision: float
    recall: float
    papers: int
    extracted: int
    given: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(extracted: dict[str, Sequence[str]], papers: Iterable[HfPaper]) -> Score:
    """Precision and recall of ``extracted`` (paper id -> phrases) against ``ai_keywords``."""
    matched_extracted = all_extracted = matched_given = all_given = counted = 0
    for paper in papers:
        if not paper.ai_keywords:
            continue
        counted += 1
        truth = [fold(k) for k in paper.ai_keywords]
        mine = [fold(p) for p in extracted.get(paper.paper_id, ())]
        hit_truth = [False] * len(truth)
        for phrase in mine:
            hits = [i for i, t in enumerate(truth) if phrases_match(phrase, t)]
            matched_extracted += bool(hits)
            for i in hits:
                hit_truth[i] = True
        all_extracted += len(mine)
        all_given += len(truth)
        matched_given += sum(hit_truth)
    return Score(
        matched_extracted / all_extracted if all_extracted else 0.0,
        matched_given / all_given if all_given else 0.0,
        counted,
        all_extracted,
        all_given,
    )


def paperweb_keywords(
    papers: Sequence[HfPaper], options: KeywordOptions | None = None
) -> dict[str, list[str]]:
    """The keywords paperweb stores per paper, from title and summary alone."""
    table = extract_keywords(
        [(p.paper_id, p.title, p.summary) for p in papers], options or KeywordOptions()
    )
    return {paper_id: [kw[0] for kw in kws] for paper_id, kws in table.by_paper.items()}


def tfidf_keywords(papers: Sequence[HfPaper], per_paper: int = 12) -> dict[str, list[str]]:
    """Baseline: the ``per_paper`` highest tf-idf 1-3 grams of scikit-learn's defaults."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 3), stop_words="english")
    matrix = vectorizer.fit_transform([f"{p.title}. {p.summary}" for p in papers]).tocsr()
    names = vectorizer.get_feature_names_out()
    found: dict[str, list[str]] = {}
    for row, paper in enumerate(papers):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        # Highest weight first; ties by column so the result is stable.
        order = np.lexsort((matrix.indices[lo:hi], -matrix.data[lo:hi]))[:per_paper]
        found[paper.paper_id] = [str(names[c]) for c in matrix.indices[lo:hi][order]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    parser.add_argument("--limit", type=int, default=0, help="use the first N papers only")
    parser.add_argument("--show", type=int, default=0, help="print N papers' keywords side by side")
    args = parser.parse_args()
    papers, skipped = read_day_files(args.folder)
    if args.limit:
        papers = papers[: args.limit]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    with_keywords = sum(1 for p in papers if p.ai_keywords)
    print(
        f"{args.folder}: {len(papers):,} papers ({with_keywords:,} with ai_keywords), "
        f"{len(skipped)} day files skipped"
    )
    for note in skipped:
        print(f"  skipped {note}")
    rows: list[tuple[str, Score, float]] = []
    start = time.process_time()
    mine = paperweb_keywords(papers)
    rows.append(("paperweb (graph/keywords/)", score(mine, papers), time.process_time() - start))
    start = time.process_time()
    baseline = tfidf_keywords(papers)
    rows.append(
        ("TfidfVectorizer 1-3 grams, top 12", score(baseline, papers), time.process_time() - start)
    )
    print(f"\n| {'extractor':<34} | precision | recall |   F1  | phrases | HF keywords | CPU |")
    print(f"|{'-' * 36}|----------:|-------:|------:|--------:|------------:|----:|")
    for name, result, seconds in rows:
        print(
            f"| {name:<34} | {result.precision:9.3f} | {result.recall:6.3f} | {result.f1:5.3f} "
            f"| {result.extracted:7,} | {result.given:11,} | {seconds:.1f} s |"
        )
    shown = [p for p in papers if p.ai_keywords][: args.show]
    for paper in shown:
        print(
            f"\n{paper.title}\n  HF:   {'; '.join(paper.ai_keywords)}\n  ours: {'; '.join(mine[paper.paper_id])}"
        )


if __name__ == "__main__":
    main()
