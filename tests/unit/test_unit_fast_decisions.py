"""runner.fast_decisions.decide_fast: staging ahead and its hold, overdue polls first,
MaxFailedNodes mid-wave, and the status of a node stopped with its updates staged."""

from __future__ import annotations

from dataclasses import replace

from runner.actions import Advance, CancelRun, StartInstall, Suspend
from runner.capacity_types import CapacityFacts, HostMemory
from runner.decisions import node_status
from runner.fast_actions import BeginWave, StageAhead, WaitAll
from runner.fast_decisions import decide_fast
from runner.lifecycle import NodeStep, Outcome
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.types import (
    ClusterView,
    NodeState,
    NodeView,
    SummaryStatus,
    UpdateInfo,
    UpdateResult,
    WitnessType,
    WitnessView,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)

NAMES = tuple(f"node{i}" for i in range(1, 7))
PROFILE = Profile(policy="fast", max_nodes_out=2).resolved(NAMES)
CU = UpdateInfo(id="KB1", title="Cumulative Update")
VIEW = ClusterView(
    cluster="c",
    taken_at=0.0,
    nodes=tuple(NodeView(name=n, state=NodeState.UP) for n in NAMES),
    witness=WitnessView(type=WitnessType.FILE_SHARE, online=True),
)
FACTS = CapacityFacts(hosts=tuple(HostMemory(node=n, memory_gb=256) for n in NAMES))


def installing(name: str, state: WorkState, polled_at: float = 0.0) -> NodeProgress:
    """A node in STAGE whose install work (the CU, owing a restart) was last seen in
    ``state``."""
    handle = WorkHandle(id=f"i-{name}", node=name, kind=WorkKind.INSTALL)
    results = (
        UpdateResult(
            id="KB1", title="Cumulative Update", result="Succeeded", restart_required=True
        ),
    )
    done = state is WorkState.SUCCEEDED
    work = WorkProgress(
        handle=handle, state=state, results=results if done else (), restart_required=done
    )
    return NodeProgress(
        name=name, step=NodeStep.STAGE, attempt=1, entered_at=0.0, deadline=7200.0,
        handle=handle, work=work, offered=(CU,), initial_offer=(CU,), polled_at=polled_at,
    )  # fmt: skip


def nodes(**flying: NodeProgress) -> dict[str, NodeProgress]:
    out = {n: NodeProgress(name=n, initial_offer=(CU,)) for n in NAMES}
    out.update(flying)
    return out


def test_the_first_wave_takes_what_max_nodes_out_allows() -> None:
    """Nothing in flight: the next wave is admitted (two nodes, max_nodes_out 2)."""
    run = RunProgress(now=10.0, remaining=NAMES, view_at=10.0)
    action = decide_fast(VIEW, run, PROFILE, nodes(), FACTS)
    assert action == BeginWave(nodes=("node1", "node2"), limited_by="max_nodes_out 2")


def test_the_next_nodes_stage_ahead_as_many_as_the_wave_has() -> None:
    """Wave node1, node2 in flight: node3 and then node4 begin ahead, then no more; with a
    pre-update script nothing begins ahead."""
    flying = {"node1": installing("node1", WorkState.RUNNING, 5.0)}
    flying["node2"] = installing("node2", WorkState.RUNNING, 5.0)
    run = RunProgress(now=10.0, remaining=NAMES[2:], in_flight=("node1", "node2"))
    assert decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS) == StageAhead(node="node3")
    run = replace(run, staged=("node3", "node4"))
    assert not isinstance(decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS), StageAhead)
    scripted = replace(PROFILE, pre_update_script="C:\\pre.ps1")
    run = replace(run, staged=())
    assert not isinstance(decide_fast(VIEW, run, scripted, nodes(**flying), FACTS), StageAhead)


def test_a_node_staged_ahead_holds_before_its_drain() -> None:
    """node3's staged install is done: it would go on to the drain, so it holds; the run
    waits for the wave's installs instead."""
    flying = {n: installing(n, WorkState.RUNNING, 5.0) for n in ("node1", "node2")}
    flying["node3"] = installing("node3", WorkState.SUCCEEDED, 5.0)
    run = RunProgress(
        now=10.0, remaining=NAMES[2:], in_flight=("node1", "node2"), staged=("node3", "node4")
    )
    action = decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, WaitAll)
    assert [p.handle.node for p in action.polls] == ["node1", "node2"]


def test_the_wave_node_goes_on_to_its_drain_once_staged() -> None:
    """In its wave, a node whose staged install owes a restart goes on to STORAGE_WAIT."""
    flying = {"node1": installing("node1", WorkState.SUCCEEDED, 5.0)}
    run = RunProgress(now=10.0, remaining=(), in_flight=("node1",))
    action = decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, Advance)
    assert (action.node, action.outcome) == ("node1", Outcome.OK)


def test_the_most_neglected_node_is_served_first() -> None:
    """node1's install was last polled 60 s ago (more than two 15 s intervals: overdue);
    node2's install still has to start. node2's step began 30 s ago: node1's poll goes first,
    at once; node2's step began 100 s ago: its act goes first (no act starves behind polls
    overdue turn after turn); node1 polled 10 s ago: node2's act."""
    node2 = replace(installing("node2", WorkState.RUNNING), handle=None, entered_at=70.0)
    flying = {"node1": installing("node1", WorkState.RUNNING, polled_at=40.0), "node2": node2}
    run = RunProgress(now=100.0, remaining=(), in_flight=("node1", "node2"))
    action = decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, WaitAll)
    assert (action.seconds, [p.handle.node for p in action.polls]) == (0.0, ["node1"])
    older = {**flying, "node2": replace(node2, entered_at=0.0)}
    action = decide_fast(VIEW, run, PROFILE, nodes(**older), FACTS)
    assert isinstance(action, StartInstall)
    assert action.node == "node2"
    fresh = {**flying, "node1": installing("node1", WorkState.RUNNING, polled_at=90.0)}
    assert isinstance(decide_fast(VIEW, run, PROFILE, nodes(**fresh), FACTS), StartInstall)


