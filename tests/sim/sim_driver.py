"""A small hand-written driver for simulator tests: builds scenarios and walks nodes through
the CAU per-node sequence over the transport, without the real runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runner.errors import StorageDegraded
from runner.profile import Profile
from runner.types import (
    ClusterView,
    DrainStatus,
    FailbackMode,
    NodeState,
    Resiliency,
    WitnessType,
    WorkHandle,
    WorkProgress,
    WorkState,
)
from simulator.model import (
    ClusterSpec,
    FaultSpec,
    NodeSpec,
    Scenario,
    ScriptSpec,
    StorageSpec,
    UpdateSpec,
    VmSpec,
    VolumeSpec,
)
from simulator.world import SimulatedCluster, build_world

CU = UpdateSpec(id="KB5031364", title="2023-10 Cumulative Update", install_minutes=15)


def make_scenario(
    n: int = 4,
    *,
    witness: WitnessType = WitnessType.CLOUD,
    memory_gb: float = 128,
    vms_per_node: int = 2,
    vm_gb: float = 16,
    vms: tuple[VmSpec, ...] | None = None,
    resiliency: Resiliency | None = Resiliency.TWO_WAY_MIRROR,
    write_mb_s: float = 40,
    repair_mb_s: float = 400,
    updates: tuple[UpdateSpec, ...] = (CU,),
    faults: tuple[FaultSpec, ...] = (),
    scripts: ScriptSpec | None = None,
    node_specs: tuple[NodeSpec, ...] | None = None,
    name: str = "test",
    maintenance_mode: bool | None = None,
) -> Scenario:
    nodes = node_specs or tuple(
        NodeSpec(name=f"node{i}", memory_gb=memory_gb, boot_minutes=8, soft_boot_minutes=2)
        for i in range(1, n + 1)
    )
    if vms is None:
        vms = tuple(
            VmSpec(name=f"vm{i:02d}-{j}", owner=node.name, memory_gb=vm_gb)
            for i, node in enumerate(nodes, start=1)
            for j in range(vms_per_node)
        )
    storage = None
    if resiliency is not None:
        storage = StorageSpec(
            repair_mb_s=repair_mb_s,
            volumes=(VolumeSpec(name="vol01", resiliency=resiliency, write_mb_s=write_mb_s),),
            maintenance_mode=maintenance_mode,
        )
    return Scenario(
        name=name,
        cluster=ClusterSpec(name="hci01", witness=witness, nodes=nodes, storage=storage, vms=vms),
        updates=updates,
        faults=faults,
        scripts=scripts or ScriptSpec(),
    )


def make_world(scenario: Scenario, seed: int = 0, **profile: Any) -> SimulatedCluster:
    resolved = Profile(**profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, seed, resolved)


def wait_work(world: SimulatedCluster, handle: WorkHandle, step: float = 10) -> WorkProgress:
    while True:
        progress = world.transport.poll_work(handle)
        if progress.state is not WorkState.RUNNING:
            return progress
        world.clock.sleep(step)


def wait_until(
    world: SimulatedCluster,
    done: Callable[[ClusterView], bool],
    step: float = 5,
    limit: float = 36_000,
) -> ClusterView:
    deadline = world.clock.now() + limit
    while world.clock.now() < deadline:
        view = world.transport.observe()
        if done(view):
            return view
        world.clock.sleep(step)
    raise AssertionError("condition not reached")


def suspend_when_healthy(world: SimulatedCluster, node: str) -> None:
    while True:
        try:
            world.transport.suspend_node(node)
            return
        except StorageDegraded:
            world.clock.sleep(30)


def back_from(view: ClusterView, node: str, old_boot_id: str) -> bool:
    """The node rebooted: a new boot id and no longer Down."""
    sim = view.node(node)
    return sim.boot_id != old_boot_id and sim.state is not NodeState.DOWN


def update_node(
    world: SimulatedCluster,
    node: str,
    *,
    soft: bool = False,
    failback: FailbackMode = FailbackMode.IMMEDIATE,
) -> str:
    """One attempt of the CAU per-node sequence; returns Succeeded or Failed."""
    t = world.transport
    offered = wait_work(world, t.start_scan(node)).offered
    if not offered:
        return "Succeeded"
    suspend_when_healthy(world, node)
    view = wait_until(world, lambda v: v.node(node).drain_status is not DrainStatus.IN_PROGRESS)
    if view.node(node).drain_status is DrainStatus.FAILED:
        t.resume_node(node, failback)
        return "Failed"
    while offered:
        progress = wait_work(world, t.start_install(node, tuple(u.id for u in offered)))
        if progress.state is not WorkState.SUCCEEDED:
            t.resume_node(node, failback)
            return "Failed"
        if progress.restart_required:
            boot = t.observe().node(node).boot_id
            t.restart_node(node, soft=soft)
            wait_until(world, lambda v, old=boot: back_from(v, node, old), step=15)
        offered = wait_work(world, t.start_scan(node)).offered
    t.resume_node(node, failback)
    wait_until(world, lambda v: v.storage_healthy, step=15)
    return "Succeeded"


def rolling_run(world: SimulatedCluster, nodes: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Update every node in turn; return a minimal report for ``world.finish``."""
    names = nodes or world.scenario.cluster.node_names
    results = []
    events: list[dict[str, Any]] = []
    for name in names:
        status = update_node(world, name)
        results.append({"name": name, "status": status, "attempts": 1})
        events.append(
            {"time": world.clock.now(), "kind": "node-status", "node": name, "detail": status}
        )
    failed = [r for r in results if r["status"] == "Failed"]
    return {
        "status": "Failed" if failed else "Succeeded",
        "nodes": results,
        "events": events,
    }


def fault(type_: str, **fields: Any) -> FaultSpec:
    return FaultSpec(type=type_, **fields)


def kinds(world: SimulatedCluster, kind: str) -> list[tuple[float, str, str | None, str]]:
    return [e for e in world.timeline if e[1] == kind]


def holds(section: dict[str, Any]) -> dict[str, bool]:
    return {name: inv["holds"] for name, inv in section["invariants"].items()}
