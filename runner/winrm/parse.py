"""Parsers of the JSON documents pycau's scripts answer with, into the contract's value types.

Owns: ``parse_cluster_view`` (observe.ps1), ``parse_work_handle`` (start-work.ps1),
``parse_work_progress`` (poll-work.ps1 / worker.ps1's status), ``parse_boot_type``
(restart-node.ps1), ``parse_credssp`` (get-credssp.ps1) and ``parse_lock_answer``
(lock-*.ps1). The code tables that map Windows' numbers to the contract's enums live in
``runner.remote_protocol``, where the simulated twin's encoder reads them too, so both sides
agree by construction.

Must not: talk to the network or raise anything but ``MalformedOutput`` (the transport maps
it). Error documents are read by ``runner.winrm.error_map``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.plugins import PluginName
from runner.remote_protocol import (
    GROUP_STATE_CODES,
    GROUP_TYPE_CODES,
    PARTIAL_ONLINE,
    RESILIENCY_SETTINGS,
    RESOURCE_STATE_ONLINE,
    WITNESS_RESOURCE_TYPES,
    ScriptProtocolError,
    read_holder,
)
from runner.types import (
    BootType,
    ClusterView,
    DrainStatus,
    HealthStatus,
    LockHolder,
    NodeState,
    NodeView,
    OperationalStatus,
    RoleState,
    RoleView,
    StorageJobState,
    StorageJobView,
    UpdateInfo,
    UpdateResult,
    ValidationReport,
    VirtualDiskView,
    WitnessType,
    WitnessView,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)
from runner.winrm.parse_storage import with_storage_maintenance
from runner.winrm.parse_versions import with_versions
from runner.winrm.psjson import (
    MalformedOutput,
    as_list,
    as_mapping,
    enum_value,
    ps_datetime,
    reject_truncated,
)

__all__ = [
    "boot_id_of",
    "parse_boot_type",
    "parse_cluster_view",
    "parse_credssp",
    "parse_lock_answer",
    "parse_validation_report",
    "parse_work_handle",
    "parse_work_progress",
]

_RESULT_OK = (2, 3)
_GB = 1024**3

_NODE_STATES = {s.value: s for s in NodeState}
_DRAIN = {s.value: s for s in DrainStatus}
_HEALTH = {s.value: s for s in HealthStatus}
_OPERATIONAL = {s.label: s for s in OperationalStatus} | {s.name: s for s in OperationalStatus}
_JOBS = {s.name.replace("_", ""): s for s in StorageJobState}
_KINDS = {code: kind for kind, code in GROUP_TYPE_CODES.items()}
_ROLE_STATES = {code: state for state, code in GROUP_STATE_CODES.items()}
_RESILIENCY = {setting: r for r, setting in RESILIENCY_SETTINGS.items()}
_WITNESS = {name: w for w, name in WITNESS_RESOURCE_TYPES.items()}
_WORK_KINDS = {k.value for k in WorkKind}
_WORK_STATES = {s.value for s in WorkState}
_ROLE_STATE_NAMES = {s.value: s for s in RoleState}


def _operational(code: int) -> OperationalStatus:
    try:
        return OperationalStatus(code)
    except ValueError:
        return OperationalStatus.UNKNOWN


def _int(value: Any, what: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedOutput(f"{what} is not a number: {value!r:.80}")
    try:
        return int(value)
    except ValueError as exc:
        raise MalformedOutput(f"{what} is not a number: {value!r:.80}") from exc


def _str(value: Any, what: str) -> str:
    reject_truncated(value, what)
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        raise MalformedOutput(f"{what} is not text: {value!r:.80}")
    return str(value)


def boot_id_of(value: Any, what: str = "LastBootUpTime") -> str:
    """A node's boot id: its LastBootUpTime as ISO-8601 UTC (empty when unknown)."""
    when = ps_datetime(value, what)
    return "" if when is None else when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _node(raw: Any) -> NodeView:
    doc = as_mapping(raw, "a node")
    name = _str(doc.get("Name"), "node Name")
    return NodeView(
        name=name,
        state=enum_value(doc.get("State"), NodeState.from_code, _NODE_STATES, f"{name}.State"),
        drain_status=enum_value(
            doc.get("DrainStatus", 0), DrainStatus.from_code, _DRAIN, f"{name}.DrainStatus"
        ),
        node_weight=_int(doc.get("NodeWeight"), f"{name}.NodeWeight", 1),
        dynamic_weight=_int(doc.get("DynamicWeight"), f"{name}.DynamicWeight", 1),
        boot_id=boot_id_of(doc.get("LastBootUpTime"), f"{name}.LastBootUpTime"),
        os_build=_str(doc.get("BuildNumber"), f"{name}.BuildNumber"),
        reachable=bool(doc.get("Reachable", True)),
    )


