"""Hypothesis state machine: the real engine runs while rules inject faults between its steps;
the safety invariants are checked after every rule and all nine at the end.

Design (the simplest honest one): the engine has no public step API — ``run_updating_run``
is one blocking call. It runs in a worker thread with a ``SteppedClock``: every
``Clock.sleep`` of the engine (its polls and waits) hands control back to the state machine
and blocks until the machine lets it go on. Exactly one thread runs at a time (a strict
semaphore hand-off), so rules change the SimPy world between two engine steps just as an
injected fault's process would. ``advance`` lets the engine take N steps; the fault rules
crash a node, fail a drive, take the witness or the management network away or back. The
four invariants the oracle checks as things happen (quorum, storage-redundancy,
resync-before-next, workload-availability) are Hypothesis invariants; the five that need
the runner's report (max-nodes-out, nodes-resumed, failure-budget, termination,
report-truth) are checked in ``teardown`` after the faults are lifted and the run is let
finish.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from runner.cli.compose import SIMULATED_STARTED_AT
from runner.engine import run_updating_run
from runner.profile import Profile
from simulator.clock import SimClock
from simulator.oracle import INVARIANTS
from simulator.scenario import load_scenario
from simulator.world import build_world

SCENARIO = load_scenario(
    Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"
)
NODES = SCENARIO.cluster.node_names


class SteppedClock:
    """The world's clock, but each ``sleep`` waits for the state machine's turn."""

    def __init__(self, inner: SimClock) -> None:
        self.inner = inner
        self.turn = threading.Semaphore(0)
        self.back = threading.Semaphore(0)
        self.free = False

    def now(self) -> float:
        return self.inner.now()

    def sleep(self, seconds: float) -> None:
        if not self.free:
            self.back.release()  # hand control to the state machine ...
            self.turn.acquire()  # ... and wait until it lets the engine go on
        self.inner.sleep(seconds)


class RunWithFaults(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        profile = Profile.from_mapping({}, source="stateful").resolved(NODES)
        self.world = build_world(SCENARIO, 0, profile)
        self.clock = SteppedClock(self.world.clock)
        self.done = False
        self.report: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._engine, args=(profile,), daemon=True)
        self.thread.start()
        self._step()  # run up to the engine's first wait

    def _engine(self, profile: Profile) -> None:
        self.clock.turn.acquire()
        try:
            result = run_updating_run(
                self.world.transport,
                self.clock,
                profile,
                run_id="stateful",
                started_at=SIMULATED_STARTED_AT,
            )
            self.report = result.to_dict()
        except BaseException as exc:  # re-raised in the test thread at teardown
            self.error = exc
        finally:
            self.done = True
            self.clock.back.release()

    def _step(self) -> None:
        if not self.done:
            self.clock.turn.release()
            self.clock.back.acquire()

    # -- rules -----------------------------------------------------------------------------
    @rule(steps=st.integers(min_value=1, max_value=40))
    def advance(self, steps: int) -> None:
        """Let the engine take ``steps`` steps (none once the run has ended)."""
        for _ in range(steps):
            self._step()

    @precondition(lambda self: not self.done)
    @rule(node=st.sampled_from(NODES), minutes=st.integers(min_value=2, max_value=90))
    def crash_node(self, node: str, minutes: int) -> None:
        self.world.crash(node, minutes * 60.0)

    @precondition(lambda self: not self.done and self.world.storage is not None)
    @rule(node=st.sampled_from(NODES))
    def fail_drive(self, node: str) -> None:
        assert self.world.storage is not None
        self.world.storage.drive_failed(node)

    @precondition(lambda self: not self.done)
    @rule(online=st.booleans())
    def witness(self, online: bool) -> None:
        self.world.set_witness_online(online)

    @precondition(lambda self: not self.done)
    @rule(down=st.booleans())
    def management_network(self, down: bool) -> None:
        self.world.transport.management_down = down

    # -- invariants the oracle checks as things happen ---------------------------------------
    def _holds(self, name: str) -> None:
        broken = [v for v in self.world.oracle.live if v.invariant == name]
        assert not broken, f"{name}: {broken[0].detail} at {broken[0].time:g} s"

    @invariant()
    def quorum(self) -> None:
        self._holds("quorum")

    @invariant()
    def storage_redundancy(self) -> None:
        self._holds("storage-redundancy")

    @invariant()
    def resync_before_next(self) -> None:
        self._holds("resync-before-next")

    @invariant()
    def workload_availability(self) -> None:
        self._holds("workload-availability")

    def teardown(self) -> None:
        """Lift the faults, let the run finish, and check all nine invariants."""
        self.world.transport.management_down = False
        self.world.set_witness_online(True)
        self.clock.free = True
        self._step()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the engine did not finish"
        if self.error is not None:
            raise self.error
        assert self.report is not None
        assert self.report["status"] in ("Succeeded", "PartiallyFailed", "Failed", "Canceled")
        section = self.world.finish(self.report)
        broken = {
            name: verdict["violations"][0]["detail"]
            for name, verdict in section["invariants"].items()
            if not verdict["holds"]
        }
        assert list(section["invariants"]) == list(INVARIANTS)
        assert broken == {}


RunWithFaults.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRunWithFaults = RunWithFaults.TestCase
TestRunWithFaults.__doc__ = (
    "Under any interleaving of faults and engine steps, no invariant breaks."
)
