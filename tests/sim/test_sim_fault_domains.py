"""Rack/chassis fault domains in scenarios and the simulated S2D: the scenario key and its
refusals, copies lost per domain, the sim's capacity facts, and the bundled fast-rack-s2d
run (waves of a whole rack, every invariant holding)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from runner.cli import cli
from runner.errors import InputError
from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from simulator.capacity_facts import capacity_facts
from simulator.scenario import parse_scenario
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def rack_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((SCENARIOS / "fast-rack-s2d.yaml").read_text("utf-8"))
    return doc


def with_domains(domains: dict[str, list[str]], **cluster: Any) -> dict[str, Any]:
    doc = copy.deepcopy(rack_doc())
    doc["cluster"]["fault_domains"]["domains"] = domains
    doc["cluster"].update(cluster)
    return doc


PAIRS = {"rack1": ["node1", "node2"], "rack2": ["node3", "node4"], "rack3": ["node5", "node6"]}


@pytest.mark.parametrize(
    ("doc", "path", "words"),
    [
        (
            with_domains({**PAIRS, "rack4": ["node7", "node9"]}),
            "$.cluster.fault_domains.domains.rack4[1]",
            "unknown node 'node9'",
        ),
        (
            with_domains({**PAIRS, "rack4": ["node7", "node8", "node1"]}),
            "$.cluster.fault_domains.domains.rack4[2]",
            "node 'node1' is already in rack 'rack1'",
        ),
        (
            with_domains({**PAIRS, "rack4": ["node7"]}),
            "$.cluster.fault_domains.domains",
            "node 'node8' is in no rack",
        ),
        (
            with_domains(
                {
                    "rack1": ["node1", "node2", "node3", "node4"],
                    "rack2": ["node5", "node6", "node7", "node8"],
                }
            ),
            "$.cluster.fault_domains.domains",
            "volume vol01 (three-way-mirror) needs 3 fault domains",
        ),
    ],
    ids=["unknown-node", "two-domains", "no-domain", "too-few-domains"],
)
def test_bad_fault_domains_name_their_path(doc: dict[str, Any], path: str, words: str) -> None:
    """A node the cluster lacks, a node in two racks, a node in none, fewer racks than a
    volume's copies: InputError at the JSON path, saying what was expected."""
    with pytest.raises(InputError) as caught:
        parse_scenario(doc, source="s.yaml")
    assert caught.value.path == path
    assert words in caught.value.message
    assert "expected" in caught.value.message


def test_fault_domains_need_s2d_storage() -> None:
    """Fault domains on a cluster without S2D storage are refused at cluster.fault_domains."""
    doc = rack_doc()
    del doc["cluster"]["storage"]
    with pytest.raises(InputError) as caught:
        parse_scenario(doc, source="s.yaml")
    assert caught.value.path == "$.cluster.fault_domains"


def test_simulate_refuses_unknown_node_with_exit_2(tmp_path: Path) -> None:
    """`pycau simulate` of a fast scenario whose racks name an unknown node: exit 2, one
    `error:` paragraph naming the file and JSON path, no traceback."""
    doc = with_domains({**PAIRS, "rack4": ["node7", "node9"]})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), "utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "bad.yaml" in result.output
    assert "$.cluster.fault_domains.domains.rack4[1]" in result.output
    assert "Traceback" not in result.output


def _world(doc: dict[str, Any]) -> Any:
    scenario = parse_scenario(doc)
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, scenario.seed, profile)


def test_a_whole_rack_down_costs_each_volume_one_copy() -> None:
    """Three nodes of two racks down keep three-way mirrors online (two domains away);
    without racks the same three nodes are three domains and the volumes go offline."""
    world = _world(rack_doc())
    storage = world.storage
    for node in ("node1", "node2", "node3"):
        storage.domain_down(node, graceful=True, by_runner=False)
    assert storage.domains_away() == ["rack1", "rack2"]
    assert not any(v.offline for v in storage.volumes.values())
    plain = copy.deepcopy(rack_doc())
    del plain["cluster"]["fault_domains"]
    world = _world(plain)
    for node in ("node1", "node2", "node3"):
        world.storage.domain_down(node, graceful=True, by_runner=False)
    assert all(v.offline for v in world.storage.volumes.values())


def test_sim_capacity_facts_name_each_nodes_rack() -> None:
    """read_capacity_facts of the simulated cluster gives each node its declared rack."""
    facts = capacity_facts(parse_scenario(rack_doc()))
    assert [(h.node, h.domain) for h in facts.hosts][:3] == [
        ("node1", "rack1"),
        ("node2", "rack1"),
        ("node3", "rack2"),
    ]
    assert facts.domains()[-1] == ("node8", "rack4")


def test_fast_rack_run_takes_a_whole_rack_per_wave() -> None:
    """fast-rack-s2d: four planned and run waves, one rack each; every invariant holds
    (redundancy-margin judged, not waived) and it is quicker than node by node."""
    report = rehearse(parse_scenario(rack_doc())).to_dict()
    racks = [["node1", "node2"], ["node3", "node4"], ["node5", "node6"], ["node7", "node8"]]
    assert report["status"] == "Succeeded"
    assert report["waves"]["planned"] == racks
    assert [w["nodes"] for w in report["waves"]["run"]] == racks
    invariants = report["simulation"]["invariants"]
    assert all(v["holds"] for v in invariants.values())
    assert "not_applicable" not in invariants["redundancy-margin"]
    plain = copy.deepcopy(rack_doc())
    del plain["cluster"]["fault_domains"]
    nodes = rehearse(parse_scenario(plain)).to_dict()
    assert len(nodes["waves"]["run"]) == 8
    assert report["duration_seconds"] < nodes["duration_seconds"]


def test_a_node_away_owes_its_share_of_its_racks_copy() -> None:
    """A node of a two-node rack away for 600 s owes each volume half of what was written
    meanwhile (the rack's copy is spread over its nodes); without racks, all of it."""
    for doc, share in ((rack_doc(), 0.5), (_plain(), 1.0)):
        world = _world(doc)
        world.storage.domain_down("node1", graceful=True, by_runner=False)
        world.env.run(until=600)
        world.storage.domain_up("node1")
        jobs = world.storage.jobs
        assert jobs["vol01"].total_mb == pytest.approx(30 * 600 * share)


def _plain() -> dict[str, Any]:
    doc = copy.deepcopy(rack_doc())
    del doc["cluster"]["fault_domains"]
    return doc
