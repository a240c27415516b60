"""Value types of long work on a node: updates offered and installed, and the handles and
progress of detached work (scans, installs, scripts, cluster validation).

Owns: ``WorkKind``, ``WorkState``, ``UpdateInfo``, ``UpdateResult``, ``WorkHandle``,
``WorkProgress`` and ``ValidationReport`` — part of the transport contract, re-exported by
``runner.types`` (the contract's one import path).

Must not: import more of the runner than ``runner.plugins`` (plug-in names), do I/O, know
about SimPy, WinRM or the runner's decisions. Everything here is immutable
(``frozen=True, slots=True, kw_only=True``) and tuples stand where lists would.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from runner.plugins import PluginName

__all__ = [
    "UpdateInfo",
    "UpdateResult",
    "ValidationReport",
    "WorkHandle",
    "WorkKind",
    "WorkProgress",
    "WorkState",
]


class WorkKind(StrEnum):
    """Long work that runs detached on a node: start returns a handle, poll reports."""

    SCAN = "scan"
    INSTALL = "install"
    SCRIPT = "script"
    VALIDATION = "validation"  # Test-Cluster on the whole cluster (no node of its own)


class WorkState(StrEnum):
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInfo:
    """An update offered to a node (Invoke-CauScan's UpdateInfo); ``plugin`` offered it and
    is the one that installs it."""

    id: str
    title: str
    kind: str = "quality"
    restart_required: bool = True
    firmware: bool = False  # needs firmware/BIOS init: soft reboot not allowed
    plugin: PluginName = PluginName.WINDOWS_UPDATE


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateResult:
    """An UpdateInstallResult: ``result`` is Succeeded or Failed, ``hresult`` as 0x%08X;
    ``plugin`` installed it."""

    id: str
    title: str
    result: str
    hresult: str = ""
    restart_required: bool = False
    plugin: PluginName = PluginName.WINDOWS_UPDATE


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkHandle:
    """Returned by a ``start_*`` call; pass it to ``poll_work``."""

    id: str
    node: str
    kind: WorkKind


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkProgress:
    """What ``poll_work`` returns.

    For a scan, ``offered`` lists the applicable updates. For an install, ``results`` has one
    entry per update attempted and ``restart_required`` tells whether a restart is pending.
    For a script, ``exit_code`` is set when done. ``error``/``hresult`` describe a failure.
    """

    handle: WorkHandle
    state: WorkState
    percent: int = 0
    offered: tuple[UpdateInfo, ...] = ()
    results: tuple[UpdateResult, ...] = ()
    restart_required: bool = False
    exit_code: int | None = None
    error: str = ""
    hresult: str = ""
    # A scan: the node opted into a preview channel (Set-PreviewChannel) and has not
    # restarted since, so the channel is not in effect and its feature update not offered.
    channel_restart_pending: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationReport:
    """The newest Test-Cluster report file on the cluster (``Validation Report *.htm``)."""

    passed: bool
    path: str
    summary: str = ""
