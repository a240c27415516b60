"""An agent's presence in the cluster (``pycau agent``, shown by ``pycau status``).

Owns: ``AgentPresence`` — the contract value type of one agent: the management machine it
runs on, its process id, when it started, what it is doing (waiting for a firing, watching
the lease of a run another coordinator holds, running one) and its next firing; and
``last_seen_age_seconds``, how long ago (in the cluster's own time, so no two clocks are
compared) it last wrote its presence. ``PRESENCE_STALE_SECONDS`` says when an entry is
stale: an agent rewrites its presence at least every ``PRESENCE_SECONDS`` while it waits
or watches; while it runs a run the run lock's heartbeat shows it alive instead.

Must not: do I/O, read a clock, or import anything outside the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PRESENCE_SECONDS",
    "PRESENCE_STALE_SECONDS",
    "AgentPresence",
    "read_presence",
]

# An agent that waits or watches rewrites its presence every PRESENCE_SECONDS; one silent
# for PRESENCE_STALE_SECONDS (15 rewrites missed, as the run lock's heartbeat) is stale.
PRESENCE_SECONDS = 60.0
PRESENCE_STALE_SECONDS = 900.0
STATES = ("waiting", "watching", "running")


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPresence:
    """One agent as the cluster knows it (see the module docstring)."""

    host: str
    pid: int
    started_at: str  # ISO 8601, when the agent started
    state: str  # waiting | watching | running
    next_firing: str = ""  # ISO 8601 with its offset, or "" when it knows none
    run_id: str = ""  # the run it watches or runs
    last_seen_age_seconds: float = 0.0

    @property
    def key(self) -> str:
        """``HOST:PID``: an agent's entry (one per process)."""
        return f"{self.host}:{self.pid}"

    def stale(self, *, running: bool = False) -> bool:
        """Whether the entry is stale; ``running``: it holds the run lock, whose heartbeat
        shows it alive (a running agent does not rewrite its presence)."""
        return not running and self.last_seen_age_seconds >= PRESENCE_STALE_SECONDS

    def document(self) -> dict[str, Any]:
        """The presence as the scripts carry it (agent-publish.ps1's ``Agent``)."""
        return {
            "Host": self.host,
            "Pid": self.pid,
            "StartedAt": self.started_at,
            "State": self.state,
            "NextFiring": self.next_firing,
            "RunId": self.run_id,
        }


def read_presence(document: Mapping[str, Any], age_seconds: float = 0.0) -> AgentPresence:
    """An ``AgentPresence`` from its document; ``ValueError`` when a field is malformed."""
    host, pid, state = document.get("Host"), document.get("Pid"), document.get("State")
    if not isinstance(host, str) or not host:
        raise ValueError("an agent's Host is missing")
    if isinstance(pid, bool) or not isinstance(pid, int):
        raise ValueError(f"agent {host}: Pid is not a whole number")
    if state not in STATES:
        raise ValueError(f"agent {host}: State {state!r} is not one of {', '.join(STATES)}")
    return AgentPresence(
        host=host,
        pid=pid,
        started_at=str(document.get("StartedAt") or ""),
        state=str(state),
        next_firing=str(document.get("NextFiring") or ""),
        run_id=str(document.get("RunId") or ""),
        last_seen_age_seconds=max(0.0, float(age_seconds)),
    )
