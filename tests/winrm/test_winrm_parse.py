"""Parsers read Windows PowerShell 5.1 answers as they really are (recorded transcripts).

Each transcript in ``transcripts/`` is a script's stdout byte for byte; see its README for
which 5.1 quirk each one carries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import (
    DrainFailed,
    RemoteCommandFailed,
    StorageDegraded,
)
from runner.types import (
    DrainStatus,
    HealthStatus,
    NodeState,
    OperationalStatus,
    Resiliency,
    RoleState,
    StorageJobState,
    WitnessType,
    WorkHandle,
    WorkKind,
    WorkState,
)
from runner.winrm.error_map import error_from_document
from runner.winrm.parse import parse_cluster_view, parse_work_handle, parse_work_progress
from runner.winrm.psjson import MalformedOutput, load_document, ps_datetime

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def transcript(name: str) -> object:
    return load_document((TRANSCRIPTS / name).read_bytes())


def test_healthy_four_node_observation() -> None:
    """Numeric enums, /Date()/ boot times, UInt16 status arrays and JS escapes parse to the view."""
    view = parse_cluster_view(transcript("observe-healthy-4node.json"), taken_at=12.5)
    assert view.cluster == "hci01"
    assert view.taken_at == 12.5
    assert view.s2d_enabled
    assert [n.name for n in view.nodes] == ["node1", "node2", "node3", "node4"]
    assert all(n.state is NodeState.UP for n in view.nodes)
    assert view.node("node4").dynamic_weight == 0
    assert view.node("node1").boot_id == "2026-01-05T03:12:45.123Z"
    assert view.node("node1").os_build == "20348.2031"
    assert view.witness.type is WitnessType.CLOUD
    assert view.witness.online
    assert view.roles[2].name == "Bob's <test> VM & more"
    assert view.roles[0].memory_gb == 16.0
    assert view.roles[0].kind == "VirtualMachine"
    assert view.roles[3].kind == "ScaleoutFileServer"
    assert view.roles[3].state is RoleState.ONLINE  # PartialOnline still serves
    assert [d.resiliency for d in view.virtual_disks] == [
        Resiliency.TWO_WAY_MIRROR,
        Resiliency.THREE_WAY_MIRROR,
    ]
    assert view.virtual_disks[0].size_gb == 4096.0
    assert view.storage_healthy


def test_node_restarting_observation() -> None:
    """A Down node, Degraded+Incomplete volumes (0xD003) and a Suspended repair job."""
    view = parse_cluster_view(transcript("observe-node2-restarting.json"), taken_at=0.0)
    node2 = view.node("node2")
    assert node2.state is NodeState.DOWN
    assert node2.drain_status is DrainStatus.COMPLETED
    assert not node2.reachable
    assert node2.dynamic_weight == 0
    disk = view.virtual_disks[0]
    assert disk.health is HealthStatus.WARNING
    assert disk.operational == (OperationalStatus.DEGRADED, OperationalStatus.INCOMPLETE)
    job = view.storage_jobs[0]
    assert job.state is StorageJobState.SUSPENDED
    assert job.volume == "vol01"
    assert not view.storage_healthy


def test_resync_observation_names_the_job_volume() -> None:
    """A Repair job names its volume in VirtualDisk; In Service keeps storage unhealthy."""
    view = parse_cluster_view(transcript("observe-resync-running.json"), taken_at=0.0)
    assert view.node("node2").boot_id == "2026-01-13T02:41:07.875Z"
    assert view.node("node2").os_build == "20348.2113"
    assert view.roles[1].state is RoleState.PENDING
    job = view.storage_jobs[0]
    assert (job.name, job.volume, job.state) == ("Repair", "vol01", StorageJobState.RUNNING)
    assert (job.percent_complete, job.bytes_processed) == (65, 11477975040)
    assert view.virtual_disks[0].operational == (OperationalStatus.IN_SERVICE,)
    assert not view.storage_healthy


def test_single_objects_where_lists_were_expected() -> None:
    """Uncompressed 5.1 layout, lone objects for lists, a bare OperationalStatus and a Get-Date
    object parse as one-element lists."""
    view = parse_cluster_view(transcript("observe-single-node-unwrapped.json"), taken_at=0.0)
    assert [n.name for n in view.nodes] == ["edge01-n1"]
    assert view.nodes[0].boot_id == "2026-01-05T03:12:45.123Z"
    assert [r.name for r in view.roles] == ["vm-edge"]
    assert view.roles[0].memory_gb == 4.0
    assert view.virtual_disks[0].operational == (OperationalStatus.OK,)
    assert view.storage_jobs == ()
    assert view.witness.type is WitnessType.NONE
    assert not view.witness.online
    assert view.storage_healthy


def test_depth_truncated_value_is_refused() -> None:
    """A list collapsed to "System.Object[]" by -Depth is an error, not an empty list."""
    with pytest.raises(MalformedOutput, match="truncated"):
        parse_cluster_view(transcript("observe-depth-truncated.json"), taken_at=0.0)


def test_install_status_with_bom_and_mixed_results() -> None:
    """A BOM-prefixed status.json: per-update results, HRESULTs, 0x00000000 read as no error."""
    handle = WorkHandle(
        id="5f0c2a52-8a0e-4c1b-9a43-2f7e8b0d1c11", node="node2", kind=WorkKind.INSTALL
    )
    progress = parse_work_progress(transcript("poll-install-partly-failed.json"), handle)
    assert progress.handle is handle
    assert progress.state is WorkState.FAILED
    first, second = progress.results
    assert (first.id, first.result, first.hresult) == ("KB5031364", "Failed", "0x80240022")
    assert (second.result, second.hresult, second.restart_required) == ("Succeeded", "", True)
    assert progress.restart_required
    assert progress.exit_code is None


def test_scan_status_lists_offered_updates() -> None:
    """A finished scan lists the offered updates with restart and firmware flags."""
    handle = WorkHandle(id="x", node="node1", kind=WorkKind.SCAN)
    progress = parse_work_progress(transcript("poll-scan-offered.json"), handle)
    assert progress.state is WorkState.SUCCEEDED
    assert [u.id for u in progress.offered] == ["KB5031364", "6ad1b4a0-4f1e-4e31-a8a5-0c7a9c1b2d3e"]
    assert progress.offered[1].firmware
    assert progress.offered[1].kind == "driver"


def test_script_status_carries_exit_code_and_running_status_is_sparse() -> None:
    """A failed script reports its exit code; a fresh Running status has only the basics."""
    handle = WorkHandle(id="x", node="node3", kind=WorkKind.SCRIPT)
    failed = parse_work_progress(transcript("poll-script-failed.json"), handle)
    assert (failed.state, failed.exit_code) == (WorkState.FAILED, 3)
    running = parse_work_progress(transcript("poll-install-running.json"), handle)
    assert (running.state, running.results, running.offered) == (WorkState.RUNNING, (), ())


def test_work_handle() -> None:
    """start-work's answer is the handle to poll."""
    handle = parse_work_handle(transcript("start-work-handle.json"))
    assert handle == WorkHandle(
        id="5f0c2a52-8a0e-4c1b-9a43-2f7e8b0d1c11", node="node2", kind=WorkKind.INSTALL
    )


