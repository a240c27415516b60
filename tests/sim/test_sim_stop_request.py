"""The simulated ``stop-request`` fault (``pycau stop`` from another machine): the world
writes a stop request next to its run lock, the coordinator sees it at its next renewal and
stops at a safe point; the oracle judges the stopped run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from runner.rehearsal.compose import rehearse
from runner.stop_orders import StopOrder
from runner.types import LockHolder
from simulator.lock_group import RunLockGroup
from simulator.model import FaultSpec
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
HOLDER = LockHolder(run_id="r-1", coordinator="h", pid=1, started_at="2026-01-13T02:00:00Z")


def test_bundled_stop_request_ends_canceled_with_node_in_flight_finished() -> None:
    """stop-request.yaml: 1021 names who asked and that node2 finishes first; node2
    Succeeded, node3/node4 Canceled; Canceled (UserCanceled); every invariant holds."""
    report = rehearse(load_scenario(ROOT / "scenarios" / "stop-request.yaml")).to_dict()
    assert (report["status"], report["error_id"]) == ("Canceled", "UserCanceled")
    assert "alice@jumphost" in report["error"]
    statuses = [(n["name"], n["status"]) for n in report["nodes"]]
    assert statuses == [
        ("node1", "Succeeded"),
        ("node2", "Succeeded"),
        ("node3", "Canceled"),
        ("node4", "Canceled"),
    ]
    announced = [e for e in report["events"] if e["event_id"] == 1021]
    assert len(announced) == 1
    assert "node2 finishes its update first" in announced[0]["detail"]
    assert 3600 <= announced[0]["time"] <= 3600 + 60 + 10  # seen at the next renewal
    simulation = report["simulation"]
    assert simulation["counters"]["faults_fired"] == {"stop-request": 1}
    assert all(v["holds"] for v in simulation["invariants"].values())


def test_stop_request_after_the_run_writes_nothing_and_the_run_succeeds() -> None:
    """A stop asked when no run holds the lock (after the run ended) writes nothing: the
    timeline says so, and the run is untouched."""
    base = load_scenario(ROOT / "scenarios" / "stop-request.yaml")
    late = FaultSpec(type="stop-request", at_minute=10_000)
    scenario = replace(base, faults=(late,))
    report = rehearse(scenario).to_dict()
    assert report["status"] == "Succeeded"
    assert report["simulation"]["counters"]["faults_fired"] == {}


def test_lock_group_writes_a_stop_for_its_holder_only_and_forgets_it_with_the_lock() -> None:
    """request_stop: None when unlocked; another run's id writes nothing; the holder's (or
    no) run id is written once, handed back by renew, and cleared by release."""
    lock = RunLockGroup(lambda: 0.0)
    order = StopOrder(run_id="", requested_by="bob@pc", requested_at="T")
    assert lock.request_stop(order) is None
    assert lock.create(HOLDER) is None
    other = replace(order, run_id="r-2")
    assert lock.request_stop(other) == HOLDER
    assert lock.renew(HOLDER) is None
    assert lock.request_stop(order) == HOLDER
    assert lock.renew(HOLDER) == replace(order, run_id="r-1")
    lock.release(HOLDER)
    assert lock.create(HOLDER) is None
    assert lock.renew(HOLDER) is None
