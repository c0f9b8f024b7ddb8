"""A build says how fast each stage went, and how far the long parts of a stage are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperweb.cli import app
from paperweb.cli.display import STEP_EVERY, BuildDisplay
from paperweb.pipeline import BuildOptions, build
from tests.conftest import CORPUS_PAGES


def test_build_stage_lines_carry_papers_per_second(tmp_path: Path) -> None:
    """Three real HF pages: every stage line ends in its time and its rate in papers/s."""
    pages = [CORPUS_PAGES[name] for name in sorted(CORPUS_PAGES)]
    result = CliRunner().invoke(
        app, ["build", *map(str, pages), "--db", str(tmp_path / "a.duckdb"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    staged = [line for line in lines if re.search(r"\(\d+\.\d s, [\d,]+ papers/s\)$", line)]
    papers = int(re.search(r"^([\d,]+) distinct papers", result.stderr, re.M)[1].replace(",", ""))  # type: ignore[index]
    assert papers > 300
    # read, de-duplication, stored, keywords and edges, metrics, layout, report, page
    assert len(staged) >= 8
    for needle in ("read ", "distinct papers", "linking keywords", "laid out", "graph page"):
        assert any(needle in line for line in staged), needle


def test_build_reports_steps_of_the_keyword_stage(tmp_path: Path) -> None:
    """The steps callback hears each part of the keyword stage from 0 to every paper."""
    heard: list[tuple[str, int, int]] = []
    options = BuildOptions(db=tmp_path / "b.duckdb", out=tmp_path / "out")
    summary = build(
        [CORPUS_PAGES[name] for name in sorted(CORPUS_PAGES)],
        options,
        steps=lambda what, done, total: heard.append((what, done, total)),
    )
    parts = ("tokenising", "choosing keywords", "matching papers")
    assert [w for w in dict.fromkeys(w for w, _, _ in heard)] == list(parts)
    for part in parts:
        seen = [(done, total) for what, done, total in heard if what == part]
        assert seen[0] == (0, summary.papers) and seen[-1] == (summary.papers, summary.papers)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_step_lines_in_a_log_give_rate_and_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out of a terminal, a line at most every STEP_EVERY seconds, with papers/s and time left."""
    now = [100.0]
    display = BuildDisplay(tmp_path / "c.duckdb", clock=lambda: now[0])
    with display:
        display.step("tokenising", 0, 100_000)
        now[0] += STEP_EVERY / 2
        display.step("tokenising", 20_000, 100_000)  # too soon after the start: no line
        now[0] += STEP_EVERY
        display.step("tokenising", 60_000, 100_000)
        now[0] += 1.0
        display.step("tokenising", 70_000, 100_000)  # too soon after the last line
        now[0] += STEP_EVERY
        display.step("tokenising", 100_000, 100_000)  # done: the stage line follows
    err = capsys.readouterr().err
    seconds = 1.5 * STEP_EVERY
    rate = 60_000 / seconds
    assert err.splitlines() == [
        f"  tokenising: 60,000 of 100,000 papers (60%), {rate:,.0f} papers/s, "
        f"about {40_000 / rate:,.0f} s left"
    ]
