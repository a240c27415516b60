"""The engine of a CAU rolling updating run: ``start``, then ``step`` until done, ``finish``.

Owns: ``Engine`` — the public API every driver of a run uses (``pycau run`` and ``resume``,
rehearsals, the simulated coordinator crash, the stateful test): ``start`` (preflight:
reachability, quorum, RequireAllNodesOnline, the site order, Test-Cluster, the scan of
every Up node unless skip_update_checks, readiness refusals, the Remote Shutdown firewall
rules, CredSSP for the run), ``step`` (ONE turn: observe → decide → act →
checkpoint; False when the run has nothing more to do), ``finish`` (CredSSP undone, the run
lock freed, the final ``RunReport``), ``state`` (the ``RunState`` a checkpoint holds) and
``Engine.resume`` (a run picked up from its journal). ``runner.updating_run`` drives a
whole run in one call.

Theory of operation: an imperative shell around a pure core. The engine never decides:
``runner.decisions.decide`` names the next action, ``runner.acts`` performs it through the
transport and clock and records what was learnt (new ``NodeProgress`` snapshots), and the
engine loops. Time passes only in waits and polls, so every wait is bounded by the core's
deadlines. A step never re-issues a restart because a call errored: only a changed boot id
confirms one. A run stops acting at once when it may not act any more — its run lock was
taken over (the cluster refuses its fenced commands) or the cluster refuses its credentials
— and stops at a safe point when an operator asks (``runner.stop``).

Must not: call ``time.sleep``/``time.time`` (the injected ``Clock`` only), import the
simulator, or do O(roles) work per step (decide's guards count roles once per node).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from runner.actions import Finish
from runner.bookkeeping import FINAL_EVENT, Bookkeeper, final_status
from runner.decisions import node_order
from runner.errors import AuthenticationFailed, InputError, RunLocked
from runner.evolve import evolve
from runner.follow_up import feature_run
from runner.journal import RUN_IN_PROGRESS, RunJournal
from runner.journal_codec import decode_as
from runner.journaled import JournalLink, journaled_run
from runner.lease import LeasedClock, RunLease
from runner.lifecycle import NodeStep
from runner.options_start import UNKNOWN_SITE, enable_firewall_rules, site_ordered
from runner.plugin_steps import plugin_warnings, scan_action
from runner.preflight import first_view, readiness_refusal, scan_all, validate_cluster
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Listener, Recorder
from runner.recovery import foreign_pauses, reopened, resumable_after_stop
from runner.report import RunEvent, RunReport, iso_utc
from runner.run_state import RunState
from runner.run_turns import RunTurns
from runner.stop import StopRequest
from runner.transport import Clock, ClusterTransport
from runner.types import ClusterView, NodeState, SummaryStatus, UpdateInfo

__all__ = ["MAX_STEPS", "Engine"]

MAX_STEPS = 2_000_000  # a runaway loop is a bug: end the run instead of spinning


class Engine(RunTurns):
    """One updating run (see module docstring). Not thread-safe; one driver at a time."""

    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        profile: ResolvedProfile,
        *,
        run_id: str,
        started_at: datetime,
        listener: Listener | None = None,
        journal: RunJournal | None = None,
        lease: RunLease | None = None,
        stop: StopRequest | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.lease: RunLease | None = None
        if lease is not None:
            self.hold(lease)
        self.stop = stop
        self.profile = profile
        self.run_id = run_id
        self.started_at = started_at
        self.link = JournalLink(journal, run_id, iso_utc(started_at))
        self.t0 = clock.now()
        self.rec = Recorder(self._elapsed, listener)
        self.book = Bookkeeper(self.rec, profile)
        self.view: ClusterView | None = None
        self.cluster = ""
        self.order: tuple[str, ...] = ()
        self.progress = RunProgress()
        self.error_id: str | None = None
        self.error: str | None = None
        self.abort: tuple[str, str] | None = None  # (error id, why): act no more
        self.done = False  # nothing more to step
        self.steps = 0
        self._stop_announced = False
        self._finished: RunReport | None = None

    # ---------------------------------------------------------------- public API

    @property
    def checkpoints(self) -> int:
        """Checkpoints journaled so far (1 = after the preflight)."""
        return self.link.step

    @property
    def state(self) -> RunState:
        """The run as it stands: what a checkpoint holds and ``restore`` puts back."""
        return RunState(
            cluster=self.cluster,
            profile=self.profile,
            order=self.order,
            s2d=self.book.s2d,
            nodes=tuple(self.book.nodes[name] for name in self.order),
            progress=self.progress,
            error_id=self.error_id,
            error=self.error,
            elapsed=self._elapsed(),
            timing=self.rec.timing_state(),
            feature_pass=self.feature_pass,
        )

    def restore(self, state: RunState, events: tuple[RunEvent, ...] = ()) -> None:
        """Continue from ``state`` (and its event log): the run's seconds go on from the
        state's, whatever this process's clock says (another process's monotonic clock has
        another origin, and the coordinator's downtime is not part of the run)."""
        self.cluster, self.order, self.error_id, self.error = (
            state.cluster, state.order, state.error_id, state.error,
        )  # fmt: skip
        self.profile = self.book.profile = state.profile
        self.book.s2d = state.s2d
        self.book.nodes = {node.name: node for node in state.nodes}
        self.progress = state.progress
        self.feature_pass = state.feature_pass
        self.t0 = self.clock.now() - state.elapsed
        self.rec.events[:] = events
        in_flight = () if state.progress.current is None else (state.progress.current,)
        attempts = {node.name: node.attempt for node in (*state.nodes, *in_flight) if node.attempt}
        self.rec.restore_timing(state.timing, attempts)

    def hold(self, lease: RunLease) -> None:
        """Run under ``lease``: every wait renews it when due, so a long scan or restart
        keeps it alive, and a lost lease stops the run."""
        self.lease = lease
        inner = self.clock.inner if isinstance(self.clock, LeasedClock) else self.clock
        self.clock = LeasedClock(inner, lease)

    def may_act(self) -> bool:
        """False once the run may not touch the cluster any more (lock lost, credentials
        refused): even its clean-up (CredSSP) is left alone then."""
        lost = self.lease is not None and self.lease.lost is not None
        return self.abort is None and not lost

    def start(self) -> None:
        """The preflight, up to the first checkpoint; a refusal here ends the run (``done``)
        before any node is touched."""
        view = self.view = first_view(self.transport, self.clock, self._elapsed)
        if view is None:
            return self._refuse("ClusterUnreachable", "the cluster did not answer at the start")
        self.cluster = view.cluster
        self.book.s2d = view.s2d_enabled
        self.order = node_order(view, self.profile)
        versions = {n.name: n.version for n in view.nodes}  # a feature run reports before/after
        self.book.nodes = {
            name: NodeProgress(name=name, version_before=versions[name]) for name in self.order
        }
        self.rec.cau(1003, None, f"updating run started on {len(view.nodes)} node(s)")
        for warning in plugin_warnings(self.profile):  # CAU warns, and runs
            self.rec.warning(warning)
        if not view.has_quorum:
            return self._refuse("NoQuorum", "the cluster has no quorum")
        offline = [n.name for n in view.nodes if n.state is not NodeState.UP]
        if self.profile.require_all_nodes_online and offline:
            detail = f"{len(offline)} node(s) not online: {', '.join(offline)}"
            self.rec.cau(1020, None, detail)
            return self._refuse("NodesOffline", detail)
        if self.profile.site_aware_updating_order:
            sites = self.profile.site_aware_updating_order
            self.order, unknown = site_ordered(self.transport, self.rec, self.order, sites)
            if unknown:
                return self._refuse(UNKNOWN_SITE, unknown)
        refusal = validate_cluster(self.transport, self.clock, self.rec, self.validation_profile())
        pending: list[str] = []  # nodes whose preview channel awaits its restart
        offers = {} if refusal or self._skip_scan() else self._scan_all(view, pending)
        if refusal := refusal or readiness_refusal(
            view, offers, feature=feature_run(self.profile), channel_pending=pending
        ):  # a known issue or a guide's prerequisite: touch no node
            return self._refuse(refusal.error_id, refusal.detail)
        self.book.nodes = {
            name: NodeProgress(
                name=name, initial_offer=offers.get(name), version_before=versions[name]
            )
            for name in self.order
        }
        self.progress = RunProgress(remaining=self.order, view_at=self._elapsed())
        self._note_cluster(view)  # the cluster_versions section's "before" (runner.post_run)
        self._observe()  # the scan took a while: decide on a fresh view
        if self._aborted():
            self.done = True
            return None
        if self.profile.enable_firewall_rules and self.view is not None:
            enable_firewall_rules(self.transport, self.rec, self.view)
        self._enable_credssp()
        self.link.checkpoint(lambda: self.state, self.rec.events)
        return None

    def step(self) -> bool:
        """One turn — observe, decide, act, checkpoint; False when the run is over (then
        call ``finish``). A refused fenced command or refused credentials end the run at the
        next turn without acting again."""
        if self.done:
            return False
        self.steps += 1
        if self._aborted() or self.steps > MAX_STEPS:
            if self.steps > MAX_STEPS:
                self._end("RunnerLoopBound", "the run did not converge; stopped by the loop bound")
            self.done = True
            return False
        self._stop_if_asked()
        self.progress = evolve(self.progress, now=self._elapsed())
        action = self._decide()
        if isinstance(action, Finish):
            if self._begin_follow_up() or self._post_steps():  # further updates, post steps
                self.link.checkpoint(lambda: self.state, self.rec.events)
                return True
            self.done = True
            return False
        try:
            self._act(action)
        except RunLocked as exc:  # the cluster refused a fenced command: not ours now
            if self.lease is not None:
                self.lease.lose(str(exc))
            return True
        except AuthenticationFailed as exc:  # refused even after a fresh logon
            self.abort = ("AuthenticationFailed", f"the cluster refused the credentials: {exc}")
            return True
        self.link.checkpoint(lambda: self.state, self.rec.events)
        return True

    def run_to_end(self) -> RunReport:
        """Step until done, then finish. An exception out of a step (a bug) still undoes
        CredSSP on its way out, unless the run may not act any more."""
        try:
            while self.step():
                pass
        except BaseException:
            if self.may_act():
                self._undo_credssp()
            raise
        return self.finish()

    def finish(self, *, record_end: bool = True) -> RunReport:
        """End the run: CredSSP undone (when the run may still act), every node still open
        Canceled, the run lock freed, the final event, the last checkpoint; the report.
        ``record_end=False`` leaves the run open in the journal, as a coordinator that died
        right after its last checkpoint does (rehearsals of that crash)."""
        if self._finished is not None:
            return self._finished
        if self.may_act():
            self._undo_credssp()
        reports = []
        for name in self.order:
            node = self.book.nodes[name]
            if not node.terminal:
                node = self.book.nodes[name] = evolve(node, step=NodeStep.CANCELED)
                self.rec.node_status(name, SummaryStatus.CANCELED.value)
            reports.append(self.versioned(self.book.report(node), node))
        section = self.cluster_section()  # observed while the run still holds its lock
        if self.lease is not None and (problem := self.lease.release()):
            self.rec.warning(f"the run lock could not be freed: {problem}")
        nodes, follow_up = self.pass_reports(reports)
        every = [*nodes, *(follow_up.nodes if follow_up is not None else ())]
        status, error = final_status(self.error_id, self.error, every)
        self.rec.cau(FINAL_EVENT[status], None, error or self.done_text())
        duration = self._elapsed()
        self._finished = RunReport(
            run_id=self.run_id,
            cluster=self.cluster or "unknown",
            profile=self.profile,
            started_at=self.started_at,
            finished_at=self.started_at + timedelta(seconds=duration),
            duration_seconds=duration,
            status=status,
            error_id=self.error_id,
            error=error,
            nodes=nodes,
            events=tuple(self.rec.events),
            follow_up=follow_up,
            cluster_versions=section,
            waves=self.waves_section(),
        )
        ending = status.value if record_end else None
        self.link.finish(lambda: self.state, self.rec.events, ending, self._finished.to_dict())
        return self._finished

    @classmethod
    def resume(
        cls,
        transport: ClusterTransport,
        clock: Clock,
        journal: RunJournal,
        run_id: str,
        *,
        listener: Listener | None = None,
        take_lease: Callable[[], RunLease] | None = None,
        stop: StopRequest | None = None,
    ) -> Engine:
        """The run ``run_id`` of ``journal``, picked up after its coordinator died (or an
        operator stopped it), ready to ``step``: its last checkpoint restored, the cluster
        observed afresh (a management outage waited out, bounded), the run lock taken with
        ``take_lease`` once the cluster answers (its ``RunLocked`` propagates, nothing
        touched). ``InputError`` when there is nothing to resume."""
        run = journal.load(run_id)
        if run is None:
            raise InputError(journal.path, "$", f"the journal holds no run {run_id}")
        reopening = resumable_after_stop(run)
        if run.status != RUN_IN_PROGRESS and not reopening:
            raise InputError(journal.path, "$", f"run {run_id} already ended {run.status}")
        engine = cls(
            transport, clock, decode_as(ResolvedProfile, run.profile), run_id=run_id,
            started_at=datetime.fromisoformat(run.started_at), listener=listener,
            journal=journal, stop=stop,
        )  # fmt: skip
        state, events = journaled_run(journal, run)
        if state is None:  # died before its first checkpoint: it changed nothing but scans
            if take_lease is not None:
                engine.hold(take_lease())
            engine.start()
            return engine
        again: list[str] = []
        if reopening:
            state, again = reopened(state)
        engine.restore(state, events)
        engine.link.resumed(run, state)
        if not reopening:
            detail = f"the coordinator stopped after journal step {run.step}"
            engine.rec.emit("coordinator-crash", None, detail)
        if not engine._wait_for_view():
            engine.done = True
            return engine
        took = ""
        if take_lease is not None:
            lease = take_lease()  # RunLocked: refused, nothing touched
            engine.hold(lease)
            if lease.taken_over is not None:
                took = f"; took the run lock over from {lease.taken_over.describe()}"
        if reopening:
            journal.reopen_run(run_id)  # only now that the lock is ours
        done = sum(1 for node in engine.book.nodes.values() if node.terminal)
        recovering = f"recovering cluster from previous run ({done} node(s) finished){took}"
        engine.rec.cau(1014, None, recovering)
        if engine.view is not None and not engine.progress.stale:
            for name in foreign_pauses(engine.view, engine.book.nodes):
                engine.rec.warning("Paused by someone else: left alone", name)
        back = f"; the stopped run's nodes put back in line: {', '.join(again)}" if again else ""
        engine.rec.emit("run-resumed", None, f"resumed from journal step {run.step}{back}")
        if reopening:  # the stopped run undid CredSSP at its end: set it up again, as a run does
            engine._enable_credssp()
        return engine

    # ---------------------------------------------------------------- the run's inside

    def _elapsed(self) -> float:
        return self.clock.now() - self.t0

    def _refuse(self, error_id: str, detail: str) -> None:
        """The preflight refuses the run: nothing was touched; nothing more to step."""
        self._end(error_id, detail)
        self.done = True

    def _skip_scan(self) -> bool:
        """skip_update_checks: no scan before the run; each node is scanned at its turn."""
        if self.profile.skip_update_checks:
            self.rec.emit(
                "scan-skipped", None, "skip_update_checks: each node is scanned at its turn"
            )
        return self.profile.skip_update_checks

    def _scan_all(self, view: ClusterView, pending: list[str]) -> dict[str, tuple[UpdateInfo, ...]]:
        deadline = self._elapsed() + self.profile.install_timeout_s
        if self.profile.stop_after_s is not None:  # the run stops then anyway
            deadline = min(deadline, self.profile.stop_after_s)
        return scan_all(
            self.transport, self.clock, self.rec, self.view or view, self.order, self._elapsed,
            deadline, scan_action("", self.profile), pending,
        )  # fmt: skip

    def _end(self, error_id: str, detail: str) -> None:
        """Remember why the run ends early (the first reason wins)."""
        if self.error_id is None:
            self.error_id, self.error = error_id, detail
            self.progress = evolve(self.progress, cancel_error_id=error_id)
