"""Parsers of the post-installation scripts' answers (``scripts/vm-versions.ps1``,
``scripts/vm-version.ps1``) into the contract's values.

Owns: ``parse_vm_versions`` (every clustered VM with its configuration version and state, and
the version Update-VMVersion gives) and ``parse_vm_version`` (one VM's version after an
action). A malformed answer raises ``MalformedOutput``, which the endpoint plumbing turns
into ``RemoteCommandFailed``.

Must not: talk to the network or decide anything about the run.
"""

from __future__ import annotations

from typing import Any

from runner.post_types import VmVersion, VmVersions
from runner.winrm.psjson import MalformedOutput, as_list, as_mapping

__all__ = ["parse_vm_version", "parse_vm_versions"]


def _text(doc: Any, key: str, what: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise MalformedOutput(f"{what} has no text {key}")
    return value


def parse_vm_versions(raw: Any) -> VmVersions:
    """vm-versions.ps1's answer: ``{"Vms": [{Name, Owner, Version, Running}], "Supported"}``
    (one VM may arrive unwrapped, as PowerShell 5.1 writes a one-element list)."""
    doc = as_mapping(raw, "the VM versions answer")
    vms = []
    for entry in as_list(doc.get("Vms"), "Vms"):
        vm = as_mapping(entry, "a VM's version")
        running = vm.get("Running")
        if not isinstance(running, bool):
            raise MalformedOutput("a VM's version needs a boolean Running")
        vms.append(
            VmVersion(
                name=_text(vm, "Name", "a VM"),
                owner=_text(vm, "Owner", "a VM"),
                config_version=_text(vm, "Version", "a VM"),
                running=running,
            )
        )
    supported = doc.get("Supported") or ""
    if not isinstance(supported, str):
        raise MalformedOutput("Supported is not a text")
    return VmVersions(vms=tuple(sorted(vms, key=lambda v: v.name)), supported=supported)


def parse_vm_version(raw: Any) -> str:
    """vm-version.ps1's answer after Update: the VM's configuration version now."""
    return _text(as_mapping(raw, "the VM answer"), "Version", "the VM answer")