def test_suspend_refused_while_storage_degraded() -> None:
    """HRESULT 0x80071763 (Win32 5987) from Suspend-ClusterNode is StorageDegraded."""
    error = error_from_document(
        transcript("error-suspend-storage-degraded.json"),  # type: ignore[arg-type]
        script="suspend-node",
        node="node2",
        secret=None,
    )
    assert isinstance(error, StorageDegraded)
    assert error.code == 5987
    assert error.command == "Suspend-ClusterNode"
    assert "degraded condition" in error.detail
    assert "\n" not in error.detail


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("error-drain-failed.json", DrainFailed, 0),
        ("error-access-denied.json", RemoteCommandFailed, 5),
        ("error-wrong-node.json", RemoteCommandFailed, 0),
    ],
)
def test_error_documents_map_to_the_error_tree(name: str, kind: type, code: int) -> None:
    """Script error documents become the runner's errors, with their Win32 codes."""
    error = error_from_document(
        transcript(name),  # type: ignore[arg-type]
        script="suspend-node",
        node="node2",
        secret=None,
    )
    assert type(error) is kind
    assert isinstance(error, RemoteCommandFailed)
    assert error.code == code
    assert type(error)(*error.args).args == error.args  # rebuildable from args


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("/Date(1767582765123)/", "2026-01-05T03:12:45.123000+00:00"),
        ("/Date(1767582765123+0100)/", "2026-01-05T03:12:45.123000+00:00"),
        ("/Date(-1000)/", "1969-12-31T23:59:59+00:00"),
        ("2026-01-05T03:12:45Z", "2026-01-05T03:12:45+00:00"),
    ],
)
def test_powershell_dates(value: str, iso: str) -> None:
    """/Date(ms)/ with or without offset (ms are UTC) and ISO-8601 parse to UTC."""
    when = ps_datetime(value, "x")
    assert when is not None
    assert when.isoformat() == iso


def test_output_with_stray_text_before_the_document() -> None:
    """A warning line before the JSON does not hide the document; no JSON at all is an error."""
    assert load_document(b'WARNING: something\r\n{"Now":1.5}') == {"Now": 1.5}
    with pytest.raises(MalformedOutput):
        load_document(b"Access is denied.\r\n")
