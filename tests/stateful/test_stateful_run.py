"""Hypothesis state machine: the real engine runs while rules inject faults between its steps;
the safety invariants are checked after every rule and all ten at the end.

Design: the engine's public API (``Engine.start`` / ``step`` / ``finish``) is driven
directly, in this one thread: ``advance`` lets the engine take N steps, and the fault rules
change the SimPy world between two steps just as an injected fault's process would — crash
a node, fail a drive, take the witness or the management network away or back. The four
invariants the oracle checks as things happen (quorum, storage-redundancy,
resync-before-next, workload-availability) are Hypothesis invariants; the five that need
the runner's report (max-nodes-out, nodes-resumed, failure-budget, termination,
report-truth) are checked in ``teardown`` after the faults are lifted and the run is
stepped to its end.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from runner.engine import Engine
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT
from simulator.oracle import INVARIANTS
from simulator.scenario import load_scenario
from simulator.world import build_world

SCENARIO = load_scenario(
    Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"
)
NODES = SCENARIO.cluster.node_names


class RunWithFaults(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        profile = Profile.from_mapping({}, source="stateful").resolved(NODES)
        self.world = build_world(SCENARIO, 0, profile)
        self.engine = Engine(
            self.world.transport,
            self.world.clock,
            profile,
            run_id="stateful",
            started_at=SIMULATED_STARTED_AT,
        )
        self.engine.start()

    @property
    def done(self) -> bool:
        return self.engine.done

    # -- rules -----------------------------------------------------------------------------
    @rule(steps=st.integers(min_value=1, max_value=40))
    def advance(self, steps: int) -> None:
        """Let the engine take ``steps`` steps (none once the run has ended)."""
        for _ in range(steps):
            if not self.engine.step():
                break

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
        """Lift the faults, step the run to its end, and check all ten invariants."""
        self.world.transport.management_down = False
        self.world.set_witness_online(True)
        report = self.engine.run_to_end().to_dict()
        assert report["status"] in ("Succeeded", "PartiallyFailed", "Failed", "Canceled")
        section = self.world.finish(report)
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
