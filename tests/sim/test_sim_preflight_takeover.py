"""A coordinator that dies in its run's preflight (between taking the run lock and its first
checkpoint) is taken over like any other (issue 12): the run is published right after its
first look at the cluster and again before each change the preflight makes, so a successor
starts the preflight of the same run again and undoes exactly what pycau changed — the
CredSSP its predecessor announced it was enabling, even on nodes it now reads enabled."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest

from runner.cluster_state import ClusterStateLink, published_run
from runner.engine import Engine
from runner.journal import RunJournal
from runner.journaled import ENABLING
from runner.lease import LOCK_STALE_SECONDS, RunLease
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearsal_holder
from runner.takeover import continued_engine, take_over_run
from runner.transport import ClusterTransport
from runner.updating_run import updating_engine
from simulator.scenario import load_scenario
from simulator.world import SimulatedCluster, build_world

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"


class Crash(BaseException):
    """The coordinator process dies here (nothing of it runs any more)."""


class _DiesAt:
    """The world's transport, until the coordinator dies at the ``method``'s ``nth`` call
    (after that call took effect)."""

    def __init__(self, inner: ClusterTransport, method: str, nth: int) -> None:
        self._inner, self._method, self._left = inner, method, nth

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name != self._method:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            self._left -= 1
            if self._left == 0:
                raise Crash(name)
            return result

        return call


def _world(**options: Any) -> SimulatedCluster:
    scenario = load_scenario(SCENARIO)
    profile = Profile.from_mapping({**scenario.profile, **options})
    return build_world(scenario, scenario.seed, profile.resolved(scenario.cluster.node_names))


def _dies_in_preflight(world: SimulatedCluster, method: str, nth: int) -> None:
    """A publishing coordinator takes the lock and dies at ``method``'s ``nth`` call."""
    transport = cast(ClusterTransport, _DiesAt(world.transport, method, nth))
    lease = RunLease.acquire(transport, world.clock, rehearsal_holder("run-1"), cluster="hci01")
    engine = updating_engine(
        transport, world.clock, world.profile, run_id="run-1",
        started_at=SIMULATED_STARTED_AT, lease=lease,
    )  # fmt: skip
    ClusterStateLink.attach(engine)
    with pytest.raises(Crash):
        engine.start()
    assert engine.checkpoints == 0  # it died before its first checkpoint


def _successor(world: SimulatedCluster) -> Engine:
    world.clock.sleep(LOCK_STALE_SECONDS + 60)
    holder = replace(rehearsal_holder("other"), coordinator="mgmt2", pid=7)
    return take_over_run(world.transport, world.clock, holder, cluster="hci01")


def test_a_run_that_died_in_its_scan_is_taken_over_and_finishes() -> None:
    """Dead during the preflight's scan (no change made yet): the published preflight state
    lets another coordinator take the run over — the preflight starts again under the same
    run id, and every node is updated once."""
    world = _world()
    _dies_in_preflight(world, "poll_work", 2)
    published = published_run(world.run_lock.published or "")
    assert (published.run_id, published.step, published.state) == ("run-1", 0, None)
    taken = _successor(world)
    report = taken.run_to_end()
    assert report.run_id == "run-1"
    assert {n.status.value for n in report.nodes} == {"Succeeded"}
    restarts = sorted(n for _t, kind, n, _d in world.timeline if kind == "restart")
    assert restarts == sorted(n.name for n in report.nodes)
    assert [e.kind for e in report.events].count("run-resumed") == 1
    verdicts = world.finish(report.to_dict())["invariants"]
    assert all(v["holds"] for v in verdicts.values())


def test_credssp_a_dead_preflight_enabled_is_undone_by_its_successor() -> None:
    """Dead right after enabling CredSSP on the first node: the state published before the
    enables names every node pycau was enabling; the successor counts them as its own (not
    "already enabled" by an administrator) and disables CredSSP on every node at the end."""
    world = _world(enable_credssp=True)
    _dies_in_preflight(world, "set_credssp", 1)
    names = [n.name for n in world.transport.observe().nodes]
    assert world.wsman.read(names[0])  # the dead coordinator's change is on the cluster
    published = published_run(world.run_lock.published or "")
    assert published.state is None
    assert [a.node for a in published.actions if a.kind == ENABLING] == names
    report = _successor(world).run_to_end()
    assert {n.status.value for n in report.nodes} == {"Succeeded"}
    kinds = [e.kind for e in report.events]
    assert "credssp-already-enabled" not in kinds
    assert "credssp-disabled" in kinds
    assert not any(world.wsman.read(name) for name in names)


def test_a_refused_successor_still_undoes_the_inherited_credssp() -> None:
    """The successor's preflight is refused (the cluster lost a node meanwhile and the profile
    requires all online) before it reaches CredSSP: it still disables what its predecessor
    enabled, and no node is updated."""
    world = _world(enable_credssp=True, require_all_nodes_online=True)
    _dies_in_preflight(world, "set_credssp", 2)
    names = [n.name for n in world.transport.observe().nodes]
    world.crash(names[-1], None)
    report = _successor(world).run_to_end()
    assert report.error_id == "NodesOffline"
    assert not any(world.wsman.read(name) for name in names[:2])
    assert not [kind for _t, kind, _n, _d in world.timeline if kind == "restart"]


def test_resume_of_a_journal_that_holds_only_the_preflight_starts_it_again() -> None:
    """`pycau resume`'s path (``continued_engine`` over the local journal): a run journaled
    only in its preflight (step 0, no state) starts its preflight again under its run id,
    takes the stale lock over, undoes the CredSSP it inherited and finishes."""
    world = _world(enable_credssp=True)
    journal = RunJournal(":memory:")
    transport = cast(ClusterTransport, _DiesAt(world.transport, "set_credssp", 1))
    lease = RunLease.acquire(transport, world.clock, rehearsal_holder("run-1"), cluster="hci01")
    engine = updating_engine(
        transport, world.clock, world.profile, run_id="run-1",
        started_at=SIMULATED_STARTED_AT, lease=lease, journal=journal,
    )  # fmt: skip
    with pytest.raises(Crash):
        engine.start()
    run = journal.load("run-1")
    assert run is not None
    assert (run.step, run.state) == (0, None)
    world.clock.sleep(LOCK_STALE_SECONDS + 60)
    holder = replace(rehearsal_holder("run-1"), pid=2)
    resumed = continued_engine(
        world.transport, world.clock, journal, "run-1",
        take_lease=lambda: RunLease.acquire(
            world.transport, world.clock, holder, cluster="hci01", force_recovery=True
        ),
    )  # fmt: skip
    report = resumed.run_to_end()
    assert {n.status.value for n in report.nodes} == {"Succeeded"}
    assert "credssp-already-enabled" not in [e.kind for e in report.events]
    assert not any(world.wsman.read(n.name) for n in report.nodes)
    assert world.run_lock.read() is None
