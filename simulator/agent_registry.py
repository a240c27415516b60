"""The registry of agents in the simulated cluster database (``pycau agent``'s presence).

Owns: ``AgentRegistry`` — the simulated twin of what ``runner/winrm/scripts/agent-*.ps1``
keep in the cluster parameter PycauAgents: one entry per agent process (host and process
id), stamped with the cluster's clock when written, read back with its age
(``simulator.agent_presence`` holds the transport's methods that reach it).

Must not: judge staleness (the reader does), spend simulated time, or read the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from runner.agent_types import AgentPresence

__all__ = ["AgentRegistry"]


class AgentRegistry:
    """The agents' entries; ``now`` is the cluster's clock (simulated seconds)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._entries: dict[tuple[str, int], tuple[AgentPresence, float]] = {}

    def publish(self, presence: AgentPresence) -> None:
        self._entries[(presence.host, presence.pid)] = (presence, self._now())

    def withdraw(self, host: str, pid: int) -> None:
        self._entries.pop((host, pid), None)

    def read(self) -> tuple[AgentPresence, ...]:
        now = self._now()
        return tuple(
            replace(presence, last_seen_age_seconds=max(0.0, now - seen))
            for _, (presence, seen) in sorted(self._entries.items())
        )
