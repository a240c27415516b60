"""The twin's answers to agent-publish.ps1, agent-withdraw.ps1 and agent-read.ps1.

Owns: ``agent_handlers`` — for each script ONE call of the world's transport (the
contract's agent-presence part), answered as the real script writes it.

Must not: touch the world except through its transport; hold state of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.agent_types import read_presence
from runner.remote_protocol import ScriptName, ScriptProtocolError
from runner.transport import ClusterTransport

__all__ = ["agent_handlers"]

Answer = tuple[Mapping[str, Any], bool]
Handler = Callable[[Mapping[str, Any]], Answer]


def agent_handlers(transport: ClusterTransport) -> dict[ScriptName, Handler]:
    """The three scripts' handlers for ``transport``."""

    def publish(args: Mapping[str, Any]) -> Answer:
        agent = args.get("Agent")
        if not isinstance(agent, Mapping):
            raise ScriptProtocolError("Agent is missing")
        try:
            transport.publish_agent_presence(read_presence(agent))
        except ValueError as exc:
            raise ScriptProtocolError(str(exc)) from exc
        return {"Published": True}, False

    def withdraw(args: Mapping[str, Any]) -> Answer:
        transport.withdraw_agent_presence(str(args.get("Host") or ""), int(args.get("Pid") or 0))
        return {"Withdrawn": True}, False

    def read(args: Mapping[str, Any]) -> Answer:
        listed = [
            {**presence.document(), "AgeSeconds": presence.last_seen_age_seconds}
            for presence in transport.read_agent_presences()
        ]
        return {"Agents": listed}, False

    return {
        ScriptName.AGENT_PUBLISH: publish,
        ScriptName.AGENT_WITHDRAW: withdraw,
        ScriptName.AGENT_READ: read,
    }
