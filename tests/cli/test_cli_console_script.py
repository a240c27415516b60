"""The installed console script `pycau`, run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _pycau() -> str:
    script = shutil.which("pycau", path=str(Path(sys.executable).parent))
    assert script, "the pycau console script is not installed next to this interpreter"
    return script


def test_cli_console_script_simulates_and_writes_a_report(tmp_path: Path) -> None:
    """`pycau simulate --report F` as a process: exit 0, plain progress, a JSON report."""
    out = tmp_path / "report.json"
    env = {**os.environ, "CI": "true"}
    result = subprocess.run(
        [_pycau(), "simulate", "--report", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "expectation met" in result.stdout
    assert result.stderr == ""
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "Succeeded"


def test_cli_console_script_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """A missing scenario file as a process: exit 2, one `error:` line, no traceback."""
    result = subprocess.run(
        [_pycau(), "simulate", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "missing.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    """Two processes with different PYTHONHASHSEED write the same report except simulation.wall."""
    texts = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"report-{hash_seed}.json"
        result = subprocess.run(
            [
                _pycau(),
                "simulate",
                "scenarios/sixteen-node-400-vms.yaml",
                "-q",
                "--report",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(out.read_text(encoding="utf-8"))
        del report["simulation"]["wall"]
        texts.append(json.dumps(report, indent=2))
    assert texts[0] == texts[1]
