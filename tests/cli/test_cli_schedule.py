"""`pycau schedule`: CAU schedule parameters or a profile's schedule block in, the next firings
out (one ISO 8601 time per line, the time zone said on stderr), bad input exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

ISSUE_EXAMPLE = ["schedule", "--days-of-week", "Tuesday", "--weeks-of-month", "3",
                 "--start", "2020-03-02T03:00", "--count", "3"]  # fmt: skip


def test_the_issue_example_prints_the_third_tuesdays(cli_runner: CliRunner) -> None:
    """From the start on: the third Tuesday of March, April and May 2020, 03:00 local."""
    result = cli_runner.invoke(cli, [*ISSUE_EXAMPLE, "--after", "2020-01-01T00:00"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2020-03-17T03:00:00", "2020-04-21T03:00:00", "2020-05-19T03:00:00",
    ]  # fmt: skip
    assert "times in the cluster's local time" in result.stderr


def test_without_after_the_next_firings_are_in_the_future(cli_runner: CliRunner) -> None:
    """The default moment is now: every firing printed lies after this test started."""
    from datetime import UTC, datetime

    before = datetime.now(UTC).astimezone().replace(tzinfo=None)  # local wall time
    result = cli_runner.invoke(cli, ISSUE_EXAMPLE)
    assert result.exit_code == 0, result.output
    firings = [datetime.fromisoformat(line) for line in result.stdout.splitlines()]
    assert len(firings) == 3
    assert all(f >= before for f in firings)
    assert all(f.weekday() == 1 and 15 <= f.day <= 21 for f in firings)


def test_a_profile_schedule_is_read_and_options_win(cli_runner: CliRunner, tmp_path: Path) -> None:
    """--profile reads the schedule block; an option given on the command line replaces its
    key (weekly on the command line replaces the profile's monthly)."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "schedule:\n  start_date: 2020-03-02T03:00:00+01:00\n  days_of_week: 0x04\n"
        "  weeks_of_month: [3]\n",
        encoding="utf-8",
    )
    base = ["schedule", "--profile", str(profile), "--count", "2", "--after", "2020-01-01T00:00Z"]
    result = cli_runner.invoke(cli, base)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["2020-03-17T03:00:00+01:00", "2020-04-21T03:00:00+01:00"]
    assert "times in UTC+01:00" in result.stderr
    weekly = cli_runner.invoke(cli, [*base, "--interval-weeks", "2"])
    assert weekly.exit_code == 0, weekly.output
    assert weekly.stdout.splitlines() == ["2020-03-03T03:00:00+01:00", "2020-03-17T03:00:00+01:00"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--days-of-week", "Tuesday", "--weeks-of-month", "6", "--start", "2020-03-02T03:00"],
         "--weeks-of-month: weeks of the month are 1–4, or 5 for the last"),
        (["--days-of-week", "None", "--start", "2020-03-02T03:00"], "never fires"),
        (["--days-of-week", "Tuesday"], "--start"),
        (["--start", "2020-03-02T03:00"], "--days-of-week"),
        (["--days-of-week", "Tuesday", "--start", "soon"], "--start: expected an ISO 8601"),
        (["--days-of-week", "Tuesday", "--start", "2020-03-02T03:00", "--time-zone", "Nowhere"],
         "unknown time zone"),
    ],
)  # fmt: skip
def test_bad_schedules_exit_2_with_one_sentence(
    cli_runner: CliRunner, args: list[str], words: str
) -> None:
    """Each mistake: exit 2, one `error:` paragraph naming the option, no traceback."""
    result = cli_runner.invoke(cli, ["schedule", *args])
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_a_profile_with_a_bad_schedule_is_refused_at_load(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """The schedule is checked when the profile loads (exit 2 naming the file and path), also
    for commands that do not use it, so a typo never waits for the first firing."""
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        "schedule:\n  start_date: '2020-03-02T03:00'\n  days_of_week: Tuesday\n"
        "  weeks_of_month: 6\n",
        encoding="utf-8",
    )
    result = cli_runner.invoke(cli, ["schedule", "--profile", str(profile)])
    assert result.exit_code == 2, result.output
    assert str(profile) in result.stderr
    assert "weeks_of_month" in result.stderr
    nothing = tmp_path / "none.yaml"
    nothing.write_text("max_retries_per_node: 2\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["schedule", "--profile", str(nothing)])
    assert result.exit_code == 2
    assert "has no schedule" in result.stderr
