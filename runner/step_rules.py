"""What every per-step decision shares: the ``Advance`` builder, the node as observed, and
the bounds that end a step that keeps failing.

Owns: ``adv`` (an ``Advance`` of the node in flight), ``node_view`` (an evicted node reads
Unknown and unreachable), ``BACK_STATES`` (a node back from a restart), the loop bounds
(``MAX_COMMAND_FAILURES``, ``MAX_INSTALL_PASSES``) and ``UPDATE_LOOP_ERROR`` (the error that
fails a node without a retry).

Theory of operation: ``runner.maintenance_steps`` and ``runner.work_steps`` are siblings that
never import each other; what both need lives here (and the clock rules in
``runner.timing``), so a change to one step family cannot reach into the other.

Must not: do I/O, decide anything about a step, or read a clock.
"""

from __future__ import annotations

from runner.actions import Advance
from runner.lifecycle import Outcome
from runner.progress import NodeProgress
from runner.types import ClusterView, NodeState, NodeView, UpdateInfo, UpdateResult

__all__ = [
    "BACK_STATES",
    "MAX_COMMAND_FAILURES",
    "MAX_INSTALL_PASSES",
    "UPDATE_LOOP_ERROR",
    "adv",
    "node_view",
]

MAX_INSTALL_PASSES = 10  # install → restart → re-scan loops on one node (update-loop guard)
UPDATE_LOOP_ERROR = "update loop detected"  # a node failed so is not retried
MAX_COMMAND_FAILURES = 3  # refused suspend/resume/restart commands before the step fails
BACK_STATES = (NodeState.PAUSED, NodeState.UP)  # a node that is back from a restart


def node_view(view: ClusterView, name: str) -> NodeView:
    """The node as observed; a node missing from the view (evicted) is Unknown, unreachable."""
    try:
        return view.node(name)
    except KeyError:
        return NodeView(name=name, state=NodeState.UNKNOWN, reachable=False)


def adv(
    node: NodeProgress,
    outcome: Outcome,
    *,
    error: str = "",
    event_id: int | None = None,
    detail: str = "",
    note: str = "",
    offered: tuple[UpdateInfo, ...] | None = None,
    results: tuple[UpdateResult, ...] = (),
    cancel_run: str | None = None,
    restart_owed: bool = False,
) -> Advance:
    """End ``node``'s current step with ``outcome`` (``runner.lifecycle`` says where it goes);
    ``event_id``/``detail`` name the CAU event the engine records, ``cancel_run`` the run's
    ErrorId when the outcome cancels the run, ``restart_owed`` that the node owes a restart
    whatever its installs say (a scan found one pending)."""
    return Advance(
        node=node.name,
        outcome=outcome,
        error=error,
        event_id=event_id,
        detail=detail,
        note=note,
        offered=offered,
        results=results,
        cancel_run=cancel_run,
        restart_owed=restart_owed,
    )
