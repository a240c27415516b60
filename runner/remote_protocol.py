"""The wire format of pycau's remote scripts, shared by the WinRM transport and the twin.

Owns: the names of the scripts the WinRM transport sends (``ScriptName``), how a script
carries its name and its arguments, how it becomes a ``powershell.exe -EncodedCommand``
command line, and the error kinds a script reports. ``runner/winrm/`` composes scripts with
it; ``simulator/twin/`` (the simulated WS-Management endpoint) reads them back with it. It is
the one piece of the WinRM transport the simulator may import (see the architecture test).

Theory of operation: a script is text in three parts — a header line naming it
(``# pycau-script: observe``), the house prelude, and one line binding ``$PycauArgs`` to a
base64-encoded UTF-8 JSON document, then the body. Values reach PowerShell only through that
document (or the quoting helper of ``runner.winrm.quoting``), never by string pasting. The
command line is ``powershell.exe … -EncodedCommand <base64 of UTF-16LE>``, sent with
``WINRS_SKIP_CMD_SHELL`` so cmd.exe's 8 K line limit does not apply (CreateProcess allows
32 K characters).

It also holds the code tables that map Windows' numbers to the contract's enums
(ClusterGroupType and -State, ClusterResourceState, witness resource types, Storage Spaces
resiliency settings, the Windows Update OperationResultCode): the transport's parser reads
them one way, the twin's encoder the other.

Must not: import ``winrm``, the simulator or anything but the standard library,
``runner.types`` and ``runner.errors``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from runner.errors import ScriptProtocolError
from runner.types import LockHolder, Resiliency, RoleState, WitnessType

__all__ = [
    "ARGS_PREFIX",
    "ARGS_SUFFIX",
    "FENCED_SCRIPTS",
    "GROUP_STATE_CODES",
    "GROUP_TYPE_CODES",
    "LOCK_SCRIPTS",
    "MAX_COMMAND_LINE",
    "PARTIAL_ONLINE",
    "POWERSHELL",
    "POWERSHELL_OPTIONS",
    "RESILIENCY_SETTINGS",
    "RESOURCE_STATE_ONLINE",
    "RESULT_CODE_FAILED",
    "RESULT_CODE_SUCCEEDED",
    "SCRIPT_HEADER",
    "TWIN_MARKER",
    "WITNESS_RESOURCE_TYPES",
    "ErrorKind",
    "ScriptName",
    "ScriptProtocolError",
    "decode_args",
    "decode_command_line",
    "encode_args",
    "encode_command_line",
    "holder_document",
    "read_holder",
    "read_script",
]

SCRIPT_HEADER = "# pycau-script: "
ARGS_PREFIX = (
    "$PycauArgs = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString("
    "[System.Convert]::FromBase64String("
)
ARGS_SUFFIX = ")))"
POWERSHELL = "powershell.exe"
POWERSHELL_OPTIONS = (
    "-NoLogo",
    "-NoProfile",
    "-NonInteractive",
    "-ExecutionPolicy",
    "Bypass",
    "-EncodedCommand",
)
# CreateProcess' limit on a command line, less a margin for the executable's path.
MAX_COMMAND_LINE = 32_000
# The probe's answer carries this key only when the endpoint is pycau's simulated twin.
TWIN_MARKER = "PycauTwin"

# -- code tables: Windows' numbers for the contract's enums (reference cau.md §5) --------

# ClusterGroupType (FailoverClusters): the kinds a RoleView names.
GROUP_TYPE_CODES: Mapping[str, int] = {
    "FileServer": 100,
    "GenericApplication": 107,
    "GenericService": 108,
    "GenericScript": 109,
    "VirtualMachine": 111,
    "ScaleoutFileServer": 114,
    "TaskScheduler": 116,
    "ClusterUpdateAgent": 117,
    "StorageReplica": 119,
    "InfrastructureFileServer": 122,
    "Unknown": 9999,
}
# ClusterGroupState: Online 0, Offline 1, Failed 2, PartialOnline 3, Pending 4, Unknown -1.
GROUP_STATE_CODES: Mapping[RoleState, int] = {
    RoleState.ONLINE: 0,
    RoleState.OFFLINE: 1,
    RoleState.FAILED: 2,
    RoleState.PENDING: 4,
}
PARTIAL_ONLINE = 3
# ClusterResourceState: Online 2 (Offline 3, Failed 4, Pending 128…).
RESOURCE_STATE_ONLINE = 2
WITNESS_RESOURCE_TYPES: Mapping[WitnessType, str] = {
    WitnessType.CLOUD: "Cloud Witness",
    WitnessType.FILE_SHARE: "File Share Witness",
    WitnessType.DISK: "Physical Disk",
}
# (ResiliencySettingName, PhysicalDiskRedundancy) of Get-VirtualDisk.
RESILIENCY_SETTINGS: Mapping[Resiliency, tuple[str, int]] = {
    Resiliency.TWO_WAY_MIRROR: ("Mirror", 1),
    Resiliency.THREE_WAY_MIRROR: ("Mirror", 2),
    Resiliency.SINGLE_PARITY: ("Parity", 1),
    Resiliency.DUAL_PARITY: ("Parity", 2),
}
# WUA OperationResultCode: Succeeded 2, SucceededWithErrors 3, Failed 4, Aborted 5.
RESULT_CODE_SUCCEEDED = 2
RESULT_CODE_FAILED = 4


class ScriptName(StrEnum):
    """Every script the WinRM transport can send (one ``.ps1`` resource each)."""

    PROBE = "probe"
    OBSERVE = "observe"
    START_WORK = "start-work"
    POLL_WORK = "poll-work"
    SUSPEND_NODE = "suspend-node"
    RESUME_NODE = "resume-node"
    RESTART_NODE = "restart-node"
    INSTALL_BEACON = "install-beacon"
    NODE_FACTS = "node-facts"
    GET_RUN = "get-run"
    PUBLISH_RUN = "publish-run"
    CLOCK = "clock"
    VALIDATION_REPORT = "validation-report"
    SET_CREDSSP = "set-credssp"
    GET_CREDSSP = "get-credssp"
    LOCK_CREATE = "lock-create"
    LOCK_TAKEOVER = "lock-takeover"
    LOCK_RENEW = "lock-renew"
    LOCK_RELEASE = "lock-release"
    LOCK_READ = "lock-read"
    # the Hotfix plug-in's library for the worker (runner.winrm.hotfix_ops)
    INSTALL_HOTFIX_LIBRARY = "install-hotfix-library"
    # the detached worker, written once per node and run before start-work copies it
    INSTALL_WORKER = "install-worker"
    # the fast offline update (runner/winrm/offline_ops.py)
    OBSERVE_HOST = "observe-host"
    OBSERVE_STORAGE = "observe-storage"
    SAVE_VMS = "save-vms"
    START_VMS = "start-vms"
    SET_VIRTUAL_DISKS = "set-virtual-disks"
    STOP_CLUSTER = "stop-cluster"
    SET_CLUSTER_SERVICE = "set-cluster-service"
    START_CLUSTER = "start-cluster"
    OFFLINE_CLAIM = "offline-claim"
    # run options (issue 9)
    FORCE_DRAIN_NODE = "force-drain-node"
    ENABLE_FIREWALL = "enable-firewall"
    NODE_SITES = "node-sites"
    # stop requests (issue 11: pycau stop)
    STOP_REQUEST = "stop-request"
    # run history (issue 11: pycau history)
    GET_RUN_HISTORY = "get-run-history"
    # post-installation steps of a feature update (issue 9)
    UPDATE_FUNCTIONAL_LEVEL = "update-functional-level"
    UPDATE_STORAGE_POOL = "update-storage-pool"
    VM_VERSIONS = "vm-versions"
    VM_VERSION = "vm-version"
    # snapshot (`pycau snapshot`): read-only
    SNAPSHOT = "snapshot"
    SNAPSHOT_NODE = "snapshot-node"
    # the fast policy's capacity facts (issue 12: runner/winrm/capacity_ops.py): read-only
    CAPACITY_FACTS = "capacity-facts"


# Scripts composed with the run-lock library (runner/winrm/scripts/lock.ps1): the lock's own
# scripts, the run record (only the holder publishes), and every command fenced by the lock
# (its arguments carry ``Fence``, the holder of the coordinator that sends it).
LOCK_SCRIPTS = frozenset(
    {
        ScriptName.LOCK_CREATE,
        ScriptName.LOCK_TAKEOVER,
        ScriptName.LOCK_RENEW,
        ScriptName.LOCK_RELEASE,
        ScriptName.LOCK_READ,
        ScriptName.PUBLISH_RUN,
        ScriptName.STOP_REQUEST,
        ScriptName.OFFLINE_CLAIM,
    }
)
FENCED_SCRIPTS = frozenset(
    {
        ScriptName.SUSPEND_NODE,
        ScriptName.RESUME_NODE,
        ScriptName.RESTART_NODE,
        ScriptName.START_WORK,
        ScriptName.SET_CREDSSP,
        ScriptName.SAVE_VMS,
        ScriptName.START_VMS,
        ScriptName.SET_VIRTUAL_DISKS,
        ScriptName.STOP_CLUSTER,
        ScriptName.SET_CLUSTER_SERVICE,
        ScriptName.START_CLUSTER,
        ScriptName.FORCE_DRAIN_NODE,
        ScriptName.ENABLE_FIREWALL,
        ScriptName.UPDATE_FUNCTIONAL_LEVEL,
        ScriptName.UPDATE_STORAGE_POOL,
        ScriptName.VM_VERSION,
    }
)


class ErrorKind(StrEnum):
    """How a script classifies a failure in its ``{"Error": …}`` document.

    Each kind names the ``runner.errors`` class the transport raises for it; ``WrongNode``
    (a node-local script reached another computer) is raised as ``RemoteCommandFailed``.
    ``RunLocked``: another coordinator holds the run lock (``runner.errors.RunLocked``).
    """

    REMOTE_COMMAND_FAILED = "RemoteCommandFailed"
    STORAGE_DEGRADED = "StorageDegraded"
    DRAIN_FAILED = "DrainFailed"
    NODE_UNREACHABLE = "NodeUnreachable"
    CLUSTER_UNREACHABLE = "ClusterUnreachable"
    OPERATION_TIMED_OUT = "OperationTimedOut"
    AUTHENTICATION_FAILED = "AuthenticationFailed"
    RUN_LOCKED = "RunLocked"
    WRONG_NODE = "WrongNode"


def encode_args(args: Mapping[str, Any]) -> str:
    """Base64 of the compact UTF-8 JSON of ``args`` (only A–Z a–z 0–9 + / = characters)."""
    text = json.dumps(dict(args), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_args(encoded: str) -> dict[str, Any]:
    """Inverse of ``encode_args``; raises ``ScriptProtocolError`` on anything else."""
    try:
        value = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScriptProtocolError(f"arguments are not base64 JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ScriptProtocolError("arguments must be a JSON object")
    return value


def encode_command_line(script: str) -> tuple[str, tuple[str, ...]]:
    """The executable and arguments that run ``script`` with ``-EncodedCommand``."""
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    arguments = (*POWERSHELL_OPTIONS, encoded)
    length = len(POWERSHELL) + sum(len(a) + 1 for a in arguments)
    if length > MAX_COMMAND_LINE:
        raise ScriptProtocolError(f"command line of {length} characters exceeds {MAX_COMMAND_LINE}")
    return POWERSHELL, arguments


def decode_command_line(command: str, arguments: str) -> str:
    """The script text of a command line made by ``encode_command_line``.

    ``arguments`` is the space-joined argument string as WS-Management carries it.
    """
    parts = arguments.split()
    if command.lower() != POWERSHELL or len(parts) < 2 or parts[-2] != "-EncodedCommand":
        raise ScriptProtocolError("not a pycau powershell.exe -EncodedCommand command line")
    try:
        return base64.b64decode(parts[-1], validate=True).decode("utf-16-le")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ScriptProtocolError(f"encoded command is not base64 UTF-16LE: {exc}") from exc


def read_script(script: str) -> tuple[ScriptName, dict[str, Any]]:
    """The name and decoded arguments of a composed script."""
    first, _, rest = script.partition("\n")
    if not first.startswith(SCRIPT_HEADER):
        raise ScriptProtocolError("script does not start with the pycau header line")
    try:
        name = ScriptName(first[len(SCRIPT_HEADER) :].strip())
    except ValueError as exc:
        raise ScriptProtocolError(f"unknown script {first!r}") from exc
    for line in rest.splitlines():
        if line.startswith(ARGS_PREFIX) and line.endswith(ARGS_SUFFIX):
            literal = line[len(ARGS_PREFIX) : -len(ARGS_SUFFIX)]
            if len(literal) < 2 or literal[0] != "'" or literal[-1] != "'":
                raise ScriptProtocolError("arguments are not one single-quoted literal")
            return name, decode_args(literal[1:-1])
    raise ScriptProtocolError("script has no $PycauArgs line")


def holder_document(holder: LockHolder) -> dict[str, Any]:
    """A lock holder as scripts carry it (``Holder``, ``Previous``, ``Fence``)."""
    return {
        "RunId": holder.run_id,
        "Coordinator": holder.coordinator,
        "Pid": holder.pid,
        "StartedAt": holder.started_at,
    }


def read_holder(raw: Any) -> LockHolder | None:
    """A holder document (as scripts carry or answer it) back, ``None`` for null;
    ``ScriptProtocolError`` when it is not one."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ScriptProtocolError("a lock holder must be an object")
    try:
        age = float(raw.get("AgeSeconds") or 0.0)
        return LockHolder(
            run_id=str(raw["RunId"]),
            coordinator=str(raw["Coordinator"]),
            pid=int(raw["Pid"]),
            started_at=str(raw["StartedAt"]),
            heartbeat_age_seconds=age if age == age and age >= 0 else 0.0,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ScriptProtocolError(f"not a lock holder: {exc}") from exc
