"""``pycau snapshot``'s reads over WinRM (``scripts/snapshot.ps1``, ``snapshot-node.ps1``).

Owns: ``SnapshotOps`` — the cluster's part of a snapshot (each VM role's possible owners)
on the cluster endpoint, and each node's part (memory, VMs, CSV write rates, its own
install and restart history) on the node's own endpoint, where the System log and the
performance counters are local: no second hop. Both scripts only read.

Must not: be used by the engine (the snapshot is the CLI's, outside the transport
contract), change anything on the cluster, or sleep.
"""

from __future__ import annotations

from runner.inventory import ClusterInventory, NodeInventory
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_snapshot import parse_cluster_inventory, parse_node_inventory

__all__ = ["COUNTER_SAMPLES", "HISTORY_EVENTS", "SnapshotOps"]

COUNTER_SAMPLES = 5  # one a second: a write-rate estimate over five seconds
HISTORY_EVENTS = 500  # newest events of each kind read from a node's System log


class SnapshotOps(WinRMEndpoints):
    """The snapshot's reads."""

    def snapshot_cluster(self) -> ClusterInventory:
        document = self._read_cluster(ScriptName.SNAPSHOT, {})
        return self._parsed(ScriptName.SNAPSHOT, parse_cluster_inventory, document)

    def snapshot_node(self, node: str) -> NodeInventory:
        args = {"Samples": COUNTER_SAMPLES, "MaxEvents": HISTORY_EVENTS}
        document = self._on_node(
            node, ScriptName.SNAPSHOT_NODE, args,
            deadline=self.deadlines.read + COUNTER_SAMPLES, idempotent=True,
        )  # fmt: skip
        return self._parsed(ScriptName.SNAPSHOT_NODE, parse_node_inventory, document)
