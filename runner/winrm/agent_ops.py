"""Agents' presence over WinRM (``scripts/agent-*.ps1``): ``pycau agent`` and ``pycau status``.

Owns: ``AgentOps`` — the contract's agent-presence part: publish and withdraw one agent's
entry in the cluster parameter PycauAgents (under the run lock's write mutex, unfenced: any
agent may write its own entry) and read them all with their ages in the cluster's time.

Must not: judge staleness or decide anything about runs; sleep.
"""

from __future__ import annotations

from runner.agent_types import AgentPresence
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_agents import parse_agents

__all__ = ["AgentOps"]


class AgentOps(WinRMEndpoints):
    """The agent-presence part of the transport contract."""

    def publish_agent_presence(self, presence: AgentPresence) -> None:
        args = {"Agent": presence.document()}
        self._on_cluster(ScriptName.AGENT_PUBLISH, args, deadline=self.deadlines.read, about=None)

    def withdraw_agent_presence(self, host: str, pid: int) -> None:
        args = {"Host": host, "Pid": pid}
        self._on_cluster(ScriptName.AGENT_WITHDRAW, args, deadline=self.deadlines.read, about=None)

    def read_agent_presences(self) -> tuple[AgentPresence, ...]:
        document = self._read_cluster(ScriptName.AGENT_READ, {})
        return self._parsed(ScriptName.AGENT_READ, parse_agents, document)
