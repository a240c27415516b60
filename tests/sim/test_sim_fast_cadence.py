"""The fast engine's acts do not hold the other nodes in flight (no wait inside a restart)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from runner.rehearsal.compose import rehearse
from runner.timing import POLL_REBOOT_SECONDS
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_waves_restarts_follow_each_other_without_the_reboot_poll_between() -> None:
    """In the 64-node SAN fast run the 28 nodes of wave 1 are restarted as their drains end,
    not one reboot poll (30 s) after another: every gap is shorter, and the last of them is
    restarted less than 27 reboot polls after the first."""
    scenario = load_scenario(ROOT / "scenarios" / "fast-sixty-four-node-san.yaml")
    report = rehearse(scenario).report.to_dict()
    first = report["waves"]["run"][0]["nodes"]
    by_name = {node["name"]: node for node in report["nodes"]}
    starts = sorted(by_name[name]["timing"]["reboot"][0] for name in first)
    assert len(starts) == 28
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert max(gaps) < POLL_REBOOT_SECONDS
    assert starts[-1] - starts[0] < 27 * POLL_REBOOT_SECONDS
