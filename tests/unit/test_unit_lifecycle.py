"""The node lifecycle transition table: legal moves only, every live step can end."""

from __future__ import annotations

import pytest

from runner.lifecycle import (
    LIVE_STEPS,
    TERMINAL_STEPS,
    TRANSITIONS,
    IllegalTransition,
    NodeStep,
    Outcome,
    advance,
)


def test_pipeline_order_is_the_cau_order() -> None:
    """Following OK from WAITING walks CAU's per-node pipeline (reference §3.1 step 4)."""
    path = [NodeStep.WAITING]
    outcomes = [Outcome.OK] * 5 + [
        Outcome.RESTART,
        Outcome.OK,
        Outcome.OK,
        Outcome.OK,
        Outcome.OK,
        Outcome.OK,
    ]
    for outcome in outcomes:
        path.append(advance(path[-1], outcome))
    assert path == [
        NodeStep.WAITING,
        NodeStep.PRE_SCRIPT,
        NodeStep.SCAN,
        NodeStep.STORAGE_WAIT,
        NodeStep.DRAIN,
        NodeStep.INSTALL,
        NodeStep.REBOOT,
        NodeStep.RESCAN,
        NodeStep.RESUME,
        NodeStep.RESYNC,
        NodeStep.POST_SCRIPT,
        NodeStep.DONE,
    ]


def test_illegal_transition_raises_and_names_the_move() -> None:
    """A move not in the table raises IllegalTransition."""
    with pytest.raises(IllegalTransition, match="no transition from done on ok"):
        advance(NodeStep.DONE, Outcome.OK)
    with pytest.raises(IllegalTransition):
        advance(NodeStep.RESUME, Outcome.STOP)  # a resume always completes


@pytest.mark.parametrize("step", sorted(LIVE_STEPS))
def test_every_live_step_can_fail_or_end(step: NodeStep) -> None:
    """Every live step has a way out on failure (or cannot fail), so no node hangs in it."""
    exits = {o for (s, o) in TRANSITIONS if s is step}
    assert exits, f"{step} has no exit"
    assert exits & {Outcome.FAILED, Outcome.CANCEL, Outcome.GIVE_UP, Outcome.LOST, Outcome.OK}


def test_terminal_steps_have_no_exit() -> None:
    """Terminal steps are final."""
    assert not [s for (s, _) in TRANSITIONS if s in TERMINAL_STEPS]


def test_steps_where_the_node_is_out_never_stop_without_recovering() -> None:
    """StopAfter while the node is out goes through RECOVER (resume), never straight out."""
    for step in (NodeStep.DRAIN, NodeStep.INSTALL, NodeStep.REBOOT, NodeStep.RESCAN):
        assert advance(step, Outcome.STOP) is NodeStep.RECOVER
    assert (NodeStep.RESUME, Outcome.STOP) not in TRANSITIONS  # a resume is completed
