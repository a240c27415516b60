"""Regression (found by `pycau sweep`, eight-node seeds 440/901/910): a coordinator that
crashes during a management outage resumes without a view; it must wait the outage out
(bounded) instead of failing an assertion, and end with a final status."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from runner.rehearsal.compose import rehearse
from simulator.model import FaultSpec
from simulator.scenario import load_scenario

EIGHT = Path(__file__).resolve().parents[2] / "scenarios" / "eight-node-three-way-mirror.yaml"


def outage_then_crash(minutes: float) -> dict[str, object]:
    base = load_scenario(EIGHT)
    faults = (
        FaultSpec(
            type="management-disconnect",
            at_minute=2.5,
            params=MappingProxyType({"minutes": minutes}),
        ),
        FaultSpec(type="coordinator-crash", params=MappingProxyType({"at_step": 22})),
    )
    return rehearse(replace(base, faults=faults), 901).to_dict()


def test_resume_during_a_management_outage_waits_for_the_cluster() -> None:
    """The resumed coordinator observes again until the outage ends, then finishes the run."""
    report = outage_then_crash(18.6)
    assert report["status"] == "Succeeded"
    simulation = report["simulation"]
    assert isinstance(simulation, dict)
    assert all(v["holds"] for v in simulation["invariants"].values())
    assert simulation["counters"]["faults_fired"]["coordinator-crash"] == 1


def test_resume_gives_up_when_the_cluster_never_answers() -> None:
    """An outage longer than the unreachable limit ends the resumed run ClusterUnreachable."""
    report = outage_then_crash(600.0)
    assert report["status"] in ("Failed", "Canceled")
    assert report["error_id"] == "ClusterUnreachable"
