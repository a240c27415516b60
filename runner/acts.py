"""How the engine performs each action ``decide`` returns, and what it learns from it.

Owns: ``RunActs`` — the engine's base holding one handler per action type and the table
that dispatches them (``ACTS``): wait and observe, poll detached work, start work (scan,
install, script), suspend (drain), resume, restart — each ONE transport call — and the
run-level acts (begin the next node, advance a node along the lifecycle, WarnAfter,
StopAfter, cancel). A handler folds what it learnt into a new ``NodeProgress`` snapshot
(``_put``) and maps the error contract of ``runner.transport``: ``RemoteCommandFailed`` had
no effect (a refused step or a counted refusal), any other ``TransportError`` had an
unknown effect (back off, observe before the next decision). A restart is never re-issued
because its call errored; its boot type is the one the node answered.

Must not: decide what to do next (``runner.decisions``), move a node along the lifecycle
except through ``runner.bookkeeping``, or sleep except through the injected clock.
"""

from __future__ import annotations

from runner.actions import (
    Action,
    Advance,
    BeginNode,
    CancelRun,
    Poll,
    Restart,
    Resume,
    StartInstall,
    StartScan,
    StartScript,
    StopAfter,
    Suspend,
    Wait,
    WarnAfter,
)
from runner.bookkeeping import Bookkeeper
from runner.errors import (
    AuthenticationFailed,
    DrainFailed,
    RemoteCommandFailed,
    StorageDegraded,
    TransportError,
)
from runner.evolve import evolve
from runner.lifecycle import TRANSITIONS, NodeStep, Outcome
from runner.preflight import backoff
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Recorder
from runner.resync_progress import resync_progress
from runner.timing import POLL_ACTIVE_SECONDS, POLL_REBOOT_SECONDS, in_minutes
from runner.transport import Clock, ClusterTransport
from runner.types import (
    BootType,
    ClusterView,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)

__all__ = ["ACTS", "RunActs"]

# The handler of each action type (``Finish`` has none: it ends the loop).
ACTS: dict[type[Action], str] = {
    Wait: "_wait",
    Poll: "_poll",
    StartScript: "_start",
    StartScan: "_start",
    StartInstall: "_start",
    Suspend: "_suspend",
    Resume: "_resume",
    Restart: "_restart",
    Advance: "_advance",
    BeginNode: "_begin",
    WarnAfter: "_warn_after",
    StopAfter: "_stop_after",
    CancelRun: "_cancel",
}


# Steps in which a node waits for storage jobs to end (their progress is told live).
_STORAGE_STEPS = (NodeStep.STORAGE_WAIT, NodeStep.RESYNC)