def _witness(raw: Any) -> WitnessView:
    if raw is None:
        return WitnessView()
    doc = as_mapping(raw, "the witness")
    kind = _WITNESS.get(_str(doc.get("ResourceType"), "witness ResourceType"), WitnessType.NONE)
    return WitnessView(
        type=kind,
        online=kind is not WitnessType.NONE
        and _int(doc.get("State"), "witness State", -1) == RESOURCE_STATE_ONLINE,
        dynamic_weight=_int(doc.get("DynamicWeight"), "witness DynamicWeight", 0),
    )


def _role(raw: Any) -> RoleView:
    doc = as_mapping(raw, "a group")
    name = _str(doc.get("Name"), "group Name")
    kind_raw = doc.get("GroupType", GROUP_TYPE_CODES["VirtualMachine"])
    kind = _KINDS.get(kind_raw, str(kind_raw)) if isinstance(kind_raw, int) else str(kind_raw)
    state_code = doc.get("State", 0)
    if isinstance(state_code, str):
        state = _ROLE_STATE_NAMES.get(state_code, RoleState.PENDING)
    else:
        code = _int(state_code, f"{name}.State")
        code = GROUP_STATE_CODES[RoleState.ONLINE] if code == PARTIAL_ONLINE else code
        state = _ROLE_STATES.get(code, RoleState.PENDING)
    return RoleView(
        name=name,
        owner=_str(doc.get("OwnerNode"), f"{name}.OwnerNode"),
        state=state,
        kind=kind,
        memory_gb=float(doc.get("MemoryAssignedMB") or 0) / 1024,
    )


def _disk(raw: Any) -> VirtualDiskView | None:
    doc = as_mapping(raw, "a virtual disk")
    name = _str(doc.get("FriendlyName"), "virtual disk FriendlyName")
    setting = (
        _str(doc.get("ResiliencySettingName"), f"{name}.ResiliencySettingName"),
        _int(doc.get("PhysicalDiskRedundancy"), f"{name}.PhysicalDiskRedundancy", 1),
    )
    resiliency = _RESILIENCY.get(setting)
    if resiliency is None:
        return None  # a Simple (non-resilient) space is no clustered S2D volume
    operational = tuple(
        enum_value(code, _operational, _OPERATIONAL, f"{name}.OperationalStatus")
        for code in as_list(doc.get("OperationalStatus"), f"{name}.OperationalStatus")
    )
    return VirtualDiskView(
        name=name,
        resiliency=resiliency,
        health=enum_value(
            doc.get("HealthStatus"), HealthStatus.from_code, _HEALTH, f"{name}.HealthStatus"
        ),
        operational=operational or (OperationalStatus.UNKNOWN,),
        size_gb=_int(doc.get("Size"), f"{name}.Size", 0) / _GB,
    )


def _job(raw: Any) -> StorageJobView:
    doc = as_mapping(raw, "a storage job")
    name = _str(doc.get("Name"), "storage job Name")
    volume = _str(doc.get("VirtualDisk"), f"{name}.VirtualDisk")
    if not volume and "-" in name:
        volume = name.rsplit("-", 1)[0]  # "<volume>-Repair" on HCI builds
    return StorageJobView(
        name=name,
        volume=volume,
        state=enum_value(doc.get("JobState"), StorageJobState, _JOBS, f"{name}.JobState"),
        percent_complete=_int(doc.get("PercentComplete"), f"{name}.PercentComplete", 0),
        bytes_processed=_int(doc.get("BytesProcessed"), f"{name}.BytesProcessed", 0),
        bytes_total=_int(doc.get("BytesTotal"), f"{name}.BytesTotal", 0),
    )


def parse_cluster_view(raw: Any, taken_at: float) -> ClusterView:
    """observe.ps1's answer as a ``ClusterView`` taken at ``taken_at`` (transport clock)."""
    doc = as_mapping(raw, "the observation")
    disks = (_disk(d) for d in as_list(doc.get("VirtualDisks"), "VirtualDisks"))
    view = ClusterView(
        cluster=_str(doc.get("Cluster"), "Cluster"),
        taken_at=taken_at,
        nodes=tuple(_node(n) for n in as_list(doc.get("Nodes"), "Nodes")),
        witness=_witness(doc.get("Witness")),
        has_quorum=bool(doc.get("HasQuorum", True)),
        s2d_enabled=_int(doc.get("S2DEnabled"), "S2DEnabled", 0) == 1,
        roles=tuple(_role(g) for g in as_list(doc.get("Groups"), "Groups")),
        virtual_disks=tuple(d for d in disks if d is not None),
        storage_jobs=tuple(_job(j) for j in as_list(doc.get("StorageJobs"), "StorageJobs")),
        managed_by=_str(doc.get("ManagedBy", ""), "ManagedBy"),
        soft_reboot_property=doc.get("SoftRebootProperty") is True,
    )
    view = with_storage_maintenance(view, doc)  # nodes whose drives are in maintenance mode
    return with_versions(view, doc)  # node versions, functional level, pool version


