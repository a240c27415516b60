"""`pycau simulate` and the run options of issue 9: options that cannot work or contradict
each other are bad input (exit 2, one `error:` line naming file and JSON path, no report);
a run with a forced drain writes a report the shipped schema accepts, consent included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli import cli


@pytest.mark.parametrize(
    ("profile", "path", "words"),
    [
        (
            {"force_pause_no_drain": True},
            "$.profile.force_pause_no_drain",
            "clustered roles online",
        ),
        (
            {"force_pause_and_drain": True, "force_pause_drain_and_reboot": True},
            "$.profile.force_pause_drain_and_reboot",
            "set one of them",
        ),
        ({"reboot_mode": "plugin-custom"}, "$.profile.reboot_mode", "plugin-custom leaves"),
        ({"reboot_mode": "full", "attempt_soft_reboot": True}, "$.profile.reboot_mode", "keep one"),
        (
            {"site_aware_updating_order": ["Paris"]},
            "$.profile.site_aware_updating_order[0]",
            "Paris",
        ),
        ({"reboot_mode": "sometimes"}, "$.profile.reboot_mode", "sometimes"),
    ],
)
def test_bad_run_options_are_exit_2_with_one_sentence(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
    profile: dict[str, Any],
    path: str,
    words: str,
) -> None:
    """Each refused option or pair: exit 2, nothing on stdout, one error line, no report."""
    default_scenario["profile"] = profile
    scenario = write_scenario(default_scenario)
    report = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", str(scenario), "--report", str(report)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith(f"error: {scenario} at {path}")
    assert words in message
    assert "Traceback" not in result.output
    assert not report.exists()


def test_forced_drain_report_matches_the_schema(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Callable[[Path], dict[str, Any]]
) -> None:
    """The bundled forced-drain scenario: exit 0 (expectation met) and a schema-valid report
    whose profile lists the option and whose workload-availability lists the consent."""
    report_path = tmp_path / "forced.json"
    args = ["simulate", "forced-drain-unmovable-vm", "--quiet", "--report", str(report_path)]
    result = cli_runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = assert_valid_report(report_path)
    assert report["profile"]["force_pause_and_drain"] is True
    assert report["simulation"]["invariants"]["workload-availability"]["consented"]
