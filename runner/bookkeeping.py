"""Bookkeeping of node progress: moving a node along the lifecycle table, and its results.

Owns: ``Bookkeeper.advance`` — apply one ``Advance`` to a ``NodeProgress``: the table move
(``runner.lifecycle.advance``, which refuses illegal moves), what was learnt (install
results, the next offer, the error), the per-step and per-attempt resets, deadlines from the
profile, phase timing and CAU events through the ``Recorder`` — plus the ``NodeReport`` of a
finished node and the run's final SummaryStatus.

Must not: talk to the transport, read a clock (the engine passes ``now``), or decide what
happens next (``runner.decisions`` does).
"""

from __future__ import annotations

from runner.actions import Advance
from runner.decisions import node_status
from runner.evolve import evolve
from runner.lifecycle import STEP_PHASE, NodeStep, Outcome, advance
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress
from runner.recorder import Recorder
from runner.report import NodeReport
from runner.timing import step_timeout
from runner.types import SummaryStatus, UpdateResult

__all__ = ["CANCELING_ERRORS", "FINAL_EVENT", "Bookkeeper", "final_status"]

# Error ids that cancel a run (CAU status Canceled); any other error id fails it.
CANCELING_ERRORS = frozenset({"NodesOffline", "QuorumAtRisk", "StopAfterExceeded", "UserCanceled"})
_FAILED_STATUSES = (SummaryStatus.FAILED, SummaryStatus.PARTIALLY_FAILED)
# The CAU event that closes a run with each status (reference §4.5).
FINAL_EVENT = {
    SummaryStatus.SUCCEEDED: 1004,
    SummaryStatus.CANCELED: 1005,
    SummaryStatus.PARTIALLY_FAILED: 1006,
    SummaryStatus.FAILED: 1007,
}


