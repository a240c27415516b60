"""How a run stops: an operator's stop, a lost run lock, refused credentials — and the
CredSSP set-up and clean-up that every ending must get right.

Owns: ``RunControl`` — the engine's layer between its acts (``runner.acts``) and its
lifecycle (``runner.engine``): the operator's stop at the next safe point (``_stop_if_asked``:
CAU event 1021 at once; a node already drained finishes its update first; no other node is
started), the run's abort when it may not act any more (``_aborted``: another coordinator
holds the run lock, or the cluster refuses the credentials — the run ends at once and
touches nothing more), waiting for the cluster to answer a resumed run
(``_wait_for_view``), and CredSSP for the run (``_enable_credssp`` / ``_undo_credssp``:
what the run enabled it disables, what it found enabled it leaves, with a warning).

Must not: decide the next action (``runner.decisions``) or sleep except through the
injected clock.
"""

from __future__ import annotations

from runner.acts import RunActs
from runner.credssp import ENABLE_FAILED, disable_credssp, enable_credssp, leave_as_found
from runner.evolve import evolve
from runner.lease import RunLease
from runner.lifecycle import NodeStep
from runner.progress import NodeProgress
from runner.step_rules import BACK_STATES
from runner.stop import USER_CANCELED, StopRequest
from runner.timing import POLL_ACTIVE_SECONDS, UNREACHABLE_LIMIT_SECONDS

__all__ = ["RunControl"]


class RunControl(RunActs):
    """The engine's stop, abort and CredSSP handling (the engine subclasses it)."""

    lease: RunLease | None
    stop: StopRequest | None
    abort: tuple[str, str] | None
    error: str | None
    done: bool
    _stop_announced: bool

    def _refuse(self, error_id: str, detail: str) -> None:
        raise NotImplementedError

    def _wait_for_view(self) -> bool:
        """Observe until the cluster answers (a coordinator that died in a management outage
        resumes into it); False, with the run ended ClusterUnreachable, past the limit."""
        self._observe()
        while self.view is None:
            since = self.progress.unreachable_since
            if since is not None and self._elapsed() - since >= UNREACHABLE_LIMIT_SECONDS:
                self._end("ClusterUnreachable", "the cluster did not answer when the run resumed")
                return False
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
        return True

    def _enable_credssp(self) -> None:
        """CredSSP for the run (profile enable_credssp); a refused enable refuses the run."""
        if not self.profile.enable_credssp:
            return
        assert self.view is not None
        nodes = [n.name for n in self.view.nodes if n.state in BACK_STATES]
        found = enable_credssp(self.transport, self.clock, self.rec, nodes)
        self.progress = evolve(
            self.progress,
            credssp_enabled_on=tuple(found.enabled_by_us),
            credssp_found_on=tuple(found.found_enabled),
        )
        if found.refusal is not None:  # nothing is left half enabled; no node touched
            self._refuse(ENABLE_FAILED, found.refusal)

    def _undo_credssp(self) -> None:
        """What this run enabled is disabled; what it found enabled is left, with a warning."""
        enabled = self.progress.credssp_enabled_on
        if enabled and disable_credssp(self.transport, self.clock, self.rec, enabled):
            self.progress = evolve(self.progress, credssp_enabled_on=())
        leave_as_found(self.rec, self.progress.credssp_found_on)
        self.progress = evolve(self.progress, credssp_found_on=())

    def _stop_if_asked(self) -> None:
        """An operator asked to stop (Ctrl-C, SIGTERM, or ``pycau stop`` from any machine,
        which the lock's renewal brings back): CAU event 1021 at once; then, at the
        next safe point, the StopAfter path and the run ends Canceled. The safe point: a
        node already disrupted (drain issued) finishes its update first — install, restart,
        resume, resync — so no node is left in maintenance or with an install half done; a
        node not yet disrupted is stopped where it is. No further node is started."""
        self._take_stop_order()
        reason = self.stop.reason if self.stop is not None else None
        if reason is None or self.progress.stopping:
            return
        current = self.progress.current
        later = current is not None and disrupted(current)
        if not self._stop_announced:
            self._stop_announced = True
            suffix = f"; {current.name} finishes its update first" if current and later else ""
            self.rec.cau(1021, None, reason + suffix)
        if later:
            return  # not yet: the node in flight is still being updated
        self._end(USER_CANCELED, reason)
        self.progress = evolve(self.progress, stopping=True)

    def _take_stop_order(self) -> None:
        """``pycau stop``, from any machine, seen at the lock's renewal: the run's stop
        request (``stop``) is asked with the order's reason."""
        order = self.lease.stop_order if self.lease is not None else None
        if order is not None:
            self.stop = self.stop if self.stop is not None else StopRequest()
            self.stop.request(order.reason())

    def _aborted(self) -> bool:
        """The run may not act any more — another coordinator holds the run lock, or the
        cluster refuses the credentials: the run ends at once and touches nothing more."""
        lost = self.lease.lost if self.lease is not None else None
        if lost is not None and self.abort is None:
            self.abort = ("RunLockLost", f"another coordinator holds the run lock: {lost}")
            self.rec.cau(1015, None, lost)
        if self.abort is None:
            return False
        if self.error_id != self.abort[0]:
            self.error_id, self.error = None, None  # this reason overrides any other
            self._end(*self.abort)
        return True


def disrupted(node: NodeProgress) -> bool:
    """Whether the run has taken ``node`` out of service in its current attempt (a drain was
    issued): from then on stopping means finishing its update, not abandoning it."""
    early = (NodeStep.WAITING, NodeStep.PRE_SCRIPT, NodeStep.SCAN, NodeStep.STORAGE_WAIT)
    if node.step in early:
        return node.suspend_issued or node.suspend_attempted
    return node.step is not NodeStep.RECOVER or node.paused_by_us
