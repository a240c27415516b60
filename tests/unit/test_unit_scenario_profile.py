"""The profile schema and loaders: CAU's option ranges, defaults, and one clear message."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from runner.errors import InputError
from runner.profile import Profile
from runner.types import FailbackMode
from runner.validation import load_profile, load_schema, parse_profile, profile_schema


def profile_error(data: Any) -> str:
    with pytest.raises(InputError) as caught:
        parse_profile(data, "p.yaml")
    return str(caught.value)


def test_schema_options_are_exactly_the_profile_fields() -> None:
    """Every Profile field has a schema entry and the schema allows nothing else."""
    schema = profile_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {f.name for f in fields(Profile)}


def test_empty_profile_takes_cau_defaults() -> None:
    """An empty (or null) profile is CAU's defaults."""
    assert parse_profile({}) == Profile()
    assert parse_profile(None) == Profile()
    resolved = Profile().resolved(tuple(f"node{i}" for i in range(1, 8)))
    assert resolved.max_failed_nodes == 2  # floor(7 / 3)
    assert (resolved.max_retries_per_node, resolved.reboot_timeout_minutes) == (3, 15)
    assert resolved.failback_mode is FailbackMode.IMMEDIATE


def test_full_profile_parses() -> None:
    """Every option in its documented form is accepted."""
    data = {
        "max_failed_nodes": 0,
        "max_retries_per_node": 64,
        "require_all_nodes_online": True,
        "node_order": ["n2", "n1"],
        "reboot_timeout_minutes": 60,
        "failback_mode": "policy",
        "pre_update_script": r"C:\ClusterStorage\Volume1\cau\pre.PS1",
        "post_update_script": r"\\fs01\cau$\post.ps1",
        "warn_after_minutes": 120,
        "stop_after_minutes": 240,
        "soft_reboot": True,
        "wait_for_storage_repair_timeout_minutes": 20,
        "drain_timeout_minutes": 10,
        "install_timeout_minutes": 90,
        "script_timeout_minutes": 5,
        "policy": "fast",
        "max_nodes_out": 1,
    }
    profile = parse_profile(data)
    assert profile.node_order == ("n2", "n1")
    assert profile.failback_mode is FailbackMode.POLICY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"max_retries_per_node": 0},
            "p.yaml at $.max_retries_per_node: must be at least 1, got 0",
        ),
        ({"max_failed_nodes": -1}, "p.yaml at $.max_failed_nodes: must be at least 0, got -1"),
        (
            {"failback_mode": "NoFailback"},
            "p.yaml at $.failback_mode: expected one of 'immediate', 'policy', 'none'; "
            "got 'NoFailback'",
        ),
        (
            {"policy": "fastest"},
            "p.yaml at $.policy: expected one of 'classic', 'fast'; got 'fastest' "
            "(did you mean 'fast'?)",
        ),
        (
            {"reboot_timeout_minutes": 0},
            "p.yaml at $.reboot_timeout_minutes: must be greater than 0, got 0",
        ),
        (
            {"post_update_script": "C:\\" + "x" * 255 + ".ps1"},
            "p.yaml at $.post_update_script: must be at most 260 characters long, got 262",
        ),
        (
            {"node_order": ["n1", "n1"]},
            "p.yaml at $.node_order: lists 'n1' more than once",
        ),
        (
            {"node_order": ["n1", "n\x002"]},
            "p.yaml at $.node_order[1]: expected a node name of 1 to 63 characters without "
            "control characters, got 'n\\x002'",
        ),
        (
            {"require_all_nodes_online": "yes please"},
            "p.yaml at $.require_all_nodes_online: expected true or false, got 'yes please'",
        ),
        (
            {"max_failed_node": 1},
            "p.yaml at $.max_failed_node: unknown key 'max_failed_node' (did you mean "
            "'max_failed_nodes'?); expected one of: max_failed_nodes, max_retries_per_node, "
            "require_all_nodes_online, node_order, reboot_timeout_minutes, failback_mode, "
            "pre_update_script, post_update_script, warn_after_minutes, stop_after_minutes, "
            "soft_reboot, wait_for_storage_repair_timeout_minutes, "
            "suspend_cluster_node_timeout_minutes, suspend_retries_per_node, "
            "force_pause_no_drain, force_pause_and_drain, force_pause_drain_and_reboot, "
            "skip_update_checks, site_aware_updating_order, attempt_soft_reboot, reboot_mode, "
            "enable_firewall_rules, drain_timeout_minutes, "
            "validate_cluster, validation_timeout_minutes, follow_up_quality_pass, "
            "update_functional_level, update_vm_version, max_vms_down, enable_credssp, "
            "install_timeout_minutes, script_timeout_minutes, policy, mode, max_nodes_out, "
            "memory_reserve_percent, "
            "plugin, plugin_arguments, run_plugins_serially, stop_on_plugin_failure, "
            "separate_reboots, "
            "schedule",
        ),
        (["a"], "p.yaml: expected a mapping, got a list"),
    ],
)
def test_bad_profile_option_gives_path_and_expectation(data: Any, message: str) -> None:
    """Each out-of-range or misspelt option is one exact message."""
    assert profile_error(data) == message


def test_load_profile_from_yaml_file_with_line(tmp_path: Path) -> None:
    """A profile file is read, validated and located by line."""
    path = tmp_path / "profile.yaml"
    path.write_text("max_failed_nodes: 1\nfailback_mode: sometimes\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_profile(path)
    assert str(caught.value) == (
        f"{path} at $.failback_mode: expected one of 'immediate', 'policy', 'none'; "
        "got 'sometimes' (line 2)"
    )
    path.write_text('{"max_failed_nodes": 1, "soft_reboot": true}', encoding="utf-8")
    assert load_profile(path) == Profile(max_failed_nodes=1, soft_reboot=True)


def _object_schemas(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            found.append((where, node))
        for key, value in node.items():
            found.extend(_object_schemas(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_object_schemas(value, f"{where}/{i}"))
    return found


def test_every_object_in_both_schemas_rejects_unknown_keys() -> None:
    """additionalProperties is set on every object schema (fault types close their branch)."""
    scenario = load_schema("simulator", "scenario.schema.json")
    open_objects = [
        where
        for schema in (scenario, profile_schema())
        for where, obj in _object_schemas(schema)
        if "additionalProperties" not in obj
        and not where.endswith("/if")  # if-conditions only test, they do not admit keys
    ]
    # The fault dispatcher admits any key; each type's branch then closes the object.
    assert open_objects == ["#/$defs/fault"]
    types = scenario["$defs"]["fault"]["properties"]["type"]["enum"]
    branches = [b["if"]["properties"]["type"]["const"] for b in scenario["$defs"]["fault"]["allOf"]]
    assert branches == types
