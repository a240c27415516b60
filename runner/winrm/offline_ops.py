"""The fast offline update over WinRM (``scripts/observe-host.ps1``, ``save-vms.ps1`` …), and
the run lock while the cluster is stopped (``scripts/offline-claim.ps1``).

Owns: ``OfflineOps`` — the offline part of the transport contract: the node-level
observation (one observe-host.ps1 per node, on each node's own endpoint), the pool and
volumes (observe-storage.ps1), save and start the VMs, the virtual disks offline and
online, Stop-Cluster (the run lock's claims written on every node that answers first),
the cluster service's startup type and Start-Cluster on a node's own endpoint (the claims
cleared after); and the run-lock methods of ``runner.winrm.lock_ops`` extended to the
stopped cluster: when the lock scripts find the cluster stopped (``ClusterUnreachable``)
and a node answers with a claim, the lock is read, created, taken over, renewed and freed
in the nodes' claims instead, with the semantics of ``simulator.lock_claims``.

Must not: decide who may take the lock over (``runner.lease`` does), decide anything about
the run, or sleep.
"""

from __future__ import annotations

from runner.errors import ClusterUnreachable, NodeUnreachable, RemoteCommandFailed, RunLocked
from runner.offline_types import HostsView, HostView, ServiceStartup, StorageView
from runner.remote_protocol import ScriptName, holder_document
from runner.types import LockHolder
from runner.winrm.lock_ops import RunLockOps
from runner.winrm.parse_offline import parse_claim, parse_host_view, parse_storage_view

__all__ = ["OfflineOps"]


