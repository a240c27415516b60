"""Bad scenario input: one InputError naming the file, the JSON path and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError
from simulator.scenario import load_scenario, parse_scenario

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"
BASE: dict[str, Any] = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
NODES = "expected a node of this cluster (node1, node2, node3, node4)"


def error_of(data: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    return caught.value


def changed(path: str, value: Any, **more: Any) -> dict[str, Any]:
    """BASE with values at dotted paths replaced (list indices as numbers; ``more`` spells
    the dots as double underscores)."""
    data = copy.deepcopy(BASE)
    for dotted, new in [(path, value), *((k.replace("__", "."), v) for k, v in more.items())]:
        *parents, last = dotted.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
        target[last] = new
    return data


def faults(*items: dict[str, Any]) -> dict[str, Any]:
    return changed("faults", list(items))


# (case id, scenario, expected str(InputError)) — the exact message a user sees after "error:".
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "unknown-key",
        changed("cluster.nodez", 3),
        "s.yaml at $.cluster.nodez: unknown key 'nodez' (did you mean 'nodes'?); expected one "
        "of: name, witness, nodes, storage, workloads, migration_mb_s, max_parallel_migrations, "
        "version, functional_level, sites, fault_domains, cau_enable_soft_reboot",
    ),
    (
        "unknown-top-level-key",
        changed("faultz", []),
        "s.yaml at $.faultz: unknown key 'faultz' (did you mean 'faults'?); expected one of: "
        "name, description, seed, cluster, updates, faults, scripts, hotfix_share, "
        "known_issues, variability, profile, expect, coordinator, coordinator_node",
    ),
    (
        "wrong-type",
        changed("cluster.nodes.count", "four"),
        "s.yaml at $.cluster.nodes.count: expected an integer, got 'four'",
    ),
    (
        "string-wanted",
        changed("cluster.nodes.os_build", 20348.2031),
        "s.yaml at $.cluster.nodes.os_build: expected a string, got 20348.2031 (quote it)",
    ),
    (
        "bad-enum",
        changed("cluster.witness", "azure"),
        "s.yaml at $.cluster.witness: expected one of 'none', 'cloud', 'file-share', 'disk'; "
        "got 'azure'",
    ),
    (
        "bad-enum-hint",
        changed("profile.failback_mode", "Immediate"),
        "s.yaml at $.profile.failback_mode: expected one of 'immediate', 'policy', 'none'; "
        "got 'Immediate' (did you mean 'immediate'?)",
    ),
    (
        "fault-missing-node",
        faults({"type": "boot-hang", "node": "node1"}, {"type": "install-failure"}),
        "s.yaml at $.faults[1].node: missing required key 'node' for type 'install-failure'",
    ),
    (
        "fault-unknown-type",
        faults({"type": "crash", "node": "node1"}),
        "s.yaml at $.faults[0].type: expected one of 'install-failure', 'boot-hang', "
        "'drain-failure', 'node-crash', 'script-failure', 'management-disconnect', "
        "'resync-stall', 'witness-offline', 'slow-migration', 'update-rollback', "
        "'disk-failure', 'coordinator-crash', 'stop-request', 'coordinator-host-crash', "
        "'agents-down'; got 'crash' "
        "(did you mean 'node-crash'?)",
    ),
    (
        "fault-field-of-another-type",
        faults({"type": "boot-hang", "node": "node1", "attempts": 2}),
        "s.yaml at $.faults[0].attempts: unknown key 'attempts'; expected one of: type, node",
    ),
    (
        "fault-unknown-node",
        faults({"type": "install-failure", "node": "node9"}),
        f"s.yaml at $.faults[0].node: unknown node 'node9'; {NODES}",
    ),
    (
        "bad-hresult",
        faults({"type": "install-failure", "node": "node1", "hresult": "80240022"}),
        "s.yaml at $.faults[0].hresult: expected a HRESULT: 0x and eight hex digits, "
        "e.g. \"0x80240022\", got '80240022'",
    ),
    (
        "node-crash-needs-time",
        faults({"type": "node-crash", "node": "node1"}),
        "s.yaml at $.faults[0].at_minute: missing required key 'at_minute' for type 'node-crash'",
    ),
    (
        "script-failure-without-script",
        faults({"type": "script-failure", "node": "node1", "script": "pre"}),
        "s.yaml at $.faults[0].script: the profile sets no pre_update_script, so no pre script "
        "runs; expected profile.pre_update_script to be set",
    ),
    (
        "nul-in-node-name",
        changed("cluster.nodes", {"names": ["node1", "no\x00de2"]}),
        "s.yaml at $.cluster.nodes.names[1]: expected a node name of 1 to 63 characters "
        "without control characters, got 'no\\x00de2'",
    ),
    (
        "newline-in-node-name",
        changed("cluster.nodes", [{"name": "a\nb"}]),
        "s.yaml at $.cluster.nodes[0].name: expected a node name of 1 to 63 characters "
        "without control characters, got 'a\\nb'",
    ),
    (
        "count-and-names",
        changed("cluster.nodes", {"count": 2, "names": ["a", "b"]}),
        "s.yaml at $.cluster.nodes: expected exactly one of `count` (nodes named node1..nodeN) "
        "or `names`",
    ),
    (
        "duplicate-node-case-insensitive",
        changed("cluster.nodes", {"names": ["HV1", "hv1"]}),
        "s.yaml at $.cluster.nodes.names[1]: node 'hv1' is listed twice (as 'HV1')",
    ),
    (
        "too-many-nodes",
        changed("cluster.nodes.count", 65),
        "s.yaml at $.cluster.nodes.count: must be at most 64, got 65",
    ),
    (
        "s2d-over-16-nodes",
        changed("cluster.nodes.count", 17),
        "s.yaml at $.cluster.storage: Storage Spaces Direct supports at most 16 nodes, this "
        "cluster has 17; omit storage for a SAN-backed cluster",
    ),
    (
        "disk-witness-with-s2d",
        changed("cluster.witness", "disk"),
        "s.yaml at $.cluster.witness: a disk witness is not supported with S2D; expected cloud, "
        "file-share or none",
    ),
    (
        "resiliency-needs-nodes",
        changed("cluster.storage.volumes.resiliency", "three-way-mirror", cluster__nodes__count=2),
        "s.yaml at $.cluster.storage.volumes.resiliency: three-way-mirror needs at least 3 "
        "nodes, the cluster has 2",
    ),
    (
        "memory-does-not-fit",
        changed("cluster.workloads.vms.memory_gb", 80),
        "s.yaml at $.cluster.workloads.vms: the VMs on node1 need 480 GB but it has 384 GB "
        "(memory_gb); expected them to fit",
    ),
    (
        "placement-unknown-node",
        changed("cluster.workloads.vms.placement", {"node7": 2}),
        f"s.yaml at $.cluster.workloads.vms.placement.node7: unknown node 'node7'; {NODES}",
    ),
    (
        "placement-exceeds-count",
        changed("cluster.workloads.vms.placement", {"node1": 20, "node2": 20}),
        "s.yaml at $.cluster.workloads.vms.placement: places 40 VMs but count is 24",
    ),
    (
        "unmovable-unknown-vm",
        changed("cluster.workloads.vms.unmovable", ["vm99"]),
        "s.yaml at $.cluster.workloads.vms.unmovable[0]: unknown VM 'vm99'; expected one of "
        "vm01..vm24",
    ),
    (
        "after-unknown-update",
        changed("updates.1.after", "KB1"),
        "s.yaml at $.updates[1].after: unknown update 'KB1'; expected an update of this "
        "scenario (KB5031364, KB5031005)",
    ),
    (
        "fault-unknown-update",
        faults({"type": "install-failure", "node": "node1", "update": "KB2"}),
        "s.yaml at $.faults[0].update: unknown update 'KB2'; expected an update of this "
        "scenario (KB5031364, KB5031005)",
    ),
    (
        "after-cycle",
        changed("updates.0.after", "KB5031005"),
        "s.yaml at $.updates[0].after: 'after' forms a cycle: KB5031364 -> KB5031005 -> KB5031364",
    ),
    (
        "profile-node-order-unknown",
        changed("profile.node_order", ["node2", "node5"]),
        f"s.yaml at $.profile.node_order[1]: unknown node 'node5'; {NODES}",
    ),
    (
        "profile-retries-range",
        changed("profile.max_retries_per_node", 65),
        "s.yaml at $.profile.max_retries_per_node: must be at most 64, got 65",
    ),
    (
        "profile-max-failed-range",
        changed("profile.max_failed_nodes", 4),
        "s.yaml at $.profile.max_failed_nodes: must be between 0 and 3",
    ),
    (
        "profile-warn-after-stop",
        changed("profile", {"warn_after_minutes": 90, "stop_after_minutes": 60}),
        "s.yaml at $.profile.warn_after_minutes: must be less than stop_after_minutes",
    ),
    (
        "profile-script-extension",
        changed("profile.pre_update_script", r"C:\cau\pre.bat"),
        "s.yaml at $.profile.pre_update_script: expected a PowerShell script path ending in "
        ".ps1, at most 260 characters, without control characters, got 'C:\\cau\\pre.bat'",
    ),
    (
        "expect-bad-status",
        changed("expect.status", "Success"),
        "s.yaml at $.expect.status: expected one of Succeeded, PartiallyFailed, Failed, "
        "Canceled (or null: not checked), got 'Success'",
    ),
    (
        "expect-unknown-node",
        changed("expect.nodes", {"node7": "Failed"}),
        f"s.yaml at $.expect.nodes.node7: unknown node 'node7'; {NODES}",
    ),
    (
        "expect-succeeded-with-error-id",
        changed("expect.error_id", "QuorumAtRisk"),
        "s.yaml at $.expect.error_id: a Succeeded run has no error_id; expected null or a "
        "failed status",
    ),
    (
        "wrong-container",
        changed("cluster.nodes", 4),
        "s.yaml at $.cluster.nodes: expected a mapping or a list, got 4",
    ),
    (
        "missing-cluster",
        {"name": "x"},
        "s.yaml at $.cluster: missing required key 'cluster'",
    ),
]


@pytest.mark.parametrize(("data", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_names_path_and_expectation(data: dict[str, Any], message: str) -> None:
    """Each class of mistake gives one exact, readable message with its JSON path."""
    assert str(error_of(data)) == message


def test_messages_never_dump_the_schema() -> None:
    """No message carries schema internals (str(ValidationError) would)."""
    for _, data, _ in CASES:
        text = str(error_of(data))
        assert "$defs" not in text
        assert "'type':" not in text
        assert "\n" not in text


def test_other_problems_are_counted_not_listed() -> None:
    """With several mistakes the first is explained and the rest counted."""
    data = changed("cluster.witness", "azure")
    data["seed"] = -1
    assert str(error_of(data)).endswith("; 1 more problem in this file")


def test_empty_document_and_non_mapping() -> None:
    """An empty file or a list at the top level says a mapping was expected."""
    assert str(error_of(None)) == (
        "s.yaml: the scenario is empty; expected a mapping with name and cluster"
    )
    assert str(error_of(["a"])) == "s.yaml: expected a mapping, got a list"


HEAD = "name: x\ncluster:\n  name: c\n  nodes: {count: 2}\n"  # lines 1-4


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    return str(caught.value)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error is an InputError with line and column, not a traceback."""
    path = write(tmp_path, "name: x\ncluster:\n  name: c\n  nodes: {count: 2\n")
    assert load_error(path) == (
        f"{path}: YAML syntax error at line 5, column 1: did not find expected ',' or '}}'"
    )


