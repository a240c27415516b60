"""Two real `pycau run` processes against one `pycau twin` process: exactly one runs.

The processes race for the cluster's run lock (the twin's cluster group, created if absent)
started 0 s, 0.2 s and 2 s apart. The winner's run ends Succeeded; the loser exits 3 naming
the winner's run, having changed nothing (every command that changes the cluster carried
the winner's fence); the twin's oracle says every invariant holds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from winrm_support import PASSWORD, USERNAME

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "four-node-rolling.yaml"
PYCAU = [sys.executable, "-m", "runner.cli"]


def _env(tmp: Path, name: str) -> dict[str, str]:
    state = tmp / name
    state.mkdir()
    return {
        **os.environ,
        "PYCAU_USERNAME": USERNAME,
        "PYCAU_PASSWORD": PASSWORD,
        "XDG_STATE_HOME": str(state),
    }


def race(tmp: Path, offset: float) -> tuple[list[subprocess.CompletedProcess[str]], str]:
    """Start a twin, then two runs ``offset`` seconds apart; (the two runs, twin output)."""
    twin = subprocess.Popen(
        [*PYCAU, "twin", str(SCENARIO), "--port", "0", "--exit-after-run"],
        env=_env(tmp, "twin"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert twin.stdout is not None
        first = twin.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)/wsman", first)
        assert port is not None, first
        command = [*PYCAU, "run", "--cluster", f"127.0.0.1:{port.group(1)}", "--insecure-http",
                   "--yes", "--quiet"]  # fmt: skip
        runs = []
        for index in range(2):
            if index:
                time.sleep(offset)
            runs.append(
                subprocess.Popen(
                    command,
                    env=_env(tmp, f"run{index}"),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        done = []
        for run in runs:
            out, err = run.communicate(timeout=180)
            done.append(subprocess.CompletedProcess(run.args, run.returncode, out, err))
        rest, _ = twin.communicate(timeout=60)
        return done, first + rest
    finally:
        if twin.poll() is None:
            twin.kill()
            twin.wait()


def check_exactly_one_ran(tmp: Path, offset: float) -> None:
    runs, twin = race(tmp, offset)
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 3], [(r.returncode, r.stdout[-300:], r.stderr) for r in runs]
    loser = next(run for run in runs if run.returncode == 3)
    winner = re.search(r"twin: run (\S+) ended Succeeded; invariants: all hold", twin)
    assert winner is not None, twin
    run_id = winner.group(1)
    assert "RunLocked" in loser.stderr
    assert f"locked by run {run_id}" in loser.stderr
    assert "Traceback" not in loser.stderr
    # Every command that changed the cluster came from the winner; the expectation held.
    assert f"came from 1 run(s): {run_id} (" in twin, twin
    assert "expectation of four-node-rolling met" in twin


def test_two_coordinators_started_together_exactly_one_runs(tmp_path: Path) -> None:
    """Started 0.2 s apart: one Succeeded run, one exit 3 that changed nothing."""
    check_exactly_one_ran(tmp_path, 0.2)


@pytest.mark.slow
@pytest.mark.parametrize("offset", [0.0, 0.2, 2.0])
@pytest.mark.parametrize("repetition", range(4))
def test_two_coordinators_race_repeatedly(tmp_path: Path, offset: float, repetition: int) -> None:
    """Started 0 s, 0.2 s and 2 s apart, four times each: always exactly one runs."""
    check_exactly_one_ran(tmp_path, offset)
