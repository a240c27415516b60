"""The contract between the runner and a cluster: ``ClusterTransport`` and ``Clock``.

Owns: the two protocols every world implements — the SimPy simulator (``simulator/``) and
real nodes over WinRM (``runner/winrm/``). The runner cannot tell them apart.

Theory of operation:
- **observe** returns one ``ClusterView`` snapshot in one round trip (never one per object).
- **long work is start + poll**: ``start_scan``/``start_install``/``start_script`` return a
  ``WorkHandle`` at once; ``poll_work`` reports progress. Work runs detached on the node
  (Windows Update refuses plain network logons), so a management disconnect does not stop it.
- **commands** (``suspend_node``, ``resume_node``, ``restart_node``) return when the cluster
  accepted them; their effect is seen in later observations (drain status, boot id).
- A restart is confirmed only by a **changed boot id** in a later observation, never by a
  dropped connection; ``restart_node`` answers the boot type the node is really doing.
- **the run lock** lives in the cluster database: ``create_run_lock`` is an atomic
  create-if-absent (exactly one of two coordinators racing for it wins), ``take_over_run_lock``
  replaces one named holder atomically against other takers, ``renew_run_lock`` refreshes
  the holder's heartbeat (in the cluster's own time), ``release_run_lock`` frees it. After a
  successful create or take-over the transport fences its later commands with the holder:
  the cluster refuses a command from a coordinator that no longer holds the lock
  (``RunLocked``). The policy (who may take over, when) is ``runner.lease``'s.
- **plug-ins** (``runner.plugins``): a scan names the plug-ins it scans with (each with the
  profile's arguments), every offered update names the plug-in that offered it, and an
  install goes through that plug-in. The defaults are CAU's: the Windows Update plug-in.
- Time passes only through ``Clock``. A call that takes time in the real world takes
  simulated time too.

Error contract (see ``runner.errors``): every method may raise ``ClusterUnreachable``,
``NodeUnreachable`` or ``OperationTimedOut`` — effect unknown, observe again before deciding.
``RemoteCommandFailed`` and its subclasses mean the command had no effect, except
``DrainFailed`` (node left Paused). ``AuthenticationFailed`` means no effect. ``RunLocked``
(not a transport error) means the cluster refused a fenced command because another
coordinator holds the run lock now: no effect, and the run must stop acting.

Must not: import anything outside the standard library and the contract's value types
(``runner.types``, ``runner.run_option_types``, ``runner.plugins``, ``runner.capacity_types``,
``runner.offline_types``, ``runner.post_types``, ``runner.stop_orders``) and ``runner.errors``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runner.capacity_types import CapacityFacts
from runner.offline_types import HostsView, ServiceStartup, StorageView
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
    WorkProgress,
)

__all__ = ["Clock", "ClusterTransport"]


@runtime_checkable
class Clock(Protocol):
    """Time for the runner: monotonic seconds since an arbitrary origin, and waiting."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (0 returns at once). In the simulator, the world advances."""
        ...