def parse_work_handle(raw: Any) -> WorkHandle:
    """start-work.ps1's answer: the handle of the detached work."""
    doc = as_mapping(raw, "the work handle")
    kind = _str(doc.get("Kind"), "handle Kind")
    if kind not in _WORK_KINDS:
        raise MalformedOutput(f"unknown work kind {kind!r}")
    return WorkHandle(
        id=_str(doc.get("Id"), "handle Id"),
        node=_str(doc.get("Node"), "handle Node"),
        kind=WorkKind(kind),
    )


def parse_validation_report(raw: Any) -> ValidationReport | None:
    """validation-report.ps1's answer: the newest Test-Cluster report, or None."""
    report = as_mapping(raw, "the validation report answer").get("Report")
    if report is None:
        return None
    doc = as_mapping(report, "the validation report")
    passed = doc.get("Passed")
    if not isinstance(passed, bool):
        raise MalformedOutput("validation report Passed is not a boolean")
    return ValidationReport(
        passed=passed,
        path=_str(doc.get("Path"), "report Path"),
        summary=_str(doc.get("Summary", ""), "report Summary"),
    )


def _hresult(value: Any) -> str:
    text = _str(value, "HResult")
    if not text:
        return ""
    code = int(text, 16) if text.lower().startswith("0x") else int(text)
    return "" if code == 0 else f"0x{code & 0xFFFFFFFF:08X}"


def _offered(raw: Any) -> UpdateInfo:
    doc = as_mapping(raw, "an offered update")
    return UpdateInfo(
        id=_str(doc.get("Id"), "update Id"),
        title=_str(doc.get("Title"), "update Title"),
        kind=_str(doc.get("Kind"), "update Kind") or "quality",
        restart_required=bool(doc.get("RestartRequired", True)),
        firmware=bool(doc.get("Firmware", False)),
        plugin=_plugin(doc.get("Plugin")),
    )


def _plugin(raw: Any) -> PluginName:
    """The plug-in a worker says offered or installed an update (absent: Windows Update)."""
    if raw is None:
        return PluginName.WINDOWS_UPDATE
    try:
        return PluginName(_str(raw, "update Plugin"))
    except ValueError as exc:
        raise MalformedOutput(f"unknown plug-in {raw!r}") from exc


def _result(raw: Any) -> UpdateResult:
    doc = as_mapping(raw, "an update result")
    code = _int(doc.get("ResultCode"), "update ResultCode")
    return UpdateResult(
        id=_str(doc.get("Id"), "update Id"),
        title=_str(doc.get("Title"), "update Title"),
        result="Succeeded" if code in _RESULT_OK else "Failed",
        hresult=_hresult(doc.get("HResult")),
        restart_required=bool(doc.get("RestartRequired", False)),
        plugin=_plugin(doc.get("Plugin")),
    )


def parse_work_progress(raw: Any, handle: WorkHandle) -> WorkProgress:
    """poll-work.ps1's answer (the worker's status.json) as ``WorkProgress`` of ``handle``."""
    doc = as_mapping(raw, "the work status")
    state = _str(doc.get("State"), "work State")
    if state not in _WORK_STATES:
        raise MalformedOutput(f"unknown work state {state!r}")
    exit_code = doc.get("ExitCode")
    return WorkProgress(
        handle=handle,
        state=WorkState(state),
        percent=_int(doc.get("Percent"), "work Percent", 0),
        offered=tuple(_offered(u) for u in as_list(doc.get("Offered"), "Offered")),
        results=tuple(_result(r) for r in as_list(doc.get("Results"), "Results")),
        restart_required=bool(doc.get("RestartRequired", False)),
        exit_code=None if exit_code is None else _int(exit_code, "ExitCode"),
        error=_str(doc.get("Error"), "work Error"),
        hresult=_hresult(doc.get("HResult")),
        channel_restart_pending=doc.get("ChannelRestartPending") is True,
    )


def parse_boot_type(raw: Any) -> BootType:
    """restart-node.ps1's answer: the boot type the node is doing (``Soft``)."""
    doc = as_mapping(raw, "the restart answer")
    soft = doc.get("Soft")
    if not isinstance(soft, bool):
        raise MalformedOutput("the restart answer has no boolean Soft")
    return BootType.SOFT if soft else BootType.FULL


def parse_credssp(raw: Any) -> bool:
    """get-credssp.ps1's answer: whether the CredSSP server role is enabled."""
    enabled = as_mapping(raw, "the CredSSP answer").get("Enabled")
    if not isinstance(enabled, bool):
        raise MalformedOutput("the CredSSP answer has no boolean Enabled")
    return enabled


def parse_lock_answer(raw: Any) -> LockHolder | None:
    """A run-lock script's answer: ``None`` when it got or freed the lock (or found none),
    else the holder (with its heartbeat age) that keeps it."""
    doc = as_mapping(raw, "the run-lock answer")
    try:
        holder = read_holder(doc.get("Holder"))
    except ScriptProtocolError as exc:
        raise MalformedOutput(str(exc)) from exc
    if doc.get("Created") is True or doc.get("TakenOver") is True:
        return None
    return holder
