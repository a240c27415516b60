"""Scenario OS versions: the cluster's version, per-node exceptions, functional level, pool
version, VM configuration versions and feature-update targets — resolved or refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runner.errors import InputError
from simulator.model import Scenario
from simulator.scenario import parse_scenario

BASE: dict[str, Any] = {
    "name": "versions",
    "cluster": {
        "name": "hci01",
        "witness": "cloud",
        "version": "20H2",
        "nodes": {"count": 4},
        "storage": {"volumes": {"count": 1, "resiliency": "two-way-mirror"}},
        "workloads": {"vms": {"count": 8}},
    },
    "updates": [{"id": "FU", "title": "Feature update", "kind": "feature"}],
}


def scenario(**cluster: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    updates = cluster.pop("updates", None)
    data["cluster"].update(cluster)
    if updates is not None:
        data["updates"] = updates
    return parse_scenario(data, "v.yaml")


def error(**cluster: Any) -> str:
    with pytest.raises(InputError) as caught:
        scenario(**cluster)
    return str(caught.value)


def builds(s: Scenario) -> dict[str, str]:
    return {n.name: n.os_build for n in s.cluster.nodes}


def test_cluster_version_gives_every_node_its_default_build() -> None:
    """cluster.version 20H2: every node runs 17784.1827; level and pool are 20H2."""
    s = scenario()
    assert set(builds(s).values()) == {"17784.1827"}
    assert (s.cluster.version, s.cluster.functional_level) == ("20H2", "20H2")
    assert s.cluster.storage is not None
    assert s.cluster.storage.pool_version == "20H2"


def test_per_node_exception_runs_its_own_version() -> None:
    """nodes.versions {node3: 21H2}: node3 runs 21H2's build, the shared os_build the rest;
    the functional level stays at the oldest node's version."""
    s = scenario(nodes={"count": 4, "os_build": "17784.2000", "versions": {"node3": "21H2"}})
    assert builds(s) == {
        "node1": "17784.2000", "node2": "17784.2000", "node3": "20348.288", "node4": "17784.2000",
    }  # fmt: skip
    assert s.cluster.functional_level == "20H2"


def test_listed_node_version_and_build_must_agree() -> None:
    """A listed node's version and os_build must name the same version."""
    nodes = [{"name": "a", "version": "21H2", "os_build": "17784.1827"}, {"name": "b"}]
    assert error(nodes=nodes, workloads={"vms": []}) == (
        "v.yaml at $.cluster.nodes[0].os_build: os_build 17784.1827 belongs to 20H2, not 21H2 "
        "(its version); expected a 20348.* build or no os_build"
    )
    fine = scenario(nodes=[{"name": "a", "version": "21H2"}, {"name": "b"}], workloads={})
    assert builds(fine) == {"a": "20348.288", "b": "17784.1827"}


def test_shared_build_must_belong_to_the_cluster_version() -> None:
    """The shared os_build of a node set belongs to cluster.version or is refused."""
    assert error(nodes={"count": 4, "os_build": "20348.2031"}) == (
        "v.yaml at $.cluster.nodes.os_build: os_build 20348.2031 belongs to 21H2, not 20H2 "
        "(cluster.version); expected a 17784.* build or no os_build"
    )


def test_unknown_node_in_versions_is_refused() -> None:
    """An exception for a node the cluster does not have names the known nodes."""
    assert error(nodes={"count": 2, "versions": {"node9": "21H2"}}, workloads={}) == (
        "v.yaml at $.cluster.nodes.versions.node9: unknown node 'node9'; expected one of "
        "node1, node2"
    )


def test_without_cluster_version_the_oldest_node_stands_for_the_cluster() -> None:
    """No cluster.version: the oldest node's build names the cluster's version."""
    data = copy.deepcopy(BASE)
    del data["cluster"]["version"]
    data["cluster"]["nodes"] = [
        {"name": "a", "os_build": "20348.288"}, {"name": "b", "os_build": "17784.1827"},
    ]  # fmt: skip
    data["cluster"]["workloads"] = {}
    s = parse_scenario(data, "v.yaml")
    assert (s.cluster.version, s.cluster.functional_level) == ("20H2", "20H2")


