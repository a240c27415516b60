"""How the offline engine performs each action ``decide_offline`` returns, and what it learns.

Owns: ``OfflineActs`` — the offline engine's handlers, one per action type (``OFFLINE_ACTS``):
look (wait, then observe the cluster, the nodes one by one, the storage pool), the
cluster-wide commands (save and start VMs, disks offline and online, stop and start the
cluster, the cluster service's startup type), the node work of the update window (start an
install or a scan, poll it, restart a node, move a node along the window's table), and the
run-level acts (enter the next step, close the run, StopAfter). Each is ONE transport call
at most.

Error contract (as ``runner.transport`` documents, and as ``runner.acts`` maps it):
``RemoteCommandFailed`` — refused, no effect: counted, the step fails after
``MAX_COMMAND_FAILURES``; any other ``TransportError`` — effect unknown: back off, look
again, and let the observation say what happened (every cluster-wide command is
idempotent, a restart is never re-issued: the boot id tells); ``AuthenticationFailed`` and
``RunLocked`` propagate to the engine's loop, which stops acting. What a command may have
changed is written into the progress *before* the command is sent, so a run that dies
mid-command (or closes) undoes it even when the answer was lost.

Must not: decide what to do next (``runner.offline_decisions``), move a node along the
table except through ``runner.offline_book``, or sleep except through the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runner.actions import Advance, Poll, Restart, StartInstall, StartScan, StopAfter
from runner.bookkeeping import Bookkeeper
from runner.errors import AuthenticationFailed, RemoteCommandFailed, TransportError
from runner.evolve import evolve
from runner.lifecycle import Outcome
from runner.offline_actions import (
    HOSTS,
    CloseRun,
    EnterStep,
    Look,
    Restored,
    SaveVms,
    SetDisks,
    SetService,
    StartCluster,
    StartVms,
    StopCluster,
)
from runner.offline_book import OfflineBook
from runner.offline_lifecycle import CLUSTER_COMMAND_SECONDS, OfflineProgress, OfflineStep
from runner.offline_looks import OfflineLooks
from runner.offline_types import ServiceStartup
from runner.preflight import backoff
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Recorder
from runner.timing import POLL_ACTIVE_SECONDS, in_minutes
from runner.transport import Clock, ClusterTransport
from runner.types import BootType, ClusterView, WorkHandle, WorkKind, WorkProgress, WorkState

__all__ = ["OFFLINE_ACTS", "OfflineActs"]

OFFLINE_ACTS: dict[type, str] = {
    Look: "_off_look",
    SaveVms: "_off_save_vms",
    StartVms: "_off_start_vms",
    SetDisks: "_off_set_disks",
    StopCluster: "_off_stop_cluster",
    StartCluster: "_off_start_cluster",
    SetService: "_off_set_service",
    Restored: "_off_restored",
    EnterStep: "_off_enter",
    CloseRun: "_off_close",
    StopAfter: "_off_stop_after",
    StartInstall: "_off_start_work",
    StartScan: "_off_start_work",
    Poll: "_off_poll",
    Restart: "_off_restart",
    Advance: "_off_advance",
}


class OfflineActs(OfflineLooks):
    """The offline engine's acts (``runner.offline_engine.OfflineEngine`` owns the state)."""

    transport: ClusterTransport
    clock: Clock
    rec: Recorder
    book: Bookkeeper
    obook: OfflineBook
    profile: ResolvedProfile
    progress: RunProgress
    offline: OfflineProgress
    view: ClusterView | None
    order: tuple[str, ...]
    error_id: str | None

    def _elapsed(self) -> float:
        raise NotImplementedError

    def _end(self, error_id: str, detail: str) -> None:
        raise NotImplementedError

    # -- the step's span and its commands ----------------------------------------------

    def _acted(self) -> None:
        """The current step does something: its span (and its start event) begins."""
        off = self.offline
        if off.open_since is None and off.step not in (OfflineStep.BEGIN, OfflineStep.DONE):
            self.offline = evolve(off, open_since=self._elapsed())
            self.rec.emit("cluster-step-start", None, off.step.value, phase=off.step.value)

    def _command(self, call: Callable[[], Any], what: str, **changes: Any) -> bool:
        """Send one cluster-wide command; ``changes`` are recorded first (it may take effect
        even if its answer is lost). True when the cluster accepted it."""
        self._acted()
        off = self.offline
        if off.downtime_start is None and changes.pop("downtime", False):
            changes["downtime_start"] = self._elapsed()
        changes.pop("downtime", None)
        if changes:
            self.offline = off = evolve(off, **changes)
        try:
            call()
        except RemoteCommandFailed as exc:
            self.rec.warning(f"{what} refused: {exc}")
            self.offline = evolve(self.offline, failures=self.offline.failures + 1)
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            self._look_at(self._step_looks())
            return False
        except AuthenticationFailed:
            raise
        except TransportError as exc:
            self.rec.warning(f"{what}: no answer ({exc}); looking again")
            self.clock.sleep(backoff(1))
            self._look_at(self._step_looks())
            return False
        self.offline = evolve(self.offline, issued=True, issued_at=self._elapsed())
        return True

    def _off_save_vms(self, action: SaveVms) -> None:
        if self._command(
            lambda: self.transport.save_vms(action.vms), "saving the VMs", downtime=True
        ):
            self.rec.emit("vms-saved", None, f"{len(action.vms)} VM(s): {', '.join(action.vms)}")

    def _off_start_vms(self, action: StartVms) -> None:
        self._command(lambda: self.transport.start_vms(action.vms), "starting the VMs")

    def _off_set_disks(self, action: SetDisks) -> None:
        state = "online" if action.online else "offline"
        changes: dict[str, Any] = {} if action.online else {"disks_offline": True, "downtime": True}
        call = lambda: self.transport.set_virtual_disks_online(action.online)  # noqa: E731
        self._command(call, f"taking the virtual disks {state}", **changes)

    def _off_stop_cluster(self, action: StopCluster) -> None:
        self._command(
            self.transport.stop_cluster, "Stop-Cluster", cluster_stopped=True, downtime=True
        )

    def _off_start_cluster(self, action: StartCluster) -> None:
        off = self.offline
        first = off.start_cluster_at is None and off.step is OfflineStep.START_CLUSTER
        changes: dict[str, Any] = {"start_cluster_at": self._elapsed()} if first else {}
        what = "Start-Cluster" if off.cluster_stopped else f"Start-ClusterNode {action.node}"
        self._command(lambda: self.transport.start_cluster(action.node), what, **changes)

    def _off_set_service(self, action: SetService) -> None:
        off = self.offline
        changes: dict[str, Any] = {"asked": (*off.asked, action.node)}
        if action.startup is ServiceStartup.DISABLED and action.node not in off.disabled_on:
            changes["disabled_on"] = (*off.disabled_on, action.node)
        call = lambda: self.transport.set_cluster_service(action.node, action.startup)  # noqa: E731
        what = f"the cluster service of {action.node} to {action.startup.value}"
        self._command(call, what, **changes)

    def _off_restored(self, action: Restored) -> None:
        left = tuple(n for n in self.offline.disabled_on if n != action.node)
        self.offline = evolve(self.offline, disabled_on=left)
        self.rec.emit("service-restored", action.node, "cluster service Automatic")

    # -- run-level ------------------------------------------------------------------------

    def _off_enter(self, action: EnterStep) -> None:
        off, now = self.offline, self._elapsed()
        spans = off.spans
        if off.open_since is not None:
            spans = (*spans, (off.step.value, off.open_since, now))
            self.rec.emit("cluster-step-end", None, off.step.value, phase=off.step.value)
        if action.note:
            self.rec.warning(action.note)
        timeouts = {
            OfflineStep.SAVE_VMS: self.profile.drain_timeout_s,
            OfflineStep.START_VMS: self.profile.drain_timeout_s,
            OfflineStep.START_CLUSTER: self.profile.reboot_timeout_s,
            OfflineStep.STORAGE_WAIT: self.profile.wait_for_storage_repair_timeout_s,
            OfflineStep.DISKS_ONLINE: self.profile.wait_for_storage_repair_timeout_s,
        }
        window = (OfflineStep.INSTALL, OfflineStep.RESTART, OfflineStep.RESCAN, OfflineStep.DONE)
        timeout = (
            None if action.step in window else timeouts.get(action.step, CLUSTER_COMMAND_SECONDS)
        )
        changes: dict[str, Any] = {
            "step": action.step,
            "entered_at": now,
            "deadline": None if timeout is None else now + timeout,
            "issued": False,
            "issued_at": 0.0,
            "failures": 0,
            "asked": (),
            "poll_due": (),
            "open_since": None,
            "spans": spans,
        }
        if action.saved is not None:
            changes.update(saved=action.saved, vms_saved=action.saved)
        if action.votes is not None:
            changes["votes"] = action.votes
        if action.witness is not None:
            changes["witness"] = action.witness
        if action.cluster_started:
            changes["cluster_stopped"] = False
        if action.disks_online:
            changes["disks_offline"] = False
        if action.storage_healthy:
            changes["storage_healthy_at"] = now
        if action.vms_started:
            changes.update(saved=(), vms_not_started=action.not_started)
        if action.step is OfflineStep.DONE and off.downtime_start is not None:
            changes["downtime_end"] = now
        self.offline = evolve(off, **changes)
        if action.not_started:
            listed = ", ".join(action.not_started)
            self._end(
                "VmsNotRestored",
                f"{len(action.not_started)} saved VM(s) did not start again: {listed}",
            )

    def _off_close(self, action: CloseRun) -> None:
        if action.event_id is not None:
            self.rec.cau(action.event_id, None, action.detail)
        self._end(action.error_id, action.detail)
        self.offline = evolve(self.offline, closing=True)

    def _off_stop_after(self, action: StopAfter) -> None:
        minutes = in_minutes(self.profile.stop_after_s)
        detail = f"the run has not finished after {minutes} minutes; closing the update window"
        self.rec.cau(1002, None, detail)
        self._end("StopAfterExceeded", detail)
        self.offline = evolve(self.offline, closing=True)

    # -- the nodes in the window ----------------------------------------------------------

    def _nodes(self) -> list[NodeProgress]:
        return list(self.book.nodes.values())

    def _put_node(self, node: NodeProgress) -> None:
        self.book.nodes[node.name] = node

    def _off_start_work(self, action: StartInstall | StartScan) -> None:
        self._acted()
        node = self.book.nodes[action.node]
        try:
            if isinstance(action, StartInstall):
                handle = self.transport.start_install(action.node, action.update_ids)
            else:
                handle = self.transport.start_scan(action.node)
        except RemoteCommandFailed as exc:
            kind = WorkKind.INSTALL if isinstance(action, StartInstall) else WorkKind.SCAN
            handle = WorkHandle(id="", node=action.node, kind=kind)
            failed = WorkProgress(handle=handle, state=WorkState.FAILED, error=str(exc))
            self._put_node(evolve(node, handle=handle, work=failed))
            return
        except AuthenticationFailed:
            raise
        except TransportError:
            unknown = node.install_unknown or isinstance(action, StartInstall)
            node = evolve(node, install_unknown=unknown, start_errors=node.start_errors + 1)
            self._put_node(node)
            self.clock.sleep(backoff(node.start_errors))
            self._look_at((HOSTS,))
            return
        if isinstance(action, StartInstall):
            self.rec.phase_start(action.node, "install")
        self._put_node(evolve(node, handle=handle, work=None))

    def _off_poll(self, action: Poll) -> None:
        name = action.handle.node
        self.offline = evolve(
            self.offline, poll_due=tuple(n for n in self.offline.poll_due if n != name)
        )
        try:
            work = self.transport.poll_work(action.handle)
        except AuthenticationFailed:
            raise
        except TransportError:
            self._look_at((HOSTS,))  # blind while the management network is down
            return
        self._put_node(evolve(self.book.nodes[name], work=work))

    def _off_restart(self, action: Restart) -> None:
        self._acted()
        node = self.book.nodes[action.node]
        asked = BootType.SOFT if action.soft else BootType.FULL
        self.rec.cau(1010, action.node, f"restarting ({asked.value} asked)")
        unknown = ""
        try:
            boot = self.transport.restart_node(action.node, soft=action.soft)
        except RemoteCommandFailed as exc:
            self.rec.warning(f"restart refused: {exc}", action.node)
            self._put_node(evolve(node, command_failures=node.command_failures + 1))
            self.clock.sleep(POLL_ACTIVE_SECONDS)
            return
        except AuthenticationFailed:
            raise
        except TransportError as exc:
            boot, unknown = (BootType.UNKNOWN if action.soft else BootType.FULL), str(exc)
        now = self._elapsed()
        issued = evolve(
            node,
            restart_issued=True,
            restart_at=now,
            deadline=now + self.profile.reboot_timeout_s,
            boot_id_before=action.boot_id_before,
            restarts=node.restarts + 1,
            boot_type=boot,
        )
        if unknown:
            issued = self.book.restart_unknown(node, issued, unknown)
        elif action.soft and boot is BootType.FULL:
            detail = "a soft restart (Kernel Soft Reboot) was asked for; the node restarts fully"
            self.rec.emit("soft-restart-unavailable", action.node, detail)
        self.rec.phase_start(action.node, "reboot")
        self._put_node(issued)

    def _off_advance(self, action: Advance) -> None:
        node = self.book.nodes[action.node]
        was_terminal = node.terminal
        node = self.obook.advance(node, action, self._elapsed())
        if action.outcome is Outcome.LOST and node.name not in self.offline.missing:
            self.offline = evolve(self.offline, missing=(*self.offline.missing, node.name))
        if node.terminal and not was_terminal and self.obook.counts_as_failed(node):
            self.progress = evolve(self.progress, failed_nodes=self.progress.failed_nodes + 1)
        self._put_node(node)
