"""Per-node rules the known issues add to the decision core: update loop, second restart,
and the OS build stated on a confirmed restart."""

from __future__ import annotations

from literal_views import H_SCAN, KB1, OK1, PAUSED, PROFILE, node, run, view

from runner.actions import Advance
from runner.decisions import decide
from runner.known_issues import os_version_label
from runner.lifecycle import TRANSITIONS, NodeStep, Outcome
from runner.step_rules import MAX_INSTALL_PASSES, UPDATE_LOOP_ERROR
from runner.types import ClusterView, NodeView, WorkProgress, WorkState


def scanned(offered: tuple[object, ...] = (), *, pending: bool = False) -> WorkProgress:
    return WorkProgress(
        handle=H_SCAN,
        state=WorkState.SUCCEEDED,
        offered=offered,  # type: ignore[arg-type]
        restart_required=pending,
    )


def test_rescan_with_a_restart_still_pending_restarts_again() -> None:
    """A re-scan reporting a pending restart (and nothing new) goes back to REBOOT."""
    rescan = node(
        NodeStep.RESCAN, results=(OK1,), restarts=1, handle=H_SCAN, work=scanned(pending=True)
    )
    action = decide(view(PAUSED), run(rescan), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.RESTART
    assert TRANSITIONS[(NodeStep.RESCAN, Outcome.RESTART)] is NodeStep.REBOOT


def test_a_restart_pending_forever_fails_the_node() -> None:
    """The second-restart rule is bounded: pending after too many restarts fails the node."""
    rescan = node(
        NodeStep.RESCAN,
        results=(OK1,),
        restarts=MAX_INSTALL_PASSES + 1,
        handle=H_SCAN,
        work=scanned(pending=True),
    )
    action = decide(view(PAUSED), run(rescan), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert "still pending" in action.error


def test_rescan_without_pending_restart_resumes() -> None:
    """No pending restart and nothing new: the node goes on to resume."""
    rescan = node(NodeStep.RESCAN, results=(OK1,), restarts=1, handle=H_SCAN, work=scanned())
    action = decide(view(PAUSED), run(rescan), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.OK


def test_update_loop_fails_the_node_and_recover_does_not_retry() -> None:
    """A re-offered succeeded update fails the attempt; RECOVER then gives up, not retries."""
    rescan = node(NodeStep.RESCAN, results=(OK1,), handle=H_SCAN, work=scanned((KB1,)))
    action = decide(view(PAUSED), run(rescan), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert action.error.startswith(UPDATE_LOOP_ERROR)
    looped = node(NodeStep.RECOVER, attempt=1, error=action.error)
    other = node(NodeStep.RECOVER, attempt=1, error="install failed")
    assert PROFILE.max_retries_per_node > 1
    loop_next = decide(view(), run(looped), PROFILE)
    other_next = decide(view(), run(other), PROFILE)
    assert isinstance(loop_next, Advance)
    assert isinstance(other_next, Advance)
    assert (loop_next.outcome, other_next.outcome) == (Outcome.GIVE_UP, Outcome.RETRY)


def test_confirmed_restart_states_the_build_the_node_runs() -> None:
    """Event 1011's detail names the observed OS build and its Azure Stack HCI version."""
    base = view(PAUSED, boot="b2")
    nodes = tuple(
        NodeView(name=n.name, state=n.state, boot_id=n.boot_id, os_build="20348.288")
        if n.name == "node1"
        else n
        for n in base.nodes
    )
    seen = ClusterView(cluster=base.cluster, taken_at=0.0, nodes=nodes)
    reboot = node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=90.0)
    action = decide(seen, run(reboot), PROFILE)
    assert isinstance(action, Advance)
    assert action.detail.endswith("runs OS build 20348.288 (version 21H2)")
    assert os_version_label("10.0") == "10.0"
