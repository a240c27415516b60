"""The documents pycau's scripts would answer, built from the contract's value types.

Owns: the twin's side of the script answers — ``observe_document`` (what observe.ps1
writes for a ``ClusterView``), ``handle_document`` and ``progress_document`` (start-work and
poll-work), ``error_document`` (the prelude's ``{"Error": …}`` for a runner error) and
``facts_document`` (node-facts.ps1 on a healthy, well-configured node). Codes come from the
tables in ``runner.remote_protocol`` that the transport's parser reads, so a round trip
through JSON gives the parser back exactly the view the simulator produced (boot ids aside:
they become the LastBootUpTime of each boot).

Must not: call the world; it only translates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from runner.errors import (
    AuthenticationFailed,
    ClusterUnreachable,
    DrainFailed,
    NodeUnreachable,
    OperationTimedOut,
    RemoteCommandFailed,
    RunLocked,
    RunnerError,
    StorageDegraded,
)
from runner.remote_protocol import (
    GROUP_STATE_CODES,
    GROUP_TYPE_CODES,
    RESILIENCY_SETTINGS,
    RESOURCE_STATE_ONLINE,
    RESULT_CODE_FAILED,
    RESULT_CODE_SUCCEEDED,
    WITNESS_RESOURCE_TYPES,
    ErrorKind,
)
from runner.types import (
    ClusterView,
    DrainStatus,
    HealthStatus,
    NodeState,
    WitnessType,
    WorkHandle,
    WorkProgress,
)
from simulator.twin.ps_output import PsDate

__all__ = [
    "error_document",
    "facts_document",
    "handle_document",
    "observe_document",
    "progress_document",
]

_NODE_STATE = {NodeState.UP: 0, NodeState.DOWN: 1, NodeState.PAUSED: 2, NodeState.JOINING: 3}
_DRAIN = {s: i for i, s in enumerate(DrainStatus)}
# CLUSTER_NODE_STATUS flags for the drain (reference cau.md §5.1).
_DRAIN_FLAGS = {DrainStatus.IN_PROGRESS: 0x4, DrainStatus.COMPLETED: 0x8, DrainStatus.FAILED: 0x10}
_HEALTH = {
    HealthStatus.HEALTHY: 0,
    HealthStatus.WARNING: 1,
    HealthStatus.UNHEALTHY: 2,
    HealthStatus.UNKNOWN: 5,
}
_RESOURCE_OFFLINE = 3
_WS2022 = "Windows Server 2022 Datacenter"
_KINDS: tuple[tuple[type[RunnerError], ErrorKind], ...] = (
    (StorageDegraded, ErrorKind.STORAGE_DEGRADED),
    (DrainFailed, ErrorKind.DRAIN_FAILED),
    (RemoteCommandFailed, ErrorKind.REMOTE_COMMAND_FAILED),
    (NodeUnreachable, ErrorKind.NODE_UNREACHABLE),
    (ClusterUnreachable, ErrorKind.CLUSTER_UNREACHABLE),
    (OperationTimedOut, ErrorKind.OPERATION_TIMED_OUT),
    (AuthenticationFailed, ErrorKind.AUTHENTICATION_FAILED),
    (RunLocked, ErrorKind.RUN_LOCKED),
)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def observe_document(view: ClusterView, *, boot_ms: Callable[[str], int | None]) -> dict[str, Any]:
    """observe.ps1's answer for ``view``; ``boot_ms`` gives each boot id's LastBootUpTime."""
    nodes = []
    for node in view.nodes:
        boot = boot_ms(node.boot_id)
        nodes.append(
            {
                "Name": node.name,
                "State": _NODE_STATE.get(node.state, -1),
                "DrainStatus": _DRAIN[node.drain_status],
                "NodeWeight": node.node_weight,
                "DynamicWeight": node.dynamic_weight,
                "StatusInformation": _DRAIN_FLAGS.get(node.drain_status, 0),
                "BuildNumber": node.os_build,
                "LastBootUpTime": None if boot is None else PsDate(boot),
                "Reachable": node.reachable,
            }
        )
    witness = view.witness
    has_witness = witness.type is not WitnessType.NONE
    groups = [
        {
            "Name": role.name,
            "OwnerNode": role.owner,
            "State": GROUP_STATE_CODES[role.state],
            "GroupType": GROUP_TYPE_CODES.get(role.kind, role.kind),
            "MemoryAssignedMB": _number(role.memory_gb * 1024),
        }
        for role in view.roles
    ]
    disks = [
        {
            "FriendlyName": disk.name,
            "ResiliencySettingName": RESILIENCY_SETTINGS[disk.resiliency][0],
            "PhysicalDiskRedundancy": RESILIENCY_SETTINGS[disk.resiliency][1],
            "HealthStatus": _HEALTH[disk.health],
            "OperationalStatus": [int(code) for code in disk.operational],
            "Size": round(disk.size_gb * 1024**3),
        }
        for disk in view.virtual_disks
    ]
    jobs = [
        {
            "Name": job.name,
            "VirtualDisk": job.volume,
            "JobState": int(job.state),
            "PercentComplete": job.percent_complete,
            "BytesProcessed": job.bytes_processed,
            "BytesTotal": job.bytes_total,
        }
        for job in view.storage_jobs
    ]
    return {
        "Cluster": view.cluster,
        "S2DEnabled": 1 if view.s2d_enabled else 0,
        "HasQuorum": view.has_quorum,
        "Witness": {
            "ResourceType": WITNESS_RESOURCE_TYPES.get(witness.type, ""),
            "State": (RESOURCE_STATE_ONLINE if witness.online else _RESOURCE_OFFLINE)
            if has_witness
            else -1,
            "DynamicWeight": witness.dynamic_weight,
        },
        "Nodes": nodes,
        "Groups": groups,
        "VirtualDisks": disks,
        "StorageJobs": jobs,
        "StorageMaintenance": [n.name for n in view.nodes if n.storage_maintenance],
        "ManagedBy": view.managed_by,
        # Simulated nodes with a version run Azure Stack HCI (runner.versions).
        "ProductName": "Azure Stack HCI" if any(n.version for n in view.nodes) else _WS2022,
        "ClusterFunctionalLevel": view.functional_level,
        "StoragePoolVersion": view.storage_pool_version,
        "SoftRebootProperty": view.soft_reboot_property,
    }


def handle_document(handle: WorkHandle) -> dict[str, Any]:
    return {"Id": handle.id, "Node": handle.node, "Kind": handle.kind.value}


def progress_document(progress: WorkProgress) -> dict[str, Any]:
    """The worker's status.json as poll-work.ps1 answers it."""
    return {
        **handle_document(progress.handle),
        "State": progress.state.value,
        "Percent": progress.percent,
        "Offered": [
            {
                "Id": update.id,
                "Title": update.title,
                "Kind": update.kind,
                "RestartRequired": update.restart_required,
                "Firmware": update.firmware,
                "Plugin": update.plugin.value,
            }
            for update in progress.offered
        ],
        "Results": [
            {
                "Id": result.id,
                "Title": result.title,
                "ResultCode": RESULT_CODE_SUCCEEDED
                if result.result == "Succeeded"
                else RESULT_CODE_FAILED,
                "HResult": result.hresult or "0x00000000",
                "RestartRequired": result.restart_required,
                "Plugin": result.plugin.value,
            }
            for result in progress.results
        ],
        "RestartRequired": progress.restart_required,
        "ExitCode": progress.exit_code,
        "Error": progress.error,
        "HResult": progress.hresult,
        "ChannelRestartPending": progress.channel_restart_pending,
    }


