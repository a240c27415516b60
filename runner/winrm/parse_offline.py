"""Parsers of the offline update's script answers, into its contract value types.

Owns: ``parse_host_view`` (observe-host.ps1 and set-cluster-service.ps1: a node's boot time,
OS build and cluster service), ``parse_storage_view`` (observe-storage.ps1: the S2D pool
and the cluster shared volumes) and ``parse_claim`` (offline-claim.ps1: the run lock's claim
a node keeps). Codes are the ones Windows PowerShell 5.1 emits (``runner.offline_types``).

Must not: talk to the network or raise anything but ``MalformedOutput`` (the transport maps
it).
"""

from __future__ import annotations

from typing import Any

from runner.offline_types import (
    HostView,
    ServiceStartup,
    ServiceState,
    StorageView,
    VolumeView,
)
from runner.remote_protocol import ScriptProtocolError, read_holder
from runner.types import HealthStatus, LockHolder
from runner.winrm.parse import boot_id_of
from runner.winrm.psjson import MalformedOutput, as_list, as_mapping, enum_value

__all__ = ["parse_claim", "parse_host_view", "parse_storage_view"]

_HEALTH = {s.value: s for s in HealthStatus}
_STARTUP = {s.value: s for s in ServiceStartup}
_STATE = {s.value: s for s in ServiceState}


def parse_host_view(raw: Any, node: str) -> HostView:
    """observe-host.ps1's answer: the node as its own endpoint shows it."""
    doc = as_mapping(raw, "the node's answer")
    return HostView(
        name=node,
        reachable=True,
        boot_id=boot_id_of(doc.get("LastBootUpTime"), f"{node}.LastBootUpTime"),
        os_build=str(doc.get("BuildNumber") or ""),
        service_state=enum_value(
            doc.get("ServiceStatus"), ServiceState.from_code, _STATE, f"{node}.ServiceStatus"
        ),
        service_startup=enum_value(
            doc.get("ServiceStartType"),
            ServiceStartup.from_code,
            _STARTUP,
            f"{node}.ServiceStartType",
        ),
    )


def _health(value: Any, what: str) -> HealthStatus:
    return enum_value(value, HealthStatus.from_code, _HEALTH, what)


def parse_storage_view(raw: Any, taken_at: float) -> StorageView:
    """observe-storage.ps1's answer; no pool (a cluster without S2D) reads as healthy."""
    doc = as_mapping(raw, "the storage answer")
    volumes = tuple(
        VolumeView(
            name=str(item.get("FileSystemLabel") or ""),
            health=_health(item.get("HealthStatus"), "volume HealthStatus"),
        )
        for item in (as_mapping(v, "a volume") for v in as_list(doc.get("Volumes"), "Volumes"))
    )
    pool = doc.get("Pool")
    if pool is None:
        return StorageView(
            taken_at=taken_at,
            pool_health=HealthStatus.HEALTHY,
            pool_read_only=False,
            volumes=volumes,
        )
    found = as_mapping(pool, "the storage pool")
    read_only = found.get("IsReadOnly")
    if not isinstance(read_only, bool):
        raise MalformedOutput("the storage pool's IsReadOnly is not a boolean")
    return StorageView(
        taken_at=taken_at,
        pool_health=_health(found.get("HealthStatus"), "pool HealthStatus"),
        pool_read_only=read_only,
        volumes=volumes,
    )


def parse_claim(raw: Any) -> LockHolder | None:
    """offline-claim.ps1's answer: the claim the node keeps (``None``: no claim)."""
    doc = as_mapping(raw, "the claim answer")
    try:
        return read_holder(doc.get("Holder"))
    except ScriptProtocolError as exc:
        raise MalformedOutput(str(exc)) from exc
