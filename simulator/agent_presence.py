"""The agent-presence part of the simulated transport (``pycau agent``, ``pycau status``).

Owns: ``SimAgentPresence`` — the contract's ``publish_agent_presence``,
``withdraw_agent_presence`` and ``read_agent_presences`` over the world's registry of agents
(``simulator.agent_registry``); ``simulator.transport.SimTransport`` inherits them. Each call
spends one round trip, as a lock script does.

Must not: judge staleness (the reader does) or read the wall clock.
"""

from __future__ import annotations

from runner.agent_types import AgentPresence
from simulator.world_port import ClusterOperations

__all__ = ["SimAgentPresence"]

_ROUND_TRIP_SECONDS = 1.0  # as a lock script: one read-modify-write of a cluster parameter


class SimAgentPresence:
    """The agent-presence part of ``SimTransport`` (``runner.transport``'s contract)."""

    world: ClusterOperations

    def _spend(self, seconds: float) -> None:  # SimTransport's: the round trip's time
        raise NotImplementedError

    def publish_agent_presence(self, presence: AgentPresence) -> None:
        self._spend(_ROUND_TRIP_SECONDS)
        self.world.agents.publish(presence)

    def withdraw_agent_presence(self, host: str, pid: int) -> None:
        self._spend(_ROUND_TRIP_SECONDS)
        self.world.agents.withdraw(host, pid)

    def read_agent_presences(self) -> tuple[AgentPresence, ...]:
        self._spend(_ROUND_TRIP_SECONDS)
        return self.world.agents.read()
