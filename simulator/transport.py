"""``SimTransport``: the runner's ``ClusterTransport`` over a simulated world.

Owns: the mapping of each transport call onto world operations, and the simulated time a
call takes (``OBSERVE_SECONDS``, ``COMMAND_SECONDS`` …): the call first spends its latency on
the world's clock — background work advances meanwhile — then acts on the state it finds,
as a remote command reaches the cluster at the end of its round trip.

Error contract (as ``runner.transport`` documents): a node that is Down raises
``NodeUnreachable`` for node-directed calls; no node answering raises ``ClusterUnreachable``
on ``observe``; suspend/resume on a cluster without quorum raise ``ClusterUnreachable``;
``StorageDegraded`` (no effect) while storage is degraded or a repair job runs; a management
outage (``management_down``, driven by faults) raises ``ClusterUnreachable`` for every call
while work on the nodes goes on. The run lock lives in the world (``world.run_lock``); after
a successful create or take-over, commands are fenced with the holder (``fence``): the world
refuses them with ``RunLocked`` once another coordinator holds the lock. The twin sets
``fence`` per script from what the script carries, as a real cluster checks each script.

The offline update (``simulator.offline``): while the cluster is stopped its database —
and the run lock in it — is offline. Commands on a node are then fenced by the node's
claim (``simulator.lock_claims``), and the lock methods read, renew, take over and free the
claims (``route_window_lock``); the twin turns that routing off, since over WinRM the lock
scripts fail while the cluster is stopped and the transport asks each node's claim itself
(``window_claim``, which takes no simulated time of its own, as ``lock_holder``).

Must not: decide anything; all state lives in the world.
"""

from __future__ import annotations

from runner.capacity_types import CapacityFacts
from runner.errors import ClusterUnreachable, NodeUnreachable
from runner.offline_types import HostsView, HostView, ServiceStartup, StorageView
from runner.plugins import DEFAULT_PLUGIN, DEFAULT_PLUGINS, PluginSpec
from runner.post_types import VmVersions
from runner.run_option_types import NodeSite
from runner.stop_orders import StopOrder
from runner.types import (
    BootType,
    ClusterView,
    FailbackMode,
    LockHolder,
    ValidationReport,
    WorkHandle,
    WorkKind,
    WorkProgress,
)
from simulator.agent_presence import SimAgentPresence
from simulator.capacity_facts import capacity_facts
from simulator.transport_state import RunStateOps
from simulator.world_port import ClusterOperations

__all__ = [
    "COMMAND_SECONDS",
    "HOST_SECONDS",
    "LOCK_SECONDS",
    "OBSERVE_SECONDS",
    "POLL_SECONDS",
    "POST_STEP_SECONDS",
    "START_SECONDS",
    "SimTransport",
]

OBSERVE_SECONDS = 0.5
POLL_SECONDS = 0.5
START_SECONDS = 1.0
COMMAND_SECONDS = 1.0
LOCK_SECONDS = 0.5  # one read-modify-write of the cluster database
HOST_SECONDS = 0.25  # one node's own endpoint, asked for its boot id and cluster service
# Post-installation steps: raising a level or the pool, a VM's guest shutdown, its upgrade,
# its start (``simulator.post_upgrade``).
POST_STEP_SECONDS = {"level": 10.0, "stop": 30.0, "update": 5.0, "start": 20.0}


