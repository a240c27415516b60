"""`pycau snapshot` as a command: only reading scripts, the password never shown, bad output
paths refused before connecting (exit 2), an unreachable cluster exit 3, and nothing written
— or an existing file left as it was — on an interrupt or when the answers make no
scenario; a node that is Down is written offline and named in the file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from snapshot_support import ENV, snapshot_command, take_snapshot
from test_winrm_scripts_syntax import SAMPLE_ARGS, gate
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from runner.remote_protocol import ScriptName
from runner.winrm.scripts import compose
from simulator.bundled import resolve_scenario
from simulator.scenario import load_scenario
from simulator.twin import Account

# The prelude's own helpers and object plumbing, and the read-only cmdlets of the two scripts.
READ_ONLY = {
    "Assert-PycauNode", "Write-PycauResult", "Get-PycauErrorDocument", "New-PycauError",
    "Get-PycauWorkDirectory", "New-Object", "Add-Member", "ConvertTo-Json", "ConvertFrom-Json",
    "ForEach-Object", "Where-Object", "Join-Path",
    "Get-Cluster", "Get-ClusterGroup", "Get-ClusterResource", "Get-ClusterOwnerNode",
    "Get-VMHost", "Get-VM", "Get-Counter", "Get-WinEvent",
}  # fmt: skip


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _snapshot(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["snapshot", *args], env=ENV, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("name", [ScriptName.SNAPSHOT, ScriptName.SNAPSHOT_NODE], ids=str)
def test_the_snapshot_scripts_only_read(name: ScriptName) -> None:
    """Every command the two scripts run is a query (Get-*) or pycau's own plumbing."""
    problems, commands, _ = gate(compose(name, SAMPLE_ARGS[name]))
    assert problems == []
    assert commands <= READ_ONLY, commands - READ_ONLY


def test_an_unreachable_cluster_is_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    """Nothing listens: exit 3 with one error paragraph, no file."""
    output = tmp_path / "cluster.yaml"
    code, text = _snapshot("--cluster", f"127.0.0.1:{_closed_port()}", "--insecure-http",
                           "-o", str(output))  # fmt: skip
    assert code == 3
    assert text.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_cannot_be_written_is_refused_before_connecting(tmp_path: Path) -> None:
    """A missing directory is exit 2 (not 3: no connection was tried)."""
    output = tmp_path / "missing" / "cluster.yaml"
    code, text = _snapshot("--cluster", f"127.0.0.1:{_closed_port()}", "--insecure-http",
                           "-o", str(output))  # fmt: skip
    assert code == 2
    assert "does not exist" in text


@pytest.fixture
def twin() -> Iterator[TwinServer]:
    """The twin of two-node-cloud-witness, stopped afterwards."""
    scenario = load_scenario(resolve_scenario("two-node-cloud-witness"))
    server = TwinServer(scenario, scenario.seed, Account(username=USERNAME, password=PASSWORD),
                        echo=lambda line: None).start()  # fmt: skip
    yield server
    server.stop()


def test_the_password_appears_nowhere(twin: TwinServer, tmp_path: Path) -> None:
    """Neither the output nor the file carries the password."""
    output = tmp_path / "cluster.yaml"
    result = snapshot_command(twin, output)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert PASSWORD not in output.read_text(encoding="utf-8")
    assert "pycau simulate" in result.output


def test_an_interrupt_leaves_the_existing_file_as_it_was(
    twin: TwinServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the scan: exit 130, the old file untouched, no temporary file."""
    import runner.cli.snapshot_cmd as command

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "scan_cluster", interrupted)
    output = tmp_path / "cluster.yaml"
    output.write_text("name: before\n", encoding="utf-8")
    result = snapshot_command(twin, output)
    assert result.exit_code == 130
    assert output.read_text(encoding="utf-8") == "name: before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cluster.yaml"]


def test_answers_that_make_no_scenario_write_nothing(
    twin: TwinServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot the scenario loader refuses: exit 1, the reason, nothing written."""
    import runner.cli.snapshot_cmd as command

    monkeypatch.setattr(command, "read_snapshot", lambda session: ("name: x\n", "hci", 0))
    output = tmp_path / "cluster.yaml"
    result = snapshot_command(twin, output)
    assert result.exit_code == 1
    assert "is not a scenario pycau can simulate" in result.output
    assert "nothing was written" in result.output
    assert not output.exists()


def test_a_node_that_is_down_is_written_offline_and_named(tmp_path: Path) -> None:
    """A Down node: `online: false`, its own part and its offers listed as not read."""
    scenario = load_scenario(resolve_scenario("fault-boot-hang"))
    source = tmp_path / "source.yaml"
    text = resolve_scenario("fault-boot-hang").read_text(encoding="utf-8")
    source.write_text(
        text.replace("boot_minutes: 8, soft_boot_minutes: 2}",
                     "boot_minutes: 8, soft_boot_minutes: 2, offline: [node4]}")
        .replace("vms: {count: 24, memory_gb: 16}", "vms: {count: 18, memory_gb: 16}"),
        encoding="utf-8",
    )  # fmt: skip
    original = load_scenario(source)
    assert original.cluster.nodes[3].online is False
    result, snapshot = take_snapshot(original, tmp_path / "snap.yaml")
    assert result.exit_code == 0, result.output
    assert snapshot is not None
    assert [n.online for n in snapshot.cluster.nodes] == [True, True, True, False]
    assert snapshot.cluster.vms == original.cluster.vms
    assert snapshot.updates[0].nodes is None  # node4 is taken to be offered the same
    written = (tmp_path / "snap.yaml").read_text(encoding="utf-8")
    assert "# not read: node4 (it is Down)" in written
    assert "# not read: the updates offered to node4 (not scanned: the node is Down)" in written
    assert scenario.cluster.name == snapshot.cluster.name


def test_a_snapshot_changes_nothing_in_the_twin(twin: TwinServer, tmp_path: Path) -> None:
    """Only reads and a scan (its worker written first) reach the world: nothing else changes."""
    booted = {n.name: n.boot_id for n in twin.world.observe().nodes}
    result = snapshot_command(twin, tmp_path / "cluster.yaml")
    assert result.exit_code == 0, result.output
    scan = {"install-worker", "start-work", "poll-work"}  # as `pycau scan`
    reads = {"probe", "observe", "snapshot", "snapshot-node", "clock", *scan}
    assert set(twin.answers.scripts) <= reads, twin.answers.scripts
    world = twin.world
    assert all(not record.install_counts for record in world.updates.nodes.values())
    view = world.observe()
    assert [n.state.value for n in view.nodes] == ["Up", "Up"]
    assert {n.name: n.boot_id for n in view.nodes} == booted
