"""Every duration, rate and size of the scenario and profile schemas has an upper bound, and
the messages about VM placement say what is really wrong."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError
from runner.input_bounds import MAX_DEPTH, MAX_FILE_BYTES, MAX_INTEGER_CHARACTERS, MAX_VALUES
from runner.validation import load_schema, parse_profile, profile_schema
from simulator.scenario import parse_scenario

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"
BASE: dict[str, Any] = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
UNIT_SUFFIXES = ("_minutes", "_minute", "_seconds", "_mb_s", "_gb")


def _schemas() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("scenario", load_schema("simulator", "scenario.schema.json")),
        ("profile", profile_schema()),
    ]


def _subschemas(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _subschemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _subschemas(value, f"{path}/{i}")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` followed (its own keywords win)."""
    ref = node.get("$ref", "")
    if not ref.startswith("#/"):
        return node
    target: Any = schema
    for part in ref[2:].split("/"):
        target = target[part]
    return {**_resolve(schema, target), **{k: v for k, v in node.items() if k != "$ref"}}


@pytest.mark.parametrize(
    ("name", "schema"), _schemas(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_number_has_an_upper_bound(name: str, schema: dict[str, Any]) -> None:
    """Each number in the schema (durations, rates, sizes, factors) carries a maximum, so
    1e300 is refused with "must be at most …" instead of reaching the simulation."""
    unbounded = []
    for path, node in _subschemas(schema, name):
        types = node.get("type", [])
        types = [types] if isinstance(types, str) else types
        if "number" in types and "maximum" not in node and "exclusiveMaximum" not in node:
            unbounded.append(path)
    assert unbounded == []


@pytest.mark.parametrize(
    ("name", "schema"), _schemas(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_unit_carrying_key_has_an_upper_bound(name: str, schema: dict[str, Any]) -> None:
    """Keys named for a unit (_minutes, _seconds, _mb_s, _gb) are bounded, also via $ref."""
    found, unbounded = 0, []
    for path, node in _subschemas(schema, name):
        for key, spec in (node.get("properties") or {}).items():
            if key.endswith(UNIT_SUFFIXES) and isinstance(spec, dict):
                found += 1
                if "maximum" not in _resolve(schema, spec):
                    unbounded.append(f"{path}/{key}")
    assert found >= 7
    assert unbounded == []


@pytest.mark.parametrize(
    ("option", "limit"),
    [
        ("stop_after_minutes", 43200),
        ("warn_after_minutes", 43200),
        ("wait_for_storage_repair_timeout_minutes", 10080),
        ("drain_timeout_minutes", 1440),
        ("install_timeout_minutes", 1440),
        ("script_timeout_minutes", 1440),
        ("validation_timeout_minutes", 1440),
        ("reboot_timeout_minutes", 1440),
    ],
)
def test_profile_durations_refuse_values_past_their_documented_bound(
    option: str, limit: int
) -> None:
    """A profile duration past its bound is refused naming it; the description states it."""
    assert str(limit) in profile_schema()["properties"][option]["description"]
    parse_profile({option: limit})
    with pytest.raises(InputError) as caught:
        parse_profile({option: 1e300}, "p.yaml")
    assert str(caught.value) == f"p.yaml at $.{option}: must be at most {limit}, got 1e+300"


@pytest.mark.parametrize(
    ("where", "key", "limit"),
    [
        ("cluster", "migration_mb_s", 100000),
        ("cluster.storage", "repair_mb_s", 100000),
        ("cluster.storage.volumes", "size_gb", 4000000),
        ("cluster.storage.volumes", "write_mb_s", 100000),
    ],
)
def test_scenario_rates_and_sizes_refuse_values_past_their_bound(
    where: str, key: str, limit: int
) -> None:
    """Rates and sizes past their bound are refused at their JSON path."""
    data = copy.deepcopy(BASE)
    target = data
    for part in where.split("."):
        target = target[part]
    target[key] = 1e300
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    assert str(caught.value) == f"s.yaml at $.{where}.{key}: must be at most {limit}, got 1e+300"


def _vms(nodes: dict[str, Any], vms: dict[str, Any]) -> dict[str, Any]:
    return {"name": "x", "cluster": {"name": "c", "nodes": nodes, "workloads": {"vms": vms}}}


def test_vms_without_any_online_node_say_so_not_placement() -> None:
    """No `placement` and every node offline: the message names the offline nodes, not a
    placement the file does not have."""
    data = _vms({"count": 2, "offline": ["node1", "node2"]}, {"count": 4})
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    assert str(caught.value) == (
        "s.yaml at $.cluster.workloads.vms.count: 4 VMs need an online node to run on and "
        "every node is offline; expected count 0 or a node that is not offline"
    )


def test_vms_left_over_by_placement_name_the_online_nodes() -> None:
    """Every online node named in placement and VMs left over: the message lists them."""
    data = _vms({"count": 2, "offline": ["node2"]}, {"count": 4, "placement": {"node1": 1}})
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    assert str(caught.value) == (
        "s.yaml at $.cluster.workloads.vms.placement: 3 VMs are not placed and every online "
        "node (node1) is named in placement; expected placement to add up to count (4)"
    )


def test_readme_states_the_limits_the_code_enforces() -> None:
    """Every figure of README's "Input limits" is the one the code and schemas enforce."""
    readme = (DEFAULT.parents[1] / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme.split("### Input limits", 1)[1].split("\n## ", 1)[0].split())
    scenario = load_schema("simulator", "scenario.schema.json")["$defs"]
    profile = profile_schema()["properties"]
    figures = {
        f"at most {MAX_FILE_BYTES // 2**20} MiB": MAX_FILE_BYTES == 4 * 2**20,
        f"at most {MAX_VALUES:,} values": True,
        f"nest at most {MAX_DEPTH} levels": True,
        f"more than {MAX_INTEGER_CHARACTERS} characters": True,
        "(`_minutes`) are at most 10080": scenario["positive_minutes"]["maximum"] == 10080,
        "script times 1440": scenario["scripts"]["properties"]["pre_minutes"]["maximum"] == 1440,
        "at most 100000 MB/s": scenario["storage"]["properties"]["repair_mb_s"]["$ref"]
        == "#/$defs/drawn_rate"
        and scenario["drawn_rate"]["maximum"] == scenario["rate"]["maximum"] == 100000,
        "at most 4000000 GB": scenario["volume_settings"]["size_gb"]["maximum"] == 4000000,
        "at most 24576 GB": scenario["memory_gb"]["maximum"] == 24576,
        "at most 1440 minutes": all(
            profile[f"{name}_timeout_minutes"]["maximum"] == 1440
            for name in ("reboot", "drain", "install", "script", "validation")
        ),
        "10080 for `wait_for_storage_repair_timeout_minutes`": profile[
            "wait_for_storage_repair_timeout_minutes"
        ]["maximum"]
        == 10080,
        "43200 (30 days) for `warn_after_minutes`": profile["warn_after_minutes"]["maximum"]
        == profile["stop_after_minutes"]["maximum"]
        == 43200,
    }
    for text, enforced in figures.items():
        assert text in section, text
        assert enforced, text


@pytest.mark.parametrize(
    ("where", "key"), [("cluster", "migration_mb_s"), ("cluster.storage", "repair_mb_s")]
)
def test_throughputs_are_at_least_one_mb_per_second(where: str, key: str) -> None:
    """A migration or repair throughput below 1 MB/s is refused (it would stretch one
    migration or resync past any timeout the profile allows)."""
    data = copy.deepcopy(BASE)
    target = data
    for part in where.split("."):
        target = target[part]
    target[key] = 0.5
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    assert str(caught.value) == f"s.yaml at $.{where}.{key}: must be at least 1, got 0.5"
