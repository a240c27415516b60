"""Coordinators of a rehearsed run that hand the run to one another through the cluster.

Owns: ``needs_roles`` and ``run_role_coordinators`` — the composition root's side of
issue 12 in a rehearsal (the simulator's own transport, or WinRM to the twin serving the
same world): CAU's self-updating role (``coordinator: self-updating``) and the faults that
strike coordinators (``coordinator-host-crash``, ``agents-down``). Every coordinator
publishes its run in the cluster (``runner.cluster_state``); the next one continues it with
``runner.takeover.take_over_run`` — no journal — under ``pycau resume``'s rules.

Theory of operation, playing the cluster's side of CAU's role:

- the coordinator runs on the role's owner (its lock holder names that node). Its
  transport is a ``RoleHost``: a drain or restart of its own host is not sent — the process
  stops there (``RoleMoving``), as CAU moves its role away before pausing the owner. The
  role moves to ``CoordinatorRole.successor`` and the coordinator on that node takes the
  run over at once (its predecessor is known to be gone: ``holder_gone``). The move is the
  report's ``coordinator-moved`` event (the take-over's ``coordinator-crash`` event,
  renamed: this stop was planned), and the timeline's;
- ``coordinator-host-crash`` after checkpoint N: the world crashes the owner (``crash``,
  back after ``down_minutes``), the role fails over the same way;
- ``agents-down`` after checkpoint N: no coordinator runs for ``minutes`` (the clock goes
  on, the nodes' work too); then one takes over — on the role's owner, or a management
  machine — waiting a minute at a time while the run lock's heartbeat is not yet stale
  (``runner.lease``'s policy: a live holder is never taken over).

Why not a transport command for the move: pycau's own coordinators (``pycau run``,
``pycau agent``) run on management machines, never on a cluster node, so a real cluster
has no pycau role to move; the role is the simulator's model of CAU's self-updating mode,
and its owner is the simulated cluster's (``world.coordinator``).

Must not: decide anything about the run, or import the simulator (``world`` is handed in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from runner.cluster_state import ClusterStateLink
from runner.engine import Engine
from runner.errors import RunLocked
from runner.lease import RunLease
from runner.profile import ResolvedProfile
from runner.recorder import Listener
from runner.report import RunReport
from runner.takeover import take_over_run
from runner.transport import Clock, ClusterTransport
from runner.types import BootType, LockHolder
from runner.updating_run import updating_engine

__all__ = ["RoleMoving", "needs_roles", "run_role_coordinators"]

RETRY_SECONDS = 60.0  # an agent back before the lease expired tries again a minute later


class RoleMoving(BaseException):
    """The coordinator process on the role's host stops here (its host is to be paused):
    nothing may catch it but the composition root, as nothing survives a stopped process."""


class RoleHost:
    """The transport of the coordinator running on ``host``: every call goes through,
    except a drain or restart of ``host`` itself (``RoleMoving``, nothing sent)."""

    def __init__(self, inner: ClusterTransport, host: str | None) -> None:
        self._inner = inner
        self._host = host

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _own(self, node: str) -> None:
        if node == self._host:
            raise RoleMoving(node)

    def suspend_node(self, node: str) -> None:
        self._own(node)
        self._inner.suspend_node(node)

    def suspend_node_forced(self, node: str) -> None:
        self._own(node)
        self._inner.suspend_node_forced(node)

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        self._own(node)
        return self._inner.restart_node(node, soft=soft)


def _coordinator_faults() -> tuple[str, ...]:
    from simulator.scenario_coordinator import COORDINATOR_FAULTS

    return COORDINATOR_FAULTS


def needs_roles(scenario: Any) -> bool:
    """Whether ``scenario`` needs these coordinators (the role, or a coordinator fault)."""
    faults = any(f.type in _coordinator_faults() for f in scenario.faults)
    return bool(scenario.coordinator == "self-updating" or faults)


class _Coordinators:
    """The run's coordinators, one after another (see module docstring)."""

    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        world: Any,
        holder: LockHolder,
        listener: Listener | None,
    ) -> None:
        self.transport, self.clock, self.world, self.listener = transport, clock, world, listener
        self.role = world.coordinator
        self.cluster = str(world.scenario.cluster.name)
        self.holder = holder

    def on_host(self) -> ClusterTransport:
        host = self.role.owner if self.role.enabled else None
        return cast(ClusterTransport, RoleHost(self.transport, host))

    def host_name(self) -> str:
        return str(self.role.owner) if self.role.enabled else self.holder.coordinator

    def take_over(self, gone: Callable[[LockHolder], bool] | None) -> Engine:
        """The next coordinator (on the role's owner) takes the run over."""
        previous = self.holder
        self.holder = replace(previous, coordinator=self.host_name(), pid=previous.pid + 1)
        while True:
            try:
                return take_over_run(
                    self.on_host(), self.clock, self.holder, cluster=self.cluster,
                    listener=self.listener, holder_gone=gone,
                )  # fmt: skip
            except RunLocked:  # the dead coordinator's heartbeat is not stale yet
                self.clock.sleep(RETRY_SECONDS)

    def move(self, why: str, *, crashed: bool = False) -> Engine:
        """The role leaves its owner for the successor; the coordinator there takes over."""
        old, previous = self.role.owner, self.holder
        target = self.role.successor()
        if target is None:  # no Up node to fail over to: the role waits for one
            raise RuntimeError(f"the role on {old} has no Up node to move to")
        self.role.move(target, why)
        engine = self.take_over(previous.same_coordinator)
        detail = f"the CAU clustered role moved from {old} to {target}: {why}"
        if crashed:  # the take-over recorded the crash; the fail-over is the move
            engine.rec.emit("coordinator-moved", target, detail)
            return engine
        events = engine.rec.events  # a planned stop: the take-over's crash event is the move
        for index in range(len(events) - 1, -1, -1):
            if events[index].kind == "coordinator-crash":
                events[index] = replace(
                    events[index], kind="coordinator-moved", node=target, detail=detail
                )
                break
        return engine

    def strike(self, fault: Any, engine: Engine) -> Engine:
        """``fault`` (the world's armed fault) strikes after the checkpoint ``engine`` just
        made."""
        at, spec = engine.checkpoints, fault.spec
        if spec.type == "coordinator-host-crash":
            owner = self.role.owner
            down = spec.down_minutes
            self.world.crash(owner, None if down is None else float(down) * 60.0)
            self.world.faults.fired_one(fault, f"{owner} crashed after checkpoint {at}")
            return self.move(f"its host {owner} crashed", crashed=True)
        minutes = float(spec.params["minutes"])
        self.world.faults.fired_one(fault, f"after checkpoint {at}, for {minutes:g} min")
        self.world.record("agents-down", None, f"no coordinator runs for {minutes:g} min")
        self.clock.sleep(minutes * 60.0)
        return self.take_over(None)  # only a stale heartbeat lets it take over


