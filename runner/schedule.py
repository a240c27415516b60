"""CAU's self-updating schedules: when a run fires (Add-CauClusterRole's MonthlyDayOfWeek and
Weekly parameter sets).

Owns: ``Schedule`` (start date, days of week, and either weeks of month or an interval in
weeks, with the time zone the times are in), ``parse_schedule`` (a profile's ``schedule:``
block or the command line's options → ``Schedule``; ``InputError`` with the JSON path), the
flag values of ``DaysOfWeek`` (Sunday 0x01 … Saturday 0x40), and ``Schedule.firings`` — the
firing times at or after a moment, in order.

Theory of operation (CAU's semantics, reference cau.md §1.4):
- ``start_date`` is the earliest moment a run may fire; every firing happens at its time of
  day.
- Monthly (``weeks_of_month``): on each weekday of ``days_of_week`` in week 1–4 of the month
  (the nth such weekday) or 5 (the last such weekday), every month.
- Weekly (``interval_weeks``, default 1): on each weekday of ``days_of_week`` in every Nth week,
  counting weeks Sunday to Saturday from the week that holds ``start_date``.
- Time zones are explicit: an offset in ``start_date`` (fixed), or ``time_zone`` (an IANA
  name; daylight saving follows the zone — a time the spring-forward shift skips fires at
  the same instant on the new offset), else the cluster's local time (naive times, said so
  wherever they are shown). A schedule that would not fire within a year of its start is
  bad input (a typo must not leave a cluster unpatched in silence).

Must not: read a clock (callers pass the moment to look from), sleep, or know about runs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runner.errors import InputError

__all__ = ["DAY_FLAGS", "LOCAL_TIME", "Schedule", "parse_days", "parse_schedule"]

# DaysOfWeek flag values (Weekdays enum of the ClusterAwareUpdating module).
DAY_FLAGS = {
    "Sunday": 0x01,
    "Monday": 0x02,
    "Tuesday": 0x04,
    "Wednesday": 0x08,
    "Thursday": 0x10,
    "Friday": 0x20,
    "Saturday": 0x40,
}
_WEEKDAY = {
    "Monday": 0,
    "Tuesday": 1,
    "Wednesday": 2,
    "Thursday": 3,
    "Friday": 4,
    "Saturday": 5,
    "Sunday": 6,
}  # fmt: skip  (datetime.weekday numbering)
LAST_WEEK = 5
LOCAL_TIME = "the cluster's local time"
_HORIZON = timedelta(days=366)  # a schedule must fire within a year of its start


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """When self-updating runs fire (see the module docstring)."""

    start: datetime  # aware when an offset or a time zone was given, else naive (local)
    days: tuple[str, ...]  # weekday names, Sunday first
    weeks_of_month: tuple[int, ...] = ()  # 1–4, 5 = last; empty = weekly
    interval_weeks: int = 1
    time_zone: str = ""  # IANA name, when given

    @property
    def zone_label(self) -> str:
        """In which time the firings are: the zone's name, the fixed offset, or local time."""
        if self.time_zone:
            return self.time_zone
        if self.start.tzinfo is not None:
            offset = self.start.utcoffset() or timedelta(0)
            return f"UTC{_format_offset(offset)}"
        return LOCAL_TIME

    def firings(self, after: datetime, *, within: timedelta = _HORIZON) -> Iterator[datetime]:
        """The firings at or after ``after`` (never before ``start``), in order, up to
        ``within`` later (a year by default: a schedule fires within a year or is refused)."""
        frm = max(self._comparable(after), self.start)
        day = frm.date()
        last = day + within
        while day <= last:
            for moment in self._on(day):
                if moment >= frm:
                    yield moment
            day += timedelta(days=1)

    def _on(self, day: date) -> list[datetime]:
        """The firing on calendar ``day`` (zero or one), at the start's time of day."""
        name = calendar.day_name[day.weekday()]
        if name not in self.days or not self._week_matches(day):
            return []
        if not self.time_zone:
            return [datetime.combine(day, self.start.time(), tzinfo=self.start.tzinfo)]
        zone = ZoneInfo(self.time_zone)
        # Through UTC and back: a local time the spring-forward shift skips fires at the same
        # instant on the new offset; an ambiguous one (fall back) at its first occurrence.
        moment = datetime.combine(day, self.start.time(), tzinfo=zone)
        return [moment.astimezone(UTC).astimezone(zone)]

    def _week_matches(self, day: date) -> bool:
        if self.weeks_of_month:
            nth = (day.day - 1) // 7 + 1
            last = day.day + 7 > calendar.monthrange(day.year, day.month)[1]
            return nth in self.weeks_of_month or (last and LAST_WEEK in self.weeks_of_month)
        first_sunday = _sunday_of(self.start.date())
        weeks = (_sunday_of(day) - first_sunday).days // 7
        return weeks % self.interval_weeks == 0

    def _comparable(self, moment: datetime) -> datetime:
        """``moment`` in the schedule's kind of time (aware or naive)."""
        if self.start.tzinfo is None:
            return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.start.tzinfo)
        return moment.astimezone(self.start.tzinfo)