def error_document(error: RunnerError) -> dict[str, Any]:
    """The prelude's error document for ``error`` (read back by the transport's faults)."""
    kind = next((k for cls, k in _KINDS if isinstance(error, cls)), ErrorKind.REMOTE_COMMAND_FAILED)
    document: dict[str, Any] = {
        "Kind": kind.value,
        "Command": getattr(error, "command", ""),
        "Message": getattr(error, "detail", "") or str(error),
        "Category": "NotSpecified",
        "FullyQualifiedErrorId": "",
        "HResult": 0,
        "Win32Code": getattr(error, "code", 0),
    }
    if isinstance(error, RunLocked):
        document["Owner"] = error.owner
    return {"Error": document}


def facts_document(node: str, scripts: Sequence[str]) -> dict[str, Any]:
    """node-facts.ps1 on a healthy node configured as CAU's setup rules want it."""
    return {
        "Node": node,
        "PSVersion": "5.1.20348.2031",
        "DotNetRelease": 528449,
        "ClusterServiceStatus": 4,  # ServiceControllerStatus.Running
        "AUOptions": 0,
        "NoAutoUpdate": 1,
        "UseWUServer": 0,
        "WUServer": "",
        "RemoteShutdownRules": 2,
        "RemoteShutdownRulesEnabled": 2,
        "WinHttpProxy": "Current WinHTTP proxy settings: Direct access (no proxy server).",
        "SystemDriveFreeGB": 118.4,
        "RestartPending": False,
        "Scripts": [
            {
                "Path": path,
                "Exists": True,
                "Sha256": hashlib.sha256(path.encode("utf-8")).hexdigest().upper(),
            }
            for path in scripts
        ],
        "BeaconInstalled": True,
    }
