"""Steps of ``features/snapshot.feature``: ``pycau snapshot`` of the twin over WinRM.

Owns: the When step that serves the scenario with ``TwinServer`` on loopback, runs the real
``pycau snapshot`` against it and makes the written file the scenario the next steps
rehearse (``scenario_doc``), keeping the original in ``snapshot_taken``; and the Then steps
comparing the snapshot with the original as loaded model objects.

Must not: patch the CLI, the transport or the twin; ``test_features.py`` star-imports this
module so its step fixtures are visible.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from bdd_checks import Doc
from click.testing import CliRunner
from pytest_bdd import parsers, then, when

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

_USERNAME, _PASSWORD = "CONTOSO\\cau-admin", "Bdd-sn4pshot&horse"


@dataclass(slots=True)
class SnapshotTaken:
    """The original scenario served by the twin, and the snapshot file pycau wrote of it."""

    original: Any = None  # simulator.model.Scenario
    snapshot: Any = None
    text: str = ""


@pytest.fixture
def snapshot_taken() -> SnapshotTaken:
    """Filled in by the When step."""
    return SnapshotTaken()


@when("pycau takes a snapshot of it through the twin over WinRM", target_fixture="scenario_doc")
def take_snapshot(
    scenario_doc: Doc,
    scenario_source: dict[str, str],
    snapshot_taken: SnapshotTaken,
    tmp_path: Path,
) -> Doc:
    """`pycau snapshot -o FILE` against the twin; FILE becomes the scenario."""
    from runner.cli import cli
    from runner.rehearsal.twin import TwinServer
    from simulator.scenario import load_scenario, parse_scenario
    from simulator.twin import Account

    original = parse_scenario(copy.deepcopy(scenario_doc), source=scenario_source["source"])
    account = Account(username=_USERNAME, password=_PASSWORD)
    twin = TwinServer(original, original.seed, account, echo=lambda line: None).start()
    output = tmp_path / "snapshot.yaml"
    try:
        result = CliRunner().invoke(
            cli,
            ["snapshot", "--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http",
             "-o", str(output)],
            env={"PYCAU_USERNAME": _USERNAME, "PYCAU_PASSWORD": _PASSWORD},
            catch_exceptions=False,
        )  # fmt: skip
    finally:
        twin.stop()
    assert result.exit_code == 0, result.output
    snapshot_taken.original = original
    snapshot_taken.snapshot = load_scenario(output)
    snapshot_taken.text = output.read_text(encoding="utf-8")
    scenario_source["source"] = str(output)
    doc: Doc = yaml.safe_load(snapshot_taken.text)
    return doc


def _pairs(taken: SnapshotTaken, part: str) -> tuple[Any, Any]:
    return getattr(taken.original.cluster, part), getattr(taken.snapshot.cluster, part)


@then("the snapshot has the original's nodes, memory, OS builds and restart times")
def same_nodes(snapshot_taken: SnapshotTaken) -> None:
    """Name, memory, full-boot minutes, build, online and vote of every node."""
    fields = ("name", "memory_gb", "boot_minutes", "os_build", "online", "vote")
    original, snapshot = _pairs(snapshot_taken, "nodes")
    assert [[getattr(n, f) for f in fields] for n in snapshot] == [
        [getattr(n, f) for f in fields] for n in original
    ]


@then("the snapshot has the original's VMs with their memory, owners and mobility")
def same_vms(snapshot_taken: SnapshotTaken) -> None:
    """Name, owner, memory and movable of every VM."""
    fields = ("name", "owner", "memory_gb", "movable")
    original, snapshot = _pairs(snapshot_taken, "vms")
    assert [[getattr(v, f) for f in fields] for v in snapshot] == [
        [getattr(v, f) for f in fields] for v in original
    ]


@then("the snapshot has the original's volumes with their resiliency, size and write rate")
def same_volumes(snapshot_taken: SnapshotTaken) -> None:
    """Name, resiliency, size and write rate of every volume (or no S2D at all)."""
    original, snapshot = _pairs(snapshot_taken, "storage")
    assert (original is None) == (snapshot is None)
    if original is not None:
        assert snapshot.volumes == original.volumes


@then("the snapshot has the original's witness")
def same_witness(snapshot_taken: SnapshotTaken) -> None:
    """The quorum witness type."""
    original, snapshot = _pairs(snapshot_taken, "witness")
    assert snapshot == original


@then("the snapshot offers the updates the original offers now, with their install times")
def same_updates(snapshot_taken: SnapshotTaken) -> None:
    """Every update offered now (not the ones a later scan finds), install time included."""
    now = [u for u in snapshot_taken.original.updates if u.after is None]
    assert snapshot_taken.snapshot.updates == tuple(now)


@then(parsers.parse("the snapshot file lists {figure} as not read"))
def listed_as_not_read(snapshot_taken: SnapshotTaken, figure: str) -> None:
    """A `# not read:` comment names the figure."""
    notes = [line for line in snapshot_taken.text.splitlines() if line.startswith("# not read:")]
    assert any(figure in note for note in notes), notes


@then(parsers.parse("no node installed {update_id}"))
def nobody_installed(report: Any, update_id: str) -> None:
    """No node's report lists the update (the snapshot did not offer it)."""
    listed = {u["id"] for n in report["nodes"] for u in n["updates"]}
    assert update_id not in listed, listed
