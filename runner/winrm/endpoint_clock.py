"""The clock of the endpoint: how a run against pycau's simulated twin advances its world.

Owns: ``EndpointClock`` — a ``runner.transport.Clock`` whose ``now`` and ``sleep`` are the
endpoint's (the ``clock`` script). Against the twin, the endpoint's clock IS the simulated
clock, so the runner's waits advance the simulated world exactly as ``pycau simulate``
does, and a remote run makes the same decisions at the same simulated times. Against
real nodes the CLI uses the system clock instead (``runner/clock.py``).

Theory of operation: simulated time moves only when a script runs on the endpoint, and
every answer carries the endpoint's ``Now`` (the prelude stamps it). So ``now`` is the
``Now`` of the last answer; only after a script that did not answer (a dropped connection,
a timeout) does a fresh ``now`` cost one round trip.

Must not: sleep locally or read the wall clock.
"""

from __future__ import annotations

from runner.winrm.transport import WinRMTransport

__all__ = ["EndpointClock"]


class EndpointClock:
    """``Clock`` backed by the endpoint's ``clock`` script (see module docstring)."""

    def __init__(self, transport: WinRMTransport) -> None:
        self._transport = transport
        self._now: float | None = None
        transport.round_trip_hooks.append(self._heard)
        transport.clock = self

    def _heard(self, endpoint_now: float | None) -> None:
        self._now = endpoint_now

    def now(self) -> float:
        if self._now is None:
            self._now = self._transport.endpoint_clock(0.0)
        return self._now

    def sleep(self, seconds: float) -> None:
        self._now = self._transport.endpoint_clock(max(0.0, seconds))
