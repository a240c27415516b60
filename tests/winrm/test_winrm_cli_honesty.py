"""The real-cluster commands say what is true, against the twin over real WinRM (loopback).

`run --quiet` ends with the verdict line; the live header names what the run drives; a run
without --yes and without a terminal stops before connecting; a declined confirmation on a
real terminal changes nothing; `twin --port` of a busy or privileged port is one sentence;
HTTPS to a plain-HTTP listener is diagnosed as such, not as a certificate problem.
"""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cli.live_view import LiveView
from runner.cli.remote_session import Session
from runner.rehearsal.twin import TwinServer
from runner.remote_protocol import TWIN_MARKER
from runner.report import RunEvent
from simulator.bundled import resolve_scenario
from simulator.scenario import load_scenario
from simulator.twin import Account

ENV = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
MAIN = "from runner.cli import main; main()"


@pytest.fixture
def twin_of() -> Iterator[Callable[[str], TwinServer]]:
    """Start the twin of a bundled scenario by NAME (stopped after the test)."""
    servers: list[TwinServer] = []

    def make(name: str) -> TwinServer:
        scenario = load_scenario(resolve_scenario(name))
        account = Account(username=USERNAME, password=PASSWORD)
        server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def pycau(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env or ENV, catch_exceptions=False)


def at(twin: TwinServer) -> list[str]:
    return ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]