class SimTransport(SimAgentPresence, RunStateOps):
    """``runner.transport.ClusterTransport`` over the world's ``ClusterOperations``."""

    def __init__(self, world: ClusterOperations) -> None:
        self.world = world
        self._management_down = False
        self.calls = 0
        self.fence: LockHolder | None = None  # the run lock this transport's commands hold
        self.route_window_lock = True  # the lock methods reach the claims while stopped
        self.superseded: LockHolder | None = None  # whom a take-over while stopped replaced

    @property
    def management_down(self) -> bool:
        return self._management_down

    @management_down.setter
    def management_down(self, down: bool) -> None:
        """Whoever cuts the management network (a fault, a test), the world's truth sees it."""
        if down and not self._management_down:
            self.world.truth.trouble(None, "management-disconnect", lasting=True)
        elif not down and self._management_down:
            self.world.truth.over(None, "management-disconnect")
        self._management_down = down

    def _spend(self, seconds: float, refused: tuple[str, str] | None = None) -> None:
        self.calls += 1
        self.world.clock.sleep(seconds)
        if self.management_down:
            if refused is not None:  # report-truth: (node, command) the outage refused
                self.world.truth.trouble(refused[0], "unreachable", refused[1])
            raise ClusterUnreachable("the management network is down")

    def observe(self) -> ClusterView:
        self._spend(OBSERVE_SECONDS)
        return self.world.observe()

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS,
        *,
        serially: bool = False,
        stop_on_failure: bool = False,
    ) -> WorkHandle:
        self._spend(START_SECONDS)
        self.world.reachable(node, "Start-WindowsUpdateScan")
        return self.world.updates.start_scan(node, tuple(plugins), serially, stop_on_failure)

    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec = DEFAULT_PLUGIN
    ) -> WorkHandle:
        self._spend(START_SECONDS, refused=(node, "Install-WindowsUpdate"))
        self._fenced_on(node)
        self.world.reachable(node, "Install-WindowsUpdate")
        return self.world.updates.start_install(node, tuple(update_ids), plugin)

    def start_script(self, node: str, script: str) -> WorkHandle:
        self._spend(START_SECONDS)
        self._fenced_on(node)
        self.world.reachable(node, "Invoke-Command")
        return self.world.updates.start_script(node, script)

    def start_validation(self) -> WorkHandle:
        self._spend(START_SECONDS)
        return self.world.validation.start()

    def read_validation_report(self) -> ValidationReport | None:
        self._spend(POLL_SECONDS)
        return self.world.validation.latest

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        self._spend(POLL_SECONDS)
        if handle.kind is WorkKind.VALIDATION:
            return self.world.validation.poll(handle)
        return self.world.updates.poll(handle)

    def suspend_node(self, node: str) -> None:
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.suspend(node)

    def resume_node(self, node: str, failback: FailbackMode) -> None:
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.resume(node, FailbackMode(failback))

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        self._spend(COMMAND_SECONDS)
        self._fenced_on(node)
        return self.world.restart(node, soft=soft)

    def credssp_enabled(self, node: str) -> bool:
        self._spend(POLL_SECONDS)
        self.world.reachable(node, "Get-WSManCredSSP")
        return self.world.wsman.read(node)

    def set_credssp(self, node: str, enabled: bool) -> None:
        """One node's CredSSP server role, on its own endpoint (as the WinRM transport does)."""
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.reachable(node, "Enable-WSManCredSSP" if enabled else "Disable-WSManCredSSP")
        self.world.wsman.set(node, enabled)

    # -- the run lock (``world.run_lock``) ----------------------------------------------
    def _window(self) -> bool:
        """The cluster is stopped: the lock lives in the nodes' claims (``ClusterUnreachable``
        when the twin asks: over WinRM the lock scripts fail then)."""
        offline = self.world.offline
        if not offline.stopped:
            return False
        if not self.route_window_lock or offline.claims.read(offline.answering()) is None:
            raise ClusterUnreachable("the cluster is stopped: the run lock's group is offline")
        return True

    def _fenced_on(self, node: str) -> None:
        """A command on ``node``: fenced by its claim while the cluster is stopped."""
        if self.world.offline.stopped:
            self.world.offline.claims.fenced(node, self.fence, self.superseded)
        else:
            self.world.run_lock.fenced(self.fence)

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        offline = self.world.offline
        if self._window():
            current = offline.claims.create(holder, offline.answering())
        else:
            current = self.world.run_lock.create(holder)
        if current is None:
            self.fence = holder
        return current

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        offline = self.world.offline
        if self._window():
            current = offline.claims.take_over(holder, previous, offline.answering())
            self.superseded = previous if current is None else self.superseded
        else:
            current = self.world.run_lock.take_over(holder, previous)
        if current is None:
            self.fence = holder
        return current

    def renew_run_lock(self, holder: LockHolder) -> StopOrder | None:
        self._spend(LOCK_SECONDS)
        if self._window():  # the lock group is offline: no stop request can be written
            offline = self.world.offline
            offline.claims.renew(holder, offline.answering(), self.superseded)
            return None
        return self.world.run_lock.renew(holder)

    def release_run_lock(self, holder: LockHolder) -> None:
        self._spend(LOCK_SECONDS)
        if self._window():
            self.world.offline.claims.release(holder, self.world.offline.answering())
        else:
            self.world.run_lock.release(holder)

    def read_run_lock(self) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        if self._window():
            return self.world.offline.claims.read(self.world.offline.answering())
        return self.world.run_lock.read()

    # -- run options (issue 9) -------------------------------------------------------------
    def suspend_node_forced(self, node: str) -> None:
        """Suspend-ClusterNode -Drain -ForceDrain: what cannot live-migrate is stopped and
        moved as a failed role."""
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.suspend(node, force=True)

    def enable_remote_shutdown_rules(self, node: str) -> bool:
        """On the node's own endpoint, as the WinRM transport does."""
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.reachable(node, "Set-NetFirewallRule")
        return self.world.node_options.enable_rules(node)

    def read_node_sites(self) -> tuple[NodeSite, ...]:
        self._spend(OBSERVE_SECONDS)
        return self.world.node_options.sites()

    def read_capacity_facts(self) -> CapacityFacts:  # the fast policy (issue 12)
        self._spend(OBSERVE_SECONDS)
        return capacity_facts(self.world.scenario)

    def remote_shutdown_enabled(self, node: str) -> bool:
        """The node's Remote Shutdown rule group as node-facts.ps1 reads it (the twin's
        test-setup answer); not part of the runner's contract."""
        self._spend(POLL_SECONDS)
        self.world.reachable(node, "Get-NetFirewallRule")
        return self.world.node_options.rules_enabled(node)

    # -- stop requests (issue 11) ----------------------------------------------------------
    def request_run_stop(self, order: StopOrder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        if self.world.offline.stopped:  # as stop-request.ps1: the lock group is offline
            raise ClusterUnreachable("the cluster is stopped: the run lock's group is offline")
        return self.world.run_lock.request_stop(order)

    def lock_holder(self) -> LockHolder | None:
        """The lock's holder as a script sees it within its own round trip (the twin's
        publish-run check): no simulated time of its own."""
        return self.world.run_lock.read()

    # -- the fast offline update (``simulator.offline``) ----------------------------------
    def observe_host(self, node: str) -> HostView:
        """One node's own endpoint (``NodeUnreachable`` when it is away): the twin's unit."""
        self._spend(HOST_SECONDS)
        view = self.world.offline.host_view(node)
        if not view.reachable:
            raise NodeUnreachable(node)
        return view

    def observe_hosts(self, nodes: tuple[str, ...]) -> HostsView:
        views = []
        for node in nodes:
            try:
                views.append(self.observe_host(node))
            except NodeUnreachable:
                views.append(HostView(name=node, reachable=False))
        return self.world.offline.hosts_view(tuple(views))

    def observe_storage(self) -> StorageView:
        self._spend(OBSERVE_SECONDS)
        return self.world.offline.storage_view()

    def save_vms(self, vms: tuple[str, ...]) -> None:
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.offline.save_vms(tuple(vms))

    def start_vms(self, vms: tuple[str, ...]) -> None:
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.offline.start_vms(tuple(vms))

    def set_virtual_disks_online(self, online: bool) -> None:
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.offline.set_disks(online)

    def stop_cluster(self) -> None:
        self._spend(COMMAND_SECONDS)
        offline = self.world.offline
        if offline.stopped:
            return
        self.world.run_lock.fenced(self.fence)
        if self.route_window_lock and self.fence is not None:  # over WinRM: claim scripts
            for node, up in offline.answering().items():
                if up:
                    offline.claims.write_node(node, self.fence)
        offline.stop_cluster()

    def set_cluster_service(self, node: str, startup: ServiceStartup) -> None:
        self._spend(COMMAND_SECONDS)
        self._fenced_on(node)
        self.world.offline.set_service(node, ServiceStartup(startup))

    def start_cluster(self, node: str) -> None:
        self._spend(COMMAND_SECONDS)
        self._fenced_on(node)
        offline = self.world.offline
        formed = offline.start_cluster(node)
        if self.fence is None:
            return
        if formed:
            self.world.run_lock.adopt(self.fence)  # the lock is in the cluster again
        if self.route_window_lock:  # over WinRM: claim scripts clear them
            for name, up in offline.answering().items():
                if up and (formed or name == node):
                    offline.claims.clear_node(name, self.fence)

    def window_claim(
        self, node: str, action: str, holder: LockHolder | None, previous: LockHolder | None
    ) -> LockHolder | None:
        """One node's claim, as offline-claim.ps1 reads or changes it (no simulated time):
        ``read``; ``write`` (unless another coordinator claims it, whose claim is returned);
        ``take-over`` (only from ``previous`` or none); ``renew``; ``clear``."""
        if self.management_down:
            raise ClusterUnreachable("the management network is down")
        offline = self.world.offline
        if not offline.answering().get(node, False):
            raise NodeUnreachable(node)
        claims = offline.claims
        current = claims.read_node(node)
        allowed = [h for h in (holder, previous) if h is not None]
        if action == "read" or holder is None:
            return current
        foreign = current is not None and not any(current.same_coordinator(a) for a in allowed)
        if foreign and action in ("write", "take-over", "renew"):
            return current
        if action == "clear":
            claims.clear_node(node, holder)
        elif action == "renew":
            if current is not None:
                claims.write_node(node, holder)
        else:
            claims.write_node(node, holder)
        return None

    # -- post-installation steps (``simulator.post_upgrade``) -------------------------------
    def update_functional_level(self) -> None:
        self._spend(POST_STEP_SECONDS["level"])
        self.world.post.raise_functional_level()

    def update_storage_pool(self) -> None:
        self._spend(POST_STEP_SECONDS["level"])
        self.world.post.raise_pool()

    def read_vm_versions(self) -> VmVersions:
        self._spend(OBSERVE_SECONDS)
        return self.world.post.vm_versions()

    def stop_vm(self, vm: str) -> None:
        self._spend(POST_STEP_SECONDS["stop"])
        self.world.post.stop_vm(vm)

    def update_vm_version(self, vm: str) -> str:
        self._spend(POST_STEP_SECONDS["update"])
        return self.world.post.update_vm_version(vm)

    def start_vm(self, vm: str) -> None:
        self._spend(POST_STEP_SECONDS["start"])
        self.world.post.start_vm(vm)
