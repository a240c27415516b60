"""The fast policy over WinRM: capacity-facts.ps1 through the twin, its parser, and the
waves in `pycau run --what-if`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from winrm_support import PASSWORD, USERNAME

from runner.capacity_types import CapacityFacts, HostMemory, RolePlacement
from runner.cli import cli
from runner.profile import Profile
from runner.rehearsal.twin import TwinServer
from runner.winrm.connection import AuthMethod
from runner.winrm.parse_capacity import parse_capacity_facts
from runner.winrm.psjson import MalformedOutput
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario
from simulator.twin import Account, WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WORLD_SCRIPTS = {"start-work", "poll-work", "suspend-node", "resume-node", "restart-node"}


def test_capacity_facts_through_the_twin_are_the_worlds(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """read_capacity_facts over WinRM gives each node's memory as the simulated cluster
    answers it (bytes on the wire, GB in the contract)."""
    scenario = load_scenario(SCENARIOS / "fast-hotpatch-month.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    facts = transport.read_capacity_facts()
    assert facts == world.transport.read_capacity_facts()
    assert facts.memory("node3") == 384.0


def test_racks_through_the_twin_are_the_scenarios(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """read_capacity_facts over WinRM names each node's rack as the simulated cluster does
    (capacity-facts.ps1's Domain), so the runner plans the same rack waves."""
    scenario = load_scenario(SCENARIOS / "fast-rack-s2d.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    facts = transport.read_capacity_facts()
    assert facts == world.transport.read_capacity_facts()
    assert facts.domain("node1") == facts.domain("node2") != facts.domain("node3")


def test_capacity_parser_reads_powershell_answers() -> None:
    """One host or role arrives unwrapped (PowerShell 5.1's one-element list), memory in
    bytes becomes GB, empty lists stay empty, a host's Domain is its rack; a host without a
    number, or with a Domain that is not a name, is malformed."""
    raw = {
        "Hosts": {"Node": "node1", "MemoryCapacity": 512 * 1024**3},
        "Roles": {"Name": "sql1", "AntiAffinityClassNames": "sql", "PossibleOwners": None},
    }
    assert parse_capacity_facts(raw) == CapacityFacts(
        hosts=(HostMemory(node="node1", memory_gb=512.0),),
        roles=(RolePlacement(role="sql1", anti_affinity=("sql",)),),
    )
    assert parse_capacity_facts({"Hosts": None, "Roles": None}) == CapacityFacts()
    racked = {"Hosts": [{"Node": "node1", "MemoryCapacity": 0, "Domain": "rack1"}]}
    assert parse_capacity_facts(racked).domains() == (("node1", "rack1"),)
    with pytest.raises(MalformedOutput):
        parse_capacity_facts({"Hosts": [{"Node": "node1", "MemoryCapacity": 0, "Domain": 7}]})
    with pytest.raises(MalformedOutput):
        parse_capacity_facts({"Hosts": [{"Node": "node1", "MemoryCapacity": "lots"}]})


def test_run_what_if_prints_the_waves(tmp_path: Path) -> None:
    """`pycau run --what-if` with policy fast and max_nodes_out 2 on the two-node cluster
    prints the plan's waves (two of two nodes, what limited them) and touches no node."""
    profile = tmp_path / "profile.yaml"
    profile.write_text("policy: fast\nmax_nodes_out: 2\n", encoding="utf-8")
    scenario = load_scenario(SCENARIOS / "two-node-cloud-witness.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    address = f"127.0.0.1:{twin.endpoint.port}"
    try:
        result = CliRunner().invoke(
            cli,
            [
                "run",
                "--cluster",
                address,
                "--insecure-http",
                "--what-if",
                "--profile",
                str(profile),
            ],
            env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
        )
    finally:
        twin.stop()
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "waves (policy fast, max_nodes_out 2): 2 wave(s)" in text
    assert "wave 1: node1 (limited by cluster quorum" in text
    assert "wave 2: node2" in text
    assert "the next nodes scan and stage their quality updates ahead" in text
    assert "capacity-facts" in twin.answers.scripts
    assert not set(twin.answers.scripts) & WORLD_SCRIPTS
