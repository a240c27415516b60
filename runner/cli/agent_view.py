"""``pycau status``'s lines about agents: who watches the cluster, and the next firing.

Owns: ``render_agents`` — one line per agent in the cluster's registry (host, process,
state, run, started, last seen in the cluster's time, next firing; ``stale`` when its
entry was not rewritten for ``PRESENCE_STALE_SECONDS`` and it does not hold the run lock)
and ``render_next_firing`` — from the profile's schedule when ``--profile`` is given, else
the earliest next firing a live agent announced.

Must not: change anything on the cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console

from runner.agent import next_firing
from runner.agent_types import PRESENCE_STALE_SECONDS, AgentPresence
from runner.schedule import Schedule
from runner.types import LockHolder

__all__ = ["render_agents", "render_next_firing"]


def _holds(presence: AgentPresence, holder: LockHolder | None) -> bool:
    return holder is not None and (holder.coordinator, holder.pid) == (
        presence.host,
        presence.pid,
    )


def render_agents(
    console: Console, agents: Sequence[AgentPresence], holder: LockHolder | None
) -> None:
    """The ``Agents`` lines of ``pycau status``."""
    if not agents:
        console.print("Agents              : none (no pycau agent watches this cluster)")
        return
    console.print(f"Agents              : {len(agents)}")
    for presence in agents:
        holds = _holds(presence, holder)
        stale = (
            f", stale (silent for {PRESENCE_STALE_SECONDS:.0f} s or more: it looks gone)"
            if presence.stale(running=holds)
            else ""
        )
        run = f" run {presence.run_id}" if presence.run_id else ""
        lock = ", holds the run lock" if holds else ""
        nxt = presence.next_firing or "—"
        console.print(
            f"  {presence.host} process {presence.pid}: {presence.state}{run}{lock}; "
            f"started {presence.started_at}, last seen "
            f"{presence.last_seen_age_seconds:.0f} s ago, next firing {nxt}{stale}",
            highlight=False,
            soft_wrap=True,
        )


def render_next_firing(
    console: Console,
    schedule: Schedule | None,
    now: datetime,
    agents: Sequence[AgentPresence],
    holder: LockHolder | None,
) -> None:
    """The ``NextFiring`` line: the profile's schedule wins over the agents' word."""
    if schedule is not None:
        at = next_firing(schedule, now)
        text = at.isoformat() if at is not None else "none within a year"
        console.print(
            f"NextFiring          : {text} (profile's schedule; times in {schedule.zone_label})",
            highlight=False,
        )
        return
    announced = sorted(
        (datetime.fromisoformat(p.next_firing), p.next_firing)
        for p in agents
        if p.next_firing and not p.stale(running=_holds(p, holder)) and _aware(p.next_firing)
    )
    if not announced:
        console.print("NextFiring          : unknown (no live agent; give --profile)")
        return
    console.print(f"NextFiring          : {announced[0][1]} (announced by the agents)")


def _aware(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False
