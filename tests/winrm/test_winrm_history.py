"""`pycau history` and `pycau report --journal` against an in-process twin over real WinRM:
two runs, then the history lists both (cluster and journal merged by run id, newest first),
and a journaled run's report renders again byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cli.history_cmd import merge_history
from runner.rehearsal.twin import TwinServer
from simulator.scenario import load_scenario
from simulator.twin import Account
from simulator.twin.answers_history import RunHistory

ROOT = Path(__file__).resolve().parents[2]


def pycau(*args: str) -> Result:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Run 1 journaled in journal A, run 2 in journal B, against one twin."""
    scenario = load_scenario(ROOT / "scenarios" / "two-node-cloud-witness.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    where = tmp_path_factory.mktemp("history")
    at = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
    try:
        ids = []
        for name in ("a", "b"):
            report = where / f"{name}.json"
            done = pycau("run", *at, "--yes", "--quiet", "--journal", str(where / f"{name}.db"),
                         "--report", str(report))  # fmt: skip
            assert done.exit_code == 0, done.output
            ids.append(json.loads(report.read_text(encoding="utf-8"))["run_id"])
        yield {"at": at, "where": where, "ids": ids}
    finally:
        twin.stop()


@pytest.mark.slow
def test_history_lists_both_runs_newest_first_from_cluster_and_journal(
    two_runs: dict[str, object],
) -> None:
    """--json: run 2 first (cluster only: another journal), run 1 (cluster and journal),
    each with start, duration, status and nodes updated and failed."""
    at, where, (first, second) = two_runs["at"], two_runs["where"], two_runs["ids"]
    assert isinstance(at, list)
    assert isinstance(where, Path)
    result = pycau("history", *at, "--journal", str(where / "a.db"), "--json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert [(e["run_id"], e["sources"]) for e in entries] == [
        (second, ["cluster"]),
        (first, ["cluster", "journal"]),
    ]
    for entry in entries:
        assert entry["status"] == "Succeeded"
        assert (entry["nodes_updated"], entry["nodes_failed"]) == (2, 0)
        assert entry["started_at"] == "2026-01-13T02:00:00Z"
        assert entry["duration_seconds"] > 0
    table = pycau("history", *at, "--journal", str(where / "a.db"))
    assert table.exit_code == 0
    assert "2 run(s), newest first" in table.output


@pytest.mark.slow
def test_report_from_the_journal_is_the_runs_report(two_runs: dict[str, object]) -> None:
    """report --journal A --run RUN1 -o FILE writes run 1's report byte for byte; run 2 is
    not in journal A: exit 2, one sentence naming the run A holds."""
    where, (first, second) = two_runs["where"], two_runs["ids"]
    assert isinstance(where, Path)
    again = where / "again.json"
    done = pycau("report", "--journal", str(where / "a.db"), "--run", str(first), "-o", str(again))
    assert done.exit_code == 0, done.output
    assert again.read_bytes() == (where / "a.json").read_bytes()
    missing = pycau("report", "--journal", str(where / "a.db"), "--run", str(second))
    assert missing.exit_code == 2
    flat = " ".join(missing.output.split())
    assert flat == f"error: {where / 'a.db'}: the journal holds no run {second}; its runs: {first}"
    absent = pycau("report", "--journal", str(where / "none.db"), "--run", str(first))
    assert absent.exit_code == 2
    assert "no run journal at this path" in absent.output
    assert not (where / "none.db").exists()


def test_cluster_history_keeps_the_last_50_and_replaces_a_runs_entry() -> None:
    """publish-run's history (the twin's copy): the same run id replaces its entry; past
    Keep, the oldest entries go."""
    history = RunHistory()
    for index in range(53):
        history.fold({"Finished": {"RunId": f"r{index}", "Status": "Failed"}, "Keep": 50})
    history.fold({"Finished": {"RunId": "r10", "Status": "Succeeded"}, "Keep": 50})
    ids = [e["RunId"] for e in history.entries]
    assert len(ids) == 50
    assert ids[0] == "r3"
    assert ids[-1] == "r10"
    assert ids.count("r10") == 1
    history.fold({"Run": {"RunId": "x"}})  # a record still in progress adds nothing
    assert len(history.entries) == 50


def test_merge_keeps_the_clusters_end_over_a_bare_journal_row() -> None:
    """A journal row without a stored report (the run's end not seen) does not override what
    the cluster recorded; newest start first."""
    cluster = [{"run_id": "r1", "started_at": "2026-01-01T00:00:00Z", "status": "Succeeded",
                "duration_seconds": 60.0, "sources": ["cluster"]}]  # fmt: skip
    journal = [
        {"run_id": "r1", "started_at": "2026-01-01T00:00:00Z", "status": "RunInProgress",
         "duration_seconds": None, "sources": ["journal"]},
        {"run_id": "r2", "started_at": "2026-02-01T00:00:00Z", "status": "RunInProgress",
         "duration_seconds": None, "sources": ["journal"]},
    ]  # fmt: skip
    merged = merge_history(cluster, journal)
    assert [(e["run_id"], e["status"], e["sources"]) for e in merged] == [
        ("r2", "RunInProgress", ["journal"]),
        ("r1", "Succeeded", ["cluster", "journal"]),
    ]


def test_report_of_a_journaled_rehearsal_and_of_a_run_without_report(tmp_path: Path) -> None:
    """A journaled simulated run's stored report comes back as JSON on stdout; a run the
    journal saw begin but not end has none: exit 2, one sentence saying why."""
    from runner.journal import RunJournal
    from runner.rehearsal.compose import rehearse

    scenario = load_scenario(ROOT / "scenarios" / "two-node-cloud-witness.yaml")
    journal = tmp_path / "j.db"
    done = rehearse(scenario, journal_path=str(journal)).to_dict()
    shown = pycau("report", "--journal", str(journal), "--run", done["run_id"])
    assert shown.exit_code == 0, shown.output
    again = json.loads(shown.output)
    assert {k: v for k, v in done.items() if k != "simulation"} == again
    opened = RunJournal(journal)
    opened.begin_run(run_id="r-open", cluster="c", profile={}, started_at="2026-01-13T02:00Z")
    opened.close()
    open_run = pycau("report", "--journal", str(journal), "--run", "r-open")
    assert open_run.exit_code == 2
    assert "run r-open has no report in the journal: it is still in progress" in " ".join(
        open_run.output.split()
    )
