"""Simulator switches that reproduce the seed guide's known issues (``known_issues: [id]``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sim_driver import make_scenario, make_world, wait_work

from runner.errors import ClusterUnreachable
from runner.known_issues import KNOWN_ISSUES
from runner.plugins import PluginName, PluginSpec
from simulator.issue_switches import (
    GA_21H2_BUILD,
    MISMATCH_TITLE,
    SWITCHES,
    SYNC_WRITE_MB_S,
    VMM_2019,
    apply_known_issues,
)
from simulator.model import NodeSpec, UpdateSpec

SCHEMA = Path(__file__).parents[2] / "simulator" / "schemas" / "scenario.schema.json"
FU = UpdateSpec(id="FU-21H2", title="Feature update 21H2", kind="feature", install_minutes=45)
RU = (PluginSpec(name=PluginName.ROLLING_UPGRADE),)  # the plug-in that offers feature updates


def test_every_switch_is_a_catalog_entry() -> None:
    """A switch names a runner.known_issues entry; the scenario schema lists the same ids."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["known_issues"]["items"]["enum"] == list(SWITCHES)
    assert set(SWITCHES) <= {i.id for i in KNOWN_ISSUES}


def test_no_switch_leaves_the_scenario_as_is() -> None:
    """Without known_issues the scenario object is returned unchanged."""
    sc = make_scenario(4)
    assert apply_known_issues(sc) is sc


def test_lost_management_connectivity_cuts_the_transport_from_minute_5_to_20() -> None:
    """Every call fails during the outage; work started before it goes on and finishes."""
    world = make_world(replace(make_scenario(4), known_issues=("lost-management-connectivity",)))
    handle = world.transport.start_install("node1", ("KB5031364",))
    world.clock.sleep(6 * 60)
    with pytest.raises(ClusterUnreachable):
        world.transport.observe()
    world.clock.sleep(15 * 60)
    assert wait_work(world, handle).state.value == "Succeeded"


def test_storage_needs_sync_raises_every_volume_write_rate() -> None:
    """Volumes are written at SYNC_WRITE_MB_S at least while a node is away."""
    sc = apply_known_issues(
        replace(make_scenario(4, write_mb_s=5), known_issues=("storage-needs-sync",))
    )
    assert sc.cluster.storage is not None
    assert [v.write_mb_s for v in sc.cluster.storage.volumes] == [SYNC_WRITE_MB_S]


def test_mixed_patch_levels_offers_a_second_feature_update_to_nodes_behind() -> None:
    """Nodes below the highest os_build are also offered <id>.<build>; the others are not."""
    nodes = tuple(
        NodeSpec(name=f"node{i}", os_build=b)
        for i, b in enumerate(("17784.1827", "17784.1827", "17784.1737"), start=1)
    )
    sc = replace(
        make_scenario(3, node_specs=nodes, vms=(), updates=(FU,)),
        known_issues=("mixed-patch-levels",),
    )
    world = make_world(sc)
    offers = {
        n: [u.id for u in wait_work(world, world.transport.start_scan(n, RU)).offered]
        for n in ("node1", "node3")
    }
    assert offers == {"node1": ["FU-21H2"], "node3": ["FU-21H2", "FU-21H2.17784.1737"]}


def test_vmm_2019_managed_is_reported_in_the_view() -> None:
    """The cluster view names VMM 2019 as the manager only with the switch on."""
    assert make_world(make_scenario(4)).transport.observe().managed_by == ""
    world = make_world(replace(make_scenario(4), known_issues=("vmm-2019-managed",)))
    assert world.transport.observe().managed_by == VMM_2019


def test_os_version_naming_mismatch_offers_22h2_but_installs_the_21h2_build() -> None:
    """The offer's title says 22H2; after the restart the node runs 20348.288 (21H2 GA)."""
    node = NodeSpec(name="node1", os_build="17784.1827")
    sc = replace(
        make_scenario(1, node_specs=(node,), vms=(), resiliency=None, updates=(FU,)),
        known_issues=("os-version-naming-mismatch",),
    )
    world = make_world(sc)
    (offer,) = wait_work(world, world.transport.start_scan("node1", RU)).offered
    assert offer.title == MISMATCH_TITLE
    installed = wait_work(world, world.transport.start_install("node1", (FU.id,), RU[0]))
    assert installed.restart_required
    world.transport.restart_node("node1")
    world.clock.sleep(20 * 60)
    assert world.transport.observe().node("node1").os_build == GA_21H2_BUILD


def test_session_expiry_changes_nothing_in_a_pure_simulation() -> None:
    """session-expiry lives on the twin's wire only: the simulated run's report is the same
    with and without it, and only a scenario listing it gets a session lifetime."""
    from runner.rehearsal.compose import rehearse
    from simulator.issue_switches import SESSION_LIFETIME_MINUTES, session_lifetime_minutes
    from simulator.scenario import load_scenario

    path = Path(__file__).parents[2] / "scenarios" / "known-issue-session-expiry.yaml"
    with_switch = load_scenario(path)
    without = replace(with_switch, known_issues=())
    assert apply_known_issues(with_switch) == with_switch
    reports = [rehearse(sc, with_switch.seed).to_dict() for sc in (with_switch, without)]
    for report in reports:
        del report["simulation"]["wall"]
    assert reports[0] == reports[1]
    assert session_lifetime_minutes(with_switch) == SESSION_LIFETIME_MINUTES
    assert session_lifetime_minutes(without) is None
