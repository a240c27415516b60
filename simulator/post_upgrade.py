"""The post-installation steps of a feature update in the simulated world: the cluster
functional level, the storage pool version and the VMs' configuration versions — and the
oracle's judgement of them.

Owns: ``PostUpgrade`` — what Update-ClusterFunctionalLevel, Update-StoragePool, Get-VM,
Stop-VM, Update-VMVersion and Start-VM do to the world, the ``vm-version-downtime``
invariant and ``truth``, the report-truth checks of the report's ``cluster_versions`` section.

Theory of operation:
- The functional level rises to the version every node runs, and only then: a node down,
  or nodes at more than one version (mixed mode), make the command fail with no effect, as
  the real cmdlet does. The pool's version rises to the functional level's version, and
  only with an S2D pool. Both are irreversible (nothing here lowers them).
- A VM's configuration version can rise to the one its cluster's functional level allows
  (``runner.versions``: the version's ``vm_config_version``) — no further, however new its
  host: Update-VMVersion of a running VM, or past that version, fails with no effect. A
  stopped VM is down (its downtime counts) until Start-VM; Start-VM runs it on its owner,
  which must be active and able to host its (new) configuration version.
- ``vm-version-downtime`` (listed only for runs that stopped or upgraded a VM): never more
  VMs stopped by the runner at once than the profile's ``max_vms_down``; every VM the runner
  stopped runs again at the end; no Update-VMVersion the functional level did not allow.
  Each stop is consented downtime, listed under ``workload-availability``'s ``consented``.
- ``truth``: the section's ``after`` figures, node versions, VM versions and
  ``rollback_possible`` equal the world's at the end (the world's rule: a rollback is
  possible while the functional level belongs to an older version than some node runs;
  unknown, ``None``, when they run no version pycau knows).

Must not: decide anything for the runner, schedule processes, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.post_types import VmVersion, VmVersions
from runner.versions import config_key, is_newer, newest, oldest, rank, version_named
from simulator.mixed_mode import can_host
from simulator.violation import Violation
from simulator.world_port import UpgradeWorld

__all__ = ["VM_VERSION_INVARIANT", "PostUpgrade"]

VM_VERSION_INVARIANT = "vm-version-downtime"


class PostUpgrade:
    """The world's side of the post-installation steps (see the module docstring)."""

    def __init__(self, world: UpgradeWorld) -> None:
        self.world = world
        self.stopped: dict[str, float] = {}  # VMs the runner stopped → since when
        self.used = False  # the runner stopped or upgraded a VM
        self.violations: list[tuple[float, str]] = []

    def _now(self) -> float:
        return float(self.world.env.now)

    def _nodes_version(self, command: str) -> str:
        """The one version every node runs; ``RemoteCommandFailed`` otherwise."""
        nodes = self.world.nodes
        down = [name for name, n in nodes.items() if not n.up]
        if down:
            raise RemoteCommandFailed(command, f"{', '.join(down)} not up")
        versions = sorted({n.version for n in nodes.values() if rank(n.version) >= 0}, key=rank)
        if len(versions) > 1:
            raise RemoteCommandFailed(
                command, f"the nodes run {' and '.join(versions)} (mixed mode)"
            )
        return versions[0] if versions else ""

    def raise_functional_level(self) -> None:
        version = self._nodes_version("Update-ClusterFunctionalLevel")
        levels = self.world.versions
        if is_newer(version, levels.functional_level):
            self.world.record("functional-level", None, f"{levels.functional_level} → {version}")
            levels.functional_level = version

    def raise_pool(self) -> None:
        if self.world.storage is None:
            raise RemoteCommandFailed("Update-StoragePool", "the cluster has no S2D pool")
        levels = self.world.versions
        if is_newer(levels.functional_level, levels.pool):
            self.world.record("storage-pool", None, f"{levels.pool} → {levels.functional_level}")
            levels.pool = levels.functional_level

    @property
    def supported(self) -> str:
        """The configuration version the functional level allows (``""``: not known)."""
        level = self.world.versions.functional_level
        return version_named(level).vm_config_version if rank(level) >= 0 else ""

    def vm_versions(self) -> VmVersions:
        vms = sorted(self.world.workloads.vms, key=lambda vm: vm.name)
        return VmVersions(
            vms=tuple(
                VmVersion(
                    name=vm.name,
                    owner=vm.owner,
                    config_version=vm.config_version,
                    running=vm.online,
                )
                for vm in vms
            ),
            supported=self.supported,
        )

    def _vm(self, name: str, command: str) -> Any:
        for vm in self.world.workloads.vms:
            if vm.name == name:
                return vm
        raise RemoteCommandFailed(command, f"no VM named {name}")

    def stop_vm(self, name: str) -> None:
        vm = self._vm(name, "Stop-VM")
        self.used = True
        if not vm.online:
            return
        vm.online, vm.down_since = False, self._now()
        self.world.workloads.changed(vm)
        self.stopped[name] = self._now()
        self.world.record("vm-stopped", vm.owner, name)
        limit = self.world.profile.max_vms_down
        if len(self.stopped) > limit:
            off = ", ".join(sorted(self.stopped))
            self.violations.append(
                (
                    self._now(),
                    f"{len(self.stopped)} VMs off at once ({off}); max_vms_down is {limit}",
                )
            )
        self.world.oracle.consented.append(
            {"time": round(self._now(), 3), "detail": f"{name} stopped for Update-VMVersion"}
        )

    def update_vm_version(self, name: str) -> str:
        vm = self._vm(name, "Update-VMVersion")
        self.used = True
        if vm.online:
            raise RemoteCommandFailed("Update-VMVersion", f"{name} is running; stop it first")
        target = self.supported
        if not target or config_key(target) <= config_key(vm.config_version):
            why = f"the functional level allows no version newer than {vm.config_version}"
            self.violations.append((self._now(), f"Update-VMVersion of {name} refused: {why}"))
            raise RemoteCommandFailed("Update-VMVersion", why)
        self.world.record("vm-version", vm.owner, f"{name}: {vm.config_version} → {target}")
        vm.config_version = target
        return str(target)

    def start_vm(self, name: str) -> None:
        vm = self._vm(name, "Start-VM")
        host = self.world.nodes[vm.owner]
        if vm.online:
            return
        if not host.active or not can_host(host.version, vm.config_version):
            raise RemoteCommandFailed("Start-VM", f"{vm.owner} cannot run {name} now")
        vm.online = True
        if vm.down_since is not None:
            vm.downtime += self._now() - vm.down_since
        vm.down_since = None
        self.stopped.pop(name, None)
        self.world.workloads.changed(vm)
        self.world.record("role-online", vm.owner, f"{name} started again")

    def section(self) -> dict[str, Any]:
        """The invariant's report entry (none when no VM was stopped or upgraded)."""
        if not self.used:
            return {}
        left = [
            (self._now(), f"{name} was stopped and never started again")
            for name in sorted(self.stopped)
        ]
        found = sorted(self.violations + left)
        shown = [{"time": round(t, 3), "detail": d} for t, d in found]
        return {VM_VERSION_INVARIANT: {"holds": not shown, "violations": shown}}

    def truth(self, report: Mapping[str, Any]) -> list[Violation]:
        """Report-truth of the ``cluster_versions`` section against the world at the end."""
        section = report.get("cluster_versions")
        if not isinstance(section, Mapping):
            return []
        now, levels = self._now(), self.world.versions
        nodes = self.world.nodes
        version, top = (
            oldest(n.version for n in nodes.values()),
            newest(n.version for n in nodes.values()),
        )
        world = {
            "version": version,
            "functional_level": levels.functional_level_code,
            "storage_pool_version": levels.pool_code,
            "rollback_possible": is_newer(top, levels.functional_level) if rank(top) >= 0 else None,
        }
        said = {
            "version": section.get("version", {}).get("after"),
            "functional_level": section.get("functional_level", {}).get("after"),
            "storage_pool_version": section.get("storage_pool_version", {}).get("after"),
            "rollback_possible": section.get("rollback_possible"),
        }
        found = [
            (now, f"cluster_versions says {key} {said[key]!r}; the world has {value!r}")
            for key, value in world.items()
            if said[key] != value
        ]
        for entry in section.get("nodes", []):
            node = nodes.get(str(entry.get("name")))
            if node is None or node.version != entry.get("version"):
                found.append((now, f"cluster_versions misstates the version of {entry}"))
        vms = {vm.name: vm.config_version for vm in self.world.workloads.vms}
        for entry in section.get("vm_config_versions", []):
            if vms.get(str(entry.get("name"))) != entry.get("after"):
                found.append((now, f"cluster_versions misstates the VM {entry}"))
        return [Violation(invariant="report-truth", time=t, detail=d) for t, d in found]
