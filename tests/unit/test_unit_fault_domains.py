"""Rack/chassis fault domains in the fast policy's runner rules: capacity counts domains,
prefers whole domains in a wave, and the per-step storage guard lets a node follow the
nodes of its own domain in the wave — never another domain's."""

from __future__ import annotations

import json
from dataclasses import replace

from runner.capacity import admit, plan_waves, wave_limit
from runner.capacity_types import CapacityFacts, HostMemory
from runner.domain_guard import storage_guard
from runner.journal_codec import decode_as, encode
from runner.profile import Profile
from runner.progress import RunProgress
from runner.types import (
    ClusterView,
    HealthStatus,
    NodeState,
    NodeView,
    OperationalStatus,
    Resiliency,
    StorageJobState,
    StorageJobView,
    VirtualDiskView,
    WitnessType,
    WitnessView,
)

AUTO = Profile(policy="fast", max_nodes_out="auto", memory_reserve_percent=0)
NAMES = tuple(f"node{i}" for i in range(1, 9))
RACKS = {name: f"rack{(i // 2) + 1}" for i, name in enumerate(NAMES)}  # 4 racks of 2


def view(
    resiliency: Resiliency = Resiliency.THREE_WAY_MIRROR,
    *,
    down: tuple[str, ...] = (),
    held: tuple[str, ...] = (),
    degraded: bool = False,
    jobs: bool = False,
) -> ClusterView:
    nodes = tuple(
        NodeView(
            name=name,
            state=NodeState.DOWN if name in down else NodeState.UP,
            storage_maintenance=name in held,
        )
        for name in NAMES
    )
    disk = VirtualDiskView(name="vol01", resiliency=resiliency)
    if degraded:
        disk = replace(disk, health=HealthStatus.WARNING, operational=(OperationalStatus.DEGRADED,))
    job = StorageJobView(name="vol01-Repair", volume="vol01", state=StorageJobState.RUNNING)
    return ClusterView(
        cluster="c",
        taken_at=0.0,
        nodes=nodes,
        witness=WitnessView(type=WitnessType.CLOUD, online=True),
        s2d_enabled=True,
        virtual_disks=(disk,),
        storage_jobs=(job,) if jobs else (),
    )


def facts(racks: bool = True) -> CapacityFacts:
    hosts = tuple(
        HostMemory(node=name, memory_gb=512, domain=RACKS[name] if racks else "") for name in NAMES
    )
    return CapacityFacts(hosts=hosts)


def test_a_rack_counts_once_for_volumes_and_pool() -> None:
    """Two nodes of one rack out plus one more failure are two fault domains: within a
    three-way mirror's tolerance and the pool's; two racks' nodes are not."""
    assert wave_limit(view(), AUTO, facts(), ("node1", "node2")) is None
    assert wave_limit(view(), AUTO, facts(racks=False), ("node1", "node2")) is not None
    why = wave_limit(view(), AUTO, facts(), ("node1", "node3"))
    assert why is not None
    assert "one more failure" in why
    assert wave_limit(view(Resiliency.TWO_WAY_MIRROR), AUTO, facts(), ("node1",)) is not None


def test_waves_are_whole_racks_and_prefer_a_domain_over_run_order() -> None:
    """auto plans one rack per wave; a run order that interleaves racks still gets the
    first candidate's whole rack."""
    waves = plan_waves(view(), AUTO, facts(), NAMES)
    assert [w.nodes for w in waves] == [
        ("node1", "node2"),
        ("node3", "node4"),
        ("node5", "node6"),
        ("node7", "node8"),
    ]
    mixed = ("node1", "node3", "node2", "node4")
    assert admit(view(), AUTO, facts(), (), mixed).nodes == ("node1", "node2")
    assert next(w.nodes for w in plan_waves(view(), AUTO, facts(racks=False), NAMES)) == ("node1",)


def test_a_rack_down_already_leaves_room_only_in_that_rack() -> None:
    """With node1 down (rack1 away), node2 may join but a node of another rack may not."""
    assert admit(view(down=("node1",)), AUTO, facts(), ("node1",), ("node3", "node2")).nodes == (
        "node2",
    )


def _run(*in_flight: str) -> RunProgress:
    return RunProgress(in_flight=in_flight, fault_domains=tuple(RACKS.items()))


def test_guard_lets_a_node_follow_its_own_rack_in_the_wave() -> None:
    """node2 may drain/restart while rack-mate node1 of the same wave is down and in
    maintenance (storage degraded by that rack only)."""
    degraded = view(down=("node1",), held=("node1",), degraded=True)
    assert storage_guard(degraded, _run("node1", "node2"), "node2") is None


def test_guard_never_lets_another_domain_or_a_resync_through() -> None:
    """Another rack's node away, a rack-mate outside the wave, a running repair job, or no
    domains known: the classic storage guard holds the node back."""
    other = view(down=("node3",), held=("node3",), degraded=True)
    assert storage_guard(other, _run("node2", "node3"), "node2") is not None
    mate_away = view(down=("node1",), degraded=True)
    assert storage_guard(mate_away, _run("node2"), "node2") is not None
    resync = view(degraded=True, jobs=True)
    assert storage_guard(resync, _run("node1", "node2"), "node2") is not None
    plain = RunProgress(in_flight=("node1", "node2"))
    degraded = view(down=("node1",), held=("node1",), degraded=True)
    assert storage_guard(degraded, plain, "node2") is not None
    assert storage_guard(view(), _run("node1", "node2"), "node2") is None


def test_the_runs_domains_are_journaled() -> None:
    """RunProgress.fault_domains round-trips through the journal's JSON codec (a resumed
    run keeps judging by rack)."""
    run = _run("node1", "node2")
    data = json.loads(json.dumps(encode(run)))
    assert decode_as(RunProgress, data) == run
    assert decode_as(RunProgress, data).fault_domains[0] == ("node1", "rack1")