class OfflineOps(RunLockOps):
    """The offline update's operations, and the run lock in the claims while stopped."""

    _claim_nodes: tuple[str, ...] = ()  # where the claims are: the cluster's nodes

    # -- observation ----------------------------------------------------------------------

    def _host(self, node: str) -> HostView:
        try:
            document = self._on_node(
                node, ScriptName.OBSERVE_HOST, {}, deadline=self.deadlines.read, idempotent=True
            )
        except NodeUnreachable:
            return HostView(name=node, reachable=False)
        return self._parsed(ScriptName.OBSERVE_HOST, lambda d: parse_host_view(d, node), document)

    def observe_hosts(self, nodes: tuple[str, ...]) -> HostsView:
        self._claim_nodes = tuple(nodes)
        views = tuple(self._host(node) for node in nodes)
        return HostsView(taken_at=self.clock.now(), hosts=views)

    def observe_storage(self) -> StorageView:
        document = self._read_cluster(ScriptName.OBSERVE_STORAGE, {})
        now = self.clock.now()
        return self._parsed(
            ScriptName.OBSERVE_STORAGE, lambda d: parse_storage_view(d, now), document
        )

    # -- cluster-wide commands ------------------------------------------------------------

    def save_vms(self, vms: tuple[str, ...]) -> None:
        args = {"Vms": list(vms)}
        self._on_cluster(ScriptName.SAVE_VMS, args, deadline=self.deadlines.command, about=None)

    def start_vms(self, vms: tuple[str, ...]) -> None:
        args = {"Vms": list(vms)}
        self._on_cluster(ScriptName.START_VMS, args, deadline=self.deadlines.command, about=None)

    def set_virtual_disks_online(self, online: bool) -> None:
        args = {"Online": online}
        self._on_cluster(
            ScriptName.SET_VIRTUAL_DISKS, args, deadline=self.deadlines.command, about=None
        )

    def stop_cluster(self) -> None:
        """The run lock's claim on every node that answers, then Stop-Cluster."""
        if not self._claim_nodes:
            self._claim_nodes = self._fallback_nodes
        fence = self._fence
        if fence is not None:
            for node in self._claim_nodes:
                try:
                    kept = self._claim(node, "Write", fence)
                except NodeUnreachable:
                    continue
                if kept is not None and not kept.same_coordinator(fence):
                    raise RunLocked(kept.run_id, f"{node} is claimed by {kept.describe()}")
        self._on_cluster(ScriptName.STOP_CLUSTER, {}, deadline=self.deadlines.command, about=None)

    def set_cluster_service(self, node: str, startup: ServiceStartup) -> None:
        args = {"StartupType": ServiceStartup(startup).value}
        self._on_node(node, ScriptName.SET_CLUSTER_SERVICE, args, deadline=self.deadlines.command)

    def start_cluster(self, node: str) -> None:
        """Start-Cluster (or Start-ClusterNode) on ``node``; then the claims are cleared —
        every node's when the cluster formed now, else the joining node's."""
        document = self._on_node(
            node, ScriptName.START_CLUSTER, {}, deadline=self.deadlines.command
        )
        fence = self._fence
        if fence is None:
            return
        formed = isinstance(document, dict) and document.get("Started") is True
        for other in self._claim_nodes if formed else (node,):
            try:
                self._claim(other, "Clear", fence)
            except (NodeUnreachable, RemoteCommandFailed):
                continue

    # -- the run lock while the cluster is stopped ----------------------------------------

    def _claim(
        self, node: str, action: str, holder: LockHolder | None, previous: LockHolder | None = None
    ) -> LockHolder | None:
        args = {
            "Action": action,
            "Holder": None if holder is None else holder_document(holder),
            "Previous": None if previous is None else holder_document(previous),
        }
        document = self._on_node(node, ScriptName.OFFLINE_CLAIM, args, deadline=self.deadlines.read)
        return self._parsed(ScriptName.OFFLINE_CLAIM, parse_claim, document)

    def _claims(self, unreachable: ClusterUnreachable) -> dict[str, LockHolder | None]:
        """Each answering node's claim; ``unreachable`` again when none holds one (the
        cluster is not stopped by a run: its endpoint is just away)."""
        found: dict[str, LockHolder | None] = {}
        for node in self._claim_nodes or self._fallback_nodes:
            try:
                found[node] = self._claim(node, "Read", None)
            except (NodeUnreachable, RemoteCommandFailed):
                continue
        if not any(holder is not None for holder in found.values()):
            raise unreachable
        return found

    @staticmethod
    def _foreign(claims: dict[str, LockHolder | None], *allowed: LockHolder) -> LockHolder | None:
        for holder in claims.values():
            if holder is not None and not any(holder.same_coordinator(a) for a in allowed):
                return holder
        return None

    def read_run_lock(self) -> LockHolder | None:
        try:
            return super().read_run_lock()
        except ClusterUnreachable as exc:
            claims = self._claims(exc)
        return next((h for h in claims.values() if h is not None), None)

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        try:
            return super().create_run_lock(holder)
        except ClusterUnreachable as exc:
            claims = self._claims(exc)
        other = self._foreign(claims, holder)
        if other is not None:
            return other
        for node in claims:
            self._claim(node, "Write", holder)
        self._fence = holder
        return None

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        try:
            return super().take_over_run_lock(holder, previous)
        except ClusterUnreachable as exc:
            claims = self._claims(exc)
        other = self._foreign(claims, holder, previous)
        if other is not None:
            return other
        for node in claims:
            self._claim(node, "TakeOver", holder, previous)
        self._fence, self._superseded = holder, previous
        return None

    def renew_run_lock(self, holder: LockHolder) -> None:
        try:
            super().renew_run_lock(holder)
            return
        except ClusterUnreachable as exc:
            claims = self._claims(exc)
        old = self._superseded
        other = self._foreign(claims, holder, *([old] if old is not None else []))
        if other is not None:
            raise RunLocked(other.run_id, f"the run lock's claims name {other.describe()}")
        for node, kept in claims.items():
            if kept is not None and old is not None and kept.same_coordinator(old):
                self._claim(node, "TakeOver", holder, old)  # away during the take-over
            elif kept is not None:
                self._claim(node, "Renew", holder)

    def release_run_lock(self, holder: LockHolder) -> None:
        try:
            super().release_run_lock(holder)
            return
        except ClusterUnreachable as exc:
            claims = self._claims(exc)
        for node in claims:
            self._claim(node, "Clear", holder)
