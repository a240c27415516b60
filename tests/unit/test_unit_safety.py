"""Safety guards: storage readiness, quorum risk, fault tolerance, nodes out, restart."""

from __future__ import annotations

from runner.safety import (
    fault_tolerance_risk,
    maintenance_risk,
    nodes_out,
    nodes_out_risk,
    quorum_risk,
    restart_risk,
    roles_online_on,
    storage_ready,
    storage_risk,
)
from runner.types import (
    ClusterView,
    DrainStatus,
    HealthStatus,
    NodeState,
    NodeView,
    OperationalStatus,
    Resiliency,
    RoleState,
    RoleView,
    StorageJobState,
    StorageJobView,
    VirtualDiskView,
    WitnessType,
    WitnessView,
)

UP, DOWN, PAUSED = NodeState.UP, NodeState.DOWN, NodeState.PAUSED


def _view(
    *states: NodeState,
    s2d: bool = True,
    disks: tuple[VirtualDiskView, ...] = (),
    jobs: tuple[StorageJobView, ...] = (),
    roles: tuple[RoleView, ...] = (),
    drain: DrainStatus = DrainStatus.NOT_INITIATED,
) -> ClusterView:
    return ClusterView(
        cluster="c",
        taken_at=0.0,
        nodes=tuple(
            NodeView(
                name=f"n{i + 1}",
                state=s,
                drain_status=drain if i == 0 else DrainStatus.NOT_INITIATED,
            )
            for i, s in enumerate(states)
        ),
        witness=WitnessView(type=WitnessType.CLOUD, online=True),
        s2d_enabled=s2d,
        virtual_disks=disks,
        storage_jobs=jobs,
        roles=roles,
    )


MIRROR2 = VirtualDiskView(name="v2", resiliency=Resiliency.TWO_WAY_MIRROR)
MIRROR3 = VirtualDiskView(name="v3", resiliency=Resiliency.THREE_WAY_MIRROR)
INCOMPLETE = VirtualDiskView(
    name="v2",
    resiliency=Resiliency.TWO_WAY_MIRROR,
    health=HealthStatus.WARNING,
    operational=(OperationalStatus.INCOMPLETE,),
)


def test_storage_ready_needs_healthy_volumes_and_no_jobs() -> None:
    """Ready only when every volume is Healthy/OK and Get-StorageJob is empty; SAN always ready."""
    assert storage_ready(_view(UP, UP, disks=(MIRROR2,)))
    assert not storage_ready(_view(UP, UP, disks=(INCOMPLETE,)))
    job = StorageJobView(name="v2-Repair", volume="v2", state=StorageJobState.SUSPENDED)
    assert "v2-Repair" in (storage_risk(_view(UP, UP, disks=(MIRROR2,), jobs=(job,))) or "")
    assert storage_ready(_view(UP, UP, s2d=False, disks=(INCOMPLETE,)))


def test_fault_tolerance_counts_nodes_already_down() -> None:
    """A two-way mirror with one node down cannot lose another; a three-way mirror can."""
    assert fault_tolerance_risk(_view(UP, UP, UP, DOWN, disks=(MIRROR2,)), ("n1",))
    assert fault_tolerance_risk(_view(UP, UP, UP, DOWN, disks=(MIRROR3,)), ("n1",)) is None
    assert maintenance_risk(_view(UP, UP, UP, DOWN, disks=(MIRROR2,)), "n1")
    assert quorum_risk(_view(UP, UP, UP, DOWN, disks=(MIRROR2,)), "n1") is None


def test_quorum_risk_is_none_for_a_healthy_four_node_cluster() -> None:
    """Four nodes with a witness: taking one down is safe."""
    assert quorum_risk(_view(UP, UP, UP, UP, disks=(MIRROR2,)), "n1") is None


def test_nodes_out_counts_only_held_nodes_not_up() -> None:
    """Nodes out for updating are the run's held nodes that are not Up."""
    v = _view(PAUSED, DOWN, UP)
    assert nodes_out(v, ("n1", "n3")) == 1
    assert nodes_out_risk(v, ("n1",), 1)
    assert nodes_out_risk(v, (), 1) is None


def test_restart_needs_completed_drain_and_no_role_left() -> None:
    """Restart only a Paused node whose drain completed and that hosts no online role."""
    drained = _view(PAUSED, UP, drain=DrainStatus.COMPLETED)
    assert restart_risk(drained, "n1") is None
    assert restart_risk(_view(PAUSED, UP, drain=DrainStatus.IN_PROGRESS), "n1")
    vm = RoleView(name="vm1", owner="n1")
    stuck = _view(PAUSED, UP, drain=DrainStatus.COMPLETED, roles=(vm,))
    assert roles_online_on(stuck, "n1") == 1
    assert restart_risk(stuck, "n1")
    off = _view(
        PAUSED,
        UP,
        drain=DrainStatus.COMPLETED,
        roles=(RoleView(name="vm1", owner="n1", state=RoleState.OFFLINE),),
    )
    assert restart_risk(off, "n1") is None
