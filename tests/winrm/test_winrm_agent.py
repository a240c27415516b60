"""`pycau agent` processes against one twin over real WinRM (loopback).

The profile's schedule fires on Tuesday 2026-01-13 at 02:00 UTC — the twin's simulated
start — so the firing is due as the agents start. Two `pycau agent --once` processes: exactly
one runs the firing, the other watches the holder's lease until the run ends and does not run
it again. An agent killed with SIGKILL mid-run: the other agent takes the run over from the
run state published in the cluster once the holder is gone, and finishes it — one restart
per node, every command from the firing's one run id, every invariant holding.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from winrm_support import PASSWORD, USERNAME

from runner.agent import firing_run_id
from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from simulator.scenario import load_scenario
from simulator.twin import Account

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"
PYCAU = [sys.executable, "-m", "runner.cli"]
FIRING = "2026-01-13T02:00:00+00:00"  # a Tuesday: the twin's simulated start
SCHEDULE = f"schedule:\n  start_date: '{FIRING}'\n  days_of_week: Tuesday\n"


def _env(tmp: Path, name: str) -> dict[str, str]:
    state = tmp / name
    state.mkdir()
    return {**os.environ, "PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD,
            "XDG_STATE_HOME": str(state)}  # fmt: skip


def _twin(lines: list[str]) -> TwinServer:
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    return TwinServer(scenario, scenario.seed, account, echo=lines.append).start()


def _profile(tmp: Path, text: str = SCHEDULE) -> Path:
    path = tmp / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _agent_args(twin: TwinServer, profile: Path) -> list[str]:
    return ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http",
            "--profile", str(profile), "--once", "--quiet"]  # fmt: skip


def _pycau(*args: str) -> Any:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _restarts(twin: TwinServer) -> list[str]:
    return sorted(str(node) for _, kind, node, _ in twin.world.timeline if kind == "restart")


@pytest.mark.slow
def test_two_agents_exactly_one_runs_the_firing_the_other_watches(tmp_path: Path) -> None:
    """Started 0.2 s apart: one runs, the other reports the holder and watches its lease;
    the firing ran once (one run id, one restart per node), every invariant holds."""
    lines: list[str] = []
    twin = _twin(lines)
    try:
        args = _agent_args(twin, _profile(tmp_path))
        agents = []
        for index in range(2):
            if index:
                time.sleep(0.2)
            agents.append(subprocess.Popen(
                [*PYCAU, "agent", *args], env=_env(tmp_path, f"agent{index}"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))  # fmt: skip
        done = [agent.communicate(timeout=180) for agent in agents]
        codes = [agent.returncode for agent in agents]
        status = _pycau("status", "--cluster", f"127.0.0.1:{twin.endpoint.port}",
                        "--insecure-http", "--profile", str(tmp_path / "profile.yaml"))  # fmt: skip
    finally:
        twin.stop()
    run_id = firing_run_id(twin.scenario.cluster.name, datetime.fromisoformat(FIRING))
    assert codes == [0, 0], done
    runners = [out for out, _ in done if f"this agent runs {run_id}" in out]
    watchers = [out for out, _ in done if "watching its lease" in out]
    assert len(runners) == 1, done
    assert len(watchers) == 1, done
    assert f"held by run {run_id}" in watchers[0]
    assert "this agent runs" not in watchers[0]
    assert all("Traceback" not in err for _, err in done)
    assert f"twin: run {run_id} ended Succeeded; invariants: all hold" in lines, lines
    assert set(twin.answers.fenced_commands) == {run_id}
    assert _restarts(twin) == ["node1", "node2"]
    assert status.exit_code == 0, status.output
    assert "Agents              : none" in status.output  # both withdrew their presence
    assert "NextFiring          : 2026-01-20T02:00:00+00:00 (profile's schedule" in status.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reaped", "why"),
    [(True, "its process is gone"), (False, "its heartbeat is")],
    ids=["dead-process", "heartbeat-expired"],
)
def test_an_agent_killed_mid_run_is_taken_over_by_the_other(
    tmp_path: Path, reaped: bool, why: str
) -> None:
    """kill -9 of the running agent after journal step 30: the watching agent takes the run
    over from the cluster's run state and finishes it; no node is restarted twice. Reaped,
    the dead process is seen gone at once (same host); left a zombie (its pid still
    exists), the watcher waits until the heartbeat has been silent for 15 minutes."""
    lines: list[str] = []
    twin = _twin(lines)
    try:
        args = _agent_args(twin, _profile(tmp_path))
        crashing = subprocess.Popen(
            [sys.executable, str(HERE / "crash_agent.py"), "30", *args],
            env=_env(tmp_path, "crashing"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert crashing.stdout is not None
        seen = []
        for line in crashing.stdout:
            seen.append(line)
            if "this agent runs" in line:
                break
        watcher = subprocess.Popen(
            [*PYCAU, "agent", *args], env=_env(tmp_path, "watcher"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        if reaped:
            crashing.communicate(timeout=180)
        out, err = watcher.communicate(timeout=180)
        crashing.communicate(timeout=180)
    finally:
        twin.stop()
    assert crashing.returncode == -9, seen
    run_id = firing_run_id(twin.scenario.cluster.name, datetime.fromisoformat(FIRING))
    assert watcher.returncode == 0, (out, err)
    assert f"{why}" in out, out
    assert "taking its run over" in out, out
    assert f"took over run {run_id}" in out, out
    assert f"twin: run {run_id} ended Succeeded; invariants: all hold" in lines, lines
    assert set(twin.answers.fenced_commands) == {run_id}
    assert _restarts(twin) == ["node1", "node2"]


def test_once_between_firings_exits_0_naming_the_next_and_leaves_no_trace(
    tmp_path: Path,
) -> None:
    """A real `pycau agent --once` process before Wednesday's firing: exit 0, the next
    firing named, the run lock free, no run, its presence withdrawn."""
    lines: list[str] = []
    twin = _twin(lines)
    try:
        profile = _profile(tmp_path, SCHEDULE.replace("Tuesday", "Wednesday"))
        done = subprocess.run(
            [*PYCAU, "agent", *_agent_args(twin, profile)], env=_env(tmp_path, "agent"),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        lock, agents = twin.world.run_lock.read(), twin.world.agents.read()
    finally:
        twin.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "pycau agent: no firing due now; next firing 2026-01-14T02:00:00+00:00"
    )
    assert lock is None
    assert agents == ()
    assert twin.answers.fenced_commands == {}


def test_what_if_prints_the_next_firing_and_the_plan_and_changes_nothing(tmp_path: Path) -> None:
    """--what-if: the firing (due now, its time zone stated) and the run's plan; no lock,
    no presence, no run record."""
    lines: list[str] = []
    twin = _twin(lines)
    try:
        at = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
        result = _pycau("agent", *at, "--profile", str(_profile(tmp_path)), "--what-if")
        status = _pycau("status", *at)
    finally:
        twin.stop()
    assert result.exit_code == 0, result.output
    assert f"next firing: {FIRING} (due now) — times in UTC+00:00" in result.output
    assert "plan: rolling update of hci-branch01" in result.output
    assert "what-if: nothing was changed on the cluster" in result.output
    assert "RunLock             : free" in status.output
    assert "Agents              : none" in status.output
    assert "RunNotInProgress (no pycau run was ever published)" in status.output


def test_status_shows_live_and_stale_agents_and_the_announced_next_firing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two agents' presence written over WinRM, one silent for more than 15 minutes of the
    cluster's time: status lists both, marks the silent one stale, and takes the next firing
    from the live one."""
    from runner.agent_types import AgentPresence
    from runner.cli.remote_session import connect

    lines: list[str] = []
    twin = _twin(lines)
    try:
        params = {"cluster": f"127.0.0.1:{twin.endpoint.port}", "insecure_http": True,
                  "ca_cert": None, "auth": "ntlm", "username": USERNAME}  # fmt: skip
        monkeypatch.setenv("PYCAU_PASSWORD", PASSWORD)
        session = connect(params)
        old = AgentPresence(host="mgmt1", pid=11, started_at="s1", state="waiting",
                            next_firing="2026-01-20T02:00:00+00:00")  # fmt: skip
        session.transport.publish_agent_presence(old)
        session.clock.sleep(1000)
        live = AgentPresence(host="mgmt2", pid=22, started_at="s2", state="waiting",
                             next_firing="2026-01-27T02:00:00+00:00")  # fmt: skip
        session.transport.publish_agent_presence(live)
        read = session.transport.read_agent_presences()
        session.transport.close()
        status = _pycau("status", "--cluster", params["cluster"], "--insecure-http")
    finally:
        twin.stop()
    assert [(p.host, p.pid, p.state) for p in read] == [("mgmt1", 11, "waiting"),
                                                        ("mgmt2", 22, "waiting")]  # fmt: skip
    assert read[0].last_seen_age_seconds >= 1000
    assert status.exit_code == 0, status.output
    out = status.output.splitlines()
    mgmt1 = next(line for line in out if "mgmt1 process 11" in line)
    mgmt2 = next(line for line in out if "mgmt2 process 22" in line)
    assert "stale" in mgmt1
    assert "stale" not in mgmt2
    assert "NextFiring          : 2026-01-27T02:00:00+00:00 (announced by the agents)" in out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_waiting_agent_at_once_and_withdraws_its_presence(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """An agent waiting for a firing months away: SIGTERM (143) or Ctrl-C (130) ends it,
    saying no run of it was in progress; its entry leaves the cluster's registry."""
    lines: list[str] = []
    twin = _twin(lines)
    try:
        profile = _profile(tmp_path, SCHEDULE.replace("2026-01-13", "2026-12-01"))
        args = [a for a in _agent_args(twin, profile) if a != "--once"]
        agent = subprocess.Popen(
            [*PYCAU, "agent", *args], env=_env(tmp_path, "agent"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert agent.stdout is not None
        first = agent.stdout.readline()
        waiting = twin.world.agents.read()
        for _ in range(100):  # its first slice writes the presence right after that line
            if waiting:
                break
            time.sleep(0.05)
            waiting = twin.world.agents.read()
        agent.send_signal(signum)
        rest, err = agent.communicate(timeout=30)
        left = twin.world.agents.read()
    finally:
        twin.stop()
    assert first.startswith("pycau agent: next firing 2026-12-01T02:00:00+00:00"), (first, err)
    assert [p.state for p in waiting] == ["waiting"]
    assert agent.returncode == 128 + signum, err
    assert f"stopped by {signum.name} while waiting or watching" in rest
    assert "Traceback" not in err
    assert left == ()