class RunActs:
    """The engine's acts (the engine subclasses it and owns the state they change).

    Each act performs one action on the cluster and records what it learnt in the node's
    progress; the next decision reads that. Errors split three ways (``runner.errors``):
    ``RemoteCommandFailed`` — the cluster refused and nothing changed, so the refusal is
    counted (the step fails after ``MAX_COMMAND_FAILURES``); ``TransportError`` — the
    effect is unknown, so the act is never re-issued blind: back off, observe, and let the
    cluster's state say what happened; ``AuthenticationFailed`` — no wait cures it, so it
    propagates and ends the run.
    """

    transport: ClusterTransport
    clock: Clock
    rec: Recorder
    book: Bookkeeper
    profile: ResolvedProfile
    progress: RunProgress
    view: ClusterView | None
    error_id: str | None
    # The wait after a restart before the next look (classic: one node, nothing else to do).
    restart_settle_seconds: float = POLL_REBOOT_SECONDS

    def _elapsed(self) -> float:
        raise NotImplementedError

    def _end(self, error_id: str, detail: str) -> None:
        raise NotImplementedError

    def _wait(self, action: Wait) -> None:
        self.clock.sleep(action.seconds)
        self._observe()
        self._tell_resync()

    def _tell_resync(self) -> None:
        """While the node in flight waits for storage, tell the listener how far the storage
        jobs are (the live view shows it; the report does not keep it)."""
        current = self.progress.current
        if current is None or current.step not in _STORAGE_STEPS or self.progress.stale:
            return
        if not self.rec.listening:  # nobody to tell (`pycau simulate --quiet`)
            return
        progress = resync_progress(self.view) if self.view is not None else None
        if progress is not None:
            label = "resync" if current.step is NodeStep.RESYNC else "waiting for resync"
            detail = f"{label} {current.name}: {progress.describe()}"
            self.rec.notify("storage-progress", current.name, detail, percent=progress.percent)

    def _begin(self, action: BeginNode) -> None:
        current, remaining = self.book.nodes[action.node], self.progress.remaining[1:]
        self.progress = evolve(self.progress, current=current, remaining=remaining)

    def _warn_after(self, action: WarnAfter) -> None:
        minutes = in_minutes(self.profile.warn_after_s)
        self.rec.cau(1001, None, f"the run has not finished after {minutes} minutes")
        self.progress = evolve(self.progress, warned=True)

    def _stop_after(self, action: StopAfter) -> None:
        minutes = in_minutes(self.profile.stop_after_s)
        detail = f"the run has not finished after {minutes} minutes; stopping"
        self.rec.cau(1002, None, detail)
        self._end("StopAfterExceeded", detail)
        self.progress = evolve(self.progress, stopping=True)

    def _advance(self, action: Advance) -> None:
        node = self.book.nodes[action.node]
        was_terminal = node.terminal
        node = self.book.advance(node, action, self._elapsed())
        if action.cancel_run is not None and self.error_id is None:
            self._end(action.cancel_run, action.error or action.detail)
        failed = node.terminal and not was_terminal and self.book.counts_as_failed(node)
        if failed:
            self.progress = evolve(self.progress, failed_nodes=self.progress.failed_nodes + 1)
        self._put(node)

    def _cancel(self, action: CancelRun) -> None:
        if action.event_id is not None:
            self.rec.cau(action.event_id, None, action.detail)
        self._end(action.error_id, action.detail)
        self.progress = evolve(self.progress, cancel_error_id=action.error_id)
        current = self.progress.current
        if current is not None and (current.step, Outcome.STOP) in TRANSITIONS:
            self._advance(Advance(node=current.name, outcome=Outcome.STOP))

    def _node(self) -> NodeProgress:
        current = self.progress.current
        assert current is not None
        return current

    def _put(self, node: NodeProgress) -> None:
        self.book.nodes[node.name] = node
        current = None if node.terminal else node
        self.progress = evolve(self.progress, current=current)

    def _observe(self) -> None:
        """Observe; a failure makes the run blind (stale) — except refused credentials,
        which no wait cures: ``AuthenticationFailed`` propagates to the loop."""
        try:
            self.view = self.transport.observe()
        except AuthenticationFailed:
            raise
        except TransportError:
            since = self.progress.unreachable_since
            since = self._elapsed() if since is None else since
            self.progress = evolve(self.progress, stale=True, unreachable_since=since)
            return
        self.progress = evolve(
            self.progress, stale=False, unreachable_since=None, view_at=self._elapsed()
        )

    def _after_error(self, node: NodeProgress) -> None:
        """An effect-unknown error: back off, then observe before the next decision."""
        node = evolve(node, start_errors=node.start_errors + 1)
        self._put(node)
        self.clock.sleep(backoff(node.start_errors))
        self._observe()

    def _poll(self, action: Poll) -> None:
        self.clock.sleep(action.seconds)
        try:
            work = self.transport.poll_work(action.handle)
        except TransportError:
            # No news: observe, which marks the run blind while the cluster does not answer
            # (a deadline passing unseen must not fail the node).
            self._observe()
            return
        self._put(evolve(self._node(), work=work))

    def _start(self, action: StartScript | StartScan | StartInstall) -> None:
        node = self._node()
        try:
            if isinstance(action, StartScript):
                handle = self.transport.start_script(action.node, action.script)
            elif isinstance(action, StartScan):
                handle = self.transport.start_scan(
                    action.node, action.plugins, serially=action.serially,
                    stop_on_failure=action.stop_on_failure,
                )  # fmt: skip
            else:
                handle = self.transport.start_install(action.node, action.update_ids, action.plugin)
        except RemoteCommandFailed as exc:
            # No effect: the work is refused, which is a failed step.
            kind = {StartScript: WorkKind.SCRIPT, StartScan: WorkKind.SCAN}.get(
                type(action), WorkKind.INSTALL
            )
            handle = WorkHandle(id="", node=action.node, kind=kind)
            failed = WorkProgress(handle=handle, state=WorkState.FAILED, error=str(exc))
            self._put(evolve(node, handle=handle, work=failed))
            return
        except TransportError:
            if isinstance(action, StartInstall):
                node = evolve(node, install_unknown=True)
            self._after_error(node)
            return
        self._put(evolve(node, handle=handle, work=None))

    def _suspend(self, action: Suspend) -> None:
        node = self._node()
        try:
            if action.force:  # force_pause_and_drain: Suspend-ClusterNode -ForceDrain
                self.transport.suspend_node_forced(action.node)
            else:
                self.transport.suspend_node(action.node)
        except RemoteCommandFailed as exc:
            if isinstance(exc, DrainFailed):
                self._put(evolve(node, suspend_issued=True, drain_failed=True, error=str(exc)))
                return
            if isinstance(exc, StorageDegraded):
                # Storage not ready (5987) passes with time: it is retried under the suspend
                # options (SuspendRetriesPerNode, SuspendClusterNodeTimeoutMinutes), not
                # counted as a refused command.
                first = node.suspend_refused_at
                node = evolve(
                    node,
                    storage_refusals=node.storage_refusals + 1,
                    suspend_refused_at=self._elapsed() if first is None else first,
                    last_refusal=str(exc),
                )
                retries = self.profile.suspend_retries_per_node
                self.rec.warning(
                    f"suspend refused with 5987 ({exc}); refusal {node.storage_refusals}, "
                    f"{retries} retries allowed",
                    action.node,
                )
            else:
                node = evolve(
                    node, command_failures=node.command_failures + 1, last_refusal=str(exc)
                )
            self._put(node)
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError:
            self._after_error(evolve(node, suspend_attempted=True))
            return
        if action.force:
            detail = "forced drain: a role that cannot live-migrate is stopped and moved"
            self.rec.emit("forced-drain", action.node, detail)
        self._put(evolve(node, suspend_issued=True))

    def _resume(self, action: Resume) -> None:
        node = self._node()
        try:
            self.transport.resume_node(action.node, action.failback)
        except RemoteCommandFailed:
            self._put(evolve(node, command_failures=node.command_failures + 1))
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError:
            self._after_error(node)
            return
        if action.note:
            self.rec.warning(action.note, action.node)
        self._put(evolve(node, resume_issued=True))
        self._observe()  # the next decision needs the node's state after the resume

    def _restart(self, action: Restart) -> None:
        node = self._node()
        asked = BootType.SOFT if action.soft else BootType.FULL
        self.rec.cau(1010, action.node, f"restarting ({asked.value} asked)")
        unknown = ""
        try:
            boot = self.transport.restart_node(action.node, soft=action.soft)
        except RemoteCommandFailed as exc:
            self.rec.warning(f"restart refused: {exc}", action.node)
            failures = node.command_failures + 1
            self._put(evolve(node, command_failures=failures, last_refusal=str(exc)))
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError as exc:
            # Effect unknown: never re-issue; the boot id tells whether it restarted, and only
            # then is the restart reported. A full restart asked for is full; whether a soft
            # one happened is not known.
            boot, unknown = (BootType.UNKNOWN if action.soft else BootType.FULL), str(exc)
        issued = evolve(
            node,
            restart_issued=True,
            restart_at=self._elapsed(),
            boot_id_before=action.boot_id_before,
            restarts=node.restarts + 1,
            boot_type=boot,
        )
        if unknown:
            issued = self.book.restart_unknown(node, issued, unknown)
        elif action.soft and boot is BootType.FULL:
            detail = "a soft restart (Kernel Soft Reboot) was asked for; the node restarts fully"
            self.rec.emit("soft-restart-unavailable", action.node, detail)
        self._put(issued)
        # Give the node time to go down before the first look: observing at once would
        # mostly see the old boot id and cost a round trip (an engine with several nodes in
        # flight waits for all of them instead: ``restart_settle_seconds``).
        self.clock.sleep(self.restart_settle_seconds)
        self._observe()
