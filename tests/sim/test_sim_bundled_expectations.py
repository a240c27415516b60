"""Every bundled scenario, simulated with its own seed, ends as its ``expect`` block says."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.rehearsal.compose import rehearse
from simulator.coordinator_role import PLACEMENT_INVARIANT
from simulator.expect import check_expectation
from simulator.margin_rule import safe_nodes_out
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.oracle import INVARIANTS
from simulator.oracle_margin import MARGIN_INVARIANT
from simulator.post_upgrade import VM_VERSION_INVARIANT
from simulator.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_expectation_holds(path: Path) -> None:
    """Status, error id, node statuses and every invariant are as the file expects: ten for
    a rolling run (plus mixed-mode-migration for a run whose cluster ran mixed versions,
    vm-version-downtime for one that upgraded VMs, coordinator-placement exactly for one
    with the self-updating role; redundancy-margin not applicable exactly where the whole
    cluster cannot lose two nodes), fourteen (four of its own, six rolling
    ones not applicable) offline."""
    scenario = load_scenario(path)
    report = rehearse(scenario).to_dict()
    assert check_expectation(scenario.expect, report) == []
    invariants = report["simulation"]["invariants"]
    judged = set(invariants)
    if report["mode"] == "offline":
        assert len(invariants) == 14
    else:
        extra = {MIXED_MODE_INVARIANT, VM_VERSION_INVARIANT, PLACEMENT_INVARIANT}
        assert set(INVARIANTS) <= judged <= {*INVARIANTS, *extra}
        assert (PLACEMENT_INVARIANT in judged) == (scenario.coordinator == "self-updating")
    waived = [name for name, v in invariants.items() if "not_applicable" in v]
    if report["mode"] == "offline":
        assert len(waived) == 6
    else:
        no_margin = safe_nodes_out(scenario).nodes == 0
        assert waived == ([MARGIN_INVARIANT] if no_margin else [])
    assert report["simulation"]["invariants"]["report-truth"]["holds"]
