"""SimTransport and SimClock: protocol conformance, simulated latency, time semantics."""

from __future__ import annotations

import random
import time

import pytest
import simpy
from sim_driver import fault, make_scenario, make_world, rolling_run

from runner.errors import ClusterUnreachable, RemoteCommandFailed
from runner.transport import Clock, ClusterTransport
from runner.types import Resiliency
from simulator.clock import SimClock, SimEnvironment
from simulator.model import VmSpec
from simulator.transport import OBSERVE_SECONDS, SimTransport


def test_transport_and_clock_conform_to_the_protocols() -> None:
    """SimTransport is a ClusterTransport and SimClock a Clock (typed and at run time)."""
    world = make_world(make_scenario(2))
    conforms: ClusterTransport = SimTransport(world)
    clock: Clock = SimClock(SimEnvironment())
    assert isinstance(conforms, ClusterTransport)
    assert isinstance(world.transport, ClusterTransport)
    assert isinstance(clock, Clock)
    assert isinstance(world.clock, Clock)


def test_clock_starts_at_zero_and_sleep_zero_returns() -> None:
    """The simulated clock starts at 0.0; sleep(0) and negative sleeps do nothing."""
    world = make_world(make_scenario(2))
    assert world.clock.now() == 0.0
    world.clock.sleep(0)
    world.clock.sleep(-5)
    assert world.clock.now() == 0.0


def test_sleep_processes_events_scheduled_at_its_end() -> None:
    """After sleep(t) the state includes events scheduled exactly at t."""
    env = SimEnvironment()
    seen: list[float] = []
    env.process(_mark(env, 10.0, seen))
    SimClock(env).sleep(10.0)
    assert seen == [10.0]


def _mark(env: SimEnvironment, at: float, seen: list[float]):
    yield env.timeout(at)
    seen.append(env.now)


def test_sleeping_schedules_no_event_of_its_own() -> None:
    """The event counter counts the model's events only: sleeps add none."""
    env = SimEnvironment()
    clock = SimClock(env)
    for _ in range(100):
        clock.sleep(0.1)
    assert env.scheduled_events == 0
    env.process(_mark(env, 5.0, []))  # its start, its timeout, its end
    clock.sleep(10.0)
    assert env.scheduled_events == 3


def _chain(env: simpy.Environment, rng: random.Random, name: str, seen: list[object]):
    """A process that waits inexact float delays, sometimes starting another at once."""
    for step in range(6):
        yield env.timeout(rng.choice((0.1, 0.2, 0.3, 8.192, 1 / 3, 0.0)))
        seen.append((env.now, name, step))
        if rng.random() < 0.3:
            env.process(_chain(env, rng, f"{name}.{step}", seen))


def _stop_event_clock(env: simpy.Environment, until: float) -> None:
    """How the clock advanced before: ``run(until)``, then the events due at ``until``."""
    if until > env.now:
        env.run(until=until)
    while env.peek() <= until:
        env.step()


@pytest.mark.parametrize("seed", range(20))
def test_advancing_keeps_the_order_and_times_of_run_until(seed: int) -> None:
    """The clock processes the same events in the same order at the same float times as
    SimPy's run(until) did, and stands at the same instant after each sleep."""
    traces = []
    for new in (True, False):
        rng = random.Random(seed)
        env = SimEnvironment()
        seen: list[object] = []
        for index in range(4):
            env.process(_chain(env, rng, f"p{index}", seen))
        stops = []
        for _ in range(40):
            until = env.now + rng.choice((0.1, 0.5, 1 / 3, 1.0, 0.7))
            if new:
                SimClock(env).advance_to(until)
            else:
                _stop_event_clock(env, until)
            stops.append(env.now)
        traces.append((seen, stops))
    assert traces[0] == traces[1]
    assert traces[0][0], "the processes ran"


def test_observe_takes_simulated_time() -> None:
    """One observation costs OBSERVE_SECONDS of simulated time and is stamped with it."""
    world = make_world(make_scenario(2))
    view = world.transport.observe()
    assert view.taken_at == OBSERVE_SECONDS == world.clock.now()
    assert world.observations == 1


def test_views_are_cached_until_something_changes() -> None:
    """Consecutive observations share the role and node tuples when nothing changed."""
    world = make_world(make_scenario(4))
    first, second = world.transport.observe(), world.transport.observe()
    assert first.roles is second.roles
    assert first.nodes is second.nodes
    world.transport.suspend_node("node1")
    third = world.transport.observe()
    assert third.nodes is not second.nodes


def test_unknown_node_is_refused() -> None:
    """A command for a node the cluster does not have raises RemoteCommandFailed."""
    world = make_world(make_scenario(2))
    with pytest.raises(RemoteCommandFailed):
        world.transport.suspend_node("node9")


def test_all_nodes_down_is_cluster_unreachable() -> None:
    """With every node down, observe raises ClusterUnreachable."""
    faults = tuple(fault("node-crash", node=f"node{i}", at_minute=1) for i in (1, 2))
    world = make_world(make_scenario(2, resiliency=None, faults=faults))
    world.clock.sleep(61)
    with pytest.raises(ClusterUnreachable):
        world.transport.observe()


def test_same_seed_same_timeline() -> None:
    """The same scenario and seed give the same timeline and simulation section."""
    faults = (
        fault("install-failure", node="node2"),
        fault("drain-failure", node="node3"),
        fault("node-crash", node="node4", at_minute=200, down_minutes=10),
    )

    def run() -> tuple[list[tuple[float, str, str | None, str]], dict[str, object]]:
        world = make_world(make_scenario(4, faults=faults), seed=42)
        return world.timeline, world.finish(rolling_run(world))

    first, second = run(), run()
    assert first == second
    assert len(first[0]) > 30


def test_sixteen_nodes_four_hundred_vms_is_fast() -> None:
    """A 16-node, 400-VM S2D rolling run with thousands of observations takes ~a second."""
    vms = tuple(
        VmSpec(name=f"vm{i:03d}", owner=f"node{i % 16 + 1}", memory_gb=8) for i in range(400)
    )
    sc = make_scenario(16, memory_gb=512, vms=vms, resiliency=Resiliency.THREE_WAY_MIRROR)
    started = time.perf_counter()
    world = make_world(sc, seed=1)
    section = world.finish(rolling_run(world))
    elapsed = time.perf_counter() - started
    assert all(inv["holds"] for inv in section["invariants"].values())
    assert section["counters"]["observations"] > 500
    assert elapsed < 3.0  # target ≤ 1 s; slack for a loaded CI machine


@pytest.mark.slow
def test_sixty_four_nodes_two_thousand_vms_within_target() -> None:
    """A 64-node, 2,000-VM SAN rolling run simulates within the 5 s target."""
    vms = tuple(
        VmSpec(name=f"vm{i:04d}", owner=f"node{i % 64 + 1}", memory_gb=8) for i in range(2000)
    )
    sc = make_scenario(64, memory_gb=768, vms=vms, resiliency=None)
    started = time.perf_counter()
    world = make_world(sc, seed=1)
    world.finish(rolling_run(world))
    assert time.perf_counter() - started < 5.0
