"""Node settings of the simulated cluster that Invoke-CauRun's remaining options act on.

Owns: ``NodeOptions`` — each node's Remote Shutdown firewall rule group (``enabled``,
``disabled``, or ``policy-disabled``: a Group Policy disables it and a local enable does not
take effect), enabling it (``enable_rules``, the profile's enable_firewall_rules), refusing a
restart of a node whose group is disabled (``check_restart``: Windows Firewall blocks CAU's
remote restart through wininit, RPC error 1722), and the site fault domain of each node
(``sites``, what Get-ClusterFaultDomain reports).

Theory of operation: the rule state is ground truth the scenario sets per node
(``remote_shutdown``); only ``enable_rules`` changes it, and it stays changed (a real
enable persists). A refused restart had no effect: it is recorded as trouble against the
node (report-truth's evidence of a failed attempt).

Must not: reach the world except through ``simulator.world_port.WorldPort``, or decide
anything for the runner.
"""

from __future__ import annotations

from runner.errors import RemoteCommandFailed
from runner.run_option_types import NodeSite
from simulator.world_port import WorldPort

__all__ = ["ENABLED", "POLICY_DISABLED", "RPC_S_SERVER_UNAVAILABLE", "NodeOptions"]

ENABLED = "enabled"
POLICY_DISABLED = "policy-disabled"
RPC_S_SERVER_UNAVAILABLE = 1722  # what a remote shutdown through a closed firewall gets


class NodeOptions:
    """Firewall rule groups and sites of the nodes of one world."""

    def __init__(self, world: WorldPort) -> None:
        self.world = world
        cluster = world.scenario.cluster
        self.remote_shutdown = {n.name: n.remote_shutdown for n in cluster.nodes}
        self.site_of = dict(cluster.sites)

    def rules_enabled(self, node: str) -> bool:
        """Whether the node's Remote Shutdown rule group is in effect."""
        return self.remote_shutdown.get(node, ENABLED) == ENABLED

    def enable_rules(self, node: str) -> bool:
        """Set-NetFirewallRule -Group Remote Shutdown -Enabled True; False when a Group
        Policy keeps the group disabled (nothing changes)."""
        if self.remote_shutdown.get(node) == POLICY_DISABLED:
            self.world.record("firewall", node, "Remote Shutdown rules kept disabled by policy")
            return False
        if not self.rules_enabled(node):
            self.world.record("firewall", node, "Remote Shutdown rules enabled")
        self.remote_shutdown[node] = ENABLED
        return True

    def check_restart(self, node: str) -> None:
        """``RemoteCommandFailed`` (no effect) when the firewall blocks the node's restart."""
        if self.rules_enabled(node):
            return
        why = (
            f"the Remote Shutdown firewall rule group is disabled on {node}: Windows Firewall "
            "blocks the remote restart (enable the group, or set enable_firewall_rules)"
        )
        self.world.truth.trouble(node, "restart-refused", why)
        self.world.record("restart-refused", node, why)
        raise RemoteCommandFailed("Restart-Computer", why, RPC_S_SERVER_UNAVAILABLE)

    def sites(self) -> tuple[NodeSite, ...]:
        """Every node with its site (``""``: none), in the cluster's node order."""
        return tuple(
            NodeSite(node=name, site=self.site_of.get(name, ""))
            for name in self.world.scenario.cluster.node_names
        )