def _sunday_of(day: date) -> date:
    """The Sunday that opens ``day``'s week (weeks run Sunday to Saturday, as DaysOfWeek)."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_days(value: Any, source: str, path: str) -> tuple[str, ...]:
    """``days_of_week`` as weekday names (Sunday first): a name, a list of names, a
    comma-separated string, or CAU's flag value (an integer, or a string like ``0x14``)."""
    flags = 0
    items: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if isinstance(item, bool):
            raise InputError(source, path, "expected weekday names or a DaysOfWeek flag value")
        if isinstance(item, int):
            flags |= _flag_value(item, source, path)
            continue
        if not isinstance(item, str):
            raise InputError(source, path, "expected weekday names or a DaysOfWeek flag value")
        for word in (w.strip() for w in item.split(",") if w.strip()):
            if word.lower().startswith("0x") or word.isdigit():
                flags |= _flag_value(int(word, 0), source, path)
            elif word.capitalize() in DAY_FLAGS:
                flags |= DAY_FLAGS[word.capitalize()]
            elif word.capitalize() != "None":
                names = ", ".join(DAY_FLAGS)
                raise InputError(source, path, f"unknown weekday {word!r} (expected {names})")
    return tuple(name for name, bit in DAY_FLAGS.items() if flags & bit)


def _flag_value(value: int, source: str, path: str) -> int:
    if not 0 <= value <= 0x7F:
        raise InputError(source, path, "a DaysOfWeek flag value is between 0x00 and 0x7F")
    return value


def _start(value: Any, time_zone: str, source: str, path: str) -> datetime:
    if isinstance(value, datetime):
        start = value
    elif isinstance(value, str):
        try:
            start = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(
                source, path, "expected an ISO 8601 date and time, e.g. 2020-03-02T03:00"
            ) from None
    else:
        raise InputError(source, path, "expected an ISO 8601 date and time, e.g. 2020-03-02T03:00")
    if time_zone:
        if start.tzinfo is not None:
            raise InputError(
                source, path, "give either a UTC offset in start_date or time_zone, not both"
            )
        start = start.replace(tzinfo=_zone(time_zone, source, path.rsplit(".", 1)[0]))
    return start


def _zone(name: str, source: str, path: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            source, f"{path}.time_zone", f"unknown time zone {name!r} (an IANA name)"
        ) from None


def parse_schedule(
    data: Mapping[str, Any], source: str = "profile", path: str = "$.schedule"
) -> Schedule:
    """A ``Schedule`` from a ``schedule:`` mapping (snake_case CAU names); ``InputError``
    naming the JSON path for anything CAU would not accept or that never fires."""
    known = {"start_date", "days_of_week", "weeks_of_month", "interval_weeks", "time_zone"}
    for key in data:
        if key not in known:
            raise InputError(
                source,
                f"{path}.{key}",
                f"unknown schedule option (expected {', '.join(sorted(known))})",
            )
    if "start_date" not in data or "days_of_week" not in data:
        raise InputError(source, path, "a schedule needs start_date and days_of_week")
    time_zone = data.get("time_zone") or ""
    if not isinstance(time_zone, str):
        raise InputError(source, f"{path}.time_zone", "expected an IANA time zone name")
    start = _start(data["start_date"], time_zone, source, f"{path}.start_date")
    days = parse_days(data["days_of_week"], source, f"{path}.days_of_week")
    weeks = data.get("weeks_of_month")
    interval = data.get("interval_weeks")
    if weeks is not None and interval is not None:
        raise InputError(
            source, path, "give weeks_of_month (monthly) or interval_weeks (weekly), not both"
        )
    weeks_of_month: tuple[int, ...] = ()
    if weeks is not None:
        listed = weeks if isinstance(weeks, list | tuple) else [weeks]
        for index, week in enumerate(listed):
            if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= LAST_WEEK:
                raise InputError(
                    source, f"{path}.weeks_of_month[{index}]" if isinstance(weeks, list | tuple)
                    else f"{path}.weeks_of_month",
                    "weeks of the month are 1–4, or 5 for the last week",
                )  # fmt: skip
        weeks_of_month = tuple(sorted(set(listed)))
    interval_weeks = 1
    if interval is not None:
        if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= 52:
            raise InputError(
                source, f"{path}.interval_weeks", "expected a whole number of weeks from 1 to 52"
            )
        interval_weeks = interval
    schedule = Schedule(
        start=start, days=days, weeks_of_month=weeks_of_month, interval_weeks=interval_weeks,
        time_zone=time_zone,
    )  # fmt: skip
    if next(schedule.firings(start), None) is None:
        raise InputError(source, path, "this schedule never fires within a year of its start_date")
    return schedule
