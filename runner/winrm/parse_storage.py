"""Parser of the storage-maintenance part of observe.ps1's answer.

Owns: ``with_storage_maintenance`` — a parsed ``ClusterView`` whose nodes say whether their
drives are in storage maintenance mode, from the observation's ``StorageMaintenance``: the
names of the storage scale units (one per node) whose ``OperationalStatus`` includes
``In Maintenance Mode`` (Get-StorageFaultDomain -Type StorageScaleUnit). Windows Server 2022
and Azure Stack HCI 21H2 and later enter that mode when a node is paused and drained and
leave it when the node is resumed; the runner's restart guard reads it
(``runner.safety.own_maintenance_only``). A document without the key (an older script, or
no Storage Spaces Direct) leaves every node out of maintenance mode.

Must not: talk to the network or raise anything but ``MalformedOutput``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from runner.types import ClusterView
from runner.winrm.psjson import MalformedOutput, as_list

__all__ = ["with_storage_maintenance"]


def with_storage_maintenance(view: ClusterView, doc: Mapping[str, Any]) -> ClusterView:
    """``view`` with each node's storage maintenance mode from ``doc``."""
    names = as_list(doc.get("StorageMaintenance"), "StorageMaintenance")
    for name in names:
        if not isinstance(name, str):
            raise MalformedOutput(f"StorageMaintenance holds a non-string: {name!r}")
    if not names:
        return view
    held = {name.casefold() for name in names}
    nodes = tuple(replace(n, storage_maintenance=n.name.casefold() in held) for n in view.nodes)
    return replace(view, nodes=nodes)