class Bookkeeper:
    """The run's node progress by name, and how an ``Advance`` changes it."""

    def __init__(self, recorder: Recorder, profile: ResolvedProfile) -> None:
        self.rec = recorder
        self.profile = profile
        self.nodes: dict[str, NodeProgress] = {}
        self.s2d = False  # storage phases (storage_wait, resync) are timed only with S2D

    def advance(self, node: NodeProgress, action: Advance, now: float) -> NodeProgress:
        """The node after its current step ends with ``action.outcome``."""
        old = node.step
        new = advance(old, action.outcome)  # raises IllegalTransition, changing nothing
        name = node.name
        if action.results:
            node = _merge_results(node, action.results)
        owed = action.restart_owed  # a scan found a restart pending
        owed = owed or any(r.result == "Succeeded" and r.restart_required for r in action.results)
        if owed or (old is NodeStep.INSTALL and action.outcome is Outcome.RESTART):
            node = evolve(node, restart_pending=True)
        if action.error:
            node = evolve(node, error=action.error)
        if action.offered is not None:
            node = evolve(node, offered=action.offered)
        if action.note:
            self.rec.warning(action.note, name)
        detail, installed = "", None
        if old is NodeStep.INSTALL and action.results:
            ok = sum(1 for r in action.results if r.result == "Succeeded")
            detail = f"{ok} installed, {len(action.results) - ok} failed"
            installed = len(node.succeeded_ids)  # the run's total on the node, not this pass
        self.rec.phase_end(name, detail, installed=installed)
        if action.event_id is not None:
            self.rec.cau(action.event_id, name, action.detail)
        if action.event_id == 1009:
            node = evolve(node, paused_by_us=False)
        if old is NodeStep.REBOOT and action.event_id == 1011:
            # Only a confirmed restart (changed boot id) pays the restart the installs owe.
            node = evolve(node, restart_pending=False, firmware_pending=False)
            if node.unconfirmed_boot is not None:  # its command's answer was lost: count it now
                node = evolve(node, restarts=node.restarts + 1, boot_type=node.unconfirmed_boot)
        if old is NodeStep.REBOOT:
            node = evolve(node, unconfirmed_boot=None)
        node = self._enter(node, old, new, action.outcome, now)
        if node.terminal:
            status = node_status(node)
            if status in _FAILED_STATUSES:
                self.rec.cau(1013, name, node.error or status.value)
            self.rec.node_status(name, status.value)
        return node

    def restart_unknown(self, before: NodeProgress, issued: NodeProgress, why: str) -> NodeProgress:
        """A restart command whose effect is unknown (its call failed): neither it nor its
        boot type is reported until a changed boot id confirms it (``advance``, event 1011)."""
        self.rec.warning(
            f"restart command effect unknown ({why}); watching the boot id", issued.name
        )
        return evolve(
            issued,
            restarts=before.restarts,
            boot_type=before.boot_type,
            unconfirmed_boot=issued.boot_type,
        )

    def _enter(
        self, node: NodeProgress, old: NodeStep, new: NodeStep, outcome: Outcome, now: float
    ) -> NodeProgress:
        timeout = step_timeout(new, self.profile)
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
            resume_issued=False,
        )
        if new is NodeStep.PRE_SCRIPT:
            self.rec.new_attempt(node.name, node.attempt + 1)
            node = evolve(
                node,
                attempt=node.attempt + 1,
                offered=(),
                attempt_tried=(),
                attempt_failed=False,
                passes=0,
                suspend_attempted=False,
                suspend_issued=False,
                drain_failed=False,
                storage_refusals=0,
                suspend_refused_at=None,
                last_refusal="",
                restart_issued=False,
                updated=False,
                error="",
            )
        elif new is NodeStep.DRAIN:
            node = evolve(node, paused_by_us=True)
        elif new in (NodeStep.INSTALL, NodeStep.STAGE):
            firmware = node.firmware_pending or any(u.firmware for u in node.offered)
            node = evolve(node, passes=node.passes + 1, firmware_pending=firmware)
        elif new is NodeStep.REBOOT:
            node = evolve(node, restart_issued=False)
        if (old is NodeStep.RESUME and new is not NodeStep.FAILED) or (
            old is NodeStep.SCAN and outcome is Outcome.SKIP
        ):
            node = evolve(node, updated=True)
        phase = STEP_PHASE.get(new)
        if new is NodeStep.RECOVER and node.paused_by_us:
            phase = "resume"
        never_out = not (node.suspend_issued or node.suspend_attempted or node.paused_by_us)
        if new is NodeStep.RESUME and never_out:  # fast: installed without a drain
            phase = None
        if phase is not None and self._timed(new):
            self.rec.phase_start(node.name, phase)
        return node

    def _timed(self, step: NodeStep) -> bool:
        """Absent phases are omitted: no script configured, no S2D storage to wait for."""
        if step is NodeStep.PRE_SCRIPT:
            return bool(self.profile.pre_update_script)
        if step is NodeStep.POST_SCRIPT:
            return bool(self.profile.post_update_script)
        if step in (NodeStep.STORAGE_WAIT, NodeStep.RESYNC):
            return self.s2d
        return True

    def counts_as_failed(self, node: NodeProgress) -> bool:
        """A node that ended Failed or PartiallyFailed counts against MaxFailedNodes; a node
        stopped or canceled with the run does not."""
        if node.step not in (NodeStep.DONE, NodeStep.FAILED):
            return False
        return node_status(node) in _FAILED_STATUSES

    def report(self, node: NodeProgress) -> NodeReport:
        status = node_status(node)
        error = None if status is SummaryStatus.SUCCEEDED else (node.error or None)
        return NodeReport(
            name=node.name,
            status=status,
            attempts=node.attempt,
            restarts=node.restarts,
            boot_type=node.boot_type,
            updates=node.results,
            error=error,
            timing=self.rec.timing(node.name),
        )


def _merge_results(node: NodeProgress, results: tuple[UpdateResult, ...]) -> NodeProgress:
    """Keep the latest result per update id, in the order updates were first attempted."""
    merged = list(node.results)
    index = {r.id: i for i, r in enumerate(merged)}
    for result in results:
        if result.id in index:
            merged[index[result.id]] = result
        else:
            index[result.id] = len(merged)
            merged.append(result)
    tried = node.attempt_tried + tuple(r.id for r in results if r.id not in node.attempt_tried)
    failed = node.attempt_failed or any(r.result != "Succeeded" for r in results)
    return evolve(node, results=tuple(merged), attempt_tried=tried, attempt_failed=failed)


def final_status(
    error_id: str | None, error: str | None, nodes: list[NodeReport]
) -> tuple[SummaryStatus, str | None]:
    """The run's SummaryStatus and error text from why it ended and its nodes' statuses."""
    if error_id in CANCELING_ERRORS:
        return SummaryStatus.CANCELED, error
    if error_id is not None:
        return SummaryStatus.FAILED, error
    bad = [n for n in nodes if n.status is not SummaryStatus.SUCCEEDED]
    if not bad:
        return SummaryStatus.SUCCEEDED, None
    text = "; ".join(f"{n.name}: {n.error or n.status.value}" for n in bad)
    if not any(
        n.status in (SummaryStatus.SUCCEEDED, SummaryStatus.PARTIALLY_FAILED) for n in nodes
    ):
        return SummaryStatus.FAILED, text
    return SummaryStatus.PARTIALLY_FAILED, text