def test_a_look_a_node_waits_for_is_served_too() -> None:
    """node1 waits to be suspended for a fresh view (taken 60 s ago); node2's install was
    last polled 40 s ago (overdue). The view is the older need: the turn polls node2 and
    looks at the cluster; with a view 20 s old node2's poll alone comes first."""
    ready = NodeProgress(
        name="node1", step=NodeStep.STORAGE_WAIT, attempt=1, entered_at=0.0, deadline=3600.0,
        initial_offer=(CU,), restart_pending=True, polled_at=30.0,
    )  # fmt: skip
    flying = {"node1": ready, "node2": installing("node2", WorkState.RUNNING, polled_at=60.0)}
    run = RunProgress(now=100.0, remaining=(), in_flight=("node1", "node2"), view_at=40.0)
    action = decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, WaitAll)
    assert (action.observe, [p.handle.node for p in action.polls]) == (True, ["node2"])
    action = decide_fast(VIEW, replace(run, view_at=80.0), PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, WaitAll)
    assert (action.observe, [p.handle.node for p in action.polls]) == (False, ["node2"])


def test_a_step_that_ends_comes_before_another_nodes_command() -> None:
    """Wave node1, node2: node1 is ready to be suspended (its step began first), node2's
    staged install just failed. node2's failure (an Advance) comes first, so MaxFailedNodes
    counts it before node1 is taken out (the rack sweep's failure-budget seeds 70 and 459:
    a node of the wave found Down)."""
    ready = NodeProgress(
        name="node1", step=NodeStep.STORAGE_WAIT, attempt=1, entered_at=0.0, deadline=3600.0,
        initial_offer=(CU,), restart_pending=True,
    )  # fmt: skip
    failed = replace(installing("node2", WorkState.FAILED), entered_at=90.0, polled_at=100.0)
    run = RunProgress(now=100.0, remaining=(), in_flight=("node1", "node2"), view_at=100.0)
    action = decide_fast(VIEW, run, PROFILE, nodes(node1=ready, node2=failed), FACTS)
    assert isinstance(action, Advance)
    assert (action.node, action.outcome) == ("node2", Outcome.FAILED)
    done = NodeProgress(name="node2", step=NodeStep.DONE)
    action = decide_fast(VIEW, run, PROFILE, nodes(node1=ready, node2=done), FACTS)
    assert isinstance(action, Suspend)
    assert action.node == "node1"


def test_a_work_never_polled_is_overdue_too() -> None:
    """node3, staged ahead, started its install at 0 s and was never polled (its first
    poll fell in a management outage): at 100 s it is overdue with node1 — else, while other
    nodes' polls are overdue turn after turn, its deadline would pass unpolled (the 64-node
    sweep's seed 408)."""
    never = replace(installing("node3", WorkState.RUNNING), work=None)
    flying = {"node1": installing("node1", WorkState.RUNNING, polled_at=40.0), "node3": never}
    run = RunProgress(now=100.0, remaining=NAMES[2:], in_flight=("node1",), staged=("node3",))
    action = decide_fast(VIEW, run, PROFILE, nodes(**flying), FACTS)
    assert isinstance(action, WaitAll)
    assert (action.seconds, [p.handle.node for p in action.polls]) == (0.0, ["node1", "node3"])
    started = {**flying, "node3": replace(never, entered_at=90.0)}
    action = decide_fast(VIEW, run, PROFILE, nodes(**started), FACTS)
    assert isinstance(action, WaitAll)
    assert [p.handle.node for p in action.polls] == ["node1"]


def test_max_failed_nodes_cancels_the_run_with_a_wave_in_flight() -> None:
    """Two nodes failed with MaxFailedNodes 1: the run is canceled at once (1019), even
    while node3 and node4 are in flight."""
    flying = {n: installing(n, WorkState.RUNNING, 5.0) for n in ("node3", "node4")}
    run = RunProgress(now=10.0, remaining=NAMES[4:], in_flight=("node3", "node4"), failed_nodes=2)
    action = decide_fast(VIEW, run, replace(PROFILE, max_failed_nodes=1), nodes(**flying), FACTS)
    assert isinstance(action, CancelRun)
    assert (action.error_id, action.event_id) == ("MaxFailedNodesExceeded", 1019)


def test_a_node_stopped_with_its_updates_staged_is_canceled() -> None:
    """Stopped before its drain with a staged update: Canceled (not Failed); once drained,
    or with a failed result, it is Failed as in classic."""
    ok = (UpdateResult(id="KB1", title="Cumulative Update", result="Succeeded"),)
    staged = NodeProgress(name="n", step=NodeStep.STOPPED, attempt=1, results=ok)
    assert node_status(staged) is SummaryStatus.CANCELED
    assert node_status(replace(staged, suspend_issued=True)) is SummaryStatus.FAILED
    bad = (replace(ok[0], result="Failed"),)
    assert node_status(replace(staged, results=bad)) is SummaryStatus.FAILED
