"""The guide's post-installation steps of a feature update, in its order: the cluster
functional level, the storage pool, the VM configuration versions, then cluster validation.

Owns: ``PostRequest`` (which steps a run or ``pycau post-upgrade`` asks for),
``post_request`` (the profile's options as a request), ``level_refusal`` (why the
functional level may not be raised now) and ``PostSteps`` — the imperative procedure that
performs the steps through the transport and records each as a ``post-step`` event and a
``PostStepResult``.

Theory of operation: the steps run once the run has nothing more to do on the nodes (after
the follow-up quality pass), one after another, each only when the one before allows it:
- functional level (Update-ClusterFunctionalLevel): only when every node is Up and runs the
  same OS version — a node that failed its feature update leaves the cluster in mixed mode
  and the step is skipped with the reason; the pool (Update-StoragePool) follows it — the
  guide does both in sequence, both irreversible, so one option and one confirmation cover
  them (``pycau post-upgrade`` has a flag for each: ``--storage-pool`` alone raises the pool
  to the functional level's version). Neither is tried after the other was skipped or failed;
- VM versions (Update-VMVersion): the VMs below the version the functional level allows
  (``VmVersions.supported``), in name order, in groups of at most ``max_vms_down``: each VM
  of the group is stopped, upgraded and started again before the next group begins, so at
  most that many VMs are ever off; a VM that was off stays off; a VM whose upgrade fails is
  started again at its old version;
- validation (Test-Cluster) after any step changed the cluster, its result reported.
A failed step, or a validation that does not pass, ends the run Failed (``POST_FAILED``,
``VALIDATION_FAILED``) — every node is updated by then; only the cluster-wide step failed.

Must not: decide a node's step, sleep except through the injected clock, or import the
simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from runner.errors import TransportError
from runner.post_types import PostStepResult, VmVersion
from runner.preflight import validate_cluster
from runner.profile import Profile, ResolvedProfile
from runner.recorder import Recorder
from runner.transport import Clock, ClusterTransport
from runner.types import ClusterView, NodeState
from runner.versions import config_key, rank

__all__ = [
    "IRREVERSIBLE",
    "POST_FAILED",
    "VALIDATION_FAILED",
    "PostRequest",
    "PostSteps",
    "level_refusal",
    "post_request",
]

POST_FAILED = "PostUpgradeStepFailed"
# The confirmation ``pycau run`` and ``pycau post-upgrade`` ask before an irreversible step.
IRREVERSIBLE = (
    "Raise the cluster functional level and the storage pool version? This cannot be "
    "undone: no rollback to the previous OS version afterwards"
)
VALIDATION_FAILED = "PostUpgradeValidationFailed"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostRequest:
    """The post-installation steps asked for (see the module docstring)."""

    functional_level: bool = False
    storage_pool: bool = False
    vm_version: bool = False
    validate: bool = False
    max_vms_down: int = 1

    @property
    def any(self) -> bool:
        return self.functional_level or self.storage_pool or self.vm_version or self.validate


def post_request(profile: Profile) -> PostRequest | None:
    """The steps a run's profile asks for after its last node (``None``: none)."""
    level, vms = profile.update_functional_level, profile.update_vm_version
    if not (level or vms):
        return None
    return PostRequest(
        functional_level=level, storage_pool=level, vm_version=vms, validate=True,
        max_vms_down=profile.max_vms_down,
    )  # fmt: skip


def level_refusal(view: ClusterView) -> str | None:
    """Why Update-ClusterFunctionalLevel may not run now: a node not Up, or nodes at more
    than one OS version (mixed mode). ``None``: it may."""
    away = [n.name for n in view.nodes if n.state is not NodeState.UP or not n.reachable]
    if away:
        return f"{', '.join(away)} not Up: every node must run the new version first"
    versions = sorted({n.version for n in view.nodes if rank(n.version) >= 0}, key=rank)
    if len(versions) > 1:
        behind = [n.name for n in view.nodes if n.version == versions[0]]
        return (
            f"{', '.join(behind)} still {'runs' if len(behind) == 1 else 'run'} "
            f"{versions[0]} while other nodes run "
            f"{versions[-1]}: the cluster is in mixed mode and its functional level can "
            "only be raised once every node runs the new version"
        )
    return None