@runtime_checkable
class ClusterTransport(Protocol):
    """Everything the runner may ask of a cluster."""

    def observe(self) -> ClusterView:
        """One snapshot of nodes, witness, quorum, roles, virtual disks and storage jobs.

        Raises ``ClusterUnreachable`` when no node answers. No effect.
        """
        ...

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS,
        *,
        serially: bool = False,
        stop_on_failure: bool = False,
    ) -> WorkHandle:
        """Start a scan of ``node`` with ``plugins`` (Invoke-CauScan for one node): all at
        once, or one after another in their order when ``serially`` (RunPluginsSerially),
        then a plug-in's failed scan skips the later ones when ``stop_on_failure``.

        Poll until done; ``WorkProgress.offered`` lists the applicable updates, each with the
        plug-in that offered it (an update two plug-ins offer is listed once, for the first).
        The scan is Failed when any plug-in's scan failed (``error`` names the plug-in).
        """
        ...

    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec = DEFAULT_PLUGIN
    ) -> WorkHandle:
        """Start installing ``update_ids`` on ``node`` through ``plugin`` (the plug-in that
        offered them; one install per plug-in); results arrive through ``poll_work``.

        Raises ``NodeUnreachable``: effect unknown — the install may have started; poll or
        re-scan before starting it again (an update is never installed twice without need).
        """
        ...

    def start_script(self, node: str, script: str) -> WorkHandle:
        """Run a pre- or post-update script (a .ps1 path) on ``node``; exit_code 0 = success."""
        ...

    def start_validation(self) -> WorkHandle:
        """Start Test-Cluster (cluster validation); exit_code 0 through ``poll_work`` = passed.

        Known issue readiness-check-never-completes: the poll may stay Running although
        Test-Cluster finished; ``read_validation_report`` then tells the outcome.
        """
        ...

    def read_validation_report(self) -> ValidationReport | None:
        """The newest Test-Cluster report file, or ``None`` when there is none yet. No effect."""
        ...

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        """Progress of detached work. Raises ``NodeUnreachable`` while the node is away."""
        ...

    def suspend_node(self, node: str) -> None:
        """Suspend-ClusterNode -Drain without -Wait: the node goes Paused and drains.

        Raises ``StorageDegraded`` (5987, no effect) while any clustered space is degraded or
        a repair job runs. Drain progress is seen as ``NodeView.drain_status``.
        """
        ...

    def resume_node(self, node: str, failback: FailbackMode) -> None:
        """Resume-ClusterNode -Failback <mode>; the node goes Up."""
        ...

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        """Restart ``node`` (Kernel Soft Reboot when ``soft`` and the node can). Returns once
        initiated, with the boot type the node is doing (a soft request may restart fully).

        Completion is seen only as a changed ``NodeView.boot_id`` with state back to
        Paused/Up. Effect unknown on any transport error: observe the boot id.
        ``RemoteCommandFailed``: refused, no effect — e.g. the node's firewall blocks
        Remote Shutdown (its rule group disabled), where CAU's restart would fail too.
        """
        ...

    def credssp_enabled(self, node: str) -> bool:
        """Whether the CredSSP server role is enabled on ``node`` (Get-WSManCredSSP), read on
        the node's own endpoint. No effect."""
        ...

    def set_credssp(self, node: str, enabled: bool) -> None:
        """Enable-WSManCredSSP -Role Server (or Disable-) on ``node``'s own endpoint.

        ``RemoteCommandFailed``: refused, no effect (``code`` 5 = access denied: the account
        may not change the node's WSMan configuration). Known issue credssp-left-enabled:
        the runner disables what it enabled at the end of every run, and retries.
        """
        ...

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        """Create the cluster's run lock for ``holder`` unless one exists (atomic).

        ``None``: created, and later commands are fenced with ``holder``. Otherwise the
        current holder (with its heartbeat age), and nothing changed.
        """
        ...

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        """Replace the lock ``previous`` holds by ``holder``, atomically against other takers.

        ``None``: taken over (or the lock had been freed and is now created), and later
        commands are fenced with ``holder``. Otherwise whoever holds it now (someone else
        took it first), and nothing changed.
        """
        ...

    def renew_run_lock(self, holder: LockHolder) -> StopOrder | None:
        """Refresh the heartbeat of the lock ``holder`` holds; ``RunLocked`` (no effect) when
        it does not hold it any more. Returns the stop request written next to the lock
        (``request_run_stop``), or ``None`` when nobody asked the run to stop."""
        ...

    def release_run_lock(self, holder: LockHolder) -> None:
        """Free the lock if ``holder`` holds it; no effect otherwise."""
        ...

    def read_run_lock(self) -> LockHolder | None:
        """The lock's holder with its heartbeat age, or ``None`` when the cluster is not
        locked. No effect."""
        ...

    # -- the fast offline update (runner.offline_engine; guide: "Perform a fast, offline
    # update of all servers in a cluster"). While the cluster is stopped the cluster
    # endpoint answers no cluster cmdlet: ``observe`` raises ``ClusterUnreachable`` and the
    # run looks at the nodes one by one (``observe_hosts``). The run lock lives in the
    # cluster database, which is offline then: ``stop_cluster`` leaves a claim naming the
    # lock's holder on every node, the lock methods above read, renew, take over and free
    # those claims while the cluster is stopped, every command on a node whose cluster
    # service is stopped is fenced by that node's claim, and ``start_cluster`` makes the
    # claims' holder the lock's holder again and clears the claims.

    def observe_hosts(self, nodes: tuple[str, ...]) -> HostsView:
        """Each node of ``nodes`` on its own endpoint: reachable, boot id, OS build, the
        cluster service's state and startup type. A node that does not answer is
        ``reachable=False``; ``ClusterUnreachable`` when the management network is down. No
        effect."""
        ...

    def observe_storage(self) -> StorageView:
        """Get-StoragePool (the S2D pool) and Get-Volume on the cluster endpoint.
        ``ClusterUnreachable`` while the cluster is stopped. No effect."""
        ...

    def save_vms(self, vms: tuple[str, ...]) -> None:
        """Take the VM roles ``vms`` offline with the VM's offline action Save
        (Stop-ClusterGroup): each VM's memory is saved and restored by ``start_vms``. Returns
        when the cluster accepted; the roles are seen Offline in later observations.
        Idempotent: a VM already saved is left alone."""
        ...

    def start_vms(self, vms: tuple[str, ...]) -> None:
        """Start-ClusterGroup for each of ``vms`` (a saved VM resumes from its saved state).
        Idempotent; seen Online in later observations."""
        ...

    def set_virtual_disks_online(self, online: bool) -> None:
        """Take every cluster shared volume's virtual disk offline (Stop-ClusterResource)
        or bring it online again (Start-ClusterResource). An offline disk is seen Detached
        in ``ClusterView.virtual_disks``. Idempotent. ``RemoteCommandFailed`` (no effect)
        while the storage pool cannot bring a disk online."""
        ...

    def stop_cluster(self) -> None:
        """Leave the run lock's claim on every node that answers, then Stop-Cluster: the
        cluster service stops on every node, the storage pool goes offline. Seen in
        ``observe_hosts`` (service Stopped). Idempotent."""
        ...

    def set_cluster_service(self, node: str, startup: ServiceStartup) -> None:
        """Set-Service ClusSvc -StartupType ``startup`` on ``node``'s own endpoint (it does
        not start or stop the service). ``NodeUnreachable``: effect unknown. Idempotent."""
        ...

    def start_cluster(self, node: str) -> None:
        """On ``node``'s own endpoint: Start-Cluster when the cluster is stopped (the
        cluster service starts on every node whose startup type is not Disabled and the
        cluster forms when they hold a majority of the votes), Start-ClusterNode when it
        runs (the node joins). The run lock returns to the cluster database. Idempotent;
        ``RemoteCommandFailed`` (no effect) when the service on ``node`` is Disabled."""
        ...

    # -- run options (issue 9: Invoke-CauRun's remaining options) -----------------------
    def suspend_node_forced(self, node: str) -> None:
        """Suspend-ClusterNode -Drain -ForceDrain without -Wait (force_pause_and_drain): as
        ``suspend_node``, but a role that cannot live-migrate is stopped and moved as a
        failed role, so the drain completes. Same errors as ``suspend_node``."""
        ...

    def enable_remote_shutdown_rules(self, node: str) -> bool:
        """Enable the Remote Shutdown firewall rule group on ``node``'s own endpoint
        (enable_firewall_rules). True: enabled now; False: a Group Policy keeps it disabled
        (nothing changed). ``RemoteCommandFailed``: refused, no effect."""
        ...

    def read_node_sites(self) -> tuple[NodeSite, ...]:
        """The site fault domain of every node (Get-ClusterFaultDomain). No effect."""
        ...

    # -- post-installation steps of a feature update (issue 9: ``runner.post_steps``) ------
    def update_functional_level(self) -> None:
        """Update-ClusterFunctionalLevel -Force: the level rises to the version every node
        runs (irreversible: no rollback to the older OS version afterwards; no change when
        it is already there). ``RemoteCommandFailed`` (no effect) while the nodes run more
        than one OS version (mixed mode) or a node is down."""
        ...

    def update_storage_pool(self) -> None:
        """Update-StoragePool of the S2D pool -Confirm:$false: the pool's version rises to the
        functional level's (irreversible). ``RemoteCommandFailed`` without an S2D pool."""
        ...

    def read_vm_versions(self) -> VmVersions:
        """Get-VM of every clustered VM (configuration version, state) and the version
        Update-VMVersion would give them. No effect."""
        ...

    def stop_vm(self, vm: str) -> None:
        """Stop-VM (a guest shutdown): the VM is off when this returns; downtime begins.
        ``RemoteCommandFailed``: not stopped."""
        ...

    def update_vm_version(self, vm: str) -> str:
        """Update-VMVersion -Force of a stopped VM; returns its configuration version now.
        ``RemoteCommandFailed`` (no effect) when the VM runs or the functional level allows
        no newer version."""
        ...

    def start_vm(self, vm: str) -> None:
        """Start-VM on its owner node: the VM runs again when this returns.
        ``RemoteCommandFailed``: it did not start."""
        ...

    # -- stop requests (issue 11: Stop-CauRun) -----------------------------------------
    def request_run_stop(self, order: StopOrder) -> LockHolder | None:
        """Write ``order`` next to the run lock, atomically against renewals and take-overs.

        Returns the lock's holder at that moment, or ``None`` when no run holds the lock
        (nothing written). The order is written only when ``order.run_id`` is empty or names
        the holder's run; otherwise nothing changes (the caller compares run ids). The
        holder sees it at its next ``renew_run_lock``; it dies with the lock (released or
        taken over). Unfenced: any machine may ask.
        """
        ...

    # -- the fast policy (issue 12: ``runner.capacity``) ---------------------------------
    def read_capacity_facts(self) -> CapacityFacts:
        """Each node's memory for VMs (Get-VMHost MemoryCapacity) and the clustered roles'
        placement rules (AntiAffinityClassNames, Get-ClusterOwnerNode): what a wave of the
        fast policy is sized by. No effect."""
        ...
