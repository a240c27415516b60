"""The scenario's coordinator keys (issue 12): the self-updating role, its first owner, and
the coordinator faults; each mistake is one InputError naming the JSON path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError
from simulator.scenario import parse_scenario

BASE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml").read_text()
)


def _with(**keys: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(keys)
    return data


def test_the_role_defaults_to_the_first_listed_node() -> None:
    """coordinator: self-updating puts the role on the first node unless coordinator_node
    names one; the default is off-cluster with no owner."""
    assert parse_scenario(_with(coordinator="self-updating")).coordinator_node == "node1"
    chosen = parse_scenario(_with(coordinator="self-updating", coordinator_node="node3"))
    assert (chosen.coordinator, chosen.coordinator_node) == ("self-updating", "node3")
    plain = parse_scenario(BASE)
    assert (plain.coordinator, plain.coordinator_node) == ("off-cluster", None)


@pytest.mark.parametrize(
    ("keys", "path", "words"),
    [
        ({"coordinator": "on-a-node"}, "$.coordinator", "off-cluster"),
        ({"coordinator_node": "node2"}, "$.coordinator_node", "needs coordinator: self-updating"),
        (
            {"coordinator": "self-updating", "coordinator_node": "node9"},
            "$.coordinator_node",
            "names no node of this cluster",
        ),
        (
            {"coordinator": "self-updating", "profile": {"mode": "offline"}},
            "$.coordinator",
            "expected mode: rolling",
        ),
        (
            {"faults": [{"type": "coordinator-host-crash", "at_step": 5}]},
            "$.faults[0].type",
            "needs coordinator: self-updating",
        ),
        (
            {
                "faults": [
                    {"type": "agents-down", "at_step": 5, "minutes": 20},
                    {"type": "coordinator-crash", "at_step": 9},
                ]
            },
            "$.faults[1].type",
            "does not mix",
        ),
        ({"faults": [{"type": "agents-down", "at_step": 5}]}, "$.faults[0].minutes", "minutes"),
    ],
)
def test_bad_coordinator_input(keys: dict[str, Any], path: str, words: str) -> None:
    """Each mistake names its JSON path and what was expected."""
    with pytest.raises(InputError) as caught:
        parse_scenario(_with(**keys), "s.yaml")
    assert caught.value.path == path
    assert words in str(caught.value)
