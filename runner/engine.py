"""The engine of a CAU rolling updating run: observe → decide → act → record, until done.

Owns: ``run_updating_run`` — preflight (reachability, quorum, RequireAllNodesOnline,
Test-Cluster, the initial scan of every Up node, readiness refusals), the loop that asks
``runner.decisions.decide`` for the next action and performs it through the transport and
clock (inside ``runner.credssp``'s context), node bookkeeping, and the final ``RunReport``.

Theory of operation: an imperative shell around a pure core; it never decides: it performs one
action, records what it learnt (a new ``NodeProgress``), and asks again. Time passes only in
``Wait``/``Poll`` (and a short backoff after an error), so every wait is bounded by the core's
deadlines. After an error of unknown effect it observes before deciding again; a restart is never
re-issued because a call errored — only a changed boot id confirms it.

Must not: call ``time.sleep``/``time.time`` (the injected ``Clock`` only), import the
simulator, or do O(roles) work per poll (decide's guards count roles once per node).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

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
from runner.credssp import credssp_for_run
from runner.decisions import decide, max_failed_nodes, node_order
from runner.errors import DrainFailed, RemoteCommandFailed, StorageDegraded, TransportError
from runner.journaled import JournalLink, RunJournal
from runner.lifecycle import TRANSITIONS, NodeStep, Outcome
from runner.phases import FINAL_EVENT, Bookkeeper, final_status
from runner.preflight import backoff, first_view, readiness_refusal, scan_all, validate_cluster
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Listener, Recorder
from runner.report import RunReport
from runner.transport import Clock, ClusterTransport
from runner.types import (
    BootType,
    ClusterView,
    NodeState,
    SummaryStatus,
    UpdateInfo,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)
from runner.work_steps import POLL_ACTIVE_SECONDS, POLL_REBOOT_SECONDS

__all__ = ["run_updating_run"]

MAX_LOOP_STEPS = 2_000_000  # a runaway loop is a bug: end the run instead of spinning


def run_updating_run(
    transport: ClusterTransport,
    clock: Clock,
    profile: Profile,
    *,
    run_id: str,
    started_at: datetime,
    listener: Listener | None = None,
    journal: RunJournal | None = None,
    force_recovery: bool = False,
) -> RunReport:
    """Perform one CAU rolling updating run (Invoke-CauRun) and return its report.

    ``profile`` should be resolved (``Profile.resolved``); MaxFailedNodes defaults to ⌊N/3⌋
    otherwise. ``listener`` gets every ``RunEvent``; ``journal``: see ``runner.journaled``.
    """
    link = JournalLink(journal, run_id, force_recovery=force_recovery)
    return _Engine(transport, clock, profile, run_id, started_at, listener, link).run()


class _Engine:
    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        profile: Profile,
        run_id: str,
        started_at: datetime,
        listener: Listener | None,
        link: JournalLink,
    ) -> None:
        self.link = link
        self.transport = transport
        self.clock = clock
        self.profile = profile
        self.run_id = run_id
        self.started_at = started_at
        self.t0 = clock.now()
        self.rec = Recorder(self._elapsed, listener)
        self.book = Bookkeeper(self.rec, profile)
        self.view: ClusterView | None = None
        self.cluster = ""
        self.order: tuple[str, ...] = ()
        self.progress = RunProgress()
        self.error_id: str | None = None
        self.error: str | None = None

    def _elapsed(self) -> float:
        return self.clock.now() - self.t0

    # ---------------------------------------------------------------- run

    def run(self) -> RunReport:
        view = self.view = first_view(self.transport, self.clock, self._elapsed)
        if view is None:
            self._end("ClusterUnreachable", "the cluster did not answer at the start of the run")
            return self._finish()
        self.cluster = view.cluster
        self.book.s2d = view.s2d_enabled
        if self.profile.max_failed_nodes is None:
            limit = max_failed_nodes(self.profile, len(view.nodes))
            self.profile = replace(self.profile, max_failed_nodes=limit)
            self.book.profile = self.profile
        self.order = node_order(view, self.profile)
        self.book.nodes = {name: NodeProgress(name=name) for name in self.order}
        self.rec.cau(1003, None, f"updating run started on {len(view.nodes)} node(s)")
        if not view.has_quorum:
            self._end("NoQuorum", "the cluster has no quorum")
            return self._finish()
        offline = [n.name for n in view.nodes if n.state is not NodeState.UP]
        if self.profile.require_all_nodes_online and offline:
            detail = f"{len(offline)} node(s) not online: {', '.join(offline)}"
            self.rec.cau(1020, None, detail)
            self._end("NodesOffline", detail)
            return self._finish()
        refusal = validate_cluster(self.transport, self.clock, self.rec, self.profile)
        offers = {} if refusal else self._scan_all(view)
        if refusal := refusal or readiness_refusal(view, offers):  # a known issue: touch no node
            self._end(refusal.error_id, refusal.detail)
            return self._finish()
        self.book.nodes = {
            name: NodeProgress(name=name, initial_offer=offers.get(name)) for name in self.order
        }
        self.progress = RunProgress(remaining=self.order, view_at=self._elapsed())
        self._observe()  # the scan took a while: decide on a fresh view
        self.link.checkpoint(self)  # the first one takes the run lock (or RunLocked)
        with credssp_for_run(self.transport, self.clock, self.rec, self.profile):
            self._loop()  # CredSSP (profile enable_credssp) is disabled whatever the outcome
        return self._finish()

    def _loop(self) -> None:
        for _ in range(MAX_LOOP_STEPS):
            self.progress = replace(self.progress, now=self._elapsed())
            assert self.view is not None
            action = decide(self.view, self.progress, self.profile)
            if not self._act(action):
                return
            self.link.checkpoint(self)
        self._end("RunnerLoopBound", "the run did not converge; stopped by the loop bound")

    def _scan_all(self, view: ClusterView) -> dict[str, tuple[UpdateInfo, ...]]:
        deadline = self._elapsed() + self.profile.install_timeout_minutes * 60
        if self.profile.stop_after_minutes is not None:  # the run stops then anyway
            deadline = min(deadline, self.profile.stop_after_minutes * 60)
        return scan_all(
            self.transport, self.clock, self.rec, view, self.order, self._elapsed, deadline
        )

    # ---------------------------------------------------------------- acts

    def _act(self, action: Action) -> bool:
        """Perform ``action``; False when the run is finished."""
        if isinstance(action, Wait):
            self.clock.sleep(action.seconds)
            self._observe()
        elif isinstance(action, Poll):
            self._poll(action)
        elif isinstance(action, StartScript | StartScan | StartInstall):
            self._start(action)
        elif isinstance(action, Suspend):
            self._suspend(action)
        elif isinstance(action, Resume):
            self._resume(action)
        elif isinstance(action, Restart):
            self._restart(action)
        elif isinstance(action, Advance):
            self._advance(action)
        elif isinstance(action, BeginNode):
            current, remaining = self.book.nodes[action.node], self.progress.remaining[1:]
            self.progress = replace(self.progress, current=current, remaining=remaining)
        elif isinstance(action, WarnAfter):
            minutes = self.profile.warn_after_minutes
            self.rec.cau(1001, None, f"the run has not finished after {minutes:g} minutes")
            self.progress = replace(self.progress, warned=True)
        elif isinstance(action, StopAfter):
            minutes = self.profile.stop_after_minutes
            detail = f"the run has not finished after {minutes:g} minutes; stopping"
            self.rec.cau(1002, None, detail)
            self._end("StopAfterExceeded", detail)
            self.progress = replace(self.progress, stopping=True)
        elif isinstance(action, CancelRun):
            self._cancel(action)
        else:  # Finish
            return False
        return True

    def _node(self) -> NodeProgress:
        current = self.progress.current
        assert current is not None
        return current

    def _put(self, node: NodeProgress) -> None:
        self.book.nodes[node.name] = node
        current = None if node.terminal else node
        self.progress = replace(self.progress, current=current)

    def _observe(self) -> None:
        try:
            self.view = self.transport.observe()
        except TransportError:
            since = self.progress.unreachable_since
            since = self._elapsed() if since is None else since
            self.progress = replace(self.progress, stale=True, unreachable_since=since)
            return
        self.progress = replace(
            self.progress, stale=False, unreachable_since=None, view_at=self._elapsed()
        )

    def _after_error(self, node: NodeProgress) -> None:
        """An effect-unknown error: back off, then observe before the next decision."""
        node = replace(node, start_errors=node.start_errors + 1)
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
        self._put(replace(self._node(), work=work))

    def _start(self, action: StartScript | StartScan | StartInstall) -> None:
        node = self._node()
        try:
            if isinstance(action, StartScript):
                handle = self.transport.start_script(action.node, action.script)
            elif isinstance(action, StartScan):
                handle = self.transport.start_scan(action.node)
            else:
                handle = self.transport.start_install(action.node, action.update_ids)
        except RemoteCommandFailed as exc:
            # No effect: the work is refused, which is a failed step.
            kind = {StartScript: WorkKind.SCRIPT, StartScan: WorkKind.SCAN}.get(
                type(action), WorkKind.INSTALL
            )
            handle = WorkHandle(id="", node=action.node, kind=kind)
            failed = WorkProgress(handle=handle, state=WorkState.FAILED, error=str(exc))
            self._put(replace(node, handle=handle, work=failed))
            return
        except TransportError:
            if isinstance(action, StartInstall):
                node = replace(node, install_unknown=True)
            self._after_error(node)
            return
        self._put(replace(node, handle=handle, work=None))

    def _suspend(self, action: Suspend) -> None:
        node = self._node()
        try:
            self.transport.suspend_node(action.node)
        except RemoteCommandFailed as exc:
            if isinstance(exc, DrainFailed):
                self._put(replace(node, suspend_issued=True, drain_failed=True, error=str(exc)))
                return
            if isinstance(exc, StorageDegraded):
                node = replace(
                    node, storage_refusals=node.storage_refusals + 1, last_refusal=str(exc)
                )
            else:
                node = replace(
                    node, command_failures=node.command_failures + 1, last_refusal=str(exc)
                )
            self._put(node)
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError:
            self._after_error(replace(node, suspend_attempted=True))
            return
        self._put(replace(node, suspend_issued=True))

    def _resume(self, action: Resume) -> None:
        node = self._node()
        try:
            self.transport.resume_node(action.node, action.failback)
        except RemoteCommandFailed:
            self._put(replace(node, command_failures=node.command_failures + 1))
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError:
            self._after_error(node)
            return
        self._put(replace(node, resume_issued=True))
        self._observe()

    def _restart(self, action: Restart) -> None:
        node = self._node()
        boot = BootType.SOFT if action.soft else BootType.FULL
        self.rec.cau(1010, action.node, f"restarting ({boot.value})")
        issued = replace(
            node,
            restart_issued=True,
            restart_at=self._elapsed(),
            boot_id_before=action.boot_id_before,
            restarts=node.restarts + 1,
            boot_type=boot,
        )
        try:
            self.transport.restart_node(action.node, soft=action.soft)
        except RemoteCommandFailed as exc:
            self.rec.warning(f"restart refused: {exc}", action.node)
            self._put(replace(node, command_failures=node.command_failures + 1))
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe()
            return
        except TransportError as exc:  # effect unknown: never re-issue; the boot id tells
            issued = self.book.restart_unknown(node, issued, str(exc))
        self._put(issued)
        self.clock.sleep(POLL_REBOOT_SECONDS)
        self._observe()

    def _advance(self, action: Advance) -> None:
        node = self.book.nodes[action.node]
        was_terminal = node.terminal
        node = self.book.advance(node, action, self._elapsed())
        if action.cancel_run is not None and self.error_id is None:
            self._end(action.cancel_run, action.error or action.detail)
        failed = node.terminal and not was_terminal and self.book.counts_as_failed(node)
        if failed:
            self.progress = replace(self.progress, failed_nodes=self.progress.failed_nodes + 1)
        self._put(node)

    def _cancel(self, action: CancelRun) -> None:
        if action.event_id is not None:
            self.rec.cau(action.event_id, None, action.detail)
        self._end(action.error_id, action.detail)
        self.progress = replace(self.progress, cancel_error_id=action.error_id)
        current = self.progress.current
        if current is not None and (current.step, Outcome.STOP) in TRANSITIONS:
            self._advance(Advance(node=current.name, outcome=Outcome.STOP))

    def _end(self, error_id: str, detail: str) -> None:
        """Remember why the run ends early (the first reason wins)."""
        if self.error_id is None:
            self.error_id, self.error = error_id, detail
            self.progress = replace(self.progress, cancel_error_id=error_id)

    # ---------------------------------------------------------------- report

    def _finish(self) -> RunReport:
        reports = []
        for name in self.order:
            node = self.book.nodes[name]
            if not node.terminal:
                node = replace(node, step=NodeStep.CANCELED)
                self.book.nodes[name] = node
                self.rec.node_status(name, SummaryStatus.CANCELED.value)
            reports.append(self.book.report(node))
        status, error = final_status(self.error_id, self.error, reports)
        self.rec.cau(FINAL_EVENT[status], None, error or "all nodes updated")
        duration = self._elapsed()
        report = RunReport(
            run_id=self.run_id,
            cluster=self.cluster or "unknown",
            profile=self.profile,
            started_at=self.started_at,
            finished_at=self.started_at + timedelta(seconds=duration),
            duration_seconds=duration,
            status=status,
            error_id=self.error_id,
            error=error,
            nodes=tuple(reports),
            events=tuple(self.rec.events),
        )
        self.link.finish(self, report)
        return report
