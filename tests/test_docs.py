"""The README documents what the project really does: the CI command and every CLI command."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from paperweb.cli import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_quick_start_has_two_commands() -> None:
    """The Quick start is exactly two commands: run the main job, run the tests."""
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "paperweb build examples/" in commands[0]
    assert commands[1].endswith("scripts/check")


def test_check_script_runs_lint_types_doctests_and_the_suite() -> None:
    """scripts/check (what CI and the README run) formats, lints, type-checks, then tests."""
    lines = (REPO / "scripts" / "check").read_text(encoding="utf-8").splitlines()
    steps = [line for line in lines if line.startswith('"$bin/')]
    assert steps == [
        '"$bin/ruff" format --check .',
        '"$bin/ruff" check .',
        '"$bin/mypy"',
        '"$bin/pytest" -q -p no:cacheprovider --doctest-modules collectors graph viz paperweb',
        '"$bin/pytest" "$@"',
    ]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run ends by running the README's test command verbatim."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    last = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last == _quick_start_commands()[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_command_documented_with_help(command: str) -> None:
    """Every command has a README section and help text with an example."""
    assert f"### `paperweb {command}" in README
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


FENCE = re.compile(r"^\s*(```+)(.*)$")
SHELL_OPERATORS = {"&&", "||", "|", ";", "&"}
REDIRECTS = {">", ">>", "<", "2>", "2>&1"}


def _fenced_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """Every fenced block as (line of its opening fence, info string, its lines).

    Fails on a fence that is never closed, or that is "closed" by a line opening another
    block (```sql inside a ```bash block means the first one was left open).
    """
    blocks: list[tuple[int, str, list[str]]] = []
    opened: tuple[int, str, list[str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if opened is None:
            if fence:
                opened = (number, fence.group(2).strip(), [])
            continue
        if fence and fence.group(2).strip():
            raise AssertionError(f"README.md:{opened[0]}: fence not closed before line {number}")
        if fence:
            blocks.append(opened)
            opened = None
        else:
            opened[2].append(line)
    if opened is not None:
        raise AssertionError(f"README.md:{opened[0]}: fence never closed")
    return blocks


def _paperweb_commands(line: str) -> list[list[str]]:
    """The ``paperweb ...`` commands of a shell line, as argument lists without the program,
    environment assignments, redirections or the commands around them."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    for word in lexer:
        if word in SHELL_OPERATORS:
            segments.append([])
        else:
            segments[-1].append(word)
    commands = []
    for words in segments:
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]
        if not words or words[0].rsplit("/", 1)[-1] != "paperweb":
            continue
        args: list[str] = []
        redirected = False
        for word in words[1:]:
            if not redirected and word not in REDIRECTS:
                args.append(word)
            redirected = word in REDIRECTS
        commands.append(args)
    return commands


def _readme_commands() -> list[list[str]]:
    """Every paperweb command of the README's shell blocks."""
    blocks = [lines for _, info, lines in _fenced_blocks(README) if info in ("bash", "sh")]
    return [args for lines in blocks for line in lines for args in _paperweb_commands(line)]


def _parse(args: list[str]) -> None:
    """Parse a command line as paperweb would, without running it (usage errors raise)."""
    group = get_command(app)
    name, rest = args[0], args[1:]
    command = group.commands[name]  # type: ignore[attr-defined]
    command.make_context(name, list(rest))


def test_readme_fences_are_closed() -> None:
    """Every fenced block of the README is closed before the next one opens."""
    assert len(_fenced_blocks(README)) > 10


def test_fence_check_catches_an_unclosed_fence() -> None:
    """The check fails on the README with one closing fence taken out."""
    broken = README.replace(
        "paperweb build ../shared/corpus --online\n```\n",
        "paperweb build ../shared/corpus --online\n",
        1,
    )
    assert broken != README
    with pytest.raises(AssertionError, match="fence not closed"):
        _fenced_blocks(broken)


def test_readme_documents_commands_in_shell_blocks() -> None:
    """The README's shell blocks show every command at least once."""
    assert {args[0] for args in _readme_commands()} == set(COMMANDS)


@pytest.mark.parametrize("args", _readme_commands(), ids=shlex.join)
def test_readme_command_lines_parse(args: list[str]) -> None:
    """Every documented command line names a real command with real options and valid values."""
    assert args[0] in COMMANDS, f"README shows unknown command {args[0]!r}"
    _parse(args)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_headings_name_real_options(command: str) -> None:
    """Each option in a command's README heading is an option of that command."""
    heading = re.search(rf"^### `paperweb {command}\b(.*)`$", README, re.MULTILINE)
    assert heading
    known = {opt for p in get_command(app).commands[command].params for opt in p.opts}  # type: ignore[attr-defined]
    assert set(re.findall(r"--[a-z][a-z-]*", heading.group(1))) <= known


@pytest.mark.parametrize("command", COMMANDS)
def test_help_examples_parse(command: str) -> None:
    """The example in each command's help is a valid command line too."""
    out = get_command(app).commands[command].help or ""  # type: ignore[attr-defined]
    example = re.search(r"Example: (paperweb .+)", out)
    assert example
    for args in _paperweb_commands(example.group(1).strip()):
        _parse(args)


def test_readme_offline_commands_run(
    corpus_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every documented command that reads the database runs against the built corpus.

    They run in a scratch folder whose out/paperweb.duckdb is the corpus database, so the
    default --db, an explicit one and the relative --out paths of the README all work.
    """
    (tmp_path / "out").mkdir()
    shutil.copy(corpus_build / "db.duckdb", tmp_path / "out" / "paperweb.duckdb")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAPERWEB_DB", raising=False)
    ran = 0
    for args in _readme_commands():
        if args[0] == "build":
            continue
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"{shlex.join(args)}: {result.stderr}"
        ran += 1
    assert ran >= len(COMMANDS) - 1


def test_readme_offline_builds_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented offline builds whose inputs ship with the repository run (into tmp_path)."""
    builds = [
        args
        for args in _readme_commands()
        if args[0] == "build"
        and "--online" not in args
        and all((REPO / a).exists() for a in args[1:] if not a.startswith("-"))
        and any(not a.startswith("-") for a in args[1:])
    ]
    assert builds
    for args in builds:
        inputs = [
            str(REPO / a) if (REPO / a).exists() and not a.startswith("-") else a for a in args[1:]
        ]
        db = tmp_path / "db.duckdb"
        result = CliRunner().invoke(
            app, ["build", *inputs, "--db", str(db), "--out", str(tmp_path)]
        )
        assert result.exit_code == 0, f"{shlex.join(args)}: {result.stderr}"
