"""``runner.post_steps`` against a scripted transport: the guide's order, the groups of
max_vms_down, what a failure does, and the mixed-mode refusal."""

from __future__ import annotations

from typing import Any

from fake_cluster import FakeClock

from runner.errors import RemoteCommandFailed
from runner.post_steps import POST_FAILED, PostRequest, PostSteps, level_refusal, post_request
from runner.post_types import VmVersion, VmVersions
from runner.profile import Profile
from runner.recorder import Recorder
from runner.types import ClusterView, NodeState, NodeView, WorkHandle, WorkKind, WorkProgress
from runner.work_types import WorkState


def view(*versions: str, level: int = 11, state: NodeState = NodeState.UP) -> ClusterView:
    nodes = tuple(
        NodeView(name=f"node{i}", state=state if i == 1 else NodeState.UP, version=v)
        for i, v in enumerate(versions, start=1)
    )
    return ClusterView(
        cluster="c", taken_at=0.0, nodes=nodes, s2d_enabled=True, functional_level=level,
        storage_pool_version=level,
    )  # fmt: skip


class Scripted:
    """Records each call; the levels rise when raised; ``fail`` names calls that refuse."""

    def __init__(self, vms: tuple[VmVersion, ...], fail: tuple[str, ...] = ()) -> None:
        self.calls: list[str] = []
        self.level = 11
        self.vms = vms
        self.fail = fail

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.fail:
            raise RemoteCommandFailed(name, "refused")

    def update_functional_level(self) -> None:
        self._call("level")
        self.level = 12

    def update_storage_pool(self) -> None:
        self._call("pool")

    def read_vm_versions(self) -> VmVersions:
        return VmVersions(vms=self.vms, supported="10.0")

    def stop_vm(self, vm: str) -> None:
        self._call(f"stop {vm}")

    def update_vm_version(self, vm: str) -> str:
        self._call(f"update {vm}")
        return "10.0"

    def start_vm(self, vm: str) -> None:
        self._call(f"start {vm}")

    def start_validation(self) -> WorkHandle:
        self.calls.append("validate")
        return WorkHandle(id="v", node="", kind=WorkKind.VALIDATION)

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        return WorkProgress(handle=handle, state=WorkState.SUCCEEDED, exit_code=0)


def vm(name: str, running: bool = True) -> VmVersion:
    return VmVersion(name=name, owner="node1", config_version="9.2", running=running)


def perform(cluster: Scripted, request: PostRequest) -> PostSteps:
    clock = FakeClock()
    steps = PostSteps(
        cluster, clock, Recorder(clock.now), Profile().resolved(("node1", "node2")),  # type: ignore[arg-type]
        lambda: view("21H2", "21H2", level=cluster.level),
    )  # fmt: skip
    steps.run(request)
    return steps


def test_profile_options_make_the_request() -> None:
    """update_functional_level asks for the level and the pool; validation follows any step;
    a profile without the options asks for nothing."""
    assert post_request(Profile()) is None
    request = post_request(Profile(update_functional_level=True, max_vms_down=3))
    assert request == PostRequest(
        functional_level=True, storage_pool=True, validate=True, max_vms_down=3
    )


def test_vms_go_in_groups_of_max_vms_down() -> None:
    """Four VMs, two at a time: stop both, upgrade both, start both, then the next group; a
    VM that was off (vm04) is upgraded without a stop or a start."""
    cluster = Scripted((vm("vm01"), vm("vm02"), vm("vm03"), vm("vm04", running=False)))
    steps = perform(cluster, PostRequest(vm_version=True, max_vms_down=2))
    assert cluster.calls == [
        "stop vm01", "stop vm02", "update vm01", "update vm02", "start vm01", "start vm02",
        "stop vm03", "update vm03", "update vm04", "start vm03",
    ]  # fmt: skip
    assert [(r.step, r.result) for r in steps.results] == [("vm-version", "done")]


def test_a_failed_upgrade_starts_the_vm_again_and_fails_the_run() -> None:
    """Update-VMVersion refused: the VM is started at its old version, the step fails, and the
    run's error is PostUpgradeStepFailed."""
    cluster = Scripted((vm("vm01"),), fail=("update vm01",))
    steps = perform(cluster, PostRequest(vm_version=True, validate=True))
    assert cluster.calls == ["stop vm01", "update vm01", "start vm01"]
    assert [(r.step, r.result) for r in steps.results] == [("vm-version", "failed")]
    assert steps.failed is not None
    assert steps.failed[0] == POST_FAILED


def test_a_refused_functional_level_skips_the_pool_and_validation() -> None:
    """Update-ClusterFunctionalLevel refused: the pool is not tried, nothing is validated."""
    cluster = Scripted((), fail=("level",))
    request = PostRequest(functional_level=True, storage_pool=True, validate=True)
    steps = perform(cluster, request)
    assert cluster.calls == ["level"]
    results: list[Any] = [(r.step, r.result) for r in steps.results]
    assert results == [("functional-level", "failed"), ("storage-pool", "skipped")]
    assert steps.failed is not None
    assert "functional-level" in steps.failed[1]


def test_validation_follows_a_step_that_changed_the_cluster() -> None:
    """The level rose: Test-Cluster runs after the pool, and passes."""
    cluster = Scripted(())
    steps = perform(cluster, PostRequest(functional_level=True, storage_pool=True, validate=True))
    assert cluster.calls == ["level", "pool", "validate"]
    assert steps.results[-1].result == "passed"


def test_level_refusal_names_the_nodes_behind_or_away() -> None:
    """Mixed versions name the nodes still at the old version; a node not Up is named too."""
    assert level_refusal(view("21H2", "21H2")) is None
    mixed = level_refusal(view("21H2", "20H2", "20H2"))
    assert mixed is not None
    assert mixed.startswith("node2, node3 still run 20H2 while")
    down = level_refusal(view("21H2", "21H2", state=NodeState.DOWN))
    assert down == "node1 not Up: every node must run the new version first"
