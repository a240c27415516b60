"""Given/When/Then steps of ``features/agent.feature``: the self-updating agents' policy.

Owns: an in-memory cluster (the simulator's run lock group and registry of agents on an
injected clock), agents on it (``runner.agent.Agent`` with recording ports), the steps
that drive them, and the CLI step that starts ``pycau agent`` with a profile.

Must not: sleep or read the wall clock; reach a real endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_bdd import given, parsers, then, when

from runner.agent import Agent, AgentIdentity, Firing, firing_run_id
from runner.agent_types import AgentPresence
from runner.cli import cli
from runner.lease import LOCK_STALE_SECONDS, RunLease
from runner.schedule import parse_schedule
from runner.types import LockHolder
from simulator.agent_registry import AgentRegistry
from simulator.lock_group import RunLockGroup

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

FIRING = datetime(2026, 1, 13, 3, 0, tzinfo=UTC)  # a Tuesday
SCHEDULE = parse_schedule({"start_date": "2026-01-01T03:00:00+00:00", "days_of_week": "Tuesday"})


class Clock:
    def __init__(self) -> None:
        self.t = 0.0
        self.hooks: list[Any] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)
        for hook in self.hooks:
            hook()


class Cluster:
    """The cluster's run lock and registry of agents."""

    def __init__(self, clock: Clock) -> None:
        self.lock = RunLockGroup(clock.now)
        self.agents = AgentRegistry(clock.now)
        self.published: set[str] = set()  # run ids of the published run records

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        return self.lock.create(holder)

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        return self.lock.take_over(holder, previous)

    def release_run_lock(self, holder: LockHolder) -> None:
        self.lock.release(holder)

    def read_run_lock(self) -> LockHolder | None:
        return self.lock.read()

    def publish_agent_presence(self, presence: AgentPresence) -> None:
        self.agents.publish(presence)

    def withdraw_agent_presence(self, host: str, pid: int) -> None:
        self.agents.withdraw(host, pid)


@dataclass
class Ports:
    cluster: Cluster
    ran: list[str] = field(default_factory=list)
    taken: list[tuple[LockHolder, float]] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    clock: Clock | None = None

    def start_run(self, lease: RunLease, firing: Firing) -> int:
        self.ran.append(firing.run_id)
        self.cluster.published.add(firing.run_id)
        lease.release()
        return 0

    def take_over(self, holder: LockHolder, firing: Firing) -> int | None:
        assert self.clock is not None
        self.taken.append((holder, self.clock.now()))
        return 0

    def already_ran(self, run_id: str) -> bool:
        return run_id in self.cluster.published

    def say(self, line: str) -> None:
        self.said.append(line)


@dataclass
class World:
    clock: Clock
    cluster: Cluster
    agents: list[tuple[Agent, Ports]] = field(default_factory=list)
    died_at: float | None = None
    cli_result: Any = None

    def add(self, start: datetime, pid: int) -> None:
        ports = Ports(self.cluster, clock=self.clock)
        clock = self.clock
        agent = Agent(
            transport=self.cluster,  # type: ignore[arg-type]
            clock=clock, calendar=lambda: start + timedelta(seconds=clock.now()),
            schedule=SCHEDULE, cluster="hci01",
            identity=AgentIdentity(host=f"mgmt{pid}", pid=pid, started_at="s"), ports=ports,
        )  # fmt: skip
        self.agents.append((agent, ports))


@pytest.fixture
def agent_world() -> World:
    clock = Clock()
    return World(clock=clock, cluster=Cluster(clock))


@given("two agents watch the cluster at the firing")
def two_agents(agent_world: World) -> None:
    agent_world.add(FIRING, 1)
    agent_world.add(FIRING, 2)


@given("an agent holds the firing's run lock and dies after 5 minutes")
def dying_holder(agent_world: World) -> None:
    cluster, clock = agent_world.cluster, agent_world.clock
    holder = LockHolder(run_id=firing_run_id("hci01", FIRING), coordinator="mgmt9", pid=9,
                        started_at="s")  # fmt: skip
    assert cluster.create_run_lock(holder) is None
    cluster.published.add(holder.run_id)

    def renew() -> None:  # alive for 5 minutes: it renews, then falls silent
        if clock.now() <= 300 and cluster.read_run_lock() is not None:
            cluster.lock.renew(holder)
            agent_world.died_at = clock.now()

    clock.hooks.append(renew)
    agent_world.add(FIRING, 2)


