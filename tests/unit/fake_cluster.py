"""A tiny hand-written fake cluster and fake clock for the engine's unit tests (no SimPy).

The fake is deliberately dumb: nodes with a state, a drain status and a boot id; scans and
installs that finish after fixed times; restarts that bump the boot id after a fixed time
(or never, for a hung node); optional faults (install failures, a stuck drain, refused or
unanswered calls, a management outage). Every transport call is logged with the fake time,
so tests can assert the order of operations and that guards held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.errors import (
    ClusterUnreachable,
    OperationTimedOut,
    RemoteCommandFailed,
    StorageDegraded,
)
from runner.plugins import DEFAULT_PLUGIN, DEFAULT_PLUGINS, PluginName, PluginSpec
from runner.profile import Profile
from runner.report import RunEvent, RunReport
from runner.transport import Clock, ClusterTransport
from runner.types import (
    BootType,
    ClusterView,
    DrainStatus,
    FailbackMode,
    LockHolder,
    NodeState,
    NodeView,
    RoleView,
    UpdateInfo,
    UpdateResult,
    ValidationReport,
    WitnessType,
    WitnessView,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)
from runner.updating_run import run_updating_run
from simulator.lock_group import RunLockGroup  # pure Python: the lock's semantics, no SimPy

STARTED = datetime(2026, 1, 13, 2, 0, 0, tzinfo=UTC)
SCHEMA = Path(__file__).resolve().parents[2] / "runner" / "schemas" / "report.schema.json"
KB1 = UpdateInfo(id="KB1", title="2026-01 Cumulative Update", restart_required=True)
KB2 = UpdateInfo(id="KB2", title="Servicing stack", restart_required=True)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


@dataclass
class FakeNode:
    name: str
    state: NodeState = NodeState.UP
    drain: DrainStatus = DrainStatus.NOT_INITIATED
    boot: int = 1
    back_at: float | None = None  # restarting: back (Paused) at this time
    installed: set[str] = field(default_factory=set)
    restart_pending: bool = False  # an install owes a restart (the registry's RebootRequired)


class FakeCluster:
    """A ClusterTransport over fake nodes; ``calls`` logs (time, call, node)."""

    def __init__(
        self,
        clock: FakeClock,
        names: tuple[str, ...] = ("node1", "node2", "node3"),
        *,
        updates: tuple[UpdateInfo, ...] = (KB1,),
        after: dict[str, str] | None = None,
        roles: dict[str, int] | None = None,
        witness: bool = True,
        install_failures: dict[tuple[str, str], int] | None = None,
        drain_stuck: tuple[str, ...] = (),
        hang: tuple[str, ...] = (),
        ignore_restart: tuple[str, ...] = (),
        restart_errors: tuple[str, ...] = (),
        down: tuple[str, ...] = (),
        has_quorum: bool = True,
        degraded_refusals: int = 0,
        lost_install_answers: tuple[str, ...] = (),
        refuse_restart: dict[str, int] | None = None,
        outage: tuple[float, float] | None = None,
        validation_exit: int | None = 0,
        validation_report: ValidationReport | None = None,
        credssp_refusals: int = 0,
        credssp_on: tuple[str, ...] = (),
        credssp_denied: tuple[str, ...] = (),
        soft_unavailable: bool = False,
        unseen_installs: tuple[str, ...] = (),
    ) -> None:
        self.clock = clock
        # Test-Cluster: its exit code after 120 s (None = stuck Running forever, the known
        # issue readiness-check-never-completes), and the report file it leaves.
        self.validation_exit = validation_exit
        self.validation_report = validation_report
        # CredSSP server role per node: on at the start on ``credssp_on``; enabling refused
        # (access denied) on ``credssp_denied``; the first ``credssp_refusals`` disables
        # refused (no effect).
        self.credssp = {n: n in credssp_on for n in names}
        self.credssp_refusals = credssp_refusals
        self.credssp_denied = credssp_denied
        self.soft_unavailable = soft_unavailable  # a soft restart request restarts fully
        # The first install on these nodes goes ahead, but its polls answer Running forever.
        self.unseen_installs = list(unseen_installs)
        self.run_lock = RunLockGroup(clock.now)
        self.fence: LockHolder | None = None
        self.nodes = {n: FakeNode(n) for n in names}
        # (scan | install, node, plug-ins, update ids) of every scan and install started
        self.plugin_calls: list[tuple[str, str, tuple[PluginName, ...], tuple[str, ...]]] = []
        self.scanning: dict[str, tuple[PluginName, ...]] = {}  # each node's last scan
        for n in down:
            self.nodes[n].state = NodeState.DOWN
        self.updates = updates
        self.after = after or {}
        self.roles = roles or {}
        self.witness = witness
        self.install_failures = dict(install_failures or {})
        self.drain_stuck = drain_stuck
        self.hang = hang
        self.ignore_restart = ignore_restart
        self.restart_errors = restart_errors
        self.has_quorum = has_quorum
        self.degraded_refusals = degraded_refusals
        self.lost_install_answers = list(lost_install_answers)
        self.refuse_restart = dict(refuse_restart or {})
        self.outage = outage
        self.calls: list[tuple[float, str, str]] = []
        self.work: dict[str, tuple[WorkKind, str, float, tuple[str, ...]]] = {}
        self.results: dict[str, WorkProgress] = {}

    # helpers
    def _tick(self) -> None:
        for node in self.nodes.values():
            if node.back_at is not None and self.clock.t >= node.back_at:
                node.back_at = None
                node.boot += 1
                node.state = NodeState.PAUSED
                node.restart_pending = False

    def _offer(self, node: FakeNode) -> tuple[UpdateInfo, ...]:
        """What the node's last scan's plug-ins offer (each update names its plug-in)."""
        scanned = self.scanning.get(node.name, (PluginName.WINDOWS_UPDATE,))
        return tuple(
            u
            for u in self.updates
            if u.id not in node.installed
            and u.plugin in scanned
            and (u.id not in self.after or self.after[u.id] in node.installed)
        )

    def _reach(self) -> None:
        """During an outage every call fails; work on the nodes goes on."""
        if self.outage is not None and self.outage[0] <= self.clock.t < self.outage[1]:
            raise ClusterUnreachable("management network down")

    def log(self, call: str) -> list[tuple[float, str]]:
        return [(t, n) for t, c, n in self.calls if c == call]

    # ClusterTransport
    def observe(self) -> ClusterView:
        self._tick()
        self._reach()
        self.calls.append((self.clock.t, "observe", ""))
        roles = tuple(
            RoleView(name=f"vm-{n}-{i}", owner=n)
            for n, count in self.roles.items()
            for i in range(count)
            if self.nodes[n].drain is not DrainStatus.COMPLETED
        )
        return ClusterView(
            cluster="fake01",
            taken_at=self.clock.t,
            nodes=tuple(
                NodeView(
                    name=n.name,
                    state=n.state,
                    drain_status=n.drain,
                    boot_id=f"{n.name}-boot-{n.boot}",
                    reachable=n.state is not NodeState.DOWN,
                )
                for n in self.nodes.values()
            ),
            witness=WitnessView(type=WitnessType.CLOUD, online=True, dynamic_weight=1)
            if self.witness
            else WitnessView(),
            has_quorum=self.has_quorum,
            roles=roles,
        )

    def _start(
        self, kind: WorkKind, node: str, seconds: float, ids: tuple[str, ...] = ()
    ) -> WorkHandle:
        handle = WorkHandle(id=f"w{len(self.work)}", node=node, kind=kind)
        self.work[handle.id] = (kind, node, self.clock.t + seconds, ids)
        return handle

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS,
        *,
        serially: bool = False,
        stop_on_failure: bool = False,
    ) -> WorkHandle:
        self.calls.append((self.clock.t, "start_scan", node))
        self.plugin_calls.append(("scan", node, tuple(p.name for p in plugins), ()))
        self.scanning[node] = tuple(p.name for p in plugins)
        return self._start(WorkKind.SCAN, node, 60)

    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec = DEFAULT_PLUGIN
    ) -> WorkHandle:
        self.calls.append((self.clock.t, "start_install", node))
        self.plugin_calls.append(("install", node, (plugin.name,), tuple(update_ids)))
        self.run_lock.fenced(self.fence)
        if node in self.lost_install_answers:
            # The install runs (and here finishes at once) but the answer is lost.
            self.lost_install_answers.remove(node)
            self.nodes[node].installed.update(update_ids)
            raise OperationTimedOut("Install-WindowsUpdate: no answer")
        return self._start(WorkKind.INSTALL, node, 600, update_ids)

    def start_script(self, node: str, script: str) -> WorkHandle:
        self.calls.append((self.clock.t, "start_script", node))
        self.run_lock.fenced(self.fence)
        return self._start(WorkKind.SCRIPT, node, 60, (script,))

    def start_validation(self) -> WorkHandle:
        self.calls.append((self.clock.t, "start_validation", ""))
        return self._start(WorkKind.VALIDATION, "", 120)

    def read_validation_report(self) -> ValidationReport | None:
        self._reach()
        self.calls.append((self.clock.t, "read_validation_report", ""))
        return self.validation_report

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        self._reach()
        kind, name, ready, ids = self.work[handle.id]
        if kind is WorkKind.VALIDATION:
            if self.clock.t < ready or self.validation_exit is None:
                return WorkProgress(handle=handle, state=WorkState.RUNNING)
            state = WorkState.SUCCEEDED if self.validation_exit == 0 else WorkState.FAILED
            return WorkProgress(handle=handle, state=state, exit_code=self.validation_exit)
        if self.clock.t < ready:
            return WorkProgress(handle=handle, state=WorkState.RUNNING)
        if handle.id in self.results:
            return self.results[handle.id]
        node = self.nodes[name]
        if kind is WorkKind.SCAN:
            done = WorkProgress(
                handle=handle,
                state=WorkState.SUCCEEDED,
                offered=self._offer(node),
                restart_required=node.restart_pending,
            )
        elif kind is WorkKind.SCRIPT:
            key = (name, ids[0])
            failing = self.install_failures.get(key, 0)
            if failing:
                self.install_failures[key] = failing - 1
            done = WorkProgress(
                handle=handle, state=WorkState.SUCCEEDED, exit_code=1 if failing else 0
            )
        else:
            results = []
            for uid in ids:
                update = next(u for u in self.updates if u.id == uid)
                failing = self.install_failures.get((name, uid), 0)
                if failing:
                    self.install_failures[(name, uid)] = failing - 1
                    results.append(
                        UpdateResult(
                            id=uid,
                            title=update.title,
                            result="Failed",
                            hresult="0x80240022",
                            plugin=update.plugin,
                        )
                    )
                else:
                    node.installed.add(uid)
                    node.restart_pending = node.restart_pending or update.restart_required
                    results.append(
                        UpdateResult(
                            id=uid,
                            title=update.title,
                            result="Succeeded",
                            restart_required=update.restart_required,
                            plugin=update.plugin,
                        )
                    )
            done = WorkProgress(
                handle=handle,
                state=WorkState.SUCCEEDED,
                results=tuple(results),
                restart_required=any(r.restart_required for r in results),
            )
        self.results[handle.id] = done
        if kind is WorkKind.INSTALL and name in self.unseen_installs:
            self.unseen_installs.remove(name)  # done on the node; the answer never comes
            self.results[handle.id] = WorkProgress(handle=handle, state=WorkState.RUNNING)
            return self.results[handle.id]
        return done

    def suspend_node(self, node: str) -> None:
        self.calls.append((self.clock.t, "suspend_node", node))
        self.run_lock.fenced(self.fence)
        if self.degraded_refusals:
            self.degraded_refusals -= 1
            raise StorageDegraded("Suspend-ClusterNode")
        fake = self.nodes[node]
        fake.state = NodeState.PAUSED
        stuck = node in self.drain_stuck
        fake.drain = DrainStatus.IN_PROGRESS if stuck else DrainStatus.COMPLETED

    def resume_node(self, node: str, failback: FailbackMode) -> None:
        self.calls.append((self.clock.t, "resume_node", node))
        self.run_lock.fenced(self.fence)
        fake = self.nodes[node]
        fake.state = NodeState.UP
        fake.drain = DrainStatus.NOT_INITIATED

    def credssp_enabled(self, node: str) -> bool:
        self._reach()
        self.calls.append((self.clock.t, "credssp_enabled", node))
        return self.credssp[node]

    def set_credssp(self, node: str, enabled: bool) -> None:
        self._reach()
        self.calls.append((self.clock.t, "set_credssp", f"{node} {'on' if enabled else 'off'}"))
        self.run_lock.fenced(self.fence)
        if enabled and node in self.credssp_denied:
            raise RemoteCommandFailed("Enable-WSManCredSSP", "Access is denied.", 5)
        if not enabled and self.credssp_refusals > 0:
            self.credssp_refusals -= 1
            raise RemoteCommandFailed("Disable-WSManCredSSP", "the WinRM service refused")
        self.credssp[node] = enabled

    # the run lock (the same semantics as the simulator's cluster group)
    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        self.calls.append((self.clock.t, "create_run_lock", holder.run_id))
        current = self.run_lock.create(holder)
        self.fence = holder if current is None else self.fence
        return current

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        self.calls.append((self.clock.t, "take_over_run_lock", holder.run_id))
        current = self.run_lock.take_over(holder, previous)
        self.fence = holder if current is None else self.fence
        return current

    def renew_run_lock(self, holder: LockHolder) -> None:
        self.calls.append((self.clock.t, "renew_run_lock", holder.run_id))
        self.run_lock.renew(holder)

    def release_run_lock(self, holder: LockHolder) -> None:
        self.calls.append((self.clock.t, "release_run_lock", holder.run_id))
        self.run_lock.release(holder)

    def read_run_lock(self) -> LockHolder | None:
        return self.run_lock.read()

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        self.calls.append((self.clock.t, "restart_node", node))
        self.run_lock.fenced(self.fence)
        if self.refuse_restart.get(node):
            self.refuse_restart[node] -= 1
            raise RemoteCommandFailed("Restart-Computer", "access denied")
        fake = self.nodes[node]
        if node not in self.ignore_restart:
            fake.state = NodeState.DOWN
            fake.back_at = None if node in self.hang else self.clock.t + 300
        if node in self.restart_errors:
            raise OperationTimedOut("restart: no answer")
        return BootType.SOFT if soft and not self.soft_unavailable else BootType.FULL


def run_on(
    cluster: FakeCluster, clock: FakeClock, profile: Profile | None = None
) -> tuple[RunReport, list[RunEvent]]:
    names = tuple(cluster.nodes)
    events: list[RunEvent] = []
    prof = (profile or Profile()).resolved(names)
    transport: ClusterTransport = cluster
    clk: Clock = clock
    report = run_updating_run(
        transport, clk, prof, run_id="run-1", started_at=STARTED, listener=events.append
    )
    return report, events


def phases(report: dict[str, Any], node: str) -> list[str]:
    timing = report["nodes"][[n["name"] for n in report["nodes"]].index(node)]["timing"]
    return sorted(timing, key=lambda p: timing[p][0])
