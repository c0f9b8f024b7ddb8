"""Keywords and similar edges over a process pool are those one pass in one process gives."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph import similarity
from graph.keywords import KeywordTable, extract_keywords
from graph.parallel import SharedClaims, background, each_range, in_threads, map_ranges
from graph.similarity import similar_edge_columns

HF_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-hf"


def _range_pids(shared: list[int], first: int, last: int) -> tuple[int, int, int]:
    return os.getpid(), first, sum(shared[first:last])


def test_map_ranges_runs_ranges_in_order_in_other_processes() -> None:
    values = list(range(1000))
    found = map_ranges(_range_pids, values, len(values), 2, 150)
    assert [(first, total) for _, first, total in found] == [
        (first, sum(values[first : first + 150])) for first in range(0, 1000, 150)
    ]
    assert os.getpid() not in {pid for pid, _, _ in found}
    # One worker: the same answers, computed here.
    alone = map_ranges(_range_pids, values, len(values), 1, 150)
    assert {pid for pid, _, _ in alone} == {os.getpid()}
    assert [a[1:] for a in alone] == [f[1:] for f in found]


def _range_after_signal(signal: Path, first: int, last: int) -> tuple[int, bool]:
    """Range 0 answers at once; the others wait (up to 30 s) for ``signal`` to appear."""
    if first == 0:
        return first, True
    deadline = time.monotonic() + 30
    while not signal.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return first, signal.exists()


def test_each_range_hands_on_an_answer_while_later_ranges_still_run(tmp_path: Path) -> None:
    signal = tmp_path / "first answer merged"
    found = []
    for first, saw_signal in each_range(_range_after_signal, signal, 40, 2, 10):
        # The caller merges range 0 before the workers are done with ranges 1-3 (they
        # wait for this file): a pool that answered only at the end would never see it.
        signal.touch()
        found.append((first, saw_signal))
    assert found == [(0, True), (10, True), (20, True), (30, True)]


def test_in_threads_fills_every_slice_on_several_threads_and_reraises() -> None:
    values = np.arange(10_000, dtype=np.int64)
    found = np.zeros_like(values)
    seen: set[int] = set()

    def square(lo: int) -> None:
        seen.add(threading.get_ident())
        found[lo : lo + 100] = values[lo : lo + 100] ** 2

    in_threads(square, range(0, len(values), 100), 2)
    assert (found == values**2).all()
    assert threading.get_ident() not in seen
    # One worker: the same slices, filled here.
    seen.clear()
    found[:] = 0
    in_threads(square, range(0, len(values), 100), 1)
    assert (found == values**2).all() and seen == {threading.get_ident()}

    def fails(lo: int) -> None:
        if lo == 500:
            raise ValueError("chunk 500")

    with pytest.raises(ValueError, match="chunk 500"):
        in_threads(fails, range(0, 1000, 100), 2)


def _pid_and_sum(values: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def test_background_inherits_its_argument_through_the_fork() -> None:
    values = list(range(100_000))
    with background(_pid_and_sum, values, 2, inherit=True) as inherited:
        # The process copied the list when it forked: a change made now is not seen there.
        values.append(10**9)
        pid, total = inherited()
    assert pid != os.getpid() and total == sum(range(100_000))
    with background(_pid_and_sum, values, 2) as pickled:
        assert pickled()[1] == sum(values)
    with background(_pid_and_sum, values, 1, inherit=True) as here:
        assert here() == (os.getpid(), sum(values))


def test_background_process_ends_once_it_has_answered() -> None:
    """Idle until the block ends, the process would hold a copy of every page this one changes."""
    for inherit in (True, False):
        with background(_pid_and_sum, [1, 2], 2, inherit=inherit) as answer:
            pid, _ = answer()
            deadline = time.monotonic() + 10
            while _running(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not _running(pid)


def _take_slowly(job: tuple[SharedClaims, Any, Any]) -> list[int]:
    claims, started, their_turn = job
    taken = []
    for index in claims.front():
        taken.append(index)
        started.set()
        # After its first item the helper waits until the other side has taken one too,
        # so that both sides take some however the two processes are scheduled.
        their_turn.wait(10)
        time.sleep(0.05)
    return taken


def test_shared_claims_split_work_between_helper_and_this_process() -> None:
    """The forked helper takes items from the front, this process the rest from the back:
    every item exactly once, whoever is free first."""
    claims = SharedClaims(12)
    started, their_turn = multiprocessing.Event(), multiprocessing.Event()
    with background(_take_slowly, (claims, started, their_turn), 2, inherit=True) as helper:
        assert started.wait(10)
        mine = []
        for index in claims.back():
            mine.append(index)
            their_turn.set()
        theirs = helper()
    assert theirs and mine
    assert theirs == list(range(len(theirs)))
    assert sorted(mine) == list(range(len(theirs), 12))
    # With no helper process the helper's share is worked out when asked for, after
    # this process took everything.
    claims = SharedClaims(5)
    idle = (threading.Event(), threading.Event())
    with background(_take_slowly, (claims, *idle), 1, inherit=True) as here:
        assert list(claims.back()) == [4, 3, 2, 1, 0]
        assert here() == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone, or going as it is read
        return False


def _same_tables(one: KeywordTable, other: KeywordTable) -> None:
    # Byte-identical per-paper keywords: labels, rounded scores, origins, evidence texts.
    assert list(one.by_paper.items()) == list(other.by_paper.items())
    assert one.doc_freq == other.doc_freq
    assert one.idf == other.idf
    assert one.linkable == other.linkable
    assert one.paper_ids == other.paper_ids
    assert one.columns == other.columns
    assert one.matrix is not None and other.matrix is not None
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(one.matrix, part), getattr(other.matrix, part))


def _hf_papers() -> list[Any]:
    """The real papers of ../shared/corpus-hf, read as the keyword-quality bench reads them."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        quality = importlib.import_module("bench_keyword_quality")
    finally:
        sys.path.pop(0)
    found, _ = quality.read_day_files(HF_CORPUS, "202*")
    return list(found)


