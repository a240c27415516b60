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

Must not: decide anything; all state lives in the world.
"""

from __future__ import annotations

from runner.errors import ClusterUnreachable
from runner.plugins import DEFAULT_PLUGIN, DEFAULT_PLUGINS, PluginSpec
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
from simulator.world_port import ClusterOperations

__all__ = [
    "COMMAND_SECONDS",
    "LOCK_SECONDS",
    "OBSERVE_SECONDS",
    "POLL_SECONDS",
    "START_SECONDS",
    "SimTransport",
]

OBSERVE_SECONDS = 0.5
POLL_SECONDS = 0.5
START_SECONDS = 1.0
COMMAND_SECONDS = 1.0
LOCK_SECONDS = 0.5  # one read-modify-write of the cluster database


class SimTransport:
    """``runner.transport.ClusterTransport`` over the world's ``ClusterOperations``."""

    def __init__(self, world: ClusterOperations) -> None:
        self.world = world
        self._management_down = False
        self.calls = 0
        self.fence: LockHolder | None = None  # the run lock this transport's commands hold

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

    def _spend(self, seconds: float) -> None:
        self.calls += 1
        self.world.clock.sleep(seconds)
        if self.management_down:
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
        self._spend(START_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.reachable(node, "Install-WindowsUpdate")
        return self.world.updates.start_install(node, tuple(update_ids), plugin)

    def start_script(self, node: str, script: str) -> WorkHandle:
        self._spend(START_SECONDS)
        self.world.run_lock.fenced(self.fence)
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
        self.world.run_lock.fenced(self.fence)
        return self.world.restart(node, soft=soft)

    def credssp_enabled(self, node: str) -> bool:
        self._spend(POLL_SECONDS)
        return self.world.credssp_enabled(node)

    def set_credssp(self, node: str, enabled: bool) -> None:
        """One node's CredSSP server role, on its own endpoint (as the WinRM transport does)."""
        self._spend(COMMAND_SECONDS)
        self.world.run_lock.fenced(self.fence)
        self.world.set_credssp(node, enabled)

    # -- the run lock (``world.run_lock``) ----------------------------------------------
    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        current = self.world.run_lock.create(holder)
        if current is None:
            self.fence = holder
        return current

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        current = self.world.run_lock.take_over(holder, previous)
        if current is None:
            self.fence = holder
        return current

    def renew_run_lock(self, holder: LockHolder) -> StopOrder | None:
        self._spend(LOCK_SECONDS)
        return self.world.run_lock.renew(holder)

    def release_run_lock(self, holder: LockHolder) -> None:
        self._spend(LOCK_SECONDS)
        self.world.run_lock.release(holder)

    def read_run_lock(self) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
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

    def remote_shutdown_enabled(self, node: str) -> bool:
        """The node's Remote Shutdown rule group as node-facts.ps1 reads it (the twin's
        test-setup answer); not part of the runner's contract."""
        self._spend(POLL_SECONDS)
        self.world.reachable(node, "Get-NetFirewallRule")
        return self.world.node_options.rules_enabled(node)

    # -- stop requests (issue 11) ----------------------------------------------------------
    def request_run_stop(self, order: StopOrder) -> LockHolder | None:
        self._spend(LOCK_SECONDS)
        return self.world.run_lock.request_stop(order)

    def lock_holder(self) -> LockHolder | None:
        """The lock's holder as a script sees it within its own round trip (the twin's
        publish-run check): no simulated time of its own."""
        return self.world.run_lock.read()
