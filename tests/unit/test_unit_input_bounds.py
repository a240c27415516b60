"""Hostile documents: recursive aliases, alias bombs, NaN/inf, devices and giant files are
one InputError naming the file and the JSON path, never a crash or a hang."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner import input_bounds
from runner.errors import InputError
from runner.input_bounds import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from runner.validation import load_profile, parse_document, profile_schema, read_document
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
DEFAULT = ROOT / "scenarios" / "four-node-rolling.yaml"


def error_of(path: Path, loader: Any = load_scenario) -> InputError:
    with pytest.raises(InputError) as caught:
        loader(path)
    assert caught.value.source == str(path)
    return caught.value


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ aliases, bombs, depth


@pytest.mark.parametrize("loader", [load_scenario, load_profile], ids=["scenario", "profile"])
def test_recursive_alias_is_refused_with_its_path(tmp_path: Path, loader: Any) -> None:
    """`a: &a [*a]` (a value containing an alias of itself) is refused where the alias is."""
    error = error_of(write(tmp_path, "a: &a [*a]\n"), loader)
    assert error.path == "$.a[0]"
    assert error.message.startswith("recursive YAML alias: the value anchored at line 1")


def test_recursive_alias_inside_a_mapping_names_the_nested_path(tmp_path: Path) -> None:
    """An anchored cluster block that lists itself as a node names `$.cluster.nodes[0]`."""
    text = "name: x\ncluster: &c\n  name: c\n  nodes: [*c]\n"
    error = error_of(write(tmp_path, text))
    assert (error.path, "line 2" in error.message) == ("$.cluster.nodes[0]", True)


def test_billion_laughs_is_refused_by_the_value_bound(tmp_path: Path) -> None:
    """Nine levels of ten aliases each (10^9 values from 600 bytes) exceed MAX_VALUES."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    error = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert error.path == "$"
    assert f"expands to more than {MAX_VALUES:,} values" in error.message


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    """Ordinary anchors and merge keys are still read: the bound counts, it does not forbid."""
    text = "base: &b {memory_gb: 16}\nvms: [{<<: *b, name: a}, {<<: *b, name: b}]\n"
    data = read_document(write(tmp_path, text)).data
    assert data["vms"] == [{"memory_gb": 16, "name": "a"}, {"memory_gb": 16, "name": "b"}]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """Lists nested deeper than MAX_DEPTH are refused before anything walks them."""
    depth = MAX_DEPTH + 5
    error = error_of(write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"))
    assert f"nested more than {MAX_DEPTH} levels deep" in error.message


def test_giant_integer_is_refused_with_its_path(tmp_path: Path) -> None:
    """An integer of 5,000 digits (beyond Python's int parsing limit) is an InputError."""
    error = error_of(write(tmp_path, "name: x\nseed: " + "7" * 5000 + "\n"))
    assert error.path == "$.seed"
    assert "an integer of 5,000 characters (line 2)" in error.message


# ------------------------------------------------------------------ non-finite numbers


def _numbers(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _numbers(value, (*path, i))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path


def _with(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(data)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def _json_path(path: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def test_nan_and_inf_are_refused_at_every_number_of_every_bundled_scenario() -> None:
    """Each number of each bundled scenario, replaced by .nan or .inf (in turn), is refused
    naming its JSON path and line (NaN passes every JSON Schema bound)."""
    spellings = ((float("nan"), ".nan"), (float("inf"), ".inf"))
    tried = 0
    for scenario in BUNDLED:
        data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
        for path in _numbers(data):
            value, spelled = spellings[tried % 2]
            text = yaml.safe_dump(_with(data, path, value), sort_keys=False)
            with pytest.raises(InputError) as caught:
                parse_document(text, scenario.name)
            assert caught.value.path == _json_path(path), (scenario.name, path)
            assert f"expected a finite number, got {spelled}" in caught.value.message
            assert "at line " in caught.value.message
            tried += 1
    assert tried > 100


def _number_options() -> list[str]:
    """Profile options whose schema type includes number or integer."""
    numeric = {"number", "integer"}
    options = []
    for name, spec in profile_schema()["properties"].items():
        types = spec.get("type", [])
        if numeric & ({types} if isinstance(types, str) else set(types)):
            options.append(name)
    return options


@pytest.mark.parametrize("spelled", [".nan", ".inf", "-.inf"])
def test_nan_and_inf_are_refused_in_every_number_of_a_profile(tmp_path: Path, spelled: str) -> None:
    """Every numeric profile option set to a non-finite value is refused (no "within nan
    min" plan, no report that cannot be written)."""
    options = _number_options()
    assert {"reboot_timeout_minutes", "max_failed_nodes"} <= set(options)
    for option in options:
        error = error_of(write(tmp_path, f"{option}: {spelled}\n"), load_profile)
        assert error.path == f"$.{option}"
        assert error.message.startswith(f"expected a finite number, got {spelled}")


def test_numbers_too_large_to_hold_are_refused_as_infinite(tmp_path: Path) -> None:
    """1e999 is read as infinity; it is refused like .inf, not run."""
    error = error_of(write(tmp_path, "reboot_timeout_minutes: 1e999\n"), load_profile)
    assert "got .inf (infinity, or a number too large to hold)" in error.message


# ------------------------------------------------------------------ exponent numbers


def test_exponent_numbers_are_numbers_and_meet_the_bound(tmp_path: Path) -> None:
    """`install_minutes: 1e300` is a number (as in JSON and YAML 1.2) refused by its upper
    bound, not "expected a number, got '1e300'"."""
    text = DEFAULT.read_text(encoding="utf-8").replace(
        "install_minutes: 20", "install_minutes: 1e300"
    )
    error = error_of(write(tmp_path, text))
    assert error.path == "$.updates[0].install_minutes"
    assert error.message.startswith("must be at most 10080, got 1e+300")


def test_json_profile_with_exponents_is_read_as_numbers(tmp_path: Path) -> None:
    """A JSON profile's 1e1 and 2.5E+1 are numbers (YAML 1.1 would read them as text)."""
    path = write(
        tmp_path, '{"reboot_timeout_minutes": 1e1, "drain_timeout_minutes": 2.5E+1}', "p.json"
    )
    profile = load_profile(path)
    assert (profile.reboot_timeout_minutes, profile.drain_timeout_minutes) == (10.0, 25.0)


# ------------------------------------------------------------------ files


def test_character_device_is_refused_before_reading() -> None:
    """`/dev/zero` never ends; it is refused from its file type, without reading."""
    error = error_of(Path("/dev/zero"))
    assert error.message == (
        "cannot read the file: it is a character device; expected a regular file"
    )


def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO would block the read forever; it is refused from its file type."""
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    assert "it is a named pipe (FIFO)" in error_of(fifo, load_profile).message


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    """A file of more than 4 MiB is refused from its size (a sparse file: nothing is read)."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    error = error_of(path)
    assert error.message == (
        "cannot read the file: pycau reads files of at most 4 MiB (4,194,304 bytes) and "
        f"this one has {MAX_FILE_BYTES + 1:,} bytes"
    )


def test_read_stops_past_the_cap_when_the_size_lies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A /proc file says size 0 but holds more: the read stops one byte past the cap."""
    status = Path("/proc/self/status")
    if not status.is_file():
        pytest.skip("no /proc on this system")
    assert status.stat().st_size == 0
    monkeypatch.setattr(input_bounds, "MAX_FILE_BYTES", 16)
    error = error_of(status, load_profile)
    assert error.message.endswith("(16 bytes) and this one has more than that")


def test_file_at_the_size_cap_is_read(tmp_path: Path) -> None:
    """Exactly 4 MiB is still read (a comment-only file is an empty document)."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES - 1) + b"\n")
    assert read_document(path).data is None


def test_largest_natural_scenario_is_well_within_the_bounds() -> None:
    """64 nodes with 8,000 VMs listed one by one (the schema's maxima) is read, and stays
    under a quarter of the size cap and a third of the value bound."""
    vms = [
        f"      - {{name: vm{i:04d}, owner: node{i % 64 + 1}, memory_gb: 16, movable: true}}"
        for i in range(8000)
    ]
    head = [
        "name: big",
        "cluster:",
        "  name: c",
        "  nodes: {count: 64}",
        "  workloads:",
        "    vms:",
    ]
    text = "\n".join(head + vms) + "\n"
    document = parse_document(text, "big.yaml")
    listed = document.data["cluster"]["workloads"]["vms"]
    assert len(listed) == 8000
    assert len(text.encode()) < MAX_FILE_BYTES / 4
    assert len(listed) * 9 < MAX_VALUES / 3  # a mapping, 4 keys and 4 values per VM
