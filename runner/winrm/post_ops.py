"""The post-installation steps of a feature update over WinRM (issue 9).

Owns: ``PostOps`` — ``update_functional_level`` (``scripts/update-functional-level.ps1``)
and ``update_storage_pool`` (``scripts/update-storage-pool.ps1``) on the cluster endpoint,
fenced by the run lock; ``read_vm_versions`` (``scripts/vm-versions.ps1``, a read); and
``stop_vm``/``update_vm_version``/``start_vm`` (``scripts/vm-version.ps1`` with its
``Action``, fenced). Answers are parsed by ``runner.winrm.parse_post``.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

from runner.post_types import VmVersions
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_post import parse_vm_version, parse_vm_versions

__all__ = ["PostOps"]


class PostOps(WinRMEndpoints):
    """The post-installation part of the transport contract."""

    def update_functional_level(self) -> None:
        self._on_cluster(
            ScriptName.UPDATE_FUNCTIONAL_LEVEL, {}, deadline=self.deadlines.command, about=None
        )

    def update_storage_pool(self) -> None:
        self._on_cluster(
            ScriptName.UPDATE_STORAGE_POOL, {}, deadline=self.deadlines.command, about=None
        )

    def read_vm_versions(self) -> VmVersions:
        document = self._read_cluster(ScriptName.VM_VERSIONS, {})
        return self._parsed(ScriptName.VM_VERSIONS, parse_vm_versions, document)

    def _vm(self, vm: str, action: str) -> object:
        return self._on_cluster(
            ScriptName.VM_VERSION, {"Vm": vm, "Action": action},
            deadline=self.deadlines.command, about=None,
        )  # fmt: skip

    def stop_vm(self, vm: str) -> None:
        self._vm(vm, "Stop")

    def update_vm_version(self, vm: str) -> str:
        return self._parsed(ScriptName.VM_VERSION, parse_vm_version, self._vm(vm, "Update"))

    def start_vm(self, vm: str) -> None:
        self._vm(vm, "Start")
