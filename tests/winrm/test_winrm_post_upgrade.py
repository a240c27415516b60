"""`pycau post-upgrade` and `pycau run`'s irreversible step against the twin over real WinRM
(loopback): the steps' scripts, the report, the mixed-mode refusal, the plan and the second
confirmation."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from simulator.bundled import resolve_scenario
from simulator.scenario import load_scenario
from simulator.twin import Account

ENV = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
MAIN = "from runner.cli import main; main()"


@pytest.fixture
def twin_of() -> Iterator[Callable[[str], TwinServer]]:
    """Start the twin of a bundled scenario by NAME (stopped after the test)."""
    servers: list[TwinServer] = []

    def make(name: str) -> TwinServer:
        scenario = load_scenario(resolve_scenario(name))
        account = Account(username=USERNAME, password=PASSWORD)
        server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def pycau(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV, catch_exceptions=False)


def at(twin: TwinServer) -> list[str]:
    return ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]


def test_post_upgrade_runs_every_step_on_an_upgraded_cluster(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """No step flag: all four. The level and the pool rise (11 → 12), every VM goes 9.2 →
    10.0 one at a time, Test-Cluster passes; no node is updated; exit 0."""
    twin = twin_of("post-upgrade-only")
    out = tmp_path / "r.json"
    result = pycau("post-upgrade", *at(twin), "--yes", "--quiet", "--report", str(out))
    assert result.exit_code == 0, result.output
    assert "IRREVERSIBLE" in result.stdout
    report = json.loads(out.read_text())
    assert (report["status"], report["nodes"]) == ("Succeeded", [])
    assert report["events"][-1]["detail"] == "post-installation steps done"
    section = report["cluster_versions"]
    assert [(s["step"], s["result"]) for s in section["post_steps"]] == [
        ("functional-level", "done"),
        ("storage-pool", "done"),
        ("vm-version", "done"),
        ("validation", "passed"),
    ]
    assert section["functional_level"] == {"before": 11, "after": 12}
    assert {v["after"] for v in section["vm_config_versions"]} == {"10.0"}
    assert section["rollback_possible"] is False
    scripts = twin.answers.scripts
    assert scripts["update-functional-level"] == 1
    assert scripts["update-storage-pool"] == 1
    assert scripts["vm-version"] == 3 * 8  # stop, update, start of each VM
    assert "start-work" in scripts  # Test-Cluster's detached work, and no scan or install
    assert "lock-create" in scripts


def test_post_upgrade_with_only_vm_versions_touches_no_level(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """--vm-version alone: the 20H2 functional level allows nothing newer than 9.2, so no VM
    is stopped and the level stays (rollback still possible)."""
    twin = twin_of("post-upgrade-only")
    out = tmp_path / "r.json"
    result = pycau("post-upgrade", *at(twin), "--vm-version", "--yes", "-q", "--report", str(out))
    assert result.exit_code == 0, result.output
    section = json.loads(out.read_text())["cluster_versions"]
    assert [(s["step"], s["result"]) for s in section["post_steps"]] == [
        ("vm-version", "unchanged")
    ]
    assert section["rollback_possible"] is True
    assert "vm-version" not in twin.answers.scripts


def test_post_upgrade_on_mixed_versions_is_refused_before_the_lock(
    twin_of: Callable[[str], TwinServer],
) -> None:
    """node3 at 21H2, the others at 20H2: exit 3, one sentence naming the nodes behind;
    nothing was changed and the run lock was never taken."""
    twin = twin_of("feature-update-partly-upgraded")
    result = pycau("post-upgrade", *at(twin), "--functional-level", "--yes")
    assert result.exit_code == 3, result.output
    assert result.stderr.strip().splitlines() == [
        "error: post-upgrade refused: node1, node2, node4 still run 20H2 while other nodes "
        "run 21H2: the cluster is in mixed mode and its functional level can only be raised "
        "once every node runs the new version; nothing was changed"
    ]
    assert set(twin.answers.scripts) <= {"probe", "observe"}


def test_run_plan_says_the_functional_level_is_irreversible(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """`pycau run --what-if` with update_functional_level and update_vm_version: the plan says
    the level and the pool cannot be undone, and how many VMs may be off at once."""
    twin = twin_of("feature-update-21h2")
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "plugin: rolling-upgrade\nupdate_functional_level: true\nupdate_vm_version: true\n"
    )
    result = pycau("run", *at(twin), "--what-if", "--profile", str(profile))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Update-ClusterFunctionalLevel, then Update-StoragePool — IRREVERSIBLE" in text
    assert "at most 1 VM(s) off at once" in text


def test_run_asks_again_for_the_irreversible_step(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """On a terminal: "y" to the run, "n" to raising the functional level — the run does not
    start (exit 1) and the cluster saw only the probe and the observation."""
    twin = twin_of("feature-update-21h2")
    profile = tmp_path / "p.yaml"
    profile.write_text("plugin: rolling-upgrade\nupdate_functional_level: true\n")
    controller, terminal = pty.openpty()
    os.write(controller, b"y\nn\n")
    process = subprocess.run(
        [sys.executable, "-c", MAIN, "run", *at(twin), "--profile", str(profile)],
        stdin=terminal, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, **ENV}, cwd=tmp_path,
    )  # fmt: skip
    os.close(terminal)
    os.close(controller)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "Raise the cluster functional level and the storage pool version?" in process.stdout
    assert "not started: nothing was changed on the cluster" in process.stdout
    assert set(twin.answers.scripts) == {"probe", "observe"}


def test_post_upgrade_without_yes_and_without_a_terminal_contacts_nothing(
    twin_of: Callable[[str], TwinServer],
) -> None:
    """No --yes and stdin not a terminal: exit 2, "not interactive: pass --yes", and the
    cluster never saw a request (as for run and resume)."""
    twin = twin_of("post-upgrade-only")
    result = pycau("post-upgrade", *at(twin))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: not interactive: pass --yes")
    assert twin.endpoint.actions == []
