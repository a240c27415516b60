"""Parsers of the run-option scripts' answers (``scripts/enable-firewall.ps1``,
``scripts/node-sites.ps1``) into the contract's values.

Owns: ``parse_firewall_enabled`` (whether the Remote Shutdown rule group is in effect after
the enable) and ``parse_node_sites`` (each node with its site fault domain). A malformed
answer raises ``MalformedOutput``, which the endpoint plumbing turns into
``RemoteCommandFailed``.

Must not: talk to the network or decide anything about the run.
"""

from __future__ import annotations

from typing import Any

from runner.run_option_types import NodeSite
from runner.winrm.psjson import MalformedOutput, as_list, as_mapping

__all__ = ["parse_firewall_enabled", "parse_node_sites"]


def parse_firewall_enabled(raw: Any) -> bool:
    """enable-firewall.ps1's answer: True when the rule group is in effect now."""
    enabled = as_mapping(raw, "the firewall answer").get("Enabled")
    if not isinstance(enabled, bool):
        raise MalformedOutput("the firewall answer has no boolean Enabled")
    return enabled


def parse_node_sites(raw: Any) -> tuple[NodeSite, ...]:
    """node-sites.ps1's answer: ``{"Sites": [{"Node": …, "Site": …}, …]}`` (one entry may
    arrive unwrapped, as PowerShell 5.1 writes a one-element list)."""
    out = []
    for entry in as_list(as_mapping(raw, "the sites answer").get("Sites"), "Sites"):
        doc = as_mapping(entry, "a node's site")
        node, site = doc.get("Node"), doc.get("Site") or ""
        if not isinstance(node, str) or not node or not isinstance(site, str):
            raise MalformedOutput("a node's site needs a Node name and a Site text")
        out.append(NodeSite(node=node, site=site))
    return tuple(out)
