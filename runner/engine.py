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
from runner.acts import ClusterActs
from runner.bookkeeping import FINAL_EVENT, Bookkeeper, final_status
from runner.credssp import ENABLE_FAILED, credssp_for_run
from runner.decisions import decide, max_failed_nodes, node_order
from runner.errors import (
    AuthenticationFailed,
    RunLocked,
)
from runner.journaled import JournalLink, RunJournal
from runner.lease import LeasedClock, RunLease
from runner.lifecycle import TRANSITIONS, NodeStep, Outcome
from runner.preflight import first_view, readiness_refusal, scan_all, validate_cluster
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Listener, Recorder
from runner.report import RunReport
from runner.stop import USER_CANCELED, StopRequest
from runner.transport import Clock, ClusterTransport
from runner.types import (
    ClusterView,
    NodeState,
    SummaryStatus,
    UpdateInfo,
)
from runner.work_steps import BACK_STATES

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
    lease: RunLease | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Perform one CAU rolling updating run (Invoke-CauRun) and return its report.

    ``profile`` should be resolved (``Profile.resolved``); MaxFailedNodes defaults to ⌊N/3⌋
    otherwise. ``listener`` gets every ``RunEvent``; ``journal``: see ``runner.journaled``.
    ``lease``: the cluster's run lock, taken by the caller before anything touched a node
    (``RunLease.acquire``); the engine renews it while it waits, stops acting the moment it
    is lost (the run ends Failed, ``RunLockLost``) and frees it at the end. ``stop``: an
    operator's request to stop at the next safe point (``runner.stop``).
    """
    link = JournalLink(journal, run_id)
    engine = _Engine(transport, clock, profile, run_id, started_at, listener, link, lease)
    engine.stop = stop
    return engine.run()


class _Engine(ClusterActs):
    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        profile: Profile,
        run_id: str,
        started_at: datetime,
        listener: Listener | None,
        link: JournalLink,
        lease: RunLease | None = None,
    ) -> None:
        self.link = link
        self.transport = transport
        self.lease: RunLease | None = None
        self.stop: StopRequest | None = None
        self.abort: tuple[str, str] | None = None  # (error id, why): act no more
        self._stop_announced = False
        self.clock = clock
        if lease is not None:
            self.hold(lease)
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

    def hold(self, lease: RunLease) -> None:
        """Run under ``lease``: every wait renews it when due, so a long scan or restart
        keeps it alive, and a lost lease stops the run."""
        self.lease = lease
        inner = self.clock.inner if isinstance(self.clock, LeasedClock) else self.clock
        self.clock = LeasedClock(inner, lease)

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
        if self._lease_lost():
            return self._finish()
        nodes = [n.name for n in (self.view or view).nodes if n.state in BACK_STATES]
        credssp = credssp_for_run(
            self.transport, self.clock, self.rec, self.profile, nodes, self.may_act
        )
        with credssp as found:  # CredSSP (enable_credssp) is disabled whatever the outcome
            enabled = tuple(found.enabled_by_us)
            self.progress = replace(self.progress, credssp_enabled_on=enabled)
            self.link.checkpoint(self)
            if found.refusal is not None:  # nothing is left half enabled; no node touched
                self._end(ENABLE_FAILED, found.refusal)
            else:
                self._loop()
        return self._finish()

    def _loop(self) -> None:
        for _ in range(MAX_LOOP_STEPS):
            if self._lease_lost():
                return
            self._stop_if_asked()
            self.progress = replace(self.progress, now=self._elapsed())
            assert self.view is not None
            action = decide(self.view, self.progress, self.profile)
            try:
                if not self._act(action):
                    return
            except RunLocked as exc:  # the cluster refused a fenced command: not ours now
                if self.lease is not None:
                    self.lease.lose(str(exc))
                continue  # the next turn ends the run without acting
            except AuthenticationFailed as exc:  # refused even after a fresh logon
                self.abort = ("AuthenticationFailed", f"the cluster refused the credentials: {exc}")
                continue
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

    def may_act(self) -> bool:
        """False once the run may not touch the cluster any more (lock lost, credentials
        refused): even its clean-up (CredSSP) is left alone then."""
        lost = self.lease is not None and self.lease.lost is not None
        return self.abort is None and not lost

    def _stop_if_asked(self) -> None:
        """An operator asked to stop (Ctrl-C, SIGTERM): CAU event 1021 at once; then, at the
        next safe point, the StopAfter path and the run ends Canceled. The safe point: a
        node already disrupted (drain issued) finishes its update first — install, restart,
        resume, resync — so no node is left in maintenance or with an install half done; a
        node not yet disrupted is stopped where it is. No further node is started."""
        reason = self.stop.reason if self.stop is not None else None
        if reason is None or self.progress.stopping:
            return
        current = self.progress.current
        later = current is not None and _disrupted(current)
        if not self._stop_announced:
            self._stop_announced = True
            suffix = f"; {current.name} finishes its update first" if current and later else ""
            self.rec.cau(1021, None, reason + suffix)
        if later:
            return  # not yet: the node in flight is still being updated
        self._end(USER_CANCELED, reason)
        self.progress = replace(self.progress, stopping=True)

    def _lease_lost(self) -> bool:
        """The run may not act any more — another coordinator holds the run lock, or the
        cluster refuses the credentials: end the run at once and touch nothing more."""
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
        if self.lease is not None and (problem := self.lease.release()):
            self.rec.warning(f"the run lock could not be freed: {problem}")
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


def _disrupted(node: NodeProgress) -> bool:
    """Whether the run has taken ``node`` out of service in its current attempt (a drain was
    issued): from then on stopping means finishing its update, not abandoning it."""
    early = (NodeStep.WAITING, NodeStep.PRE_SCRIPT, NodeStep.SCAN, NodeStep.STORAGE_WAIT)
    if node.step in early:
        return node.suspend_issued or node.suspend_attempted
    return node.step is not NodeStep.RECOVER or node.paused_by_us
