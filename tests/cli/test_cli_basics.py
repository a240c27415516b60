"""The command line's frame: --version, --help on every command, usage errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
from click.testing import CliRunner

from runner.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _all_commands() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):  # the lazily registered commands too
        command = cli.get_command(ctx, name)
        paths.append((name,))
        if isinstance(command, click.Group):
            paths.extend((name, sub) for sub in sorted(command.commands))
    return paths


def test_cli_version_matches_the_distribution(cli_runner: CliRunner) -> None:
    """`pycau --version` prints the version declared in pyproject.toml."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = cli_runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pycau {version}"


def test_cli_help_on_every_command(cli_runner: CliRunner) -> None:
    """Every command (and the group) answers --help with its usage, exit 0."""
    commands = _all_commands()
    assert {("simulate",), ("run",), ("sweep",), ("resume",)} <= set(commands)
    for path in commands:
        result = cli_runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert result.stdout.startswith("Usage: pycau"), (path, result.stdout)


def test_cli_simulate_help_documents_exit_codes_and_options(cli_runner: CliRunner) -> None:
    """`pycau simulate --help` names its options and the 0/1/2 exit statuses."""
    result = cli_runner.invoke(cli, ["simulate", "--help"])
    for text in ("--seed", "--policy", "--report", "--quiet", "classic", "fast", "0 when", "2 on"):
        assert text in result.stdout


def test_cli_without_command_prints_help(cli_runner: CliRunner) -> None:
    """`pycau` alone prints the help listing the commands."""
    result = cli_runner.invoke(cli, [])
    assert result.exit_code == 0
    assert "simulate" in result.stdout
    assert "Usage: pycau" in result.stdout


def test_cli_unknown_option_is_one_error_paragraph(cli_runner: CliRunner) -> None:
    """An unknown option exits 2 with a single `error:` line on stderr, no traceback."""
    result = cli_runner.invoke(cli, ["simulate", "--bogus"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "--bogus" in lines[0]
    assert "pycau simulate --help" in lines[0]


def test_cli_unknown_command_is_one_error_paragraph(cli_runner: CliRunner) -> None:
    """An unknown command exits 2 with one `error:` line naming it."""
    result = cli_runner.invoke(cli, ["simulte"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "simulte" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
