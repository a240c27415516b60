"""`pycau run --journal` then `pycau resume` against the twin over real WinRM (loopback).

The coordinator is a real process that dies mid-run (``crash_coordinator.py`` exits hard right
after a journal checkpoint, as kill -9 would); `pycau resume` without `--force-recovery` is
refused while the dead process still holds the cluster's run lock, and with it takes the
lock over at once (the holder's process on this host is gone) and continues the run from the
journal plus a fresh observation: every node ends Succeeded and no node is restarted twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cluster_state import published_run
from runner.journal import RunJournal
from runner.rehearsal.twin import TwinServer
from simulator.scenario import load_scenario
from simulator.twin import Account

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"
CRASH_AFTER_STEP = 40


def _crashed_run(twin: TwinServer, journal_path: Path) -> str:
    """Run `pycau run`'s code path in a process that dies after a checkpoint; its run id."""
    env = {**os.environ, "PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    crash = subprocess.run(
        [sys.executable, str(HERE / "crash_coordinator.py"), str(twin.endpoint.port),
         str(journal_path), str(CRASH_AFTER_STEP)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert crash.returncode == 9, crash.stderr
    journal = RunJournal(journal_path)
    try:
        (run_id,) = journal.run_ids()
    finally:
        journal.close()
    return run_id


def _pycau(*args: str) -> Any:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_resume_continues_a_crashed_run_without_restarting_twice(tmp_path: Path) -> None:
    """A crashed run resumes with --force-recovery to Succeeded; one restart per node; both
    the crashed `pycau run` and the resume published the run's state in the cluster."""
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        journal_path = tmp_path / "journal.sqlite"
        run_id = _crashed_run(twin, journal_path)
        died = published_run(twin.world.run_lock.published or "")  # plain `pycau run` publishes
        at = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
        report_path = tmp_path / "report.json"
        common = [*at, "--journal", str(journal_path), "--yes", "-q"]

        refused = _pycau("resume", run_id, *common)
        assert refused.exit_code == 3, refused.output
        assert "RunLocked" in refused.output

        junit_path = tmp_path / "resumed.xml"
        resumed = _pycau(
            "resume", run_id, *common, "--force-recovery", "--report", str(report_path),
            "--junit", str(junit_path),
        )  # fmt: skip
        assert resumed.exit_code == 0, resumed.output
        assert resumed.stdout.splitlines()[-1] == f"run {run_id} on hci-branch01: Succeeded"
        report = json.loads(report_path.read_text(encoding="utf-8"))
        restarts = [node for _, kind, node, _ in twin.world.timeline if kind == "restart"]
        last = published_run(twin.world.run_lock.published or "")  # and so does `pycau resume`
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
    recovering = [e["detail"] for e in report["events"] if e["event_id"] == 1014]
    assert len(recovering) == 1
    assert "took the run lock over from run" in recovering[0]
    suite = ET.parse(junit_path).getroot().find("testsuite")  # resume --junit renders it
    assert suite is not None
    assert (suite.get("id"), suite.get("failures")) == (run_id, "0")
    assert "[1014] run-recovering" in (suite.findtext("system-out") or "")
    assert again.exit_code == 2
    assert (died.run_id, last.run_id) == (run_id, run_id)
    assert 0 < died.step < CRASH_AFTER_STEP < last.step

    assert "already ended" in again.output
