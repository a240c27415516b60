"""`pycau snapshot` of the twin over real WinRM: the scenario it writes reproduces the twin's
cluster — nodes (memory, restart time, OS build), VMs (memory, owner, movable), volumes
(resiliency, size, write rate), witness and the updates offered now with their install
times — compared as loaded model objects; and simulating the snapshot gives the report of
simulating the original wherever the figures were recoverable.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from snapshot_support import recoverable, take_snapshot

from runner.rehearsal.compose import rehearse
from simulator.bundled import resolve_scenario
from simulator.model import Scenario
from simulator.scenario import load_scenario

# An S2D cluster (and an update found only by a second scan), the smallest S2D cluster with
# a cloud witness, a SAN-backed cluster with a file-share witness, and a cluster whose
# CauEnableSoftReboot property is set.
BUNDLED = [
    "four-node-rolling",
    "two-node-cloud-witness",
    "fault-boot-hang",
    "soft-reboot-cluster-property",  # CauEnableSoftReboot, read by observe
]

# Every figure of this cluster is one a snapshot reads: nodes that differ (memory, restart
# time, a node without a vote), an unmovable VM, volumes of two resiliencies and rates,
# updates with fractional install times, one offered to two nodes only, and three
# simultaneous migrations per host.
RECOVERABLE = """\
name: snapshot-every-figure
seed: 3
cluster:
  name: hci-mixed
  witness: file-share
  max_parallel_migrations: 3
  nodes:
    - {name: alpha, memory_gb: 512, boot_minutes: 9.5}
    - {name: beta, memory_gb: 256, boot_minutes: 6}
    - {name: gamma, memory_gb: 384, boot_minutes: 7.2, vote: 0}
  storage:
    volumes:
      - {name: data01, resiliency: two-way-mirror, size_gb: 3072, write_mb_s: 12.5}
      - {name: logs, resiliency: three-way-mirror, size_gb: 512, write_mb_s: 3}
  workloads:
    vms:
      - {name: sql01, owner: alpha, memory_gb: 64, movable: false}
      - {name: web01, owner: beta, memory_gb: 8}
      - {name: web02, owner: gamma, memory_gb: 12.5}
updates:
  - {id: KB5031364, title: 2023-10 Cumulative Update for Azure Stack HCI, install_minutes: 17.5}
  - {id: KB5030999, title: 2023-10 Servicing Stack Update, install_minutes: 3.2, restart: false,
     nodes: [alpha, beta]}
profile:
  node_order: [gamma, alpha, beta]
"""


def _loaded(name: str) -> Scenario:
    return load_scenario(resolve_scenario(name))


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """A report without its wall-clock measurements."""
    simulation = {k: v for k, v in report["simulation"].items() if k != "wall"}
    return {**report, "simulation": simulation}


def _report(scenario: Scenario, like: Scenario) -> dict[str, Any]:
    """The report of simulating ``scenario`` under ``like``'s name, seed and profile (which
    a snapshot cannot read), so that the run id and the profile are the same."""
    named = replace(scenario, name=like.name, profile=like.profile)
    return _comparable(rehearse(named, like.seed).to_dict())


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Scenario, Scenario]]:
    """(original, snapshot) of each scenario, each snapshot taken once."""
    taken: dict[str, tuple[Scenario, Scenario]] = {}
    directory = tmp_path_factory.mktemp("snapshots")
    originals = {name: _loaded(name) for name in BUNDLED}
    source = directory / "every-figure-source.yaml"
    source.write_text(RECOVERABLE, encoding="utf-8")
    originals["every-figure"] = load_scenario(source)
    for name, original in originals.items():
        result, snapshot = take_snapshot(original, directory / f"{name}.yaml")
        assert result.exit_code == 0, result.output
        assert snapshot is not None
        taken[name] = (original, snapshot)
    return taken


@pytest.mark.parametrize("name", [*BUNDLED, "every-figure"])
def test_snapshot_reproduces_the_cluster(
    snapshots: dict[str, tuple[Scenario, Scenario]], name: str
) -> None:
    """Nodes, memory, builds, restart times, VMs, volumes, witness: the twin's cluster."""
    original, snapshot = snapshots[name]
    assert snapshot.cluster == recoverable(original).cluster


@pytest.mark.parametrize("name", [*BUNDLED, "every-figure"])
def test_snapshot_lists_the_updates_offered_now_with_their_install_times(
    snapshots: dict[str, tuple[Scenario, Scenario]], name: str
) -> None:
    """The offered updates and install times from the history, as the original has them."""
    original, snapshot = snapshots[name]
    assert snapshot.updates == recoverable(original).updates
    assert snapshot.updates  # every scenario here offers something now


