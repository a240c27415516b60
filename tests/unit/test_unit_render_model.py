"""The view model of the renderings: what a report's JSON says, and nothing else."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from literal_reports import run_report, setup_report, sweep_report, with_simulation

from runner.render.hresults import decode_hresult
from runner.render.model import CLUSTER_ROW_SOURCES, clock, run_view, seconds_text
from runner.render.sweep_model import histogram, sweep_view
from runner.validation import load_schema


@pytest.mark.parametrize(
    ("report", "schema"),
    [
        (run_report(), "report.schema.json"),
        (with_simulation(run_report()), "report.schema.json"),
        (sweep_report(), "sweep.schema.json"),
        (setup_report(), "setup.schema.json"),
    ],
)
def test_literal_reports_are_schema_valid(report: dict[str, Any], schema: str) -> None:
    """The hand-written reports of these tests are what pycau writes (schema-valid)."""
    errors = list(Draft202012Validator(load_schema("runner", schema)).iter_errors(report))
    assert errors == []


def test_every_attempt_is_on_the_timeline() -> None:
    """node2's bars come from its phase events: both attempts, not just the last timing."""
    view = run_view(run_report())
    node2 = next(row for row in view.node_rows if row.name == "node2")
    assert [(b.phase, b.attempt, b.start, b.end) for b in node2.bars] == [
        ("drain", 1, 1500, 1550),
        ("install", 1, 1550, 2000),
        ("drain", 2, 2100, 2150),
        ("install", 2, 2150, 2600),
    ]
    assert [(m.kind, m.time) for m in node2.marks] == [("retry", 2100), ("failure", 2600)]


def test_restart_marks_and_a_node_never_operated_on() -> None:
    """A restart (1010) is marked on its node; node3 (Canceled) has an empty row."""
    view = run_view(run_report())
    rows = {row.name: row for row in view.node_rows}
    assert [(m.kind, m.time) for m in rows["node1"].marks] == [("restart", 900.5)]
    assert rows["node3"].bars == ()
    assert rows["node3"].status == "Canceled"


def test_a_phase_the_run_ended_inside_is_open() -> None:
    """A phase-start without its phase-end becomes an open bar up to the run's end."""
    report = run_report()
    report["events"] = [e for e in report["events"] if not (e.get("phase") == "install"
                        and e["kind"] == "phase-end" and e.get("attempt") == 2)]  # fmt: skip
    bar = run_view(report).node_rows[1].bars[-1]
    assert (bar.phase, bar.open, bar.end) == ("install", True, 2601.0)


def test_without_phase_events_the_timing_is_used() -> None:
    """A report without phase events still shows each node's (last-attempt) timing."""
    report = run_report()
    report["events"] = [e for e in report["events"] if "phase" not in e]
    node1 = run_view(report).node_rows[0]
    assert [(b.phase, b.start, b.end) for b in node1.bars] == [
        ("drain", 11.0, 60.0),
        ("install", 60.0, 900.0),
    ]


def test_summary_counts_nodes_by_status_in_caus_order() -> None:
    """Nodes by status, in the order Succeeded, PartiallyFailed, Failed, Canceled."""
    view = run_view(run_report())
    assert view.nodes_by_status == (("Succeeded", 1), ("Failed", 1), ("Canceled", 1))
    assert (view.status, view.error_id) == ("Failed", "MaxFailedNodesExceeded")


def test_updates_carry_the_decoded_hresult() -> None:
    """Each failed update has its HRESULT and what it means."""
    node2 = run_view(run_report()).nodes[1]
    assert [(u.hresult, u.meaning) for u in node2.updates] == [
        ("0x80240022", "WU_E_ALL_UPDATES_FAILED: Operation failed for all the updates."),
        ("0x8024ABCD", decode_hresult("0x8024ABCD")),
    ]


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("0x80240022", "WU_E_ALL_UPDATES_FAILED: Operation failed for all the updates."),
        (
            "0x800f0922",
            "CBS_E_INSTALLERS_FAILED: Processing advanced installers and generic commands failed.",
        ),
        ("0x80070005", "E_ACCESSDENIED: Access is denied."),
        ("0x8024ABCD", "Windows Update failure, code 0xABCD; not in pycau's table of known codes"),
        ("0x800704C7", "Win32 error 1223 (failure); not in pycau's table of known codes"),
        ("not-a-code", "not-a-code"),
        (None, None),
    ],
)
def test_decode_hresult(code: str | None, meaning: str | None) -> None:
    """Known codes by name and meaning; others by what their bits say; nothing guessed."""
    assert decode_hresult(code) == meaning


