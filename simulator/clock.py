"""Simulated time: the SimPy environment the world runs in, and the runner's ``Clock`` over it.

Owns: ``SimEnvironment`` (a ``simpy.Environment`` that counts the model's events for the
report's counters and advances without stop events) and ``SimClock`` (``now`` =
``env.now``; ``sleep`` advances the world).

Theory of operation: the runner is synchronous and drives the simulation. ``sleep(s)``
processes every event due up to ``now + s`` — including every event scheduled exactly at
that instant — and leaves the clock there, so a state observed at ``t`` includes everything
that happened at ``t``. ``sleep(0)`` (or less) returns at once.

``SimEnvironment.advance`` does what ``env.run(until=t)`` followed by stepping through
``t`` did — the same events in the same order, the clock standing at ``t`` — without the
stop event ``run`` schedules (two heap entries per sleep, most of a run's "events"; the
stop was a no-op between model events and ``now + (t - now)``, its instant, is ``t`` in
floating point). Only model events are scheduled, so ``scheduled_events`` counts what the
world did.

Must not: read the wall clock or know anything about clusters.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL, Event, EventPriority

__all__ = ["SimClock", "SimEnvironment"]


class SimEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it schedules and advances without stops."""

    def __init__(self) -> None:
        super().__init__(initial_time=0.0)
        self.scheduled_events = 0

    def schedule(self, event: Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        self.scheduled_events += 1
        super().schedule(event, priority, delay)

    def advance(self, until: float) -> None:
        """Process every event due by ``until`` (in heap order) and stand at ``until``."""
        queue = self._queue
        while queue and queue[0][0] <= until:
            self.step()
        if until > self._now:
            self._now = until


class SimClock:
    """The runner's clock in a simulated world: simulated seconds starting at 0.0."""

    def __init__(self, env: SimEnvironment) -> None:
        self.env = env

    def now(self) -> float:
        return float(self.env.now)

    def sleep(self, seconds: float) -> None:
        if not seconds > 0:  # also refuses NaN
            return
        env = self.env
        env.advance(env.now + seconds)

    def advance_to(self, until: float) -> None:
        """Run the world up to and including every event scheduled at ``until``."""
        self.env.advance(until)
