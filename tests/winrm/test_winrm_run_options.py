"""The run options of issue 9 over the real WinRM transport against the twin: each new
script (force-drain-node, enable-firewall, node-sites), the firewall check of restart-node,
the CauEnableSoftReboot property of observe and the twin's node facts — and the parsers
of their answers, as Windows PowerShell 5.1 writes them. (Every bundled scenario of these
options also runs whole through WinRM in the slow suite, giving the simulated report.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.errors import RemoteCommandFailed
from runner.profile import Profile
from runner.rehearsal.twin import TwinServer
from runner.run_option_types import NodeSite
from runner.types import DrainStatus, NodeState
from runner.winrm.connection import AuthMethod
from runner.winrm.parse_options import parse_firewall_enabled, parse_node_sites
from runner.winrm.psjson import MalformedOutput
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario, parse_scenario
from simulator.twin import Account, WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import SimulatedCluster, build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def twin_world(
    name: str,
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    **cluster: Any,
) -> tuple[SimulatedCluster, WinRMTransport]:
    """A bundled scenario's world served by the twin (``cluster`` keys changed), and a WinRM
    transport to it."""
    doc = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text("utf-8"))
    doc["cluster"].update(cluster)
    scenario = parse_scenario(doc)
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    return world, transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)


def test_firewall_and_soft_reboot_property_over_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """restart-node is refused where the Remote Shutdown group is disabled (no effect),
    enable-firewall enables it (True) except under a Group Policy (False), node-facts shows
    the group as the world has it, and observe carries CauEnableSoftReboot."""
    world, transport = twin_world(
        "firewall-rules-disabled", endpoint_factory, transport_factory, cau_enable_soft_reboot=True
    )
    assert transport.observe().soft_reboot_property is True
    assert transport.node_facts("node1", [])["RemoteShutdownRulesEnabled"] == 0
    with pytest.raises(RemoteCommandFailed) as refused:
        transport.restart_node("node1")
    assert "Remote Shutdown firewall rule group is disabled on node1" in str(refused.value)
    assert world.nodes["node1"].up
    assert transport.enable_remote_shutdown_rules("node1") is True
    assert transport.node_facts("node1", [])["RemoteShutdownRulesEnabled"] == 2
    assert transport.enable_remote_shutdown_rules("node4") is False
    transport.restart_node("node1")
    assert not world.nodes["node1"].up


def test_forced_drain_and_sites_over_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """force-drain-node completes a drain a plain one could not (the unmovable VM is failed
    over), and node-sites reads every node's site."""
    sites = {"Seattle": ["node1", "node3"], "Redmond": ["node2", "node4"]}
    world, transport = twin_world(
        "forced-drain-unmovable-vm", endpoint_factory, transport_factory, sites=sites
    )
    assert transport.read_node_sites() == (
        NodeSite(node="node1", site="Seattle"),
        NodeSite(node="node2", site="Redmond"),
        NodeSite(node="node3", site="Seattle"),
        NodeSite(node="node4", site="Redmond"),
    )
    transport.suspend_node_forced("node1")
    world.clock.sleep(600)
    node1 = transport.observe().node("node1")
    assert (node1.state, node1.drain_status) == (NodeState.PAUSED, DrainStatus.COMPLETED)
    assert len(world.oracle.consented) == 1


def test_run_option_parsers_read_powershell_answers() -> None:
    """A lone site arrives unwrapped (PowerShell 5.1 writes a one-element list as an object),
    a node without a site has an empty Site; malformed answers are MalformedOutput."""
    lone = {"Sites": {"Node": "node1", "Site": "Seattle"}, "Now": 12.5}
    assert parse_node_sites(lone) == (NodeSite(node="node1", site="Seattle"),)
    none = {"Sites": [{"Node": "node1", "Site": None}, {"Node": "node2", "Site": ""}]}
    assert [s.site for s in parse_node_sites(none)] == ["", ""]
    assert parse_node_sites({"Sites": None}) == ()
    answer = {"Node": "node1", "Rules": 2, "RulesEnabled": 0, "Enabled": False}
    assert parse_firewall_enabled(answer) is False
    for bad in ({"Sites": [{"Site": "A"}]}, {"Sites": "System.Object[]"}, ["x"]):
        with pytest.raises(MalformedOutput):
            parse_node_sites(bad)
    with pytest.raises(MalformedOutput):
        parse_firewall_enabled({"Enabled": "True"})


def _run_cli(tmp_path: Path, profile_text: str, *extra: str) -> tuple[Result, set[str]]:
    """`pycau run` with a profile file against the twin of site-aware-two-sites; (the click
    result, the scripts the twin answered)."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(profile_text, encoding="utf-8")
    scenario = load_scenario(SCENARIOS / "site-aware-two-sites.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    address = f"127.0.0.1:{twin.endpoint.port}"
    try:
        result = CliRunner().invoke(
            cli,
            ["run", "--cluster", address, "--insecure-http", "--profile", str(profile), *extra],
            env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
        )
    finally:
        twin.stop()
    return result, set(twin.answers.scripts)


def test_run_plan_follows_the_sites_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    """`pycau run --what-if`: the plan lists Redmond's nodes before Seattle's and the options'
    gates; a site the cluster lacks is exit 2 naming it, before any node is touched."""
    result, scripts = _run_cli(
        tmp_path,
        "site_aware_updating_order: [Redmond, Seattle]\nenable_firewall_rules: true\n",
        "--what-if",
    )
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if "│ node" in line]
    assert [row[3] for row in rows] == ["node4", "node2", "node3", "node1"]
    assert "Remote Shutdown firewall rules are enabled on every node first" in result.output
    assert "node-sites" in scripts
    result, scripts = _run_cli(tmp_path, "site_aware_updating_order: [Paris]\n", "--yes")
    assert result.exit_code == 2, result.output
    assert "at $.site_aware_updating_order: names site(s) the cluster does not have: Paris" in (
        result.output
    )
    assert "its sites: Redmond, Seattle" in result.output
    assert not scripts & {"start-work", "suspend-node", "restart-node", "enable-firewall"}
