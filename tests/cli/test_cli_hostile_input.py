"""Hostile input through the command line: exit 2, one `error:` sentence naming the file,
no traceback, nothing written and nothing run — for simulate, sweep, twin, run and resume."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from runner.rehearsal.compose import default_scenario_path

ENV = {"PYCAU_USERNAME": "admin", "PYCAU_PASSWORD": "not-used-here-1"}
# Nothing listens on port 1: a command that connected before refusing would exit 3.
NOWHERE = ["--cluster", "127.0.0.1:1", "--insecure-http"]

HOSTILE_YAML = {
    "recursive-alias": "a: &a [*a]\n",
    "recursive-cluster": "name: x\ncluster: &c\n  name: c\n  nodes: [*c]\n",
    "billion-laughs": "\n".join(
        ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    )
    + "\n",
    "nan": default_scenario_path()
    .read_text(encoding="utf-8")
    .replace("install_minutes: 20", "install_minutes: .nan"),
    "inf": default_scenario_path()
    .read_text(encoding="utf-8")
    .replace("boot_minutes: 8", "boot_minutes: .inf"),
}


def _assert_refused(result: Result, *fragments: str) -> str:
    """Exit 2, nothing on stdout (nothing ran), one `error:` line with ``fragments``."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV)


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
@pytest.mark.parametrize("command", ["simulate", "sweep", "twin"])
def test_hostile_scenario_is_refused_by_every_command_reading_one(
    tmp_path: Path, case: str, command: str
) -> None:
    """Recursive aliases, alias bombs and NaN/inf scenarios are exit 2 for simulate, sweep
    and twin, and no report or reproducer is written."""
    path = tmp_path / "s.yaml"
    path.write_text(HOSTILE_YAML[case], encoding="utf-8")
    extra = {
        "simulate": ["--report", str(tmp_path / "r.json")],
        "sweep": ["--seeds", "2", "--report", str(tmp_path / "r.json"),
                  "--reproducers", str(tmp_path / "repro")],
        "twin": ["--port", "0"],
    }[command]  # fmt: skip
    _assert_refused(_invoke(command, str(path), *extra), str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_nan_scenario_names_the_json_path_and_line(tmp_path: Path) -> None:
    """NaN in a scenario is refused naming `$.updates[0].install_minutes` and its line."""
    path = tmp_path / "s.yaml"
    path.write_text(HOSTILE_YAML["nan"], encoding="utf-8")
    _assert_refused(
        _invoke("simulate", str(path)),
        "at $.updates[0].install_minutes: expected a finite number, got .nan",
        "at line 22",
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_device_as_scenario_is_refused_before_reading(device: str) -> None:
    """`pycau simulate /dev/zero` is refused from the file type, at once."""
    _assert_refused(_invoke("simulate", device), device, "it is a character device")


def test_file_over_the_cap_is_refused_naming_the_cap(tmp_path: Path) -> None:
    """A scenario of more than 4 MiB is refused naming the 4 MiB cap."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    _assert_refused(_invoke("simulate", str(path)), "at most 4 MiB (4,194,304 bytes)")


def test_device_as_pem_file_is_refused_before_connecting() -> None:
    """`--ca-cert /dev/zero` is refused while the options are parsed (never connects)."""
    result = _invoke("scan", *NOWHERE, "--ca-cert", "/dev/zero")
    _assert_refused(result, "/dev/zero", "it is a character device")


# ------------------------------------------------------------------------ report targets


def _read_only_file(tmp_path: Path) -> Path:
    path = tmp_path / "ro.json"
    path.write_text("keep me\n", encoding="utf-8")
    path.chmod(0o444)
    return path


def _read_only_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "ro-dir"
    directory.mkdir()
    directory.chmod(0o555)
    return directory / "r.json"


TARGETS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing-directory": (lambda tmp: tmp / "missing" / "r.json", "does not exist"),
    "parent-is-a-file": (lambda tmp: _read_only_file(tmp) / "r.json", "is not a directory"),
    "read-only-file": (_read_only_file, "the file is read-only"),
    "read-only-directory": (_read_only_directory, "is not writable"),
    "character-device": (lambda tmp: Path("/dev/null"), "it is a character device"),
    "proc-file": (lambda tmp: Path("/proc/version"), "the file is read-only"),
}


def _report_args(command: str, target: Path) -> list[str]:
    scenario = str(default_scenario_path())
    return {
        "simulate": ["simulate", scenario],
        "sweep": ["sweep", scenario, "--seeds", "1"],
        "run": ["run", *NOWHERE, "--yes"],
        "resume": ["resume", "some-run", *NOWHERE, "--yes"],
    }[command] + ["--report", str(target)]


@pytest.mark.parametrize("case", sorted(TARGETS))
@pytest.mark.parametrize("command", ["simulate", "sweep", "run", "resume"])
def test_unwritable_report_target_is_refused_before_anything_runs(
    tmp_path: Path, case: str, command: str
) -> None:
    """A report path that cannot be written is exit 2 before the run starts — before the
    scenario is simulated or the cluster contacted (which would be exit 3 here) — and the
    existing file is left as it was."""
    make, fragment = TARGETS[case]
    if case == "proc-file" and not Path("/proc/version").is_file():
        pytest.skip("no /proc on this system")
    target = make(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    try:
        _assert_refused(
            _invoke(*_report_args(command, target)), "cannot write the report", fragment
        )
    finally:
        for path in tmp_path.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    if case == "read-only-file":
        assert target.read_text(encoding="utf-8") == "keep me\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_report_probe_leaves_no_file_behind(tmp_path: Path) -> None:
    """Checking a writable target (a temporary file, removed at once) leaves only the report."""
    out = tmp_path / "r.json"
    result = _invoke("simulate", "-q", str(default_scenario_path()), "--report", str(out))
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == ["r.json"]


def test_unwritable_reproducer_directory_is_refused_before_the_sweep(tmp_path: Path) -> None:
    """`sweep --reproducers` under a read-only directory is exit 2 before any seed runs."""
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = _invoke(
            "sweep", str(default_scenario_path()), "--seeds", "1",
            "--reproducers", str(parent / "repro"),
        )  # fmt: skip
    finally:
        parent.chmod(0o755)
    _assert_refused(result, "cannot write reproducers", "is not writable")
    assert list(parent.iterdir()) == []
