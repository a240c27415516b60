"""The system clock, the recorder's phase timing, and the report's JSON shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from runner.clock import SystemClock
from runner.profile import Profile
from runner.recorder import Recorder
from runner.report import NodeReport, RunEvent, RunReport, iso_utc
from runner.transport import Clock
from runner.types import BootType, SummaryStatus, UpdateResult


def test_system_clock_is_monotonic_and_sleeps() -> None:
    """SystemClock implements Clock; sleep waits at least the time asked, 0 returns at once."""
    clock: Clock = SystemClock()
    before = clock.now()
    clock.sleep(0)
    clock.sleep(0.01)
    assert clock.now() - before >= 0.01


def test_recorder_keeps_only_the_last_attempt_and_first_start_of_a_phase() -> None:
    """A phase entered twice in one attempt keeps its first start; a new attempt forgets."""
    t = [0.0]
    seen: list[RunEvent] = []
    rec = Recorder(lambda: t[0], seen.append)
    rec.new_attempt("n1", 1)
    rec.phase_start("n1", "drain")
    t[0] = 10.0
    rec.phase_start("n1", "install")  # closes drain
    t[0] = 20.0
    rec.phase_start("n1", "reboot")
    t[0] = 30.0
    rec.phase_start("n1", "install")  # second pass
    t[0] = 40.0
    rec.phase_end("n1", "1 installed, 0 failed")
    assert rec.timing("n1") == (
        ("drain", 0.0, 10.0),
        ("install", 10.0, 40.0),
        ("reboot", 20.0, 30.0),
    )
    rec.new_attempt("n1", 2)
    assert rec.timing("n1") == ()
    assert [e.kind for e in seen].count("phase-start") == 4
    assert [e.kind for e in seen].count("phase-end") == 4


def test_iso_utc_has_z_and_milliseconds_only_when_needed() -> None:
    """Timestamps are UTC with a Z; fractions appear as milliseconds."""
    at = datetime(2026, 1, 13, 2, 0, 0, tzinfo=UTC)
    assert iso_utc(at) == "2026-01-13T02:00:00Z"
    assert iso_utc(at + timedelta(seconds=1.5)) == "2026-01-13T02:00:01.500Z"
    cet = at.astimezone(timezone(timedelta(hours=1)))
    assert iso_utc(cet) == "2026-01-13T02:00:00Z"


def test_node_report_orders_phases_and_maps_empty_hresult_to_null() -> None:
    """Timing follows pipeline order; hresult '' becomes null; times round to 3 decimals."""
    node = NodeReport(
        name="n1",
        status=SummaryStatus.SUCCEEDED,
        attempts=1,
        restarts=1,
        boot_type=BootType.SOFT,
        updates=(UpdateResult(id="KB1", title="CU", result="Succeeded"),),
        timing=(("install", 10.12345, 20.0), ("drain", 1.0, 10.12345)),
    )
    d = node.to_dict()
    assert list(d["timing"]) == ["drain", "install"]
    assert d["timing"]["drain"] == [1.0, 10.123]
    assert d["updates"][0]["hresult"] is None
    assert d["boot_type"] == "SoftBoot"


def test_run_report_key_order_and_policy() -> None:
    """RunReport.to_dict has the agreed keys in order; policy comes from the profile."""
    at = datetime(2026, 1, 13, 2, 0, 0, tzinfo=UTC)
    report = RunReport(
        run_id="r",
        cluster="c",
        profile=Profile(policy="classic").resolved(("n1",)),
        started_at=at,
        finished_at=at,
        duration_seconds=0.0,
        status=SummaryStatus.SUCCEEDED,
    )
    d = report.to_dict()
    assert list(d)[:6] == ["schema_version", "run_id", "cluster", "mode", "policy", "profile"]
    assert (d["mode"], d["policy"], d["nodes"], d["events"]) == ("rolling", "classic", [], [])
