"""What every command shares: the tidy help, the shared options, and one error handler.

As sqlite-utils shares its click option decorators: a command declares ``db: DbOption =
DEFAULT_DB`` and wears :func:`reports_errors`, instead of repeating the option and the
``except PaperwebError`` block.
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ParamSpec

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from collectors.queries import days_between
from graph.explore import AmbiguousPaper, UnknownKind
from paperweb.errors import Interrupted, PaperwebError, UsageError

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_SKIPPED",
    "EXIT_USAGE",
    "Command",
    "CsvFlag",
    "DbOption",
    "ExpandOption",
    "Group",
    "JsonFlag",
    "LimitOption",
    "MemoryLimitOption",
    "MinCitedOption",
    "OutOption",
    "err",
    "error_line",
    "one_line",
    "query_days",
    "reports_errors",
    "working",
]

P = ParamSpec("P")

EXIT_USAGE = 2
EXIT_SKIPPED = 3
#: the shell's code for a command that SIGINT stopped
EXIT_INTERRUPTED = 130
#: candidates an ambiguous paper name lists
CANDIDATES_SHOWN = 10

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _tidy_metavars(params: Sequence[Any]) -> None:
    """Help shows the metavars we chose and no Python types: typer prints ``<bool>`` beside
    every flag and an argument's type (``<list[Path]>``) beside its metavar."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
        elif isinstance(param, TyperArgument) and param.metavar:
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]


class _TidyHelp:
    """Help that reads PATH, N, KIND rather than Python type names (mixed into commands)."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy_metavars(self.params)

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        _tidy_metavars([option])
        return option


class Command(_TidyHelp, TyperCommand):
    """A command whose help reads PATH, N, KIND rather than Python type names."""


class Group(_TidyHelp, TyperGroup):
    """The root command, with the same help as :class:`Command`; a usage error is one line."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, standalone_mode: bool = True, **kwargs: Any
    ) -> Any:
        if not standalone_mode:
            return super().main(args, standalone_mode=False, **kwargs)
        try:
            code = super().main(args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:
            context = getattr(exc, "ctx", None)
            message = getattr(exc, "format_message", None)
            if message is None or type(exc).__name__ == "NoArgsIsHelpError":
                # typer's own drawing: the help page for a bare command
                from typer import rich_utils

                rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
                sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
            hint = f" (see {context.command_path} --help)" if context is not None else ""
            error_line(f"{message()}{hint}")
            sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
        except typer.Abort:
            raise interrupted(KeyboardInterrupt()) from None
        sys.exit(code if isinstance(code, int) else 0)


DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        metavar="PATH",
        help="DuckDB database file.",
        envvar="PAPERWEB_DB",
        show_default=True,
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", metavar="DIR", help="Folder for the report and the HTML page.")
]


MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        help=(
            "Memory the database may use, e.g. 8GB or 40% (default half the machine's); "
            "beyond it, it spills to DB.tmp/ beside the database."
        ),
        show_default=False,
    ),
]


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
MinCitedOption = Annotated[
    int,
    typer.Option(
        "--min-cited",
        min=1,
        metavar="N",
        help="Corpus papers that must cite an outside work (for a work node; for missing, a row).",
    ),
]
ExpandOption = Annotated[
    int,
    typer.Option(
        "--expand",
        min=0,
        metavar="N",
        help="With --online: add the N outside works the corpus cites most as papers.",
    ),
]
LimitOption = Annotated[int, typer.Option("--limit", min=1, metavar="N", help="How many rows.")]


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner on stderr while a long step runs, in a terminal only."""
    if not err.is_terminal:
        yield
        return
    with err.status(what):
        yield


def one_line(text: str) -> str:
    """``text`` with newlines, ANSI escapes and other control characters written as repr does,
    so a file name cannot split an Error line or reach the terminal raw.

    >>> one_line("a\\nb\\x1b[31m.duckdb")
    'a\\\\nb\\\\x1b[31m.duckdb'
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def error_line(message: object) -> None:
    """Print ``Error: message`` as one line on stderr."""
    err.print(f"Error: {one_line(str(message))}", markup=False)


def _fail(exc: PaperwebError) -> typer.Exit:
    """One Error line (and an ambiguous name's candidates); exit 2 for an unknown kind, else 1."""
    error_line(exc)
    if isinstance(exc, AmbiguousPaper):
        for paper in exc.candidates[:CANDIDATES_SHOWN]:
            err.print(
                f"  {paper.paper_id}  {paper.arxiv_id or '-':<12}  {paper.title}", markup=False
            )
        if len(exc.candidates) > CANDIDATES_SHOWN:
            err.print(f"  ... and {len(exc.candidates) - CANDIDATES_SHOWN} more", markup=False)
    return typer.Exit(EXIT_USAGE if isinstance(exc, UnknownKind) else 1)


def reports_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Run a command; a :class:`PaperwebError` becomes one ``Error:`` line and its exit code.

    Every command wears it, so none repeats the handler (typer reads the wrapped signature).
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except PaperwebError as exc:
            raise _fail(exc) from None
        except KeyboardInterrupt as exc:
            raise interrupted(exc) from None

    return run


def interrupted(exc: KeyboardInterrupt) -> typer.Exit:
    """Ctrl-C: one line saying what was kept, exit 130; a second Ctrl-C no longer interrupts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kept = str(exc) if isinstance(exc, Interrupted) and str(exc) else "nothing was changed"
    err.print(f"Interrupted; {one_line(kept)}", markup=False)
    return typer.Exit(EXIT_INTERRUPTED)


def query_days(
    online: bool, queries: list[str], daily: list[str], daily_range: tuple[str, str] | None
) -> tuple[date, ...]:
    """Days of ``--daily``/``--daily-range``; query options without ``--online`` are a usage error."""
    days = [day for text in daily for day in days_between(text, text)]
    days += days_between(*daily_range) if daily_range else []
    if not online and (queries or days):
        raise UsageError("--query, --daily and --daily-range need --online")
    return tuple(days)