def test_run_quiet_ends_with_the_verdict_line(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """`pycau run --yes --quiet`: the plan, then no progress and no tables, then one verdict
    line naming the run, the cluster, the status and the error id (here a refused run: the
    RollingUpgrade plug-in offers the feature update a VMM 2019 cluster must not take)."""
    twin = twin_of("known-issue-vmm-2019-managed")
    profile = tmp_path / "profile.yaml"
    profile.write_text("plugin: rolling-upgrade\n")
    result = pycau("run", *at(twin), "--yes", "--quiet", "--profile", str(profile))
    assert result.exit_code == 1, result.output
    after = result.stdout.split("MaxRetriesPerNode", 1)[1].splitlines()[1:]
    after_plan = [line for line in after if not line.startswith("  • ")]  # the plan's bullets
    assert len(after_plan) == 1
    assert after_plan[0].startswith("run ")
    assert after_plan[0].endswith(" on hci20: Failed (UnsupportedManagement)")


def test_live_header_names_what_the_run_drives(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """On a terminal the header says simulated, twin or real cluster — from the session."""
    twin = twin_of("known-issue-vmm-2019-managed")
    twin_session = Session(transport=None, clock=None, probe={TWIN_MARKER: {"Scenario": "s"}})  # type: ignore[arg-type]
    real_session = Session(transport=None, clock=None, probe={"Cluster": "hci01"})  # type: ignore[arg-type]
    assert (twin_session.world, real_session.world) == ("twin", "real")
    headers = {}
    for world in ("simulated", "twin", "real"):
        console = Console(force_terminal=True, width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        with LiveView(console, ("node1",), title="hci01", world=world) as progress:
            progress(RunEvent(time=61.0, kind="phase-start", node="node1", phase="drain"))
        headers[world] = console.export_text().splitlines()[0]
        console.file.close()
    assert headers["simulated"].endswith("hci01 · T+00:01:01 simulated")
    assert headers["twin"].endswith("hci01 · T+00:01:01 on the twin (simulated time)")
    assert headers["real"].endswith("hci01 · T+00:01:01 on a real cluster")
    profile = tmp_path / "profile.yaml"
    profile.write_text("plugin: rolling-upgrade\n")  # the feature update VMM 2019 refuses
    live = pycau(
        "run", *at(twin), "--yes", "--profile", str(profile),
        env={**ENV, "FORCE_COLOR": "1", "COLUMNS": "120"},
    )  # fmt: skip
    assert live.exit_code == 1, live.output
    assert "on the twin (simulated time)" in live.stdout
    assert " simulated\n" not in live.stdout


@pytest.mark.parametrize("command", ["run", "resume"])
def test_without_yes_and_without_a_terminal_nothing_is_contacted(
    twin_of: Callable[[str], TwinServer], command: str
) -> None:
    """No --yes and stdin not a terminal: exit 2, "not interactive: pass --yes", and the
    cluster never saw a request (the check comes before connecting)."""
    twin = twin_of("two-node-cloud-witness")
    args = [command, *(["some-run-id"] if command == "resume" else []), *at(twin)]
    result = pycau(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: not interactive: pass --yes")
    assert result.stderr.count("\n") == 1
    assert twin.endpoint.actions == []
    what_if = pycau("run", *at(twin), "--what-if")  # asks nothing, so it needs no terminal
    assert what_if.exit_code == 0, what_if.output
    assert "nothing was changed" in what_if.stdout


def test_declined_confirmation_on_a_terminal_changes_nothing(
    twin_of: Callable[[str], TwinServer], tmp_path: Path
) -> None:
    """On a real terminal (a pty) the question is asked; "n" starts nothing: exit 1, only
    the probe and the observation reached the cluster."""
    twin = twin_of("two-node-cloud-witness")
    controller, terminal = pty.openpty()
    os.write(controller, b"n\n")
    process = subprocess.run(
        [sys.executable, "-c", MAIN, "run", *at(twin)],
        stdin=terminal, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, **ENV}, cwd=tmp_path,
    )  # fmt: skip
    os.close(terminal)
    os.close(controller)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "Start the updating run?" in process.stdout
    assert "not started: nothing was changed on the cluster" in process.stdout
    assert set(twin.answers.scripts) == {"probe", "observe"}


def test_twin_on_a_busy_port_is_one_sentence(tmp_path: Path) -> None:
    """`pycau twin NAME --port N` of a port in use: exit 2, the port named, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = pycau("twin", "two-node-cloud-witness", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --port: port {port} on 127.0.0.1 is already in use (another twin or "
        "listener?): choose another --port, or --port 0 for any free one\n"
    )


def test_twin_on_a_privileged_port_says_so(tmp_path: Path) -> None:
    """A port below 1024 the user may not listen on: exit 2, "privileged port". Run as a
    process without CAP_NET_BIND_SERVICE (root drops it from its bounding set first)."""
    drop_and_run = (
        "import ctypes, os, sys\n"
        "if os.geteuid() == 0:\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    assert libc.prctl(24, 10, 0, 0, 0) == 0  # PR_CAPBSET_DROP CAP_NET_BIND_SERVICE\n"
        "os.execv(sys.executable, [sys.executable, '-c', sys.argv[1], *sys.argv[2:]])\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", drop_and_run, MAIN, "twin", "two-node-cloud-witness", "--port",
         "1"],
        capture_output=True, text=True, timeout=60, check=False, env={**os.environ, **ENV},
        cwd=tmp_path, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.returncode == 2, process.stdout + process.stderr
    assert process.stderr == (
        "error: --port: port 1 is a privileged port (below 1024) and this user may not "
        "listen on it: choose a port from 1024, or --port 0 for any free one\n"
    )


def test_https_to_a_plain_http_listener_is_diagnosed_as_such(
    twin_of: Callable[[str], TwinServer],
) -> None:
    """An HTTPS client (the default) against the twin's HTTP listener: exit 3 saying the
    port answered plain HTTP and what to do — not a certificate problem."""
    twin = twin_of("two-node-cloud-witness")
    result = pycau("status", "--cluster", f"127.0.0.1:{twin.endpoint.port}")
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: AuthenticationFailed: 127.0.0.1:{twin.endpoint.port} answered plain HTTP to "
        "an HTTPS request: pass --insecure-http, or use the HTTPS listener (5986)\n"
    )


def test_twin_says_which_fault_it_cannot_inject() -> None:
    """A scenario with coordinator-crash: the twin notes the crash is not injected into an
    external pycau run and how to rehearse it; other scenarios have no note."""
    account = Account(username=USERNAME, password=PASSWORD)
    notes: dict[str, Any] = {}
    for name in ("fault-coordinator-crash", "two-node-cloud-witness"):
        scenario = load_scenario(resolve_scenario(name))
        server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
        notes[name] = server.notes()
        server.stop()
    (note,) = notes["fault-coordinator-crash"]
    assert "coordinator-crash fault (after journal step 120) is not injected" in note
    assert "pycau resume RUN_ID --force-recovery" in note
    assert notes["two-node-cloud-witness"] == []


def test_twin_says_it_plays_no_self_updating_role() -> None:
    """A self-updating scenario with a host crash: the twin notes that neither the role nor
    the fault is played for an external pycau run, which is off the cluster."""
    account = Account(username=USERNAME, password=PASSWORD)
    scenario = load_scenario(resolve_scenario("self-updating-host-crash"))
    server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        (note,) = server.notes()
    finally:
        server.stop()
    assert "self-updating role and coordinator-host-crash fault is not played" in note
    assert "`pycau simulate` plays it" in note
