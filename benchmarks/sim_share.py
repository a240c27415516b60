"""How much of a rehearsal's wall time is the simulator's: a timer on its entry points.

``SimulatorTimer.install()`` wraps every way into the simulator a rehearsal takes — each
public method of ``SimTransport``, ``SimClock.sleep`` and ``now``, ``build_world``,
``SimulatedCluster.finish`` and ``swarm_scenario`` — with a depth-counted ``perf_counter``,
so ``spent`` is the time under the outermost wrapper: the simulator's share (SimPy included).
The rest of a rehearsal is the runner's (engine, decisions, journal, report) and the
composition's. The wrappers add about half a microsecond per call to the simulator's side,
so its share is slightly overstated. Used by the benchmarks' ``--split`` option; the
wrappers stay for the life of the process (run it in a process of its own).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any


class SimulatorTimer:
    """Seconds spent inside the simulator since ``install`` (or the last ``reset``)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.calls = 0
        self._inside = False

    def reset(self) -> None:
        self.spent = 0.0
        self.calls = 0

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._inside:
                return fn(*args, **kwargs)
            self._inside = True
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started
                self.calls += 1
                self._inside = False

        return timed

    def install(self) -> SimulatorTimer:
        import simulator.swarm
        import simulator.world
        from simulator.clock import SimClock
        from simulator.transport import SimTransport

        for name in dir(SimTransport):
            member = getattr(SimTransport, name)
            if not name.startswith("_") and callable(member):
                setattr(SimTransport, name, self._wrap(member))
        SimClock.sleep = self._wrap(SimClock.sleep)  # type: ignore[method-assign]
        SimClock.now = self._wrap(SimClock.now)  # type: ignore[method-assign]
        cluster = simulator.world.SimulatedCluster
        cluster.finish = self._wrap(cluster.finish)  # type: ignore[method-assign]
        simulator.world.build_world = self._wrap(simulator.world.build_world)
        simulator.swarm.swarm_scenario = self._wrap(simulator.swarm.swarm_scenario)
        return self