def test_yaml_tab_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    """Tabs are not YAML indentation; the message points at the line."""
    assert "YAML syntax error at line 2" in load_error(write(tmp_path, "name: x\n\tcluster: {}\n"))


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    """PyYAML would keep the last of two equal keys silently; we refuse."""
    path = write(
        tmp_path, "name: x\ncluster:\n  name: c\n  nodes: {count: 2}\n  nodes: {count: 3}\n"
    )
    assert load_error(path) == (
        f"{path} at $.cluster.nodes: duplicate key 'nodes' at line 5 (first written at line 4)"
    )


def test_schema_errors_from_a_file_carry_the_line(tmp_path: Path) -> None:
    """Loading from a file adds the line the offending key was written on."""
    text = HEAD + "faults:\n  - type: install-failure\n    hresult: 0x80240022\n"
    assert load_error(write(tmp_path, text)) == (
        f"{tmp_path / 'bad.yaml'} at $.faults[0].node: missing required "
        "key 'node' for type 'install-failure' (line 6)"
    )


def test_cross_check_errors_from_a_file_carry_the_line(tmp_path: Path) -> None:
    """Checks beyond the schema also name the line."""
    text = HEAD + "faults:\n  - {type: boot-hang, node: node3}\n"
    path = write(tmp_path, text)
    assert load_error(path) == (
        f"{path} at $.faults[0].node: unknown node 'node3'; expected a node of this cluster "
        "(node1, node2) (line 6)"
    )