def test_the_unmovable_vm_and_the_partial_offer_survive(
    snapshots: dict[str, tuple[Scenario, Scenario]],
) -> None:
    """An unmovable VM stays unmovable; an update offered to two nodes keeps its nodes."""
    _, snapshot = snapshots["every-figure"]
    assert [vm.name for vm in snapshot.cluster.vms if not vm.movable] == ["sql01"]
    stack = next(u for u in snapshot.updates if u.id == "KB5030999")
    assert (stack.nodes, stack.install_minutes, stack.restart) == (("alpha", "beta"), 3.2, False)


@pytest.mark.parametrize("name", [*BUNDLED, "every-figure"])
def test_simulating_the_snapshot_gives_the_report_of_its_recoverable_figures(
    snapshots: dict[str, tuple[Scenario, Scenario]], name: str
) -> None:
    """Byte for byte (wall clock aside) the report of the original with the figures a
    snapshot cannot read set to their defaults."""
    original, snapshot = snapshots[name]
    expected = replace(recoverable(original), faults=original.faults)
    assert _report(replace(snapshot, faults=original.faults), original) == _report(
        expected, original
    )


def test_a_fully_recoverable_cluster_simulates_exactly_as_the_original(
    snapshots: dict[str, tuple[Scenario, Scenario]],
) -> None:
    """When every figure was read, the snapshot's report is the original's."""
    original, snapshot = snapshots["every-figure"]
    assert _report(snapshot, original) == _report(original, original)
    assert recoverable(original) == original


def test_what_differs_from_the_original_is_what_a_snapshot_cannot_read(
    snapshots: dict[str, tuple[Scenario, Scenario]],
) -> None:
    """four-node-rolling: the .NET update a second scan finds is missing (so no node installs
    it); two-node-cloud-witness: the repair rate is the default 400 MB/s, not 300, so
    resyncs are shorter; fault-boot-hang: identical apart from its fault."""
    original, snapshot = snapshots["four-node-rolling"]
    ours, theirs = _report(snapshot, original), _report(original, original)
    installed = {u["id"] for n in theirs["nodes"] for u in n["updates"]}
    assert installed - {u["id"] for n in ours["nodes"] for u in n["updates"]} == {"KB5031005"}
    original, snapshot = snapshots["two-node-cloud-witness"]
    assert (original.cluster.storage and original.cluster.storage.repair_mb_s) == 300
    assert snapshot.cluster.storage is not None
    assert snapshot.cluster.storage.repair_mb_s == 400
    unrepaired = replace(snapshot.cluster.storage, repair_mb_s=300)
    assert replace(snapshot.cluster, storage=unrepaired) == original.cluster
    original, snapshot = snapshots["fault-boot-hang"]
    with_fault = replace(snapshot, faults=original.faults)
    assert _report(with_fault, original) == _report(original, original)


def test_the_file_says_what_was_not_read(
    snapshots: dict[str, tuple[Scenario, Scenario]], tmp_path: Path
) -> None:
    """`# not read:` comments name the figures left at their defaults."""
    text = Path(snapshots["two-node-cloud-witness"][1].source).read_text(encoding="utf-8")
    notes = [line for line in text.splitlines() if line.startswith("# not read: ")]
    for figure in ("repair_mb_s", "soft_boot_minutes", "migration_mb_s", "drives_per_node"):
        assert any(figure in note for note in notes), figure


def test_the_bundled_snapshot_is_what_pycau_snapshot_writes(
    snapshots: dict[str, tuple[Scenario, Scenario]],
) -> None:
    """scenarios/snapshot-hci-mixed.yaml is the snapshot of the source cluster above, only
    its name, description, seed and expect edited: same cluster, updates and not-read lines."""
    _, snapshot = snapshots["every-figure"]
    bundled = _loaded("snapshot-hci-mixed")
    assert (bundled.cluster, bundled.updates) == (snapshot.cluster, snapshot.updates)

    def notes(path: str) -> list[str]:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return [line for line in lines if line.startswith("# not read: ")]

    assert notes(bundled.source) == notes(snapshot.source) != []


@pytest.mark.slow
def test_a_sixty_four_node_san_cluster_round_trips_exactly(tmp_path: Path) -> None:
    """The largest cluster (64 nodes, 2,000 VMs, SAN): every figure read, same report."""
    original = _loaded("sixty-four-node-san")
    result, snapshot = take_snapshot(original, tmp_path / "hv64.yaml")
    assert result.exit_code == 0, result.output
    assert snapshot is not None
    assert recoverable(original) == original
    assert (snapshot.cluster, snapshot.updates) == (original.cluster, original.updates)
    assert _report(snapshot, original) == _report(original, original)
