"""``pycau schedule``: the next firings of a CAU self-updating schedule.

Owns: the command's options (CAU's Add-CauClusterRole schedule parameters, or a profile's
``schedule:`` block, options winning) and its output — one ISO 8601 time per line on stdout,
and on stderr which time the times are in (a UTC offset, a time zone, or the cluster's local
time).

Must not: compute firings (``runner.schedule`` does) or read a cluster.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any

import click

from runner.clock import utc_now
from runner.errors import InputError
from runner.schedule import parse_schedule

__all__ = ["schedule"]


@click.command("schedule")
@click.option("--start", "start_date", help="StartDate: ISO 8601, e.g. 2020-03-02T03:00.")
@click.option(
    "--days-of-week",
    multiple=True,
    help="DaysOfWeek: a weekday name, several (repeat or comma-separate), or the flag value "
    "(Sunday 0x01 … Saturday 0x40).",
)
@click.option(
    "--weeks-of-month",
    multiple=True,
    type=int,
    help="WeeksOfMonth (monthly): 1-4 for the nth such weekday, 5 for the last; repeatable.",
)
@click.option("--interval-weeks", type=int, help="IntervalWeeks (weekly): every Nth week.")
@click.option("--time-zone", help="IANA time zone of the firings, e.g. Europe/Berlin.")
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False),
    help="Read the schedule from this profile's schedule: block (the options above win).",
)
@click.option(
    "--count", type=click.IntRange(min=1, max=1000), default=5, show_default=True,
    help="How many firings to print.",
)  # fmt: skip
@click.option(
    "--after",
    help="List firings at or after this ISO 8601 time (default: now; never before the start).",
)
def schedule(
    start_date: str | None,
    days_of_week: tuple[str, ...],
    weeks_of_month: tuple[int, ...],
    interval_weeks: int | None,
    time_zone: str | None,
    profile_path: str | None,
    count: int,
    after: str | None,
) -> int:
    """Print the next firings of a self-updating schedule, one ISO 8601 time per line.

    Monthly: --days-of-week Tuesday --weeks-of-month 3 (the third Tuesday); weekly:
    --interval-weeks 2. Each firing is at the start's time of day. Which time zone the times
    are in is said on stderr.
    """
    block: dict[str, Any] = {}
    source = "command line"
    if profile_path is not None:
        from runner.validation import load_profile

        loaded = load_profile(profile_path)
        if loaded.schedule is None:
            raise InputError(profile_path, "$.schedule", "the profile has no schedule")
        block, source = dict(loaded.schedule), profile_path
    given = {
        "start_date": start_date,
        "days_of_week": list(days_of_week) or None,
        "weeks_of_month": list(weeks_of_month) or None,
        "interval_weeks": interval_weeks,
        "time_zone": time_zone,
    }
    # Monthly and weekly exclude each other: the command line's choice replaces the profile's.
    if given["weeks_of_month"] is not None:
        block.pop("interval_weeks", None)
    if given["interval_weeks"] is not None:
        block.pop("weeks_of_month", None)
    for key, value in given.items():
        if value is not None:
            block[key] = value
            source = "command line"
    if "start_date" not in block:
        raise InputError(source, "--start", "a schedule needs a start date (--start)")
    if "days_of_week" not in block:
        raise InputError(source, "--days-of-week", "a schedule needs days (--days-of-week)")
    try:
        plan = parse_schedule(block, source, "$.schedule")
    except InputError as exc:
        raise _on_the_command_line(exc) from None
    if after is None:
        moment = _like(utc_now().astimezone(), plan.start)
    else:
        moment = _moment(after)
    click.echo(f"pycau schedule: times in {plan.zone_label}", err=True)
    for firing in islice(plan.firings(moment), count):
        click.echo(firing.isoformat())
    return 0


def _on_the_command_line(exc: InputError) -> InputError:
    """A problem in an option given on the command line names the option, not a JSON path."""
    if exc.source != "command line":
        return exc
    key = exc.path.removeprefix("$.schedule").lstrip(".").split("[")[0]
    option = f"--{key.replace('_', '-')}".replace("--start-date", "--start") if key else ""
    return InputError(option or "command line", "", exc.message)


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError("--after", "", "expected an ISO 8601 date and time") from None


def _like(now: datetime, start: datetime) -> datetime:
    """``now`` in the schedule's kind of time: aware in its zone, or the local wall time."""
    if start.tzinfo is None:
        return now.replace(tzinfo=None)
    return now.astimezone(start.tzinfo)
