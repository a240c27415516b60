"""The run-level decisions (budgets, WarnAfter/StopAfter, next node), the default node
order and a node's SummaryStatus — over literal values, no I/O."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runner.actions import Action, BeginNode, CancelRun, Finish, StopAfter, WarnAfter
from runner.decisions import decide, node_order, node_status
from runner.lifecycle import NodeStep
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.types import (
    ClusterView,
    NodeState,
    NodeView,
    RoleView,
    SummaryStatus,
    UpdateResult,
    WitnessType,
    WitnessView,
)

UP, DOWN = NodeState.UP, NodeState.DOWN
PROFILE = Profile().resolved(("node1", "node2", "node3"))
OK1 = UpdateResult(id="KB1", title="CU", result="Succeeded", restart_required=True)
BAD1 = UpdateResult(id="KB1", title="CU", result="Failed", hresult="0x80240022")


def view() -> ClusterView:
    return ClusterView(
        cluster="hci01",
        taken_at=0.0,
        nodes=tuple(NodeView(name=f"node{i}", state=UP) for i in (1, 2, 3)),
        witness=WitnessView(type=WitnessType.CLOUD, online=True),
    )


RUN_CASES = [
    ("next node", RunProgress(now=0.0, remaining=("node2",)), PROFILE, BeginNode(node="node2")),
    ("all done", RunProgress(now=0.0), PROFILE, Finish()),
    (
        "failed within budget",
        RunProgress(now=0.0, failed_nodes=1, remaining=("node2",)),
        PROFILE,
        BeginNode(node="node2"),
    ),
    (
        "failed beyond budget",
        RunProgress(now=0.0, failed_nodes=2, remaining=("node2",)),
        PROFILE,
        CancelRun(
            error_id="MaxFailedNodesExceeded",
            detail="2 node(s) failed; MaxFailedNodes is 1",
            event_id=1019,
        ),
    ),
    (
        "stop after",
        RunProgress(now=600.0, remaining=("node2",)),
        replace(PROFILE, stop_after_minutes=10),
        StopAfter(),
    ),
    (
        "warn after",
        RunProgress(now=300.0, remaining=("node2",)),
        replace(PROFILE, warn_after_minutes=5),
        WarnAfter(),
    ),
    (
        "warned once",
        RunProgress(now=300.0, warned=True, remaining=("node2",)),
        replace(PROFILE, warn_after_minutes=5),
        BeginNode(node="node2"),
    ),
    ("stopping ends", RunProgress(now=0.0, stopping=True, remaining=("node2",)), PROFILE, Finish()),
    (
        "unreachable too long",
        RunProgress(now=3600.0, stale=True, unreachable_since=0.0, remaining=("node2",)),
        PROFILE,
        CancelRun(error_id="ClusterUnreachable", detail="the cluster does not answer"),
    ),
]


@pytest.mark.parametrize(
    ("progress", "profile", "expected"),
    [pytest.param(p, pr, e, id=case) for case, p, pr, e in RUN_CASES],
)
def test_run_level_decisions(progress: RunProgress, profile: Profile, expected: Action) -> None:
    """Run-level rules: next node, budgets, WarnAfter/StopAfter, reachability."""
    assert decide(view(), progress, profile) == expected


def test_default_order_fewest_roles_then_name_down_nodes_last() -> None:
    """Fewest roles first, ties by natural name order, explicit order first, Down nodes last."""
    nodes = tuple(
        NodeView(name=n, state=DOWN if n == "node1" else UP)
        for n in ("node1", "node2", "node10", "node3")
    )
    roles = (
        *tuple(RoleView(name=f"vm{i}", owner="node3") for i in range(2)),
        RoleView(name="vmx", owner="node10"),
    )
    v = ClusterView(cluster="c", taken_at=0.0, nodes=nodes, roles=roles)
    assert node_order(v, Profile()) == ("node2", "node10", "node3", "node1")
    assert node_order(v, Profile(node_order=("node3",))) == ("node3", "node2", "node10", "node1")


STATUS_CASES = [
    (NodeStep.DONE, (OK1,), 1, False, SummaryStatus.SUCCEEDED),
    (NodeStep.DONE, (), 0, False, SummaryStatus.SUCCEEDED),
    (NodeStep.FAILED, (BAD1,), 3, False, SummaryStatus.FAILED),
    (NodeStep.FAILED, (OK1, replace(BAD1, id="KB2")), 3, False, SummaryStatus.PARTIALLY_FAILED),
    (NodeStep.FAILED, (OK1,), 1, False, SummaryStatus.FAILED),
    (NodeStep.STOPPED, (), 0, False, SummaryStatus.CANCELED),
    (NodeStep.STOPPED, (OK1,), 1, True, SummaryStatus.SUCCEEDED),
    (NodeStep.STOPPED, (), 1, False, SummaryStatus.CANCELED),  # stopped before disrupted
    (NodeStep.STOPPED, (BAD1,), 1, False, SummaryStatus.FAILED),
    (NodeStep.CANCELED, (), 0, False, SummaryStatus.CANCELED),
]


@pytest.mark.parametrize(("step", "results", "attempt", "updated", "expected"), STATUS_CASES)
def test_node_summary_status(
    step: NodeStep,
    results: tuple[UpdateResult, ...],
    attempt: int,
    updated: bool,
    expected: SummaryStatus,
) -> None:
    """SummaryStatus: Succeeded, PartiallyFailed (mixed results), Failed, Canceled."""
    n = NodeProgress(name="n", step=step, results=results, attempt=attempt, updated=updated)
    assert node_status(n) is expected


@pytest.mark.parametrize(
    "disrupted",
    [{"error": "drain of n failed"}, {"suspend_issued": True}, {"paused_by_us": True}],
)
def test_a_node_stopped_after_it_was_disrupted_is_failed(disrupted: dict[str, object]) -> None:
    """A node stopped mid-attempt after its drain (or a failed step) is Failed, not Canceled:
    Canceled means the run stopped before operating on it."""
    n = NodeProgress(name="n", step=NodeStep.STOPPED, attempt=1, **disrupted)  # type: ignore[arg-type]
    assert node_status(n) is SummaryStatus.FAILED
