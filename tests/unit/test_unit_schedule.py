"""CAU's self-updating schedules (runner.schedule): monthly nth/last weekday, weekly every Nth
week, DaysOfWeek flags, explicit time zones, and schedules refused as bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import pytest

from runner.errors import InputError
from runner.schedule import LOCAL_TIME, parse_days, parse_schedule


def _first(block: dict[str, Any], count: int = 3, after: datetime | None = None) -> list[str]:
    plan = parse_schedule(block)
    return [f.isoformat() for f in islice(plan.firings(after or plan.start), count)]


def test_monthly_third_tuesday_at_the_start_time_of_day() -> None:
    """WeeksOfMonth 3 + Tuesday fires on the third Tuesday of each month at StartDate's time."""
    block = {"start_date": "2020-03-02T03:00", "days_of_week": "Tuesday", "weeks_of_month": 3}
    assert _first(block) == ["2020-03-17T03:00:00", "2020-04-21T03:00:00", "2020-05-19T03:00:00"]


def test_week_five_is_the_last_such_weekday_of_the_month() -> None:
    """5 means the last: the 5th Tuesday when a month has one, else the 4th."""
    block = {"start_date": "2020-03-02T03:00", "days_of_week": ["Tuesday"], "weeks_of_month": [5]}
    assert _first(block) == ["2020-03-31T03:00:00", "2020-04-28T03:00:00", "2020-05-26T03:00:00"]


def test_weekly_every_other_week_counts_weeks_from_the_start() -> None:
    """IntervalWeeks 2 fires in the start's Sunday-to-Saturday week and every second week."""
    block = {"start_date": "2020-03-02T03:00", "days_of_week": "Tuesday,Thursday",
             "interval_weeks": 2}  # fmt: skip
    assert _first(block, 4) == [
        "2020-03-03T03:00:00", "2020-03-05T03:00:00", "2020-03-17T03:00:00", "2020-03-19T03:00:00",
    ]  # fmt: skip


def test_nothing_fires_before_the_start_date_or_its_time_of_day() -> None:
    """A weekday of the start's own day fires only from the start time on."""
    block = {"start_date": "2020-03-03T03:00", "days_of_week": "Tuesday"}
    plan = parse_schedule(block)
    naive = datetime.fromisoformat  # the cluster's local time: no offset
    assert next(plan.firings(naive("2020-01-01T00:00"))) == naive("2020-03-03T03:00")
    assert next(plan.firings(naive("2020-03-03T03:01"))) == naive("2020-03-10T03:00")


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("Tuesday", ("Tuesday",)),
        (4, ("Tuesday",)),
        (0x14, ("Tuesday", "Thursday")),
        ("0x41", ("Sunday", "Saturday")),
        (["monday", "Friday"], ("Monday", "Friday")),
        ("Wednesday, Sunday", ("Sunday", "Wednesday")),
        ("None", ()),
    ],
)
def test_days_of_week_take_names_and_cau_flag_values(value: Any, days: tuple[str, ...]) -> None:
    """Sunday 0x01 … Saturday 0x40, names in any case, lists and comma lists; Sunday first."""
    assert parse_days(value, "profile", "$.schedule.days_of_week") == days


def test_time_zones_are_explicit() -> None:
    """A UTC offset is kept fixed; a named zone follows daylight saving; neither: local time."""
    fixed = parse_schedule({"start_date": "2026-03-20T02:30+01:00", "days_of_week": "Sunday"})
    assert fixed.zone_label == "UTC+01:00"
    assert next(fixed.firings(fixed.start)).utcoffset() == timedelta(hours=1)
    named = parse_schedule(
        {"start_date": "2026-03-20T02:30", "days_of_week": "Sunday", "time_zone": "Europe/Berlin"}
    )
    firings = list(islice(named.firings(named.start), 3))
    assert named.zone_label == "Europe/Berlin"
    # 29 March 2026 02:30 does not exist in Berlin: it fires at that instant on CEST.
    assert [f.isoformat() for f in firings] == [
        "2026-03-22T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-04-05T02:30:00+02:00",
    ]  # fmt: skip
    assert parse_schedule({"start_date": "2026-03-20T02:30", "days_of_week": 1}).zone_label == (
        LOCAL_TIME
    )


def test_an_aware_moment_is_compared_in_the_schedules_zone() -> None:
    """``firings(after)`` converts an aware ``after`` into the schedule's zone."""
    plan = parse_schedule({"start_date": "2020-03-02T03:00+01:00", "days_of_week": "Monday"})
    after = datetime(2020, 3, 2, 2, 30, tzinfo=UTC)  # 03:30 at +01:00, after that Monday's 03:00
    assert next(plan.firings(after)) == datetime(
        2020, 3, 9, 3, 0, tzinfo=timezone(timedelta(hours=1))
    )


@pytest.mark.parametrize(
    ("block", "path", "words"),
    [
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Tuesday", "weeks_of_month": 6},
         "$.schedule.weeks_of_month", "1–4, or 5"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "None"}, "$.schedule", "never fires"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Funday"},
         "$.schedule.days_of_week", "unknown weekday"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": 0x80},
         "$.schedule.days_of_week", "0x7F"),
        ({"start_date": "March 2nd", "days_of_week": "Monday"},
         "$.schedule.start_date", "ISO 8601"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Monday", "weeks_of_month": 1,
          "interval_weeks": 2}, "$.schedule", "not both"),
        ({"start_date": "2020-03-02T03:00+01:00", "days_of_week": "Monday",
          "time_zone": "Europe/Berlin"}, "$.schedule.start_date", "not both"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Monday", "time_zone": "Mars/Base"},
         "$.schedule.time_zone", "unknown time zone"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Monday", "interval_weeks": 53},
         "$.schedule.interval_weeks", "1 to 52"),
        ({"days_of_week": "Monday"}, "$.schedule", "needs start_date"),
        ({"start_date": "2020-03-02T03:00", "days_of_week": "Monday", "every": 1},
         "$.schedule.every", "unknown schedule option"),
    ],
)  # fmt: skip
def test_bad_schedules_are_refused_naming_where(
    block: dict[str, Any], path: str, words: str
) -> None:
    """Each mistake is one InputError naming its JSON path and what was expected."""
    with pytest.raises(InputError) as caught:
        parse_schedule(block, "p.yaml")
    assert caught.value.path.startswith(path)
    assert words in caught.value.message
