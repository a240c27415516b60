"""Parser of the registry of agents (``scripts/agent-read.ps1``) into the contract's values.

Owns: ``parse_agents`` — the answer's ``Agents`` array as ``AgentPresence`` values, ordered
by host and process id. A malformed answer raises ``MalformedOutput``, which the endpoint
plumbing turns into ``RemoteCommandFailed``.

Must not: talk to the network or judge whether an entry is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.agent_types import AgentPresence, read_presence
from runner.winrm.psjson import MalformedOutput, as_mapping

__all__ = ["parse_agents"]


def parse_agents(raw: Any) -> tuple[AgentPresence, ...]:
    """agent-read.ps1's answer: every agent's entry with its age."""
    listed = as_mapping(raw, "the agent-read answer").get("Agents")
    if listed is None:
        return ()
    if isinstance(listed, Mapping):  # PowerShell 5.1 unwraps a one-element array
        listed = [listed]
    if not isinstance(listed, list):
        raise MalformedOutput("the registry of agents is not an array")
    found = []
    for entry in listed:
        if not isinstance(entry, Mapping):
            raise MalformedOutput("an agent's entry is not an object")
        age = entry.get("AgeSeconds")
        if isinstance(age, bool) or not isinstance(age, int | float):
            raise MalformedOutput("an agent's AgeSeconds is not a number")
        try:
            found.append(read_presence(entry, float(age)))
        except ValueError as exc:
            raise MalformedOutput(str(exc)) from exc
    return tuple(sorted(found, key=lambda p: (p.host, p.pid)))
