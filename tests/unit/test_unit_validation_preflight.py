"""The preflight's cluster validation: bounded wait, then the report file decides."""

from __future__ import annotations

from fake_cluster import FakeClock, FakeCluster, run_on

from runner.profile import Profile
from runner.types import ValidationReport

REPORT = "C:\\Windows\\Cluster\\Reports\\Validation Report 2026.01.13.htm"
PROFILE = Profile(validate_cluster=True, validation_timeout_minutes=10)


def _first_touch(cluster: FakeCluster) -> float:
    times = [t for t, call, _ in cluster.calls if call in ("suspend_node", "start_install")]
    return min(times)


def test_validation_passed_lets_the_run_go_on_after_it_ended() -> None:
    """Exit code 0 within the bound: the run succeeds, no node touched before it ended."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, _ = run_on(cluster, clock, PROFILE)
    assert report.status == "Succeeded"
    assert _first_touch(cluster) >= 120
    assert not cluster.log("read_validation_report")


def test_validation_failed_refuses_the_run_before_any_node() -> None:
    """A completed validation with a non-zero exit code refuses: ClusterValidationFailed."""
    clock = FakeClock()
    cluster = FakeCluster(clock, validation_exit=1)
    report, _ = run_on(cluster, clock, PROFILE)
    assert report.error_id == "ClusterValidationFailed"
    assert not cluster.log("suspend_node")
    assert not cluster.log("start_scan")


def test_stuck_validation_with_a_passed_report_goes_on_with_a_warning() -> None:
    """Still Running at the bound, report passed: a warning names the issue and the path."""
    clock = FakeClock()
    passed = ValidationReport(passed=True, path=REPORT, summary="ok")
    cluster = FakeCluster(clock, validation_exit=None, validation_report=passed)
    report, events = run_on(cluster, clock, PROFILE)
    assert report.status == "Succeeded"
    warnings = [e.detail for e in events if e.kind == "warning"]
    assert any("readiness-check-never-completes" in w and REPORT in w for w in warnings)
    ((read_at, _),) = cluster.log("read_validation_report")
    assert 600 <= read_at <= 600 + 30
    assert _first_touch(cluster) >= read_at


def test_stuck_validation_with_a_failed_or_missing_report_refuses() -> None:
    """Still Running at the bound, report failed or absent: ClusterValidationIncomplete."""
    failed = ValidationReport(passed=False, path=REPORT, summary="a test failed")
    for found in (failed, None):
        clock = FakeClock()
        cluster = FakeCluster(clock, validation_exit=None, validation_report=found)
        report, _ = run_on(cluster, clock, PROFILE)
        assert report.error_id == "ClusterValidationIncomplete"
        assert report.error is not None
        assert "readiness-check-never-completes" in report.error
        assert not cluster.log("suspend_node")
        assert not cluster.log("start_scan")


def test_validation_is_off_by_default() -> None:
    """Without validate_cluster no Test-Cluster runs."""
    clock = FakeClock()
    cluster = FakeCluster(clock, validation_exit=1)
    report, _ = run_on(cluster, clock)
    assert report.status == "Succeeded"
    assert not cluster.log("start_validation")
