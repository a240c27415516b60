"""CredSSP across a coordinator crash: the dead coordinator leaves it enabled (as a real
crash would), and the resumed run disables it at its end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.rehearsal.compose import rehearse
from simulator.scenario import load_scenario

SCENARIO = (
    Path(__file__).resolve().parents[2] / "scenarios" / "known-issue-credssp-left-enabled.yaml"
)


def _report_and_world(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    """A rehearsal's report JSON and its world (ground truth)."""
    rehearsal = rehearse(*args, **kwargs)
    return rehearsal.to_dict(), rehearsal.world


def test_resumed_run_disables_credssp_the_crashed_one_left_enabled() -> None:
    """Crash mid-run with enable_credssp: no disable before the crash, disabled at the end."""
    scenario = load_scenario(SCENARIO)
    report, world = _report_and_world(scenario, scenario.seed, crash_at_step=60)
    kinds = [kind for _, kind, _, _ in world.timeline]
    crash = kinds.index("coordinator-crash")
    credssp = [(i, d) for i, (_, k, _, d) in enumerate(world.timeline) if k == "credssp"]
    assert credssp, "CredSSP was never set"
    assert all(
        "off" not in d.lower() and "disabl" not in d.lower() for i, d in credssp if i < crash
    )
    assert report["simulation"]["credssp"]["enabled_at_end"] is False
    assert any(e["kind"] == "credssp-disabled" for e in report["events"])
    assert report["status"] == "Succeeded"
