"""The README documents what the project really does: the CI command and every CLI command."""

from __future__ import annotations

import re

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
    assert "pytest" in commands[1]


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
