"""Scenario files: the schema branches and resolution of the issue-3 fault types."""

from __future__ import annotations

from typing import Any

import pytest

from runner.errors import InputError
from simulator.model import FaultSpec
from simulator.scenario import parse_scenario


def doc(*faults: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "catalog",
        "cluster": {
            "name": "hci01",
            "witness": "cloud",
            "nodes": {"count": 4},
            "storage": {"volumes": {"count": 2, "resiliency": "two-way-mirror"}},
        },
        "updates": [{"id": "KB1"}],
        "faults": list(faults),
    }


def one(fault: dict[str, Any]) -> FaultSpec:
    return parse_scenario(doc(fault), source="s.yaml").faults[0]


def test_timed_faults_resolve_at_minute_and_minutes() -> None:
    """management-disconnect and witness-offline keep at_minute and params.minutes."""
    for kind in ("management-disconnect", "witness-offline"):
        spec = one({"type": kind, "at_minute": 5, "minutes": 15})
        assert (spec.type, spec.at_minute, dict(spec.params)) == (kind, 5, {"minutes": 15})


def test_resync_stall_resolves_volume_minutes_attempts() -> None:
    """resync-stall carries volume and minutes in params, attempts default 1."""
    spec = one({"type": "resync-stall", "volume": "vol02", "minutes": 40})
    assert (dict(spec.params), spec.attempts) == ({"volume": "vol02", "minutes": 40}, 1)
    spec = one({"type": "resync-stall", "minutes": 5, "attempts": 3})
    assert (dict(spec.params), spec.attempts) == ({"minutes": 5}, 3)


def test_slow_migration_update_rollback_disk_failure() -> None:
    """factor, node + update, node + at_minute land where the simulator reads them."""
    assert dict(one({"type": "slow-migration", "factor": 8}).params) == {"factor": 8}
    rollback = one({"type": "update-rollback", "node": "node2", "update": "KB1"})
    assert (rollback.node, dict(rollback.params), rollback.attempts) == (
        "node2",
        {"update": "KB1"},
        1,
    )
    disk = one({"type": "disk-failure", "node": "node3", "at_minute": 25})
    assert (disk.node, disk.at_minute) == ("node3", 25)


@pytest.mark.parametrize(
    ("fault", "path"),
    [
        ({"type": "management-disconnect", "at_minute": 5}, "$.faults[0].minutes"),
        (
            {"type": "witness-offline", "minutes": 5, "at_minute": 1, "node": "node1"},
            "$.faults[0].node",
        ),
        ({"type": "slow-migration", "factor": 0}, "$.faults[0].factor"),
        ({"type": "resync-stall", "volume": "vol09", "minutes": 5}, "$.faults[0].volume"),
        ({"type": "update-rollback", "node": "node2", "update": "KB9"}, "$.faults[0].update"),
        ({"type": "disk-failure", "node": "node3"}, "$.faults[0].at_minute"),
        ({"type": "disk-failure", "node": "node9", "at_minute": 1}, "$.faults[0].node"),
    ],
)
def test_bad_fault_fields_name_their_path(fault: dict[str, Any], path: str) -> None:
    """A missing, extra or unknown field of a new fault type is InputError at its path."""
    with pytest.raises(InputError) as caught:
        parse_scenario(doc(fault), source="s.yaml")
    assert caught.value.path == path, caught.value
