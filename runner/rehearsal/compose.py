"""Composing a simulated run: scenario + seed + profile → a typed ``Rehearsal``.

Owns: ``rehearse`` — the one place that wires the simulator's world (transport + clock) to
the runner's engine and adds the ``simulation`` section (oracle verdicts, counters) and its
wall-clock measurements (``simulation.wall``) to the runner's report; ``run_coordinator``,
the coordinator of a rehearsed run over any transport to a world (the simulator's own, or
WinRM to the twin serving it), with the ``coordinator-crash`` fault: it stops stepping the
engine after journal step N — as a killed process stops — and a fresh coordinator resumes
from the journal (``Engine.resume``), so the simulation and the twin path inject the crash
the same way (a scenario with the self-updating role or a coordinator fault goes to
``runner.rehearsal.roles`` instead: its coordinators hand the run over through the
cluster); the fixed identities of simulated runs (run id, start, lock holder).

Theory of operation: the engine drives the SimPy world synchronously through its transport
and clock, so stepping it to the end is the whole simulated run. Every input to the report
is fixed by (scenario, seed): ``run_id`` is a name-based UUID and ``started_at`` a fixed
instant, so the same scenario and seed give a byte-identical report apart from
``simulation.wall`` — the only place wall-clock figures may live.

Must not: print or parse command-line options. It imports the simulator lazily, inside
functions, so ``runner`` stays importable without SimPy.
"""

from __future__ import annotations

import resource
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.profile import POLICIES, Profile, ResolvedProfile
from runner.rehearsal.results import Rehearsal, Simulation, Wall

if TYPE_CHECKING:
    from runner.report import RunEvent, RunReport
    from runner.transport import Clock, ClusterTransport
    from runner.types import LockHolder
    from simulator.model import Scenario

__all__ = [
    "POLICIES",
    "SIMULATED_STARTED_AT",
    "coordinator_crash_step",
    "default_scenario_path",
    "peak_memory_mb",
    "rehearsal_holder",
    "rehearse",
    "run_coordinator",
    "simulated_run_id",
]

# Simulated runs start at a fixed instant (a Tuesday 02:00 maintenance window) so reports
# never depend on when the rehearsal was made.
SIMULATED_STARTED_AT = datetime(2026, 1, 13, 2, 0, 0, tzinfo=UTC)

# The coordinator host a simulated run's lock holder names.
REHEARSAL_HOST = "rehearsal"


# Fixed namespace for name-based run ids of simulated runs (uuid5 of "pycau simulate").
_RUN_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pycau:simulate")


def simulated_run_id(scenario_name: str, seed: int) -> str:
    """The deterministic run id of a simulated run of ``scenario_name`` with ``seed``."""
    return str(uuid.uuid5(_RUN_ID_NAMESPACE, f"{scenario_name}\x1f{seed}"))


def rehearsal_holder(run_id: str, pid: int = 1) -> LockHolder:
    """The run-lock holder of a simulated coordinator: process ``pid`` of the rehearsal host."""
    from runner.report import iso_utc
    from runner.types import LockHolder

    return LockHolder(
        run_id=run_id,
        coordinator=REHEARSAL_HOST,
        pid=pid,
        started_at=iso_utc(SIMULATED_STARTED_AT),
    )


def default_scenario_path() -> Path:
    """The bundled default scenario's file (the data package ``simulator.scenarios``)."""
    from simulator.bundled import resolve_scenario

    return resolve_scenario(None)


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far, in MB (tracemalloc is too slow)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(peak / divisor, 1)


def coordinator_crash_step(scenario: Scenario) -> int | None:
    """The journal step after which the scenario's ``coordinator-crash`` fault kills the
    coordinator (the earliest, if several), or ``None``."""
    steps = [f.params["at_step"] for f in scenario.faults if f.type == "coordinator-crash"]
    return min(steps) if steps else None