@pytest.mark.skipif(not HF_CORPUS.is_dir(), reason=f"corpus not found at {HF_CORPUS}")
def test_pool_keywords_equal_single_process_on_real_papers(monkeypatch: pytest.MonkeyPatch) -> None:
    """3,000 real HF papers, with their ai_keywords given for every third, in ranges of 350."""
    found = _hf_papers()
    found = found[:3000]
    assert len(found) == 3000
    papers = [(p.paper_id, p.title, p.summary) for p in found]
    given = [(p.paper_id, k, "huggingface") for p in found[::3] for k in p.ai_keywords]
    alone = extract_keywords(papers, given=given, workers=1)
    # The build hands its list over (consume): emptied once tokenised, the same table.
    handed = list(papers)
    pooled = extract_keywords(handed, given=given, workers=2, chunk=350, consume=True)
    assert handed == []
    assert sum(len(kws) for kws in alone.by_paper.values()) > 20_000
    _same_tables(alone, pooled)
    # The similar edges: papers 0-2047 and 2048-2999 matched in two workers, and the
    # shared keywords of pairs named 1,000 pairs at a time there.
    one = similar_edge_columns(alone, workers=1)
    monkeypatch.setattr(similarity, "EVIDENCE_CHUNK", 1000)
    two = similar_edge_columns(pooled, workers=2)
    assert len(one["src"]) > 5_000
    assert (one["src"], one["dst"], one["evidence"]) == (two["src"], two["dst"], two["evidence"])
    assert np.array_equal(one["weight"], two["weight"])


def _part(mask: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return mask[lo:hi]


def test_phrase_numbering_in_chunks_on_threads_is_numpy_unique(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pairs numbered a chunk at a time on two threads: np.unique's numbers, first
    occurrences and counts, whatever the chunk size."""
    from graph.keywords import phrases

    rng = np.random.default_rng(7)
    prefix = rng.integers(0, 300, 50_000).astype(np.int32)
    word = rng.integers(0, 40, 50_000).astype(np.int32)
    pairs = prefix.astype(np.int64) * 40 + word
    distinct, first, number, often = np.unique(
        pairs, return_index=True, return_inverse=True, return_counts=True
    )
    monkeypatch.setattr(phrases, "THREADS", 2)
    for chunk in (1 << 20, 4096, 777):
        monkeypatch.setattr(phrases, "NUMBER_CHUNK", chunk)
        count, found_first, found_number, found_often = phrases.number_pairs(prefix, word, 40)
        assert count == len(distinct)
        assert found_first.tolist() == first.tolist()
        assert found_number.tolist() == number.tolist()
        assert found_often.tolist() == often.tolist()
        mask = pairs % 3 == 0
        found = phrases.positions(len(mask) - 5, partial(_part, mask))
        assert found.tolist() == np.flatnonzero(mask[:-5]).tolist()


@pytest.mark.skipif(not HF_CORPUS.is_dir(), reason=f"corpus not found at {HF_CORPUS}")
def test_keywords_in_small_chunks_on_threads_equal_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,500 real HF papers: phrases numbered, entries scored and rounded 5,000 at a time
    and the count matrix built 64 papers at a time, on two threads, give the table of one
    chunk on one thread."""
    from graph.keywords import extract, phrases, weighting

    found = _hf_papers()
    papers = [(p.paper_id, p.title, p.summary) for p in found[:1500]]
    given = [(p.paper_id, k, "huggingface") for p in found[:1500:4] for k in p.ai_keywords]
    modules = (extract, phrases, weighting)
    for threads, entries, rows in ((1, 1 << 30, 1 << 30), (2, 5000, 64)):
        for module in modules:
            monkeypatch.setattr(module, "THREADS", threads)
            monkeypatch.setattr(module, "NUMBER_CHUNK", entries)
        monkeypatch.setattr(weighting, "ROW_CHUNK", rows)
        if threads == 1:
            alone = extract_keywords(papers, given=given, workers=1)
        else:
            chunked = extract_keywords(papers, given=given, workers=1)
    assert sum(len(kws) for kws in alone.by_paper.values()) > 10_000
    _same_tables(alone, chunked)


def test_usage_counts_in_chunks_on_threads_count_every_pair_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Word-form counts over chunks of 1,000 tokens on two threads: the counts of one pass
    over the whole stream, pairs across chunk ends included."""
    from graph import wordclasses

    rng = np.random.default_rng(3)
    raw = rng.integers(0, 500, 25_001).astype(np.int32)
    form_of = (np.arange(500) // 3).astype(np.int32)
    is_determiner, is_content, is_marker = (rng.random(500) < share for share in (0.1, 0.6, 0.05))
    first, second = raw[:-1], raw[1:]
    expected = [
        np.bincount(form_of[raw], minlength=167),
        np.bincount(form_of[first[is_determiner[second]]], minlength=167),
        np.bincount(form_of[second[is_content[first]]], minlength=167),
        np.bincount(form_of[second[is_marker[first]]], minlength=167),
    ]
    monkeypatch.setattr(wordclasses, "available_workers", lambda: 2)
    for chunk in (1 << 22, 1000, 999):
        monkeypatch.setattr(wordclasses, "USAGE_CHUNK", chunk)
        found = wordclasses.usage_counts(raw, form_of, is_determiner, is_content, is_marker)
        assert [f.tolist() for f in found] == [e.tolist() for e in expected]
