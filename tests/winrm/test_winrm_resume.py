"""`pycau run --journal` then `pycau resume` against the twin over real WinRM (loopback).

The coordinator dies mid-run (the journal's after-checkpoint hook raises, as a killed
process would stop there); `pycau resume` is refused while the dead run still holds the
run lock, and with `--force-recovery` continues the run from the journal plus a fresh
observation: every node ends Succeeded and no node is restarted twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cli.remote_run import perform_run
from runner.cli.remote_session import connect
from runner.cli.twin_serve import TwinServer
from runner.journal import RunJournal
from runner.profile import Profile
from simulator.scenario import load_scenario
from simulator.twin import Account

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"
CRASH_AFTER_STEP = 40


class CoordinatorKilled(Exception):
    """Stands for the coordinator process dying right after a checkpoint."""


def _params(port: int) -> dict[str, Any]:
    return {
        "cluster": f"127.0.0.1:{port}",
        "insecure_http": True,
        "ca_cert": None,
        "auth": "ntlm",
        "username": USERNAME,
        "cert_pem": None,
        "cert_key_pem": None,
    }


def _crashed_run(twin: TwinServer, journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Start `pycau run`'s code path with a journal and kill it after a checkpoint."""
    monkeypatch.setenv("PYCAU_PASSWORD", PASSWORD)
    session = connect(_params(twin.endpoint.port))
    journal = RunJournal(journal_path)

    def die(step: int) -> None:
        if step == CRASH_AFTER_STEP:
            raise CoordinatorKilled(step)

    journal.after_checkpoint = die
    try:
        with pytest.raises(CoordinatorKilled):
            perform_run(
                session, Profile(), Console(quiet=True), yes=True, what_if=False,
                force_recovery=False, quiet=True, on_report=lambda report: None,
                journal=journal,
            )  # fmt: skip
        (run_id,) = journal.run_ids()
    finally:
        journal.close()
        session.transport.close()
    return run_id


def _pycau(*args: str) -> Any:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_resume_continues_a_crashed_run_without_restarting_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crashed run resumes with --force-recovery to Succeeded; one restart per node."""
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        journal_path = tmp_path / "journal.sqlite"
        run_id = _crashed_run(twin, journal_path, monkeypatch)
        at = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
        report_path = tmp_path / "report.json"
        common = [*at, "--journal", str(journal_path), "--yes", "-q"]

        refused = _pycau("resume", run_id, *common)
        assert refused.exit_code == 3, refused.output
        assert "RunLocked" in refused.output

        resumed = _pycau(
            "resume", run_id, *common, "--force-recovery", "--report", str(report_path)
        )
        assert resumed.exit_code == 0, resumed.output
        assert resumed.stdout.splitlines()[-1] == f"run {run_id} on hci-branch01: Succeeded"
        report = json.loads(report_path.read_text(encoding="utf-8"))
        restarts = [node for _, kind, node, _ in twin.world.timeline if kind == "restart"]
        again = _pycau("resume", run_id, *common, "--force-recovery")
    finally:
        twin.stop()
    assert report["run_id"] == run_id
    assert report["status"] == "Succeeded"
    assert {n["name"]: n["status"] for n in report["nodes"]} == {
        "node1": "Succeeded",
        "node2": "Succeeded",
    }
    assert sorted(restarts) == ["node1", "node2"]
    assert any(e["event_id"] == 1014 for e in report["events"])
    assert again.exit_code == 2

    assert "already ended" in again.output