def test_a_real_runs_quorum_lane_claims_nothing() -> None:
    """Without a simulation section the quorum lane says it was not observed."""
    lanes = {lane.name: lane for lane in run_view(run_report()).lanes}
    assert lanes["quorum"].verdict == "unknown"
    assert "not observed" in lanes["quorum"].note
    assert run_view(run_report()).invariants is None


def test_the_oracle_verdicts_feed_the_strip() -> None:
    """A simulated run's quorum violation is a red mark on the quorum lane."""
    lanes = {lane.name: lane for lane in run_view(with_simulation(run_report())).lanes}
    assert lanes["quorum"].verdict == "violated"
    assert [(m.kind, m.time) for m in lanes["quorum"].marks] == [("failure", 1520.0)]
    assert lanes["storage"].verdict == "ok"


def test_maintenance_and_storage_lanes_come_from_events() -> None:
    """Nodes in maintenance step at 1008/1009; storage segments are the storage phases."""
    lanes = {lane.name: lane for lane in run_view(run_report()).lanes}
    assert [(s.start, s.end, s.label) for s in lanes["nodes in maintenance"].segments] == [
        (60, 1310, "node1"),
        (1550, 2001, "node2"),
    ]
    assert [(s.start, s.end) for s in lanes["storage"].segments] == [(10, 11), (1310, 1500)]


def test_cluster_wide_phases_get_their_own_row() -> None:
    """Phase events without a node, and a cluster_timing mapping, become cluster rows."""
    report = run_report()
    report["events"] += [
        {"time": 5, "kind": "phase-start", "node": None, "detail": "", "event_id": None,
         "phase": "stop_cluster"},
        {"time": 30, "kind": "phase-end", "node": None, "detail": "", "event_id": None,
         "phase": "stop_cluster"},
    ]  # fmt: skip
    report["cluster_timing"] = {"functional_level": [2601, 2650]}
    rows = run_view(report).cluster_rows
    assert [(r.name, [(b.phase, b.start, b.end) for b in r.bars]) for r in rows] == [
        ("cluster", [("stop_cluster", 5, 30)]),
        ("cluster (timing)", [("functional_level", 2601.0, 2650.0)]),
    ]
    assert len(CLUSTER_ROW_SOURCES) == 2


def test_unknown_fields_are_kept_as_they_are() -> None:
    """A field the renderer does not know is carried through, never dropped or an error."""
    report = with_simulation(run_report())
    report["cluster_section"] = {"os": "23H2"}
    report["simulation"]["snapshot"] = [1, 2]
    other = dict(run_view(report).other)
    assert other == {"cluster_section": {"os": "23H2"}, "simulation.snapshot": [1, 2]}


def test_the_view_does_not_change_the_report() -> None:
    """Building the view reads the report and leaves it as it was."""
    report = with_simulation(run_report())
    before = copy.deepcopy(report)
    run_view(report)
    assert report == before


def test_histogram_bins() -> None:
    """Equal-width bins over the values, the last including its upper edge."""
    bins = histogram([0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 10.0])
    assert [b.count for b in bins] == [4, 1, 4]
    assert (bins[0].low, bins[-1].high) == (0.0, 10.0)
    assert histogram([]) == ()
    assert [(b.low, b.high, b.count) for b in histogram([5.0, 5.0])] == [(5.0, 5.0, 2)]


def test_sweep_view_flags_every_seed_that_was_not_clean() -> None:
    """Flagged seeds: not Succeeded, violated, or with a replay; histogram of finished runs."""
    view = sweep_view(sweep_report())
    assert [s.seed for s in view.flagged] == [2, 3, 5]
    assert sum(b.count for b in view.bins) == 5  # seed 5 has no final status
    assert view.flagged[0].replay == "pycau simulate four-node-rolling --seed 2 --swarm"


def test_times_as_text() -> None:
    """h:mm:ss since run start, and seconds as plain decimals (JUnit's time: no exponent)."""
    assert clock(9706.0) == "2:41:46"
    assert clock(0.4) == "0:00:00"
    assert [seconds_text(s) for s in (9706.0, 1234567.25, 0.0, 0.1234)] == [
        "9706", "1234567.25", "0", "0.123",
    ]  # fmt: skip
