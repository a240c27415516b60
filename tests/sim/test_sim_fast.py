"""The fast policy's wave engine against the simulator: several nodes in flight at once,
each along the classic lifecycle, judged by the same oracle."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from sim_driver import make_scenario

from runner.rehearsal.compose import rehearse
from runner.rehearsal.results import Rehearsal
from runner.types import WitnessType
from simulator.model import FaultSpec, Scenario


def san(n: int, **profile: Any) -> Scenario:
    """An n-node SAN cluster (no S2D) with a file-share witness and two 16 GB VMs a node."""
    scenario = make_scenario(n, witness=WitnessType.FILE_SHARE, resiliency=None, memory_gb=256)
    return replace(scenario, profile=MappingProxyType({"policy": "fast", **profile}))


def most_out_at_once(rehearsal: Rehearsal) -> int:
    """The most nodes the world saw out of service because of the runner at one instant."""
    oracle = rehearsal.world.oracle
    edges = sorted(
        [(start, 1) for _, start, _ in oracle.out_intervals]
        + [(end, -1) for _, _, end in oracle.out_intervals],
        key=lambda e: (e[0], e[1]),
    )
    most = out = 0
    for _, delta in edges:
        out += delta
        most = max(most, out)
    return most


def holds(rehearsal: Rehearsal) -> bool:
    return all(v["holds"] for v in rehearsal.simulation.to_dict()["invariants"].values())


def test_two_nodes_in_flight_halve_the_turns() -> None:
    """Six SAN nodes with max_nodes_out 2: three waves of two, both nodes of a wave out at
    the same time, every invariant holds, and the run is shorter than classic's."""
    fast = rehearse(san(6, max_nodes_out=2))
    classic = rehearse(replace(san(6), profile=MappingProxyType({})))
    assert fast.status == classic.status == "Succeeded"
    assert holds(fast)
    waves = fast.report.to_dict()["waves"]
    assert [w["nodes"] for w in waves["run"]] == [
        ["node1", "node2"],
        ["node3", "node4"],
        ["node5", "node6"],
    ]
    assert waves["planned"] == [w["nodes"] for w in waves["run"]]
    assert most_out_at_once(fast) == 2
    assert most_out_at_once(classic) == 1
    assert fast.report.duration_seconds < 0.6 * classic.report.duration_seconds
    assert "waves" not in classic.report.to_dict()


def test_auto_takes_three_out_where_quorum_allows_three() -> None:
    """Eight nodes and a witness with auto: three out plus one failure keep quorum, four
    would not — waves of 3, 3, 2 with three nodes in flight at once."""
    fast = rehearse(san(8, max_nodes_out="auto"))
    assert fast.status == "Succeeded"
    assert holds(fast)
    run = fast.report.to_dict()["waves"]["run"]
    assert [len(w["nodes"]) for w in run] == [3, 3, 2]
    assert run[0]["limited_by"].startswith("cluster quorum")
    assert most_out_at_once(fast) == 3
    kinds = [e.kind for e in fast.report.events if e.kind.startswith("wave")]
    assert kinds == ["wave-plan"] + ["wave-started", "wave-finished"] * 3
    started = [e for e in fast.report.events if e.kind == "wave-started"]
    assert [e.event_id for e in started] == [1050] * 3


def test_a_wave_waits_for_its_retried_node_before_the_next_begins() -> None:
    """node2's first install fails: it is retried within wave 1, and wave 2 begins only when
    node2 is done — the run still succeeds and no more than two nodes are ever out."""
    fault = FaultSpec(type="install-failure", node="node2", attempts=1)
    fast = rehearse(replace(san(6, max_nodes_out=2), faults=(fault,)))
    assert fast.status == "Succeeded"
    assert holds(fast)
    report = fast.report.to_dict()
    node2 = next(n for n in report["nodes"] if n["name"] == "node2")
    assert node2["attempts"] == 2
    first, second = report["waves"]["run"][:2]
    assert second["started"] >= first["finished"]
    assert most_out_at_once(fast) == 2


def test_a_coordinator_crash_mid_wave_resumes_the_wave() -> None:
    """The coordinator dies while wave 1 is in flight; the resumed run finishes both nodes
    of the wave from the journal, then the other waves, with every invariant holding."""
    crashed = rehearse(san(6, max_nodes_out=2), crash_at_step=40)
    plain = rehearse(san(6, max_nodes_out=2))
    assert crashed.status == "Succeeded"
    assert holds(crashed)
    crash = next(e.time for e in crashed.report.events if e.kind == "coordinator-crash")
    run = crashed.report.to_dict()["waves"]["run"]
    assert run[0]["started"] < crash < run[0]["finished"]
    assert [w["nodes"] for w in run] == [w["nodes"] for w in plain.report.to_dict()["waves"]["run"]]
    assert all(n["restarts"] == 1 for n in crashed.report.to_dict()["nodes"])
