"""`pycau stop` from a second process stops a real `pycau run` process against `pycau twin`.

The run process is frozen (SIGSTOP) while node2 drains, `pycau stop` writes the stop request
next to the twin's run lock from its own process, and the run, thawed, sees it at its next
lock renewal: node2 finishes its update, node3 and node4 are Canceled, the run ends Canceled
(UserCanceled, event 1021 naming who asked) and the twin's oracle finds every invariant held.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from winrm_support import PASSWORD, USERNAME

ROOT = Path(__file__).resolve().parents[2]
PYCAU = [sys.executable, "-m", "runner.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYCAU_USERNAME": USERNAME,
        "PYCAU_PASSWORD": PASSWORD,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """The four-node rolling update, expected to end Canceled by the operator's stop."""
    text = (ROOT / "scenarios" / "four-node-rolling.yaml").read_text(encoding="utf-8")
    head = text.split("expect:")[0]
    path = tmp_path / "stopped.yaml"
    path.write_text(head + "expect:\n  status: Canceled\n  error_id: UserCanceled\n")
    return path


@pytest.fixture
def twin(env: dict[str, str], scenario: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [*PYCAU, "twin", str(scenario), "--port", "0", "--exit-after-run"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)/wsman", line)
        assert port is not None, line
        yield int(port.group(1)), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _pycau(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYCAU, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_pycau_stop_from_another_process_ends_the_run_canceled_and_the_oracle_holds(
    env: dict[str, str], twin: tuple[int, subprocess.Popen[str]], tmp_path: Path
) -> None:
    """Stop asked by a second process while node2 drains: node2 finishes, the later nodes are
    Canceled, the run exits 1 with Canceled (UserCanceled), and the twin's oracle holds."""
    port, twin_process = twin
    cluster = ["--cluster", f"127.0.0.1:{port}", "--insecure-http"]
    report_path = tmp_path / "report.json"
    run = subprocess.Popen(
        [*PYCAU, "run", *cluster, "--yes", "--report", str(report_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert run.stdout is not None
    seen = []
    for line in run.stdout:
        seen.append(line)
        if "node2: drain" in line:
            break
    run.send_signal(signal.SIGSTOP)  # the coordinator is frozen while the operator asks
    try:
        wrong = _pycau(env, "stop", *cluster, "--run", "not-this-run")
        asked = _pycau(env, "stop", *cluster)
    finally:
        run.send_signal(signal.SIGCONT)
    rest, _ = run.communicate(timeout=180)
    output = "".join(seen) + rest
    assert wrong.returncode == 3, wrong.stdout + wrong.stderr
    assert "run not-this-run is not in progress; the run in progress is run " in wrong.stderr
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "stop requested by " in asked.stdout
    assert run.returncode == 1, output[-1500:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["status"] == "Canceled"
    assert report["error_id"] == "UserCanceled"
    assert "(pycau stop)" in report["error"]
    statuses = {n["name"]: n["status"] for n in report["nodes"]}
    assert statuses["node2"] == "Succeeded"
    assert statuses["node3"] == statuses["node4"] == "Canceled"
    assert any(e.get("event_id") == 1021 for e in report["events"])
    assert any(e.get("event_id") == 1005 for e in report["events"])
    twin_out, _ = twin_process.communicate(timeout=60)
    assert "ended Canceled (UserCanceled); invariants: all hold" in twin_out, twin_out
    assert "expectation of four-node-rolling met" in twin_out, twin_out  # Canceled, as expected
    assert twin_process.returncode == 0
    nothing = _pycau(env, "stop", "--cluster", f"127.0.0.1:{port}", "--insecure-http")
    assert nothing.returncode == 3  # the twin is gone: the cluster does not answer
