"""observe.ps1's OS-version keys and a scan's preview-channel flag, parsed from 5.1-shaped
transcripts: node versions from their builds on Azure Stack HCI, the cluster's figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.types import WorkHandle, WorkKind
from runner.winrm.parse import parse_cluster_view, parse_work_progress
from runner.winrm.psjson import MalformedOutput, load_document

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def transcript(name: str) -> Any:
    return load_document((TRANSCRIPTS / name).read_bytes())


def test_mixed_mode_observation_names_each_nodes_version() -> None:
    """On Azure Stack HCI each node's version is its build's; the level and pool are read."""
    view = parse_cluster_view(transcript("observe-mixed-versions.json"), taken_at=1.0)
    assert [(n.name, n.version) for n in view.nodes] == [
        ("node1", "21H2"), ("node2", "20H2"), ("node3", "20H2"),
    ]  # fmt: skip
    assert (view.functional_level, view.storage_pool_version) == (11, 11)


def test_windows_server_nodes_have_no_version_name() -> None:
    """A Windows Server product (build 20348 = WS2022 as well) names no HCI version."""
    doc = transcript("observe-mixed-versions.json")
    doc["ProductName"] = "Windows Server 2022 Datacenter"
    view = parse_cluster_view(doc, taken_at=1.0)
    assert {n.version for n in view.nodes} == {""}


def test_an_older_observe_answer_leaves_versions_unknown() -> None:
    """Without the keys (a script of an older pycau) nothing is invented."""
    view = parse_cluster_view(transcript("observe-healthy-4node.json"), taken_at=1.0)
    assert {n.version for n in view.nodes} == {""}
    assert (view.functional_level, view.storage_pool_version) == (0, 0)


@pytest.mark.parametrize(
    ("key", "value"),
    [("ClusterFunctionalLevel", "11"), ("StoragePoolVersion", -1), ("ProductName", 5)],
)
def test_malformed_version_keys_are_malformed_output(key: str, value: object) -> None:
    """A figure that is not a whole number, or a product that is not text, is refused."""
    doc = json.loads(json.dumps(transcript("observe-mixed-versions.json")))
    doc[key] = value
    with pytest.raises(MalformedOutput, match=key):
        parse_cluster_view(doc, taken_at=1.0)


def test_scan_reports_a_preview_channel_awaiting_its_restart() -> None:
    """ChannelRestartPending of a scan's status reaches WorkProgress; absent means False."""
    handle = WorkHandle(id="5b2d7c40-2222-4c1d-9e0f-1a2b3c4d5e6f", node="node2", kind=WorkKind.SCAN)
    progress = parse_work_progress(transcript("poll-scan-channel-restart.json"), handle)
    assert progress.channel_restart_pending
    assert progress.offered == ()
    plain = parse_work_progress(transcript("poll-scan-offered.json"), handle)
    assert not plain.channel_restart_pending
