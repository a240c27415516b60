"""Literal cluster views and progress snapshots for the decision-core tests."""

from __future__ import annotations

from dataclasses import replace

from runner.actions import (
    Action,
    Advance,
)
from runner.lifecycle import NodeStep, Outcome
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.types import (
    ClusterView,
    DrainStatus,
    HealthStatus,
    NodeState,
    NodeView,
    OperationalStatus,
    Resiliency,
    RoleView,
    StorageJobState,
    StorageJobView,
    UpdateInfo,
    UpdateResult,
    VirtualDiskView,
    WitnessType,
    WitnessView,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)

UP, DOWN, PAUSED = NodeState.UP, NodeState.DOWN, NodeState.PAUSED
KB1 = UpdateInfo(id="KB1", title="CU")
KB2 = UpdateInfo(id="KB2", title="SSU", firmware=True)
OK1 = UpdateResult(id="KB1", title="CU", result="Succeeded", restart_required=True)
BAD1 = UpdateResult(id="KB1", title="CU", result="Failed", hresult="0x80240022")
HEALTHY = VirtualDiskView(name="vol01", resiliency=Resiliency.TWO_WAY_MIRROR)
DEGRADED = VirtualDiskView(
    name="vol01",
    resiliency=Resiliency.TWO_WAY_MIRROR,
    health=HealthStatus.WARNING,
    operational=(OperationalStatus.IN_SERVICE,),
)
REPAIR = StorageJobView(name="vol01-Repair", volume="vol01", state=StorageJobState.RUNNING)
PROFILE = Profile().resolved(("node1", "node2", "node3"))
H_INSTALL = WorkHandle(id="w1", node="node1", kind=WorkKind.INSTALL)
H_SCAN = WorkHandle(id="w2", node="node1", kind=WorkKind.SCAN)
H_SCRIPT = WorkHandle(id="w3", node="node1", kind=WorkKind.SCRIPT)


def view(
    node1: NodeState = UP,
    *,
    drain: DrainStatus = DrainStatus.NOT_INITIATED,
    boot: str = "b1",
    others: tuple[NodeState, ...] = (UP, UP),
    disks: tuple[VirtualDiskView, ...] = (HEALTHY,),
    jobs: tuple[StorageJobView, ...] = (),
    witness: bool = True,
    roles: tuple[RoleView, ...] = (),
) -> ClusterView:
    nodes = (
        NodeView(name="node1", state=node1, drain_status=drain, boot_id=boot),
        *tuple(NodeView(name=f"node{i + 2}", state=s, boot_id="x") for i, s in enumerate(others)),
    )
    return ClusterView(
        cluster="hci01",
        taken_at=0.0,
        nodes=nodes,
        witness=WitnessView(type=WitnessType.CLOUD, online=True) if witness else WitnessView(),
        s2d_enabled=True,
        virtual_disks=disks,
        storage_jobs=jobs,
        roles=roles,
    )


def node(step: NodeStep, **kw: object) -> NodeProgress:
    base = NodeProgress(name="node1", step=step, attempt=1, deadline=1000.0, initial_offer=(KB1,))
    return replace(base, **kw)  # type: ignore[arg-type]


def run(n: NodeProgress | None, now: float = 100.0, **kw: object) -> RunProgress:
    return replace(RunProgress(now=now, current=n, view_at=now), **kw)  # type: ignore[arg-type]


def adv(outcome: Outcome) -> tuple[type, Outcome]:
    return (Advance, outcome)


def summary(action: Action) -> tuple[type, object]:
    if isinstance(action, Advance):
        return (Advance, action.outcome)
    return (type(action), None)


running = WorkProgress(handle=H_INSTALL, state=WorkState.RUNNING)
installed = WorkProgress(
    handle=H_INSTALL, state=WorkState.SUCCEEDED, results=(OK1,), restart_required=True
)
install_failed = WorkProgress(handle=H_INSTALL, state=WorkState.SUCCEEDED, results=(BAD1,))
scan_new = WorkProgress(handle=H_SCAN, state=WorkState.SUCCEEDED, offered=(KB2,))
scan_none = WorkProgress(handle=H_SCAN, state=WorkState.SUCCEEDED, offered=())

# (case, view, node progress, run overrides, expected (action type, outcome or None))
