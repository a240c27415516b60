"""The fast offline update over the real WinRM transport against the twin: each offline
operation (save-vms, set-virtual-disks, stop-cluster, set-cluster-service, start-cluster,
start-vms), the node-level observation while the cluster endpoint cannot answer, and
`pycau run --mode offline`'s plan with its planned downtime and confirmation. (Every
bundled offline scenario also runs whole through WinRM in the slow suite, giving the
simulated report.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.errors import ClusterUnreachable, RemoteCommandFailed
from runner.offline_types import ServiceStartup, ServiceState
from runner.profile import Profile
from runner.rehearsal.twin import TwinServer
from runner.types import RoleState
from runner.winrm.connection import AuthMethod
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario
from simulator.twin import Account, WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CHANGING = {"save-vms", "set-virtual-disks", "stop-cluster", "set-cluster-service", "start-work"}


def test_offline_operations_and_node_level_observation_over_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """The guide's cluster-wide steps over WinRM: VMs saved, disks offline, Stop-Cluster
    (the cluster endpoint then answers no cluster cmdlet, each node answers for itself),
    the service Disabled refuses Start-Cluster on that node, Automatic again, Start-Cluster,
    the pool healthy, disks online and the VMs running again."""
    scenario = load_scenario(SCENARIOS / "offline-four-node.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    names = scenario.cluster.node_names
    vms = tuple(r.name for r in transport.observe().roles if r.kind == "VirtualMachine")
    transport.save_vms(vms)
    world.clock.sleep(120)
    assert {r.state for r in transport.observe().roles if r.name in vms} == {RoleState.OFFLINE}
    transport.set_virtual_disks_online(False)
    transport.stop_cluster()
    world.clock.sleep(60)
    with pytest.raises(ClusterUnreachable):
        transport.observe()
    hosts = transport.observe_hosts(names)
    assert [h.name for h in hosts.hosts] == list(names)
    assert {(h.reachable, h.service_state) for h in hosts.hosts} == {(True, ServiceState.STOPPED)}
    for name in names:
        transport.set_cluster_service(name, ServiceStartup.DISABLED)
    assert {h.service_startup for h in transport.observe_hosts(names).hosts} == {
        ServiceStartup.DISABLED
    }
    with pytest.raises(RemoteCommandFailed):
        transport.start_cluster("node1")
    for name in names:
        transport.set_cluster_service(name, ServiceStartup.AUTOMATIC)
    transport.start_cluster("node1")
    world.clock.sleep(300)
    assert transport.observe().has_quorum
    assert transport.observe_storage().pool_healthy
    transport.set_virtual_disks_online(True)
    transport.start_vms(vms)
    world.clock.sleep(300)
    assert {r.state for r in transport.observe().roles if r.name in vms} == {RoleState.ONLINE}
    assert transport.observe_storage().volumes_healthy


def _run_cli(tmp_path: Path, scenario_name: str, *extra: str) -> tuple[Result, list[str]]:
    """`pycau run` against the twin of a bundled scenario; (the result, the scripts the
    twin answered, in order)."""
    scenario = load_scenario(SCENARIOS / f"{scenario_name}.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    address = f"127.0.0.1:{twin.endpoint.port}"
    try:
        result = CliRunner().invoke(
            cli,
            ["run", "--cluster", address, "--insecure-http", *extra],
            env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
        )
    finally:
        twin.stop()
    return result, list(twin.answers.scripts)


def test_offline_plan_states_planned_downtime_and_changes_nothing(tmp_path: Path) -> None:
    """`pycau run --mode offline --what-if` on a rolling cluster: the offline plan (every
    node scanned, the planned downtime with its parts, the VMs saved) and nothing changed."""
    result, scripts = _run_cli(tmp_path, "four-node-rolling", "--mode", "offline", "--what-if")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "plan: fast offline update of hci01" in text
    assert "│ node1 │ Up │ 6 │ 1 │" in text  # six running VMs, one update offered by the scan
    assert (
        "planned downtime about 46 min (save VMs 2 min, cluster steps 12 min, install 20 min, "
        "restart 10 min, start VMs 2 min): every VM is down for all of it"
    ) in text
    assert "the running VMs are saved" in text
    assert "what-if: nothing was changed on the cluster" in text
    assert "poll-work" in scripts  # the scan: the estimate's updates
    assert not set(scripts) & CHANGING - {"start-work"}
    assert "lock-create" not in scripts


def test_offline_plan_asks_before_it_changes_anything(tmp_path: Path) -> None:
    """The offline plan asks its own question; answering no leaves the cluster untouched
    (exit 1)."""
    scenario = load_scenario(SCENARIOS / "offline-four-node.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        from unittest import mock

        with (
            mock.patch("runner.cli.remote._refuse_without_terminal"),  # as if on a terminal
            mock.patch("click.confirm", return_value=False) as asked,
        ):
            result = CliRunner().invoke(
                cli,
                [
                    "run",
                    "--cluster",
                    f"127.0.0.1:{twin.endpoint.port}",
                    "--insecure-http",
                    "--mode",
                    "offline",
                ],
                env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
            )
    finally:
        twin.stop()
    assert result.exit_code == 1, result.output
    assert "planned downtime about " in " ".join(result.output.split())
    assert asked.call_args.args == (
        "Start the offline update (every VM down for the planned downtime)?",
    )
    assert "not started: nothing was changed on the cluster" in result.output
    assert not set(twin.answers.scripts) & {"save-vms", "stop-cluster", "lock-create"}


def test_offline_run_without_yes_and_without_terminal_is_refused(tmp_path: Path) -> None:
    """`pycau run --mode offline` with no terminal and no --yes: exit 2 before connecting."""
    result = CliRunner().invoke(
        cli,
        ["run", "--cluster", "127.0.0.1:1", "--insecure-http", "--mode", "offline"],
        env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 2
    assert "not interactive: pass --yes" in result.output


@pytest.mark.slow
def test_offline_run_through_the_cli_reports_its_cluster_timing(tmp_path: Path) -> None:
    """`pycau run --yes` of offline-four-node over WinRM: Succeeded, mode offline, the
    planned downtime the plan printed beside the real one, every VM saved and started."""
    report_path = tmp_path / "report.json"
    result, scripts = _run_cli(
        tmp_path, "offline-four-node", "--mode", "offline", "--yes", "--quiet",
        "--report", str(report_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text("utf-8"))
    assert (report["status"], report["mode"]) == ("Succeeded", "offline")
    timing = report["cluster_timing"]
    assert timing["planned_downtime_seconds"] > 0
    assert timing["downtime_seconds"] > 0
    assert len(report["offline"]["vms_saved"]) == 24
    assert report["offline"]["vms_not_started"] == []
    assert report["offline"]["service_left_disabled"] == []
    for script in ("save-vms", "stop-cluster", "set-cluster-service", "start-cluster"):
        assert script in scripts


@pytest.mark.slow
def test_coordinator_crash_with_a_node_away_resumes_over_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """offline-node-does-not-return, the coordinator killed while node3 hangs and the
    cluster is stopped: the resumed coordinator takes the run lock over on the nodes'
    claims (lock.ps1 hands node3's old claim to it), and the report over WinRM is the
    simulated one."""
    from runner.rehearsal.compose import (
        SIMULATED_STARTED_AT,
        rehearse,
        run_coordinator,
        simulated_run_id,
    )
    from runner.winrm.endpoint_clock import EndpointClock

    crash = 390  # five journal steps into the restart step (deterministic scenario)
    scenario = load_scenario(SCENARIOS / "offline-node-does-not-return.yaml")
    simulated = rehearse(scenario, crash_at_step=crash).to_dict()
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    report = run_coordinator(
        transport, EndpointClock(transport), profile, world,
        run_id=simulated_run_id(scenario.name, scenario.seed),
        started_at=SIMULATED_STARTED_AT, crash_at_step=crash,
    ).to_dict()  # fmt: skip
    restart = simulated["cluster_timing"]["steps"]["restart"]
    (crashed,) = [e for e in simulated["events"] if e["kind"] == "coordinator-crash"]
    assert restart[0] < crashed["time"] < restart[1]  # node3 away, the cluster stopped
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert report["status"] == "PartiallyFailed"
    verdicts = world.finish(report)["invariants"]
    assert all(v["holds"] for v in verdicts.values())
