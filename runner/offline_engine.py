"""The engine of a fast offline update: the rolling engine's API and run, with the offline
core deciding and acting.

Owns: ``OfflineEngine`` — an ``runner.engine.Engine`` (same ``start`` / ``step`` / ``finish``
/ ``resume``, the same preflight, journal, run lock, CredSSP handling and ``RunReport``)
whose turns decide with ``runner.offline_decisions.decide_offline`` and act with
``runner.offline_acts``; its ``OfflineProgress`` travels in every checkpoint
(``RunState.mode_state``), so a coordinator that dies in any step — the cluster stopped,
the service Disabled, half the nodes restarted — is resumed by another one that finishes
the window, or undoes it, from what the journal says it changed.

Theory of operation: ``start`` is the rolling preflight (reachability, quorum,
RequireAllNodesOnline, Test-Cluster, the scan of every node, the readiness refusals), then
the plan's downtime estimate (``runner.offline_plan``) is recorded. Each ``step`` is one
turn: look, decide, act, checkpoint. The safe point of an operator's stop (Ctrl-C,
SIGTERM) or of StopAfter: before the first VM is saved the run stops at once, having changed
nothing; afterwards it *closes the window* — no new install, no re-scan; installs already
running finish, restarts owed are made, the cluster service is set back to Automatic, the
cluster started, the disks brought online and the saved VMs started — and only then ends
Canceled (resumable: a resumed run gives the nodes it did not update a window of their
own). A run that may not act any more (its run lock taken over, its credentials refused)
stops at once and says what it leaves undone.

Must not: call ``time.sleep``/``time.time`` (the injected ``Clock`` only), import the
simulator, or decide anything itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from runner.actions import Finish
from runner.acts import ACTS
from runner.engine import MAX_STEPS, Engine
from runner.errors import AuthenticationFailed, RunLocked
from runner.evolve import evolve
from runner.journal import RunJournal
from runner.journal_codec import decode_as, encode
from runner.lease import RunLease
from runner.lifecycle import NodeStep
from runner.offline_acts import OFFLINE_ACTS, OfflineActs
from runner.offline_book import OfflineBook
from runner.offline_decisions import decide_offline
from runner.offline_lifecycle import (
    VM_ACTION,
    OfflineProgress,
    OfflineStep,
    cluster_timing,
    offline_section,
)
from runner.offline_node_steps import Looks
from runner.offline_plan import estimate_downtime
from runner.option_rules import wants_soft_restart
from runner.profile import Mode, ResolvedProfile
from runner.recorder import Listener
from runner.report import RunEvent, RunReport
from runner.run_state import RunState
from runner.stop import USER_CANCELED, StopRequest
from runner.timing import POLL_ACTIVE_SECONDS, UNREACHABLE_LIMIT_SECONDS
from runner.transport import Clock, ClusterTransport

__all__ = ["OfflineEngine"]

_RESTORE_SERVICE = (
    "Set-Service -Name ClusSvc -StartupType Automatic, then Start-ClusterNode (Start-Cluster "
    "if the cluster is stopped)"
)


class OfflineEngine(Engine, OfflineActs):
    """One fast offline update (see module docstring). Not thread-safe."""

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
        super().__init__(
            transport, clock, profile, run_id=run_id, started_at=started_at, listener=listener,
            journal=journal, lease=lease, stop=stop,
        )  # fmt: skip
        self.offline = OfflineProgress()
        self.looks = Looks()
        self.obook = OfflineBook(self.rec, self.profile)

    # ---------------------------------------------------------------- the run's state

    @property
    def state(self) -> RunState:
        """The run as it stands, with the offline progress as its ``mode_state``."""
        return replace(super().state, mode_state=encode(self.offline))

    def restore(self, state: RunState, events: tuple[RunEvent, ...] = ()) -> None:
        """Continue from ``state``; a stopped run that is resumed (its window closed, nodes
        put back in line) gets a new window for those nodes."""
        super().restore(state, events)
        self.obook = OfflineBook(self.rec, self.profile)
        off = OfflineProgress()
        if state.mode_state is not None:
            off = decode_as(OfflineProgress, state.mode_state)
        waiting = any(node.step is NodeStep.WAITING for node in state.nodes)
        if off.step is OfflineStep.DONE and waiting:
            off = OfflineProgress(
                planned_downtime_s=off.planned_downtime_s, soft_restart=off.soft_restart
            )
        self.offline = off

    # ---------------------------------------------------------------- public API

    def start(self) -> None:
        """The preflight (``Engine.start``), then the plan's downtime estimate."""
        super().start()
        if self.done or self.view is None:
            return
        offers = {
            node.name: node.initial_offer
            for node in self.book.nodes.values()
            if node.initial_offer is not None
        }
        estimate = estimate_downtime(self.view, offers, self.profile)
        soft = wants_soft_restart(self.profile, self.view)
        self.offline = evolve(self.offline, planned_downtime_s=estimate.seconds, soft_restart=soft)
        self.looks = Looks(view=self.view, cluster_answers=True, cluster_at=self._elapsed())
        detail = (
            f"offline update of every node at once: planned downtime {estimate.describe()}; "
            f"running VMs are {VM_ACTION}d first and started again at the end"
        )
        self.rec.emit("offline-plan", None, detail)
        self.link.checkpoint(lambda: self.state, self.rec.events)

    def step(self) -> bool:
        """One turn — look, decide, act, checkpoint; False when the run is over."""
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
        nodes = {name: self.book.nodes[name] for name in self.order}
        action = decide_offline(self.looks, self.progress, self.offline, nodes, self.profile)
        if isinstance(action, Finish):
            self.done = True
            return False
        handler = OFFLINE_ACTS.get(type(action)) or ACTS[type(action)]  # type: ignore[index]
        try:
            getattr(self, handler)(action)
        except RunLocked as exc:
            if self.lease is not None:
                self.lease.lose(str(exc))
            return True
        except AuthenticationFailed as exc:
            self.abort = ("AuthenticationFailed", f"the cluster refused the credentials: {exc}")
            return True
        self.link.checkpoint(lambda: self.state, self.rec.events)
        return True

    def finish(self, *, record_end: bool = True) -> RunReport:
        """End the run (``Engine.finish``) with the offline sections; every change the run
        could not undo is named in a warning with what to do."""
        if self._finished is not None:
            return self._finished
        off, now = self.offline, self._elapsed()
        if off.open_since is not None:
            spans = (*off.spans, (off.step.value, off.open_since, now))
            off = self.offline = evolve(off, spans=spans, open_since=None)
        if off.downtime_start is not None and off.downtime_end is None:
            off = self.offline = evolve(off, downtime_end=now)
        if off.saved and off.step is not OfflineStep.BEGIN:
            off = self.offline = evolve(off, vms_not_started=off.saved)
            self.rec.warning(f"saved VM(s) not started again: {', '.join(off.saved)}")
        for name in off.disabled_on:
            why = "it did not come back" if name in off.missing else "the run could not reach it"
            self.rec.warning(
                f"its cluster service is left Disabled ({why}); when it is back: "
                f"{_RESTORE_SERVICE}",
                name,
            )
        if off.cluster_stopped:
            self.rec.warning(
                "the cluster is left stopped: run Start-Cluster once enough nodes are back"
            )
        if off.disks_offline:
            self.rec.warning(
                "the virtual disks are left offline: bring them online (Start-ClusterResource)"
            )
        report = super().finish(record_end=record_end)
        self._finished = replace(
            report,
            mode=Mode.OFFLINE,
            cluster_timing=cluster_timing(self.offline),
            offline=offline_section(self.offline),
        )
        return self._finished

    # ---------------------------------------------------------------- the run's inside

    def _stop_if_asked(self) -> None:
        """An operator asked to stop: CAU event 1021 at once; before anything changed the
        run ends now, afterwards it closes the update window first (module docstring)."""
        reason = self.stop.reason if self.stop is not None else None
        if reason is None or self._stop_announced:
            return
        self._stop_announced = True
        changed = self.offline.step is not OfflineStep.BEGIN
        suffix = (
            "; the update window is closed first: cluster, disks and VMs come back"
            if changed
            else ""
        )
        self.rec.cau(1021, None, reason + suffix)
        self._end(USER_CANCELED, reason)
        self.offline = evolve(self.offline, closing=True)

    def _wait_for_view(self) -> bool:
        """A resumed run looks at the cluster — or, while the cluster is stopped, at the nodes
        one by one — until it answers (bounded, as ``RunControl._wait_for_view``)."""
        if not self.offline.cluster_stopped:
            if not super()._wait_for_view():
                return False
            self.looks = Looks(view=self.view, cluster_answers=True, cluster_at=self._elapsed())
            return True
        since = self._elapsed()
        self._observe_hosts()
        while self.looks.hosts is None or not any(h.reachable for h in self.looks.hosts.hosts):
            if self._elapsed() - since >= UNREACHABLE_LIMIT_SECONDS:
                self._end("ClusterUnreachable", "no node answered when the run resumed")
                return False
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._observe_hosts()
        return True
