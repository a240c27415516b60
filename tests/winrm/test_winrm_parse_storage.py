"""observe.ps1's storage maintenance mode, parsed: the nodes whose storage scale unit is In
Maintenance Mode, as a 5.1-shaped transcript and as the twin answers it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.safety import maintenance_risk
from runner.types import ClusterView
from runner.winrm.parse import parse_cluster_view
from runner.winrm.psjson import MalformedOutput, load_document
from simulator.twin.encode import observe_document
from simulator.twin.ps_output import dumps

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def transcript(name: str) -> Any:
    return load_document((TRANSCRIPTS / name).read_bytes())


def held(view: ClusterView) -> list[str]:
    return [n.name for n in view.nodes if n.storage_maintenance]


def test_the_paused_nodes_scale_unit_in_maintenance_mode_is_read() -> None:
    """node2 paused and drained on 21H2: its drives in maintenance mode, volumes Incomplete
    and Degraded — degradation the guard lets node2 restart through, and no other node."""
    view = parse_cluster_view(transcript("observe-node2-storage-maintenance.json"), taken_at=1.0)
    assert held(view) == ["node2"]
    assert maintenance_risk(view, "node2") is None
    assert maintenance_risk(view, "node3") == "volumes not Healthy/OK: vol01"


def test_a_lone_name_and_other_casing_are_read_too() -> None:
    """PowerShell may emit a one-element list as a scalar; names compare case-insensitively."""
    doc = json.loads(json.dumps(transcript("observe-node2-storage-maintenance.json")))
    doc["StorageMaintenance"] = "NODE2"
    assert held(parse_cluster_view(doc, taken_at=1.0)) == ["node2"]


def test_an_older_observe_answer_has_no_node_in_maintenance_mode() -> None:
    """Without the key (an older script, no S2D) no node is in maintenance mode."""
    view = parse_cluster_view(transcript("observe-resync-running.json"), taken_at=1.0)
    assert held(view) == []


@pytest.mark.parametrize("value", [[5], [None], [{"Name": "node2"}]])
def test_a_malformed_list_is_malformed_output(value: object) -> None:
    """Anything but node names is refused, naming the key."""
    doc = json.loads(json.dumps(transcript("observe-node2-storage-maintenance.json")))
    doc["StorageMaintenance"] = value
    with pytest.raises(MalformedOutput, match="StorageMaintenance"):
        parse_cluster_view(doc, taken_at=1.0)


def test_the_twin_answers_what_the_parser_reads() -> None:
    """The twin's observe document round-trips each node's maintenance mode."""
    view = parse_cluster_view(transcript("observe-node2-storage-maintenance.json"), taken_at=1.0)
    text = dumps(observe_document(view, boot_ms=lambda boot_id: 1_767_582_765_123))
    doc = load_document(text.encode("utf-8"))
    assert doc["StorageMaintenance"] == ["node2"]
    assert held(parse_cluster_view(doc, taken_at=1.0)) == ["node2"]
