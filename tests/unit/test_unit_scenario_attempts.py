"""A fault's `attempts`: any positive count, or `all` — every attempt the run makes fails."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError
from runner.rehearsal.compose import rehearse
from runner.rehearsal.shrink import fault_to_yaml
from simulator.scenario import parse_scenario

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"
BASE: dict[str, Any] = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def with_fault(fault: dict[str, Any], **profile: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["faults"] = [fault]
    data["profile"] = {**data.get("profile", {}), **profile}
    data.pop("expect", None)
    return data


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("install-failure", {}),
        ("drain-failure", {}),
        ("script-failure", {"script": "pre"}),
        ("resync-stall", {"minutes": 5}),
        ("update-rollback", {}),
    ],
)
def test_attempts_all_and_any_count_are_accepted(kind: str, extra: dict[str, Any]) -> None:
    """`attempts: all` resolves to every attempt; 99 (over the old cap of 64) is kept."""
    node = {} if kind == "resync-stall" else {"node": "node2"}
    profile = {"pre_update_script": "C:\\pre.ps1"} if kind == "script-failure" else {}
    every = parse_scenario(with_fault({"type": kind, **node, **extra, "attempts": "all"},
                                      **profile), "s.yaml").faults[0]  # fmt: skip
    assert every.attempts is None
    assert every.fails_attempt(1)
    assert every.fails_attempt(10**6)
    many = parse_scenario(with_fault({"type": kind, **node, **extra, "attempts": 99},
                                     **profile), "s.yaml").faults[0]  # fmt: skip
    assert many.attempts == 99
    assert many.fails_attempt(99)
    assert not many.fails_attempt(100)


@pytest.mark.parametrize("bad", [0, -1, "most", "ALL", 1.5, True])
def test_attempts_other_values_are_refused_naming_both_spellings(bad: Any) -> None:
    """Anything but a whole count ≥ 1 or "all" is bad input at the field's JSON path."""
    with pytest.raises(InputError) as caught:
        parse_scenario(
            with_fault({"type": "install-failure", "node": "node2", "attempts": bad}), "s.yaml"
        )
    message = str(caught.value)
    assert message.startswith("s.yaml at $.faults[0].attempts: expected the number of failing")
    assert 'or "all" for every attempt' in message


def test_attempts_all_fails_every_attempt_the_profile_allows() -> None:
    """An install failure on every attempt exhausts MaxRetriesPerNode (here 9): node2 fails
    after exactly 9 attempts and the others are updated."""
    data = with_fault(
        {"type": "install-failure", "node": "node2", "attempts": "all"},
        max_retries_per_node=9,
        max_failed_nodes=1,
    )
    report = rehearse(parse_scenario(data, "s.yaml")).to_dict()
    nodes = {node["name"]: node for node in report["nodes"]}
    assert (nodes["node2"]["status"], nodes["node2"]["attempts"]) == ("Failed", 9)
    assert all(n["status"] == "Succeeded" for name, n in nodes.items() if name != "node2")
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_reproducer_files_write_attempts_all_back() -> None:
    """A shrunk reproducer spells every-attempt faults `attempts: all`, which loads back."""
    spec = parse_scenario(with_fault({"type": "drain-failure", "node": "node3"}), "s.yaml")
    (fault,) = spec.faults
    assert fault.attempts is None  # drain-failure without attempts: every attempt
    entry = fault_to_yaml(fault)
    assert entry["attempts"] == "all"
    again = parse_scenario(with_fault(entry), "s.yaml").faults[0]
    assert again == fault