class PostSteps:
    """Performs a ``PostRequest`` (see the module docstring); ``results`` in step order."""

    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        rec: Recorder,
        profile: ResolvedProfile,
        observe: Callable[[], ClusterView | None],
    ) -> None:
        self.transport, self.clock, self.rec = transport, clock, rec
        self.profile, self.observe = profile, observe
        self.results: list[PostStepResult] = []
        self.failed: tuple[str, str] | None = None  # (error id, why) of the run

    def _note(self, step: str, result: str, detail: str) -> None:
        self.results.append(PostStepResult(step=step, result=result, detail=detail))
        self.rec.emit("post-step", None, f"{step}: {result} — {detail}")
        if result == "failed" and self.failed is None:
            error = VALIDATION_FAILED if step == "validation" else POST_FAILED
            self.failed = (error, f"post-installation step {step} failed: {detail}")

    def run(self, request: PostRequest) -> tuple[PostStepResult, ...]:
        """Each requested step in the guide's order; the results."""
        changed = False
        level_ok = True
        if request.functional_level:
            changed |= self._raise("functional-level", self.transport.update_functional_level)
            level_ok = self.results[-1].result in ("done", "unchanged")
        if request.storage_pool:
            if level_ok:
                changed |= self._raise("storage-pool", self.transport.update_storage_pool)
            else:
                self._note("storage-pool", "skipped", "the functional level was not raised")
        if request.vm_version:
            changed |= self._vm_versions(request.max_vms_down)
        if request.validate and changed and self.failed is None:
            self._validate()
        elif request.validate and self.failed is None:
            self._note("validation", "skipped", "no post-installation step changed the cluster")
        return tuple(self.results)

    def _raise(self, step: str, command: Callable[[], None]) -> bool:
        """Functional level or pool: checked, performed, observed; whether it changed."""
        view = self.observe()
        if view is None:
            self._note(step, "failed", "the cluster did not answer")
            return False
        refused = level_refusal(view)
        if refused is not None:
            self._note(step, "skipped", refused)
            return False
        if step == "storage-pool" and not view.s2d_enabled:
            self._note(step, "skipped", "the cluster has no Storage Spaces Direct pool")
            return False
        before = view.functional_level if step == "functional-level" else view.storage_pool_version
        try:
            command()
        except TransportError as exc:
            self._note(step, "failed", str(exc))
            return False
        after_view = self.observe()
        after = before
        if after_view is not None:
            after = (
                after_view.functional_level
                if step == "functional-level"
                else after_view.storage_pool_version
            )
        if after == before:
            self._note(step, "unchanged", f"already at {before}")
            return False
        self._note(step, "done", f"{before} → {after} (irreversible)")
        return True

    def _vm_versions(self, max_down: int) -> bool:
        """Stop, upgrade and start the VMs below the supported version, in groups."""
        try:
            found = self.transport.read_vm_versions()
        except TransportError as exc:
            self._note("vm-version", "failed", f"the VMs could not be read: {exc}")
            return False
        target = found.supported
        behind = [
            v for v in found.vms if target and config_key(v.config_version) < config_key(target)
        ]
        if not behind:
            why = f"every VM is at {target}" if target else "no supported version known"
            self._note("vm-version", "unchanged", why)
            return False
        upgraded: list[str] = []
        failed: list[str] = []
        for start in range(0, len(behind), max_down):
            group = behind[start : start + max_down]
            for vm, ok in self._upgrade_group(group, target):
                (upgraded if ok else failed).append(vm)
        if failed:
            self._note("vm-version", "failed", f"{', '.join(failed)} not upgraded to {target}")
        else:
            shown = ", ".join(upgraded)
            self._note("vm-version", "done", f"{shown} upgraded to {target}, one group at a time")
        return bool(upgraded)

    def _upgrade_group(self, group: list[VmVersion], target: str) -> list[tuple[str, bool]]:
        """Stop the group's running VMs, upgrade each, start those that ran: (vm, upgraded)."""
        stopped: list[VmVersion] = []
        outcome: list[tuple[str, bool]] = []
        for vm in group:
            if not vm.running:
                continue
            try:
                self.transport.stop_vm(vm.name)
            except TransportError as exc:
                self.rec.warning(f"{vm.name} was not stopped, so not upgraded: {exc}")
                outcome.append((vm.name, False))
                continue
            stopped.append(vm)
            self.rec.emit("vm-stopped", vm.owner, f"{vm.name} stopped for Update-VMVersion")
        for vm in group:
            if vm.running and vm not in stopped:
                continue
            try:
                now = self.transport.update_vm_version(vm.name)
            except TransportError as exc:
                self.rec.warning(f"{vm.name} stays at {vm.config_version}: {exc}")
                outcome.append((vm.name, False))
                continue
            outcome.append((vm.name, True))
            self.rec.emit("vm-version", vm.owner, f"{vm.name}: {vm.config_version} → {now}")
        for vm in stopped:
            try:
                self.transport.start_vm(vm.name)
            except TransportError as exc:
                self.rec.warning(f"{vm.name} did not start again: {exc}")
                outcome = [(n, ok and n != vm.name) for n, ok in outcome]
                continue
            self.rec.emit("vm-started", vm.owner, f"{vm.name} started again")
        return outcome

    def _validate(self) -> None:
        """Test-Cluster after the steps (the guide's step 5), its result reported."""
        profile = replace(self.profile, validate_cluster=True)
        refusal = validate_cluster(self.transport, self.clock, self.rec, profile)
        if refusal is None:
            self._note("validation", "passed", "Test-Cluster passed after the steps")
        else:
            self._note("validation", "failed", f"Test-Cluster did not pass ({refusal.error_id})")
