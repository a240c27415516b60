"""The twin's answers to the post-installation scripts of a feature update (issue 9).

Owns: ``PostAnswers`` — ``update-functional-level``, ``update-storage-pool``,
``vm-versions`` and ``vm-version`` (Stop, Update or Start), each ONE call of the world's
transport (``update_functional_level``, ``update_storage_pool``, ``read_vm_versions``,
``stop_vm``/``update_vm_version``/``start_vm``), answered as the real script writes it.

Must not: touch the world except through its transport; hold state of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.transport import ClusterTransport

__all__ = ["PostAnswers"]

Answer = tuple[Mapping[str, Any], bool]


class PostAnswers:
    """Handlers of ``simulator.twin.answers.TwinAnswers`` for the post-installation scripts."""

    def __init__(self, transport: ClusterTransport) -> None:
        self._transport = transport

    def functional_level(self, args: Mapping[str, Any]) -> Answer:
        self._transport.update_functional_level()
        return {"Done": True}, False

    def storage_pool(self, args: Mapping[str, Any]) -> Answer:
        self._transport.update_storage_pool()
        return {"Done": True}, False

    def vm_versions(self, args: Mapping[str, Any]) -> Answer:
        found = self._transport.read_vm_versions()
        vms = [
            {"Name": v.name, "Owner": v.owner, "Version": v.config_version, "Running": v.running}
            for v in found.vms
        ]
        return {"Vms": vms, "Supported": found.supported}, False

    def vm_version(self, args: Mapping[str, Any]) -> Answer:
        vm, action = str(args["Vm"]), str(args["Action"])
        if action == "Stop":
            self._transport.stop_vm(vm)
            return {"Name": vm, "Running": False}, False
        if action == "Start":
            self._transport.start_vm(vm)
            return {"Name": vm, "Running": True}, False
        if action == "Update":
            version = self._transport.update_vm_version(vm)
            return {"Name": vm, "Running": False, "Version": version}, False
        raise RemoteCommandFailed("vm-version", f"unknown action {action}")
