"""The static margin rule (most nodes out that keep a margin of one) and the lower bounds
of runs with several nodes out (simulator.margin_rule, simulator.bounds,
simulator.bounds_fast)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_driver import make_scenario

from runner.profile import Profile
from runner.types import Resiliency, WitnessType
from simulator.bounds import (
    lower_bound_seconds,
    node_out_seconds,
    wave_lower_bound_seconds,
)
from simulator.bounds_fast import fast_lower_bound_seconds, staged_spans
from simulator.margin_rule import safe_nodes_out
from simulator.model import NodeSpec, Scenario, UpdateSpec
from simulator.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def bundled(name: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml")


def profile_of(scenario: Scenario) -> Profile:
    return Profile.from_mapping(scenario.profile, source=None).resolved(scenario.cluster.node_names)


@pytest.mark.parametrize(
    ("name", "nodes", "why"),
    [
        ("eight-node-three-way-mirror", 1, "three-way-mirror volume vol01 tolerates 2"),
        ("sixteen-node-400-vms", 1, "three-way-mirror volume vol01 tolerates 2"),
        ("sixty-four-node-san", 31, "the VMs' memory would not survive one more failure with 32"),
        ("four-node-rolling", 0, "two-way-mirror volume vol01 tolerates 1"),
        ("two-node-cloud-witness", 0, "would not survive one more failure with 0 node(s) out"),
        ("fault-node-crash", 2, "cluster quorum would not survive one more failure with 3"),
    ],
)
def test_bundled_clusters_keep_a_margin_with_so_many_nodes_out(
    name: str, nodes: int, why: str
) -> None:
    """The most nodes out with a margin of one, and what forbids one more, per cluster."""
    safe = safe_nodes_out(bundled(name))
    assert safe.nodes == nodes
    assert why in safe.reason


def test_without_witness_two_voters_left_cannot_lose_one() -> None:
    """Five SAN nodes without witness: two out leave three voters (one may fail), three out
    leave two, one of them without a vote (dynamic quorum), so the limit is two."""
    scenario = make_scenario(5, witness=WitnessType.NONE, resiliency=None, vms_per_node=0)
    assert safe_nodes_out(scenario).nodes == 2


def test_a_three_way_mirror_of_five_nodes_keeps_a_margin_with_one_out() -> None:
    """Five three-way-mirror nodes: one node out at most (two away and one failing would
    exceed the volume's tolerance, and leave the pool 8 of its 21 votes)."""
    scenario = make_scenario(5, resiliency=Resiliency.THREE_WAY_MIRROR, vms_per_node=0)
    assert safe_nodes_out(scenario).nodes == 1


def test_rolling_bound_is_the_sum_of_the_nodes_spans() -> None:
    """One at a time, the wave bound is the classic lower bound: every node's span in turn."""
    scenario = bundled("eight-node-three-way-mirror")
    profile = profile_of(scenario)
    spans = [drain + own for drain, own in node_out_seconds(scenario, profile).values()]
    assert len(spans) == 8
    assert wave_lower_bound_seconds(scenario, profile, 1) == pytest.approx(sum(spans))
    assert lower_bound_seconds(scenario, profile) == pytest.approx(sum(spans))


def test_wave_bound_counts_whole_waves() -> None:
    """64 nodes (31 or 32 VMs each), 31 out at a time: three waves — the 63rd longest span
    three times — not 64 / 31 of one span; 64 at a time: the longest span."""
    scenario = bundled("sixty-four-node-san")
    profile = profile_of(scenario)
    spans = sorted((d + o for d, o in node_out_seconds(scenario, profile).values()), reverse=True)
    assert wave_lower_bound_seconds(scenario, profile, 31) == pytest.approx(3 * spans[62])
    assert 3 * spans[62] > sum(spans) / 31
    assert wave_lower_bound_seconds(scenario, profile, 64) == pytest.approx(spans[0])


def test_wave_bound_of_unequal_nodes_takes_the_total_or_the_longest() -> None:
    """Spans of 60, 30, 30 minutes, two at a time: the longest (60) beats the total over two
    (60) and two of the three longest in turn (2 x 30); three at a time: still 60."""
    nodes = tuple(
        NodeSpec(name=f"node{i}", boot_minutes=boot) for i, boot in enumerate((45, 15, 15), 1)
    )
    scenario = make_scenario(node_specs=nodes, resiliency=None, vms_per_node=0)
    profile = profile_of(scenario)
    spans = [d + o for d, o in node_out_seconds(scenario, profile).values()]
    assert spans == [3600.0, 1800.0, 1800.0]
    assert wave_lower_bound_seconds(scenario, profile, 2) == pytest.approx(3600.0)
    assert wave_lower_bound_seconds(scenario, profile, 3) == pytest.approx(3600.0)
    assert wave_lower_bound_seconds(scenario, profile, 1) == pytest.approx(7200.0)


def test_fast_bound_uses_the_margin_rule_and_a_numeric_limit() -> None:
    """Fast's own bound on SAN: at most the safe number of nodes out at once (a numeric
    max_nodes_out lowers it), without staging the wave bound plus a scan before the
    first drain and a re-scan in each of the three waves."""
    scenario = bundled("sixty-four-node-san")
    profile = profile_of(scenario)
    bound, nodes = fast_lower_bound_seconds(scenario, profile, staged=False)
    assert nodes == 31
    assert bound == pytest.approx(60.0 + wave_lower_bound_seconds(scenario, profile, 31) + 180.0)
    assert fast_lower_bound_seconds(scenario, profile, 8)[1] == 8
    mirror = bundled("four-node-rolling")
    assert fast_lower_bound_seconds(mirror, profile_of(mirror))[1] == 1


def test_staged_installs_leave_the_span_out_and_come_first() -> None:
    """Staged, each 64-node SAN node is out only for its drain, boot and one-minute re-scan,
    after its scan and 20-minute install: the bound is those plus three waves of the spans."""
    scenario = bundled("sixty-four-node-san")
    profile = profile_of(scenario)
    parts = staged_spans(scenario, profile)
    assert {stage for stage, _ in parts.values()} == {60.0 + 1200.0}
    spans = [span for _, span in parts.values()]
    outs = node_out_seconds(scenario, profile)
    assert spans == [drain + own - 1200.0 + 60.0 for drain, own in outs.values()]
    bound, _ = fast_lower_bound_seconds(scenario, profile)
    assert bound == pytest.approx(1260.0 + 3 * sorted(spans, reverse=True)[62])


def test_a_hotpatch_node_is_never_out() -> None:
    """An update that owes no restart is staged and needs no drain: no span out at all."""
    hotpatch = UpdateSpec(id="KB1", title="hotpatch", install_minutes=5, restart=False)
    scenario = make_scenario(3, resiliency=None, updates=(hotpatch,))
    assert set(staged_spans(scenario, profile_of(scenario)).values()) == {(60.0 + 300.0, 0.0)}


def test_s2d_spans_follow_one_another_each_resynced() -> None:
    """Eight three-way-mirror nodes (storage maintenance mode): spans one after another,
    each but the last followed by 120 MB/s written over the span, repaired at 400 MB/s."""
    scenario = bundled("eight-node-three-way-mirror")
    profile = profile_of(scenario)
    parts = staged_spans(scenario, profile)
    spans = [span for _, span in parts.values()]
    resyncs = [120.0 * span / 400.0 for span in spans]
    expected = 60.0 + 1200.0 + sum(spans) + sum(resyncs) - max(resyncs)
    assert fast_lower_bound_seconds(scenario, profile) == (pytest.approx(expected), 1)
