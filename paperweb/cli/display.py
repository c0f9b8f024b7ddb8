"""What ``paperweb build`` shows on stderr while it runs and when it is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from graph.enrichment import OnlineResult
from paperweb.cli.options import err, one_line

if TYPE_CHECKING:
    from paperweb.pipeline import BuildSummary

__all__ = ["STEP_EVERY", "BuildDisplay", "print_build_summary", "step_line"]

#: seconds between two progress lines within a stage when stderr is not a terminal
STEP_EVERY = 10.0


def step_line(what: str, done: int, total: int, seconds: float) -> str:
    """Where a part of a stage is, its rate and the time it still needs at that rate.

    >>> step_line("tokenising", 30_000, 90_000, 4.0)
    'tokenising: 30,000 of 90,000 papers (33%), 7,500 papers/s, about 8 s left'
    >>> step_line("tokenising", 0, 90_000, 0.0)
    'tokenising: 0 of 90,000 papers'
    """
    line = f"{what}: {done:,} of {total:,} papers"
    if done <= 0 or total <= 0:
        return line
    rate = done / max(seconds, 1e-3)
    left = (total - done) / rate
    return f"{line} ({100 * done // total}%), {rate:,.0f} papers/s, about {left:,.0f} s left"


def print_build_summary(db: Path, before: int | None, summary: BuildSummary) -> None:
    """What the build read, skipped and replaced (stderr), and the files it wrote (stdout)."""
    if summary.online is not None:
        _print_online_summary(summary.online)
    for line in summary.skipped:
        err.print(f"Skipped: {line}", markup=False)
    err.print(
        f"Built {db}: {summary.papers:,} papers from {summary.occurrences:,} entries in "
        f"{summary.files:,} file(s), {summary.links:,} links, {summary.nodes:,} nodes, "
        f"{summary.edges:,} edges",
        markup=False,
    )
    if before is not None:
        # A build replaces the corpus; fewer papers than before usually means inputs were left out.
        hint = (
            " (a build keeps only its inputs: give all of them)" if summary.papers < before else ""
        )
        err.print(f"replaced {db}: {before:,} -> {summary.papers:,} papers{hint}", markup=False)
    for path in summary.outputs:
        typer.echo(str(path))


class _CountedOnly(ProgressColumn):
    """Draws its column for tasks with a total (the service bars), nothing for the stage spinner."""

    def __init__(self, column: ProgressColumn) -> None:
        super().__init__()
        self.column = column

    def render(self, task: Task) -> RenderableType:
        return self.column.render(task) if task.total is not None else Text("")


class BuildDisplay:
    """While a build runs, on stderr: a line per finished stage, a spinner with the time spent
    on the stage under way, and a bar per online service. The live part is drawn in a
    terminal only; logs and pipes get the stage lines alone."""

    def __init__(self, db: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            _CountedOnly(BarColumn()),
            _CountedOnly(MofNCompleteColumn()),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.stage = self.progress.add_task(f"building {db}: reading the inputs", total=None)
        self.db = db
        self.tasks: dict[str, Any] = {}
        self.clock = clock
        # when each part of a stage started, and when the last step line was printed
        self.started: dict[str, float] = {}
        self.printed = clock()

    def __enter__(self) -> BuildDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def stage_done(self, message: str) -> None:
        """The build's progress callback: a stage ended (or a warning); the spinner times the next one."""
        err.print(one_line(message), markup=False)
        self.progress.reset(self.stage, description=f"building {self.db}")

    def step(self, what: str, done: int, total: int) -> None:
        """The build's steps callback: ``done`` of ``total`` papers of a part of a stage.

        A terminal shows it beside the spinner; a log gets a line every
        :data:`STEP_EVERY` seconds while a part runs (a short build prints none).
        """
        now = self.clock()
        if done == 0 or what not in self.started:
            self.started[what] = now
        line = step_line(what, done, total, now - self.started[what])
        self.progress.update(self.stage, description=f"building {self.db}: {line}")
        if not err.is_terminal and 0 < done < total and now - self.printed >= STEP_EVERY:
            self.printed = now
            err.print(f"  {line}", markup=False)

    def start(self, service: str, total: int) -> None:
        """Add the bar of an online service."""
        self.tasks[service] = self.progress.add_task(f"{service:>6}", total=total)

    def advance(self, service: str) -> None:
        """Move the service's bar one item on."""
        self.progress.advance(self.tasks[service])


def _print_online_summary(online: OnlineResult) -> None:
    """One screen: per service resolved / cached / failed / waits, then failures by reason."""
    found = online.enrichment
    failed: dict[str, int] = {}
    reasons: dict[tuple[str, str], list[str]] = {}
    for f in found.failures:
        failed[f.service] = failed.get(f.service, 0) + 1
        reasons.setdefault((f.service, f.reason), []).append(f.item)
    for service in found.ran:
        stats = online.stats.get(service)
        line = f"{service}: {found.resolved.get(service, 0):,} resolved, {failed.get(service, 0):,} failed"
        if stats is not None:
            line += (
                f", {stats.requests:,} requests, {stats.cached:,} cached, "
                f"{stats.rate_limit_waits:,} rate-limit waits ({stats.waited:.1f} s)"
            )
        err.print(line, markup=False)
    for (service, reason), items in sorted(reasons.items(), key=lambda kv: -len(kv[1]))[:10]:
        shown = "; ".join(items[:3]) + (" ..." if len(items) > 3 else "")
        err.print(f"Failed: {service} x{len(items)}: {reason} ({shown})", markup=False)