def test_functional_level_above_the_oldest_node_is_refused() -> None:
    """A cluster never runs at a level newer than its oldest node."""
    assert error(functional_level="21H2") == (
        "v.yaml at $.cluster.functional_level: 21H2 is newer than the oldest node's version "
        "(20H2); a cluster runs at most at its oldest node's level, expected 20H2 or older"
    )


def test_pool_version_above_the_functional_level_is_refused() -> None:
    """Update-StoragePool comes after Update-ClusterFunctionalLevel."""
    s = scenario(version="21H2", functional_level="20H2", updates=[])
    assert s.cluster.storage is not None
    assert s.cluster.storage.pool_version == "20H2"
    storage = {"volumes": {"count": 1, "resiliency": "two-way-mirror"}, "pool_version": "21H2"}
    assert error(version="21H2", functional_level="20H2", storage=storage, updates=[]) == (
        "v.yaml at $.cluster.storage.pool_version: 21H2 is newer than the functional level "
        "(20H2); Update-StoragePool comes after Update-ClusterFunctionalLevel, expected 20H2 "
        "or older"
    )


def test_vm_configuration_version_must_run_on_its_host() -> None:
    """A 10.0 VM cannot live on a 20H2 host (at most 9.2); a 9.0 VM can."""
    vms = {"count": 4, "config_version": "10.0"}
    assert error(workloads={"vms": vms}) == (
        "v.yaml at $.cluster.workloads.vms.config_version: vm01's configuration version 10.0 "
        "is newer than its host node1 runs (20H2: at most 9.2)"
    )
    s = scenario(workloads={"vms": {"count": 4, "config_version": "9.0"}})
    assert {vm.config_version for vm in s.cluster.vms} == {"9.0"}


def test_feature_update_targets_the_next_version_by_default() -> None:
    """kind: feature without to_version: the version after the cluster's, its build."""
    update = scenario().updates[0]
    assert (update.to_version, update.os_build) == ("21H2", "20348.288")
    named = scenario(updates=[{"id": "FU", "kind": "feature", "to_version": "22H2"}])
    assert (named.updates[0].to_version, named.updates[0].os_build) == ("22H2", "20349.1129")


@pytest.mark.parametrize("target", ["20H2", "21H2"])
def test_feature_update_to_an_older_or_the_same_version_is_refused(target: str) -> None:
    """A feature update must move a 21H2 cluster to a newer version."""
    updates = [{"id": "FU", "kind": "feature", "to_version": target}]
    assert error(version="21H2", updates=updates) == (
        f"v.yaml at $.updates[0].to_version: a feature update to {target} does not upgrade a "
        "21H2 cluster; expected a version newer than 21H2"
    )


def test_feature_update_build_must_belong_to_its_target() -> None:
    """A feature update's os_build names its to_version."""
    updates = [{"id": "FU", "kind": "feature", "to_version": "22H2", "os_build": "20348.288"}]
    assert error(updates=updates) == (
        "v.yaml at $.updates[0].os_build: os_build 20348.288 belongs to 21H2, not 22H2 "
        "(to_version); expected a 20349.* build or no os_build"
    )


def test_to_version_belongs_to_feature_updates_only() -> None:
    """A quality update with a to_version is refused."""
    updates = [{"id": "KB1", "kind": "quality", "to_version": "21H2"}]
    assert error(updates=updates) == (
        "v.yaml at $.updates[0].to_version: to_version applies only to kind: feature"
    )


def test_channel_restart_pending_is_a_node_fact() -> None:
    """channel_restart_pending names nodes (node set) or is a per-node flag (list)."""
    s = scenario(nodes={"count": 4, "channel_restart_pending": ["node2"]})
    assert [n.channel_restart_pending for n in s.cluster.nodes] == [False, True, False, False]
    listed = scenario(
        nodes=[{"name": "a", "channel_restart_pending": True}, {"name": "b"}], workloads={}
    )
    assert [n.channel_restart_pending for n in listed.cluster.nodes] == [True, False]
