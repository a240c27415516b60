"""Invoke-CauRun's remaining run options over WinRM (issue 9): the forced drain, the Remote
Shutdown firewall rules and the nodes' site fault domains.

Owns: ``OptionOps`` — ``suspend_node_forced`` (``scripts/force-drain-node.ps1`` on the
cluster endpoint, fenced by the run lock), ``enable_remote_shutdown_rules``
(``scripts/enable-firewall.ps1`` on the node's own endpoint, fenced) and ``read_node_sites``
(``scripts/node-sites.ps1``, a read on the cluster endpoint, falling back to nodes seen Up).
Answers are parsed by ``runner.winrm.parse_options``.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

from runner.remote_protocol import ScriptName
from runner.run_option_types import NodeSite
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_options import parse_firewall_enabled, parse_node_sites

__all__ = ["OptionOps"]


class OptionOps(WinRMEndpoints):
    """The run-option part of the transport contract."""

    def suspend_node_forced(self, node: str) -> None:
        self._on_cluster(
            ScriptName.FORCE_DRAIN_NODE, {"Node": node}, deadline=self.deadlines.command, about=node
        )

    def enable_remote_shutdown_rules(self, node: str) -> bool:
        document = self._on_node(
            node, ScriptName.ENABLE_FIREWALL, {}, deadline=self.deadlines.command
        )
        return self._parsed(ScriptName.ENABLE_FIREWALL, parse_firewall_enabled, document)

    def read_node_sites(self) -> tuple[NodeSite, ...]:
        document = self._read_cluster(ScriptName.NODE_SITES, {})
        return self._parsed(ScriptName.NODE_SITES, parse_node_sites, document)