def test_non_text_key_is_refused(tmp_path: Path) -> None:
    """YAML reads `on:` as true; a key must be text."""
    text = "name: x\ncluster:\n  name: c\n  nodes: {count: 2}\nexpect:\n  nodes: {on: Failed}\n"
    assert load_error(write(tmp_path, text)) == (
        f'{tmp_path / "bad.yaml"} at $.expect.nodes: key true must be text; quote it ("True")'
    )


def test_missing_file(tmp_path: Path) -> None:
    """A file that does not exist is an InputError naming it."""
    path = tmp_path / "nope.yaml"
    assert load_error(path) == f"{path}: cannot read the file: it does not exist"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    """A directory is not a scenario file."""
    assert load_error(tmp_path) == f"{tmp_path}: cannot read the file: it is a directory"


def test_binary_file(tmp_path: Path) -> None:
    """A file that is not UTF-8 text is refused before YAML sees it."""
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    assert load_error(path).startswith(f"{path}: cannot read the file: not UTF-8 text")


def test_multiple_documents_are_refused(tmp_path: Path) -> None:
    """A scenario file holds one YAML document."""
    path = write(tmp_path, "name: a\n---\nname: b\n")
    assert load_error(path) == (
        f"{path}: YAML syntax error at line 2, column 1: expected a single document in the "
        "stream, but found another document"
    )
