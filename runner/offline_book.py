"""Bookkeeping of the nodes of a fast offline update: moving a node along the window's
table, and what it learnt.

Owns: ``OfflineBook.advance`` — apply one ``Advance`` to a node in the update window: the
table move (``runner.offline_lifecycle.node_advance``, which refuses illegal moves), install
results, the next offer, the error, a confirmed restart, the per-step resets, the step's
deadline from the profile, the node's phase timing and CAU events through the
``Recorder``. A node leaving WAITING begins its one attempt: the window is one attempt for
every node (no retry: a node whose install failed is reported Failed, and a later rolling
run can update it without taking the cluster down again).

Must not: talk to the transport, read a clock (the engine passes ``now``), or decide what
happens next (``runner.offline_decisions`` does).
"""

from __future__ import annotations

from runner.actions import Advance
from runner.decisions import node_status
from runner.evolve import evolve
from runner.lifecycle import NodeStep, Outcome
from runner.offline_lifecycle import node_advance
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress
from runner.recorder import Recorder
from runner.types import SummaryStatus, UpdateResult

__all__ = ["OfflineBook"]

_FAILED = (SummaryStatus.FAILED, SummaryStatus.PARTIALLY_FAILED)


class OfflineBook:
    """How an ``Advance`` changes a node of the offline run."""

    def __init__(self, recorder: Recorder, profile: ResolvedProfile) -> None:
        self.rec = recorder
        self.profile = profile

    def advance(self, node: NodeProgress, action: Advance, now: float) -> NodeProgress:
        """The node after its current window step ends with ``action.outcome``."""
        old = node.step
        new = node_advance(old, action.outcome)  # raises IllegalTransition, changing nothing
        name = node.name
        if action.results:
            node = merged(node, action.results)
        if old is NodeStep.INSTALL and action.outcome is Outcome.RESTART:
            node = evolve(node, restart_pending=True)
        if action.error:
            node = evolve(node, error=action.error)
        if action.offered is not None:
            node = evolve(node, offered=action.offered)
        if action.note:
            self.rec.warning(action.note, name)
        installed = None
        detail = ""
        if old is NodeStep.INSTALL and action.results:
            ok = sum(1 for r in action.results if r.result == "Succeeded")
            detail = f"{ok} installed, {len(action.results) - ok} failed"
            installed = len(node.succeeded_ids)
        self.rec.phase_end(name, detail, installed=installed)
        if action.event_id is not None:
            self.rec.cau(action.event_id, name, action.detail)
        if old is NodeStep.REBOOT and action.event_id == 1011:
            node = evolve(node, restart_pending=False, firmware_pending=False)
            if node.unconfirmed_boot is not None:  # its command's answer was lost
                node = evolve(node, restarts=node.restarts + 1, boot_type=node.unconfirmed_boot)
        if old is NodeStep.REBOOT:
            node = evolve(node, unconfirmed_boot=None)
        if old is NodeStep.WAITING and new is not NodeStep.FAILED:
            self.rec.new_attempt(name, 1)
            node = evolve(node, attempt=1)
        node = self._enter(node, new, now)
        if node.terminal:
            status = node_status(node)
            if status in _FAILED:
                self.rec.cau(1013, name, node.error or status.value)
            self.rec.node_status(name, status.value)
        return node

    def _enter(self, node: NodeProgress, new: NodeStep, now: float) -> NodeProgress:
        timeout = {
            NodeStep.INSTALL: self.profile.install_timeout_s,
            NodeStep.RESCAN: self.profile.install_timeout_s,
            NodeStep.REBOOT: self.profile.reboot_timeout_s,
        }.get(new)
        node = evolve(
            node,
            step=new,
            entered_at=now,
            deadline=None if timeout is None else now + timeout,
            handle=None,
            work=None,
            start_errors=0,
            command_failures=0,
            install_unknown=False,
            restart_issued=False if new is NodeStep.REBOOT else node.restart_issued,
        )
        if new is NodeStep.INSTALL:
            firmware = node.firmware_pending or any(u.firmware for u in node.offered)
            node = evolve(node, passes=node.passes + 1, firmware_pending=firmware)
        if new is NodeStep.DONE:
            node = evolve(node, updated=True)
        return node

    def counts_as_failed(self, node: NodeProgress) -> bool:
        """A node that ended Failed or PartiallyFailed counts against MaxFailedNodes."""
        return node.step in (NodeStep.DONE, NodeStep.FAILED) and node_status(node) in _FAILED


def merged(node: NodeProgress, results: tuple[UpdateResult, ...]) -> NodeProgress:
    """The latest result per update id, in the order updates were first attempted."""
    out = list(node.results)
    index = {r.id: i for i, r in enumerate(out)}
    for result in results:
        if result.id in index:
            out[index[result.id]] = result
        else:
            index[result.id] = len(out)
            out.append(result)
    tried = node.attempt_tried + tuple(r.id for r in results if r.id not in node.attempt_tried)
    failed = node.attempt_failed or any(r.result != "Succeeded" for r in results)
    return evolve(node, results=tuple(out), attempt_tried=tried, attempt_failed=failed)
