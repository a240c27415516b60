"""What a resumed run needs to know before it goes on: pure rules over journaled state.

Owns: ``resumable_after_stop`` (a run an operator stopped — Ctrl-C, SIGTERM: Canceled with
``UserCanceled`` — may be resumed, although the journal says it ended), ``reopened`` (such a
run's state with the nodes it did not finish put back in line, each keeping its attempts,
results and any restart it owes; a node that ended Succeeded or Failed stays done; the end
reason forgotten) and ``foreign_pauses`` (the nodes someone else paused, to leave alone and
report). ``Engine.resume`` applies them.

Must not: do I/O, read a clock, or know the engine (it works on ``RunState`` and views).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from runner.decisions import node_status
from runner.journal import JournalRun
from runner.lifecycle import NodeStep
from runner.progress import NodeProgress
from runner.run_state import RunState
from runner.stop import USER_CANCELED
from runner.types import ClusterView, NodeState, SummaryStatus

__all__ = ["foreign_pauses", "reopened", "resumable_after_stop"]


def resumable_after_stop(run: JournalRun) -> bool:
    """Whether ``run`` ended because an operator stopped it: Canceled in the journal, yet it
    may be resumed from its last checkpoint."""
    state = run.state or {}
    return run.status == SummaryStatus.CANCELED.value and state.get("error_id") == USER_CANCELED


def reopened(state: RunState) -> tuple[RunState, list[str]]:
    """``state`` with its unfinished nodes back in line, in run order; those nodes' names."""
    nodes, again = [], []
    for node in state.nodes:
        unfinished = node.step in (NodeStep.STOPPED, NodeStep.CANCELED)
        if unfinished and node_status(node) is not SummaryStatus.SUCCEEDED:
            node = replace(
                node, step=NodeStep.WAITING, deadline=None, handle=None, work=None, error=""
            )
            again.append(node.name)
        nodes.append(node)
    progress = replace(
        state.progress,
        current=None,
        remaining=tuple(again),
        stopping=False,
        cancel_error_id=None,
        credssp_enabled_on=(),
        credssp_found_on=(),
    )
    return replace(state, nodes=tuple(nodes), progress=progress, error_id=None, error=None), again


def foreign_pauses(view: ClusterView, nodes: Mapping[str, NodeProgress]) -> list[str]:
    """Nodes Paused in ``view`` that the run did not pause (nor tried to): someone else's."""
    foreign = []
    for node in view.nodes:
        ours = nodes.get(node.name)
        mine = ours is not None and (
            ours.paused_by_us or ours.suspend_issued or ours.suspend_attempted
        )
        if node.state is NodeState.PAUSED and not mine:
            foreign.append(node.name)
    return foreign
