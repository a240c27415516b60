"""The README's set-up commands, .ci/run and the README's scenario example stay true."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from runner.cli import cli
from runner.validation import parse_profile
from simulator.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAIN_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/pycau simulate"
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
)
SLOW_COMMAND = ".venv/bin/python -m pytest -m slow"
BENCH_COMMAND = ".venv/bin/python benchmarks/bench_simulate.py"
STARTUP_BENCH_COMMAND = ".venv/bin/python benchmarks/bench_startup.py"


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_cli_readme_gives_the_two_setup_commands() -> None:
    """The README shows the main command and the test command, each alone in a sh block."""
    blocks = [block.strip() for block in _code_blocks("sh")]
    assert MAIN_COMMAND in blocks
    assert TEST_COMMAND in blocks


def test_cli_ci_run_executes_the_readme_test_command_verbatim() -> None:
    """.ci/run is strict bash and runs exactly the README's test command, then the README's
    slow-test command and its benchmarks, in that order (nothing the README advertises is
    left out of CI)."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    commands = [
        line
        for line in script.splitlines()
        if line and not line.startswith("#") and not line.startswith("echo ")
    ]
    (more_runs,) = [block for block in _code_blocks("sh") if SLOW_COMMAND in block]
    assert BENCH_COMMAND in more_runs
    assert STARTUP_BENCH_COMMAND in more_runs
    assert commands[-4:] == [TEST_COMMAND, SLOW_COMMAND, BENCH_COMMAND, STARTUP_BENCH_COMMAND]
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run is executable"


def test_cli_readme_schedule_example_is_a_valid_profile() -> None:
    """The README's schedule block loads as a profile and fires on third Tuesdays at 03:00."""
    from itertools import islice

    from runner.schedule import parse_schedule
    from runner.validation import parse_document, parse_profile

    (example,) = [block for block in _code_blocks("yaml") if block.startswith("schedule:")]
    profile = parse_profile(parse_document(example, "README.md").data, "README.md")
    assert profile.schedule is not None
    plan = parse_schedule(profile.schedule)
    firings = list(islice(plan.firings(plan.start), 2))
    assert [f.isoformat() for f in firings] == [
        "2020-03-17T03:00:00+01:00", "2020-04-21T03:00:00+02:00",
    ]  # fmt: skip


def test_cli_readme_scenario_example_is_a_valid_scenario() -> None:
    """The YAML scenario example in the README loads with the real scenario loader."""
    (example,) = [block for block in _code_blocks("yaml") if block.startswith("name:")]
    scenario = parse_scenario(yaml.safe_load(example), source="README.md")
    assert scenario.name == "four-node-rolling"
    assert len(scenario.cluster.nodes) == 4


def test_cli_readme_plugin_example_is_a_valid_profile() -> None:
    """The README's plug-in example is a profile block the real loader accepts."""
    (example,) = [block for block in _code_blocks("yaml") if "plugin:" in block]
    profile = parse_profile(yaml.safe_load(example)["profile"], "README.md")
    assert [spec.name.value for spec in profile.plugins] == ["windows-update", "hotfix"]
    assert profile.separate_reboots


def test_cli_readme_more_runs_pycau_lines_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `pycau` line of the README's "More runs" block exits 0 from a scratch directory
    (bundled names, not repository paths; the other lines run in .ci/run)."""
    (more_runs,) = [block for block in _code_blocks("sh") if SLOW_COMMAND in block]
    lines = [line.split("#")[0] for line in more_runs.splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/pycau ")]
    assert len(commands) >= 3
    monkeypatch.chdir(tmp_path)
    for args in commands:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, f"pycau {shlex.join(args)}: {result.output}"
