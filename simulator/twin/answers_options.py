"""The twin's answers to the run-option scripts (issue 9) and to node-facts.ps1.

Owns: ``OptionAnswers`` — ``force-drain-node`` (``suspend_node_forced``), ``enable-firewall``
(``enable_remote_shutdown_rules``) and ``node-sites`` (``read_node_sites``), each ONE call
of the world's transport, answered as the real script writes it; and ``node-facts`` (a
healthy, well-configured node, with the Remote Shutdown rule group as the world has it, so
``pycau test-setup``'s rule 9 sees what a restart will meet).

Must not: touch the world except through its transport; hold state of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.transport import ClusterTransport
from simulator.transport import SimTransport
from simulator.twin.encode import facts_document

__all__ = ["OptionAnswers"]

Answer = tuple[Mapping[str, Any], bool]
_SHUTDOWN_RULES = 2  # the Remote Shutdown group holds two rules (RPC and RPC-EPMap)


class OptionAnswers:
    """Handlers of ``simulator.twin.answers.TwinAnswers`` for the run-option scripts."""

    def __init__(self, transport: ClusterTransport) -> None:
        self._transport = transport

    def force_drain(self, args: Mapping[str, Any]) -> Answer:
        self._transport.suspend_node_forced(str(args["Node"]))
        return {"Node": args["Node"], "State": 2, "DrainStatus": 1}, False

    def enable_firewall(self, args: Mapping[str, Any]) -> Answer:
        enabled = self._transport.enable_remote_shutdown_rules(str(args["Node"]))
        rules = _SHUTDOWN_RULES if enabled else 0
        document = {"Node": args["Node"], "Rules": _SHUTDOWN_RULES, "RulesEnabled": rules}
        return {**document, "Enabled": enabled}, False

    def node_sites(self, args: Mapping[str, Any]) -> Answer:
        sites = [{"Node": s.node, "Site": s.site} for s in self._transport.read_node_sites()]
        return {"Sites": sites}, False

    def facts(self, args: Mapping[str, Any]) -> Answer:
        node = str(args["Node"])
        document = facts_document(node, [str(s) for s in args.get("Scripts") or ()])
        if isinstance(self._transport, SimTransport):
            enabled = self._transport.remote_shutdown_enabled(node)
            document["RemoteShutdownRulesEnabled"] = _SHUTDOWN_RULES if enabled else 0
        return document, False
