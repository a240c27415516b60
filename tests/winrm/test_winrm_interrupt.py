"""Ctrl-C and SIGTERM during a real `pycau run` process against a `pycau twin` process.

The first signal stops the run at its next safe point: the node in flight (drained already)
finishes its update, no other node is started, the run ends Canceled, and the output names
the run id, the journal and the exact `pycau resume` command — which then finishes the run.
A second signal abandons at once, saying which node was where, and the printed command (with
--force-recovery: the dead process still holds the run lock) finishes the run too.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from winrm_support import PASSWORD, USERNAME

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "four-node-rolling.yaml"
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
def twin_port(env: dict[str, str]) -> Iterator[int]:
    twin = subprocess.Popen(
        [*PYCAU, "twin", str(SCENARIO), "--port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert twin.stdout is not None
        line = twin.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)/wsman", line)
        assert port is not None, line
        yield int(port.group(1))
    finally:
        twin.send_signal(signal.SIGINT)
        try:
            twin.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            twin.kill()
            twin.communicate()


def _interrupted_run(
    env: dict[str, str], port: int, journal: Path, signals: tuple[int, ...], when: str
) -> tuple[int, str]:
    """`pycau run` until its progress prints ``when``, then ``signals`` 0.3 s apart."""
    run = subprocess.Popen(
        [*PYCAU, "run", "--cluster", f"127.0.0.1:{port}", "--insecure-http", "--yes",
         "--journal", str(journal)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert run.stdout is not None
    seen = []
    for line in run.stdout:
        seen.append(line)
        if when in line:
            break
    for index, signum in enumerate(signals):
        if index:
            time.sleep(0.3)
        run.send_signal(signum)
    rest, _ = run.communicate(timeout=120)
    return run.returncode, "".join(seen) + rest


def _resume_command(output: str) -> list[str]:
    """The `pycau resume …` command the output prints on its own line, as argv."""
    found = re.search(r"^To continue: (pycau resume .+)$", output, re.MULTILINE)
    assert found is not None, output[-800:]
    return shlex.split(found.group(1))


def _finish(env: dict[str, str], command: list[str], report: Path) -> dict[str, object]:
    assert command[:2] == ["pycau", "resume"]
    done = subprocess.run(
        [*PYCAU, *command[1:], "--yes", "--quiet", "--report", str(report)],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    loaded: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGINT, 130),
        pytest.param(signal.SIGTERM, 143, marks=pytest.mark.slow),
    ],
)
def test_first_signal_stops_at_a_safe_point_and_resume_finishes(
    env: dict[str, str], twin_port: int, tmp_path: Path, signum: int, code: int
) -> None:
    """Signal while node2 drains: node2 finishes, nothing else starts, Canceled; the printed
    resume command (run id, cluster, journal) finishes the run to Succeeded."""
    journal = tmp_path / "journal.sqlite"
    status, output = _interrupted_run(env, twin_port, journal, (signum,), "node2: drain")
    assert status == code, output[-1500:]
    flat = " ".join(output.split())
    assert "stopping at the next safe point" in flat
    assert "node2 finishes its update first" in flat
    assert "Canceled (UserCanceled)" in flat
    assert "stopped at a safe point" in flat
    command = _resume_command(output)
    run_id = command[2]
    assert run_id in output
    assert command[3:] == ["--cluster", f"127.0.0.1:{twin_port}", "--insecure-http",
                           "--journal", str(journal)]  # fmt: skip
    assert "Traceback" not in output
    report = _finish(env, command, tmp_path / "report.json")
    assert report["run_id"] == run_id
    assert report["status"] == "Succeeded"
    nodes = report["nodes"]
    assert isinstance(nodes, list)
    assert [n["restarts"] for n in nodes] == [1, 1, 1, 1]


def test_second_signal_abandons_at_once_and_force_recovery_finishes(
    env: dict[str, str], twin_port: int, tmp_path: Path
) -> None:
    """Two Ctrl-C while node2 drains: out at once, saying where node2 was and that the lock
    stays held; the printed command carries --force-recovery and finishes the run."""
    journal = tmp_path / "journal.sqlite"
    status, output = _interrupted_run(
        env, twin_port, journal, (signal.SIGINT, signal.SIGINT), "node2: drain"
    )
    assert status == 130, output[-1500:]
    flat = " ".join(output.split())
    assert "abandoned at once (SIGINT)" in flat
    assert re.search(r"node2 was (in phase \w+|restarting)", flat), flat[-1500:]
    assert "The run lock stays held" in flat
    command = _resume_command(output)
    assert command[-1] == "--force-recovery"
    assert "Traceback" not in output
    report = _finish(env, command, tmp_path / "report.json")
    assert report["status"] == "Succeeded"
    nodes = report["nodes"]
    assert isinstance(nodes, list)
    assert [n["restarts"] for n in nodes] == [1, 1, 1, 1]