@given(parsers.parse("an agent starts {hours:d} hours after the firing"))
def late_agent(agent_world: World, hours: int) -> None:
    agent_world.add(FIRING + timedelta(hours=hours), 1)


@given(parsers.parse("an agent starts {hours:d} hour before the firing"))
def early_agent(agent_world: World, hours: int) -> None:
    agent_world.add(FIRING - timedelta(hours=hours), 1)


@when("both agents handle the firing")
def both_handle(agent_world: World) -> None:
    first, second = agent_world.agents
    # The first takes the lock; its run is still going when the second looks (it ends
    # after the second's first watch).
    holder: list[LockHolder] = []

    def start_and_hold(lease: RunLease, firing: Firing) -> int:
        first[1].ran.append(firing.run_id)
        agent_world.cluster.published.add(firing.run_id)
        holder.append(lease.holder)
        return 0

    first[1].start_run = start_and_hold  # type: ignore[method-assign]
    assert first[0].once() == 0

    def finish() -> None:
        if holder and agent_world.cluster.read_run_lock() is not None:
            agent_world.cluster.release_run_lock(holder[0])

    agent_world.clock.hooks.append(finish)
    assert second[0].once() == 0


@when("a second agent handles the firing")
def second_handles(agent_world: World) -> None:
    ((agent, _),) = agent_world.agents
    assert agent.once() == 0


@when("the agent runs once")
def runs_once(agent_world: World) -> None:
    ((agent, _),) = agent_world.agents
    assert agent.once() == 0


@then("exactly one agent ran the firing")
def exactly_one_ran(agent_world: World) -> None:
    runs = [run for _, ports in agent_world.agents for run in ports.ran]
    assert runs == [firing_run_id("hci01", FIRING)]


@then("the other agent named the holder and watched its lease")
def other_watched(agent_world: World) -> None:
    _, ports = agent_world.agents[1]
    assert any("held by run" in line and "watching its lease" in line for line in ports.said)
    assert ports.ran == []
    assert ports.taken == []


@then("the second agent took the run over")
def took_over(agent_world: World) -> None:
    ((_, ports),) = agent_world.agents
    assert [holder.coordinator for holder, _ in ports.taken] == ["mgmt9"]
    assert ports.ran == []


@then("it took the run over only after 15 minutes of heartbeat silence")
def after_silence(agent_world: World) -> None:
    ((_, ports),) = agent_world.agents
    ((holder, at),) = ports.taken
    assert agent_world.died_at is not None
    assert at - agent_world.died_at >= LOCK_STALE_SECONDS
    assert holder.heartbeat_age_seconds >= LOCK_STALE_SECONDS


@then("no run was started")
def none_started(agent_world: World) -> None:
    assert all(ports.ran == [] for _, ports in agent_world.agents)
    assert agent_world.cluster.lock.history == []


@then("the agent said the firing was missed")
def said_missed(agent_world: World) -> None:
    ((_, ports),) = agent_world.agents
    assert any(f"firing {FIRING.isoformat()} was missed" in line for line in ports.said)


@then(parsers.parse('the agent said the next firing is "{when}"'))
def said_next(agent_world: World, when: str) -> None:
    ((_, ports),) = agent_world.agents
    assert ports.said[-1] == f"no firing due now; next firing {when}"


@given("a profile without a schedule", target_fixture="profile_path")
def unscheduled_profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text("max_retries_per_node: 2\n", encoding="utf-8")
    return path


@when("pycau agent is started with it")
def start_agent(agent_world: World, profile_path: Path) -> None:
    # An address nobody listens on: the refusal must come before any connection.
    args = ["agent", "--cluster", "127.0.0.1:9", "--insecure-http", "--profile",
            str(profile_path), "--once"]  # fmt: skip
    agent_world.cli_result = CliRunner().invoke(cli, args, catch_exceptions=False)


@then(parsers.parse('it exits 2 with one error sentence naming "{path}"'))
def exits_2(agent_world: World, path: str) -> None:
    result = agent_world.cli_result
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    assert path in lines[0]
    assert "no schedule" in lines[0]
    assert "Traceback" not in result.output