def run_role_coordinators(
    transport: ClusterTransport,
    clock: Clock,
    profile: ResolvedProfile,
    world: Any,
    *,
    run_id: str,
    started_at: Any,
    holder: LockHolder,
    listener: Listener | None = None,
) -> RunReport:
    """The rehearsed run of ``world``'s scenario with its coordinators (module docstring)."""
    crew = _Coordinators(transport, clock, world, holder, listener)
    crew.holder = replace(holder, coordinator=crew.host_name())
    lease = RunLease.acquire(crew.on_host(), clock, crew.holder, cluster=crew.cluster)
    engine = updating_engine(
        crew.on_host(), clock, profile, run_id=run_id, started_at=started_at,
        listener=listener, lease=lease,
    )  # fmt: skip
    ClusterStateLink.attach(engine)
    pending = sorted(
        (f for f in world.faults.faults if f.type_name in _coordinator_faults()),
        key=lambda f: int(f.spec.params["at_step"]),
    )
    engine.start()  # the preflight pauses no node
    while True:
        try:
            more = engine.step()
        except RoleMoving as stop:
            engine = crew.move(f"before {stop.args[0]} is paused")
            continue
        if not more:
            return engine.finish()
        if pending and engine.checkpoints >= int(pending[0].spec.params["at_step"]):
            engine = crew.strike(pending.pop(0), engine)
