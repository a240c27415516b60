"""Simulated time: the SimPy environment the world runs in, and the runner's ``Clock`` over it.

Owns: ``SimEnvironment`` (a ``simpy.Environment`` that counts scheduled events for the
report's counters) and ``SimClock`` (``now`` = ``env.now``; ``sleep`` advances the world).

Theory of operation: the runner is synchronous and drives the simulation. ``sleep(s)`` runs
the environment to ``now + s`` and then also processes every event scheduled exactly at that
instant (SimPy's ``run(until=t)`` leaves them for later), so a state observed at ``t``
includes everything that happened at ``t``. ``sleep(0)`` (or less) returns at once because
``run(until=now)`` would raise.

Must not: read the wall clock or know anything about clusters.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL, Event, EventPriority

__all__ = ["SimClock", "SimEnvironment"]


class SimEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it schedules."""

    def __init__(self) -> None:
        super().__init__(initial_time=0.0)
        self.scheduled_events = 0

    def schedule(self, event: Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        self.scheduled_events += 1
        super().schedule(event, priority, delay)


class SimClock:
    """The runner's clock in a simulated world: simulated seconds starting at 0.0."""

    def __init__(self, env: SimEnvironment) -> None:
        self.env = env

    def now(self) -> float:
        return float(self.env.now)

    def sleep(self, seconds: float) -> None:
        if not seconds > 0:  # also refuses NaN
            return
        self.advance_to(self.env.now + seconds)

    def advance_to(self, until: float) -> None:
        """Run the world up to and including every event scheduled at ``until``."""
        env = self.env
        if until > env.now:
            env.run(until=until)
        while env.peek() <= until:
            env.step()