def run_coordinator(
    transport: ClusterTransport,
    clock: Clock,
    profile: ResolvedProfile,
    world: Any,
    *,
    run_id: str,
    started_at: datetime,
    listener: Callable[[RunEvent], None] | None = None,
    crash_at_step: int | None = None,
    journal_path: str | None = None,
) -> RunReport:
    """The coordinator of a rehearsed run, over any transport to ``world`` (the simulator's
    own, or WinRM to the twin serving it): the engine's run, and — with ``crash_at_step`` —
    its death after that journal step and a fresh coordinator resuming from the journal
    (``journal_path``, default in memory) with ``--force-recovery``, as the admin would.
    The crash is recorded in ``world`` (timeline, fault counters). Without a crash and a
    journal path the run is not journaled.
    """
    from runner.journal import RunJournal
    from runner.lease import RunLease
    from runner.rehearsal.roles import needs_roles, run_role_coordinators
    from runner.updating_run import resumed_engine, updating_engine

    if crash_at_step is None and needs_roles(world.scenario):  # take-overs: no journal
        return run_role_coordinators(
            transport, clock, profile, world, run_id=run_id, started_at=started_at,
            holder=rehearsal_holder(run_id), listener=listener,
        )  # fmt: skip
    journal = None
    if crash_at_step is not None or journal_path is not None:
        journal = RunJournal(journal_path or ":memory:")
    if journal is not None and crash_at_step is not None:
        journal.state_from_step = crash_at_step  # earlier states are never read back
    # The simulated coordinator takes the cluster's run lock as a real one does: process 1
    # on the rehearsal host; after a crash, process 2 takes it over by force recovery.
    cluster = world.scenario.cluster.name
    holder = rehearsal_holder(run_id)
    lease = RunLease.acquire(transport, clock, holder, cluster=cluster)
    try:
        engine = updating_engine(  # the profile's mode chooses the driver
            transport, clock, profile, run_id=run_id, started_at=started_at,
            listener=listener, journal=journal, lease=lease,
        )  # fmt: skip
        engine.start()
        if crash_at_step is None:
            return engine.run_to_end()
        while engine.checkpoints < crash_at_step and engine.step():
            pass
        if engine.checkpoints + 1 == crash_at_step:  # dies right after the final checkpoint
            engine.finish(record_end=False)
        elif engine.checkpoints < crash_at_step:  # the run ended before the fault's step
            return engine.finish()
        # The coordinator dies here: nothing of it runs any more (no finish, no clean-up).
        assert journal is not None
        journal.state_from_step = sys.maxsize  # one crash per rehearsal: nothing reads on
        crashed = f"the coordinator died after journal step {engine.checkpoints}"
        world.record("coordinator-crash", None, crashed)
        for fault in world.faults.of_type("coordinator-crash")[:1]:  # counted in faults_fired
            world.faults.fired_one(fault, crashed)

        # The simulation plays the admin who runs `pycau resume --force-recovery`; the dead
        # process 1 still holds the lock, and is known to be gone.
        def take_lease() -> RunLease:
            return RunLease.acquire(
                transport,
                clock,
                replace(holder, pid=2),
                cluster=cluster,
                force_recovery=True,
                holder_gone=holder.same_coordinator,
            )

        resumed = resumed_engine(
            transport, clock, journal, run_id, listener=listener, take_lease=take_lease
        )
        return resumed.run_to_end()
    finally:
        if journal is not None:
            journal.close()


def rehearse(
    scenario: Scenario,
    seed: int | None = None,
    *,
    policy: str | None = None,
    mode: str | None = None,
    listener: Callable[[RunEvent], None] | None = None,
    crash_at_step: int | None = None,
    journal_path: str | None = None,
) -> Rehearsal:
    """Simulate one updating run of ``scenario``: its typed ``Rehearsal``.

    ``seed`` defaults to the scenario's; ``policy`` and ``mode`` override the profile's.
    The coordinator dies after journal step ``crash_at_step`` (default: the scenario's
    ``coordinator-crash`` fault) and a fresh coordinator resumes the run from the journal
    (``journal_path``, default in memory) against the same world. Without a crash and a
    journal path the run is not journaled. Raises ``runner.errors.InputError`` when the
    scenario's profile is invalid for its cluster.
    """
    # Lazy import: the simulator (and SimPy) load only when a rehearsal is asked for.
    from simulator.world import build_world

    if crash_at_step is None:
        crash_at_step = coordinator_crash_step(scenario)

    run_seed = scenario.seed if seed is None else seed
    profile = Profile.from_mapping(scenario.profile, source=scenario.source)
    if policy is not None:
        profile = replace(profile, policy=policy)
    if mode is not None:
        profile = replace(profile, mode=mode)
    profile = profile.resolved(scenario.cluster.node_names, source=scenario.source)

    wall_start = time.perf_counter()
    world = build_world(scenario, run_seed, profile)
    run_report = run_coordinator(
        world.transport,
        world.clock,
        profile,
        world,
        run_id=simulated_run_id(scenario.name, run_seed),
        started_at=SIMULATED_STARTED_AT,
        listener=listener,
        crash_at_step=crash_at_step,
        journal_path=journal_path,
    )
    section = world.finish(run_report.to_dict())
    wall_seconds = time.perf_counter() - wall_start
    events = section.get("counters", {}).get("events", 0)
    wall = Wall(
        seconds=round(wall_seconds, 6),
        events_per_second=round(events / wall_seconds, 1) if wall_seconds > 0 else 0.0,
        peak_memory_mb=peak_memory_mb(),
    )
    return Rehearsal(
        scenario=scenario,
        seed=run_seed,
        report=run_report,
        simulation=Simulation.from_world(section, wall),
        world=world,
    )
