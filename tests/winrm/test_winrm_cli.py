"""The real-cluster commands against the simulated twin over real WinRM (loopback).

``pycau run`` performs the same rolling run as ``pycau simulate`` (same statuses, same
oracle verdict); ``--what-if`` and a declined confirmation change nothing; the cluster's run
lock refuses a second coordinator; ``status``, ``test-setup`` and ``scan`` work; TLS
validation is on by default; and the password never appears in any output, report, log or
error.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cli.output import render_report
from runner.rehearsal.compose import rehearse
from runner.rehearsal.twin import TwinServer
from runner.types import LockHolder
from runner.winrm.connection import ConnectionOptions, Credentials
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario
from simulator.twin import Account

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"
RENDERINGS = ("html", "junit", "markdown")  # written beside the report of `finished_run`
WORLD_SCRIPTS = {"start-work", "poll-work", "suspend-node", "resume-node", "restart-node", "clock"}


@pytest.fixture
def twin_factory() -> Iterator[Callable[..., TwinServer]]:
    servers: list[TwinServer] = []

    def make(**kwargs: Any) -> TwinServer:
        scenario = load_scenario(SCENARIO)
        server = TwinServer(
            scenario, scenario.seed, Account(username=USERNAME, password=PASSWORD),
            echo=lambda line: None, **kwargs,
        ).start()  # fmt: skip
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def pycau(*args: str, password: str = PASSWORD, stdin: str | None = None) -> Result:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": password}
    return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


def at(twin: TwinServer, *flags: str) -> list[str]:
    return ["--cluster", f"127.0.0.1:{twin.endpoint.port}", *(flags or ("--insecure-http",))]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `finished_run` writes its report.json and run.html, run.junit, run.markdown."""
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="module")
def finished_run(run_folder: Path) -> Iterator[tuple[TwinServer, Result, dict[str, Any], str]]:
    """One `pycau run --yes --report --html --junit --markdown` against a twin: (twin, result,
    report, report text)."""
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    report_path = run_folder / "report.json"
    renderings = [f"--{fmt}={run_folder / f'run.{fmt}'}" for fmt in RENDERINGS]
    try:
        result = pycau("run", *at(twin), "--yes", "--report", str(report_path), *renderings)
        text = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
        yield twin, result, json.loads(text or "{}"), text
    finally:
        twin.stop()


def test_run_is_the_simulated_run(
    finished_run: tuple[TwinServer, Result, dict[str, Any], str],
) -> None:
    """The report of `pycau run` against the twin is `pycau simulate`'s byte for byte, but
    for the run id (every `pycau run` has its own); same oracle verdict; the twin saw the
    final record."""
    twin, result, report, _ = finished_run
    assert result.exit_code == 0, result.output
    scenario = load_scenario(SCENARIO)
    simulated = rehearse(scenario, scenario.seed).to_dict()
    assert report["run_id"] != simulated["run_id"]
    ours = render_report({**report, "run_id": "RUN"})
    theirs = render_report({**simulated, "run_id": "RUN", "simulation": None})
    assert ours == theirs.replace(',\n  "simulation": null', "")
    assert report["status"] == simulated["status"] == "Succeeded"
    assert [(n["name"], n["status"], n["attempts"]) for n in report["nodes"]] == [
        (n["name"], n["status"], n["attempts"]) for n in simulated["nodes"]
    ]
    assert twin.finished.is_set()
    assert twin.mismatches == []
    assert twin.invariants == simulated["simulation"]["invariants"]


def test_run_writes_its_renderings(
    finished_run: tuple[TwinServer, Result, dict[str, Any], str], run_folder: Path, tmp_path: Path
) -> None:
    """`pycau run --html --junit --markdown` renders its own report: `pycau report` on the
    JSON gives the same bytes; a testcase per node; no rendering holds the password."""
    assert finished_run[1].exit_code == 0
    again = ["report", str(run_folder / "report.json")]
    again += [f"--{fmt}={tmp_path / f'again.{fmt}'}" for fmt in RENDERINGS]
    assert pycau(*again).exit_code == 0
    for fmt in RENDERINGS:
        rendered = (run_folder / f"run.{fmt}").read_text(encoding="utf-8")
        assert (tmp_path / f"again.{fmt}").read_text(encoding="utf-8") == rendered
        assert PASSWORD not in rendered
    cases = [c.get("name") for c in ET.parse(run_folder / "run.junit").iter("testcase")]
    assert cases == ["the updating run succeeded", "node1 updated", "node2 updated"]
    assert "no oracle judged this run" in (run_folder / "run.html").read_text(encoding="utf-8")


def test_status_shows_the_published_run(
    finished_run: tuple[TwinServer, Result, dict[str, Any], str],
) -> None:
    """`pycau status` reads the run record from the cluster, like Get-CauRun."""
    twin, _, report, _ = finished_run
    status = pycau("status", *at(twin))
    assert status.exit_code == 0
    assert "RunLock             : free" in status.output
    assert "RunNotInProgress" in status.output
    assert report["run_id"] in status.output
    assert "Succeeded" in status.output


# A declined confirmation needs a terminal: test_winrm_cli_honesty.py answers "n" on a pty.
@pytest.mark.parametrize(("flags", "stdin", "code"), [(("--what-if",), None, 0)])
def test_what_if_and_declined_confirmation_change_nothing(
    twin_factory: Callable[..., TwinServer], flags: tuple[str, ...], stdin: str | None, code: int
) -> None:
    """The plan is shown; no run record, no beacon, no work reaches the cluster."""
    twin = twin_factory()
    result = pycau("run", *at(twin), *flags, stdin=stdin)
    assert result.exit_code == code
    assert "plan: rolling update of" in result.output
    assert "nothing was changed" in result.output
    assert set(twin.answers.scripts) == {"probe", "observe"}


def test_run_lock_refuses_a_second_run_until_its_holder_is_gone(
    twin_factory: Callable[..., TwinServer],
) -> None:
    """Another coordinator's run lock: exit 3 naming its run, host, process and start, even
    with --force-recovery while its heartbeat is fresh, and nothing touched; once the
    heartbeat is stale (900 s of cluster time) the message says so and --force-recovery
    takes the lock over."""
    twin = twin_factory()
    options = ConnectionOptions(
        host="127.0.0.1", port=twin.endpoint.port, insecure_http=True, single_endpoint=True
    )
    other = WinRMTransport(options, Credentials(username=USERNAME, password=PASSWORD))
    holder = LockHolder(
        run_id="r-0", coordinator="ops-vm7", pid=4242, started_at="2026-01-13T01:00:00Z"
    )
    assert other.create_run_lock(holder) is None
    for flags in ((), ("--force-recovery",)):
        locked = pycau("run", *at(twin), "--yes", "--quiet", *flags)
        assert locked.exit_code == 3
        for part in ("RunLocked", "1015", "r-0", "ops-vm7", "process 4242", "01:00:00Z"):
            assert part in locked.output
        assert "alive" in locked.output
    assert not set(twin.answers.scripts) & WORLD_SCRIPTS
    assert not twin.answers.fenced_commands
    other.endpoint_clock(901.0)  # the holder's heartbeat goes stale in the cluster's time
    other.close()
    stale = pycau("run", *at(twin), "--yes", "--quiet")
    assert stale.exit_code == 3
    assert "stale" in stale.output
    forced = pycau("run", *at(twin), "--yes", "--quiet", "--force-recovery")
    assert forced.exit_code == 0, forced.output
    assert "took the run lock over from run r-0" in forced.output
    assert list(twin.answers.fenced_commands) != ["r-0"]
    assert len(twin.answers.fenced_commands) == 1


def test_test_setup_and_scan(twin_factory: Callable[..., TwinServer]) -> None:
    """test-setup judges every rule (plain HTTP warns); scan lists the offered updates."""
    twin = twin_factory()
    setup = pycau("test-setup", *at(twin))
    assert setup.exit_code == 0, setup.output
    assert "Automatic Updates" in setup.output
    assert "Warn" in setup.output  # plain HTTP
    scan = pycau("scan", *at(twin))
    assert scan.exit_code == 0, scan.output
    scenario = load_scenario(SCENARIO)
    assert all(update.id in scan.output for update in scenario.updates)


def test_tls_is_validated_by_default(twin_factory: Callable[..., TwinServer]) -> None:
    """HTTPS works with the issuing CA given; without it the certificate is refused; the
    CA file is the only file of a TLS twin, and stopping the twin removes it."""
    twin = twin_factory(tls=True)
    ca_cert = twin.ca_cert
    assert ca_cert is not None
    assert [p.name for p in ca_cert.parent.iterdir()] == ["ca.pem"]
    trusted = pycau("status", *at(twin, "--ca-cert", str(ca_cert)))
    assert trusted.exit_code == 0, trusted.output
    refused = pycau("status", *at(twin, "--auth", "ntlm"))
    assert refused.exit_code == 3
    assert "--ca-cert" in refused.output
    twin.stop()
    assert not ca_cert.parent.exists()


def test_password_never_leaks(
    finished_run: tuple[TwinServer, Result, dict[str, Any], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Outputs, the report, logs (DEBUG, every library) and error texts never hold it, nor
    its NT or LM hash."""
    caplog.set_level(logging.DEBUG)
    twin, run, _, report_text = finished_run
    results = [
        run,
        pycau("status", *at(twin)),
        pycau("test-setup", *at(twin)),
        pycau("status", *at(twin), password=PASSWORD + "-wrong"),
        pycau("status", *at(twin), "--auth", "basic", password=PASSWORD + "-wrong"),
        pycau("status", "--cluster", "127.0.0.1:9", "--insecure-http"),
    ]
    assert [r.exit_code for r in results] == [0, 0, 0, 3, 3, 3]
    assert "AuthenticationFailed" in results[3].output
    texts = [r.output for r in results] + [r.stderr for r in results]
    texts += [report_text, caplog.text, repr(Credentials(username=USERNAME, password=PASSWORD))]
    assert report_text
    assert caplog.records  # the libraries did log something at DEBUG
    hashes = [ntowfv1(PASSWORD).hex(), lmowfv1(PASSWORD).hex()]
    needles = [PASSWORD, *hashes, *(h.upper() for h in hashes)]
    assert not [text for text in texts for needle in needles if needle in text]


def test_basic_refuses_an_account_it_cannot_carry(twin_factory: Callable[..., TwinServer]) -> None:
    """--auth basic with a non-Latin-1 password: exit 2 before any request, pointing to
    ntlm, and neither the password nor any of its foreign characters in the message."""
    twin = twin_factory()
    password = "Tr0ub4dor-€-ключ"
    result = pycau("status", *at(twin, "--insecure-http", "--auth", "basic"), password=password)
    assert result.exit_code == 2
    assert "--auth ntlm" in result.output
    assert "Traceback" not in result.output
    assert not [c for c in ("€", "ключ", "\\u20ac", password) if c in result.output]
    assert twin.endpoint.actions == []


def test_password_is_never_an_option(twin_factory: Callable[..., TwinServer]) -> None:
    """There is no --password; without PYCAU_PASSWORD, keyring or terminal: exit 2."""
    twin = twin_factory()
    assert pycau("status", *at(twin), "--password", PASSWORD).exit_code == 2
    missing = pycau("status", *at(twin), password="")
    assert missing.exit_code == 2
    assert "PYCAU_PASSWORD" in missing.output


def test_twin_command_serves_a_run_and_reports_the_verdict(tmp_path: Path) -> None:
    """`pycau twin NAME --port 0 --exit-after-run` serves one run (whose `--quiet` output
    ends with its verdict line), prints the oracle's verdict and exits 0 because the
    scenario's expectation held."""
    env = {**os.environ, "PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    code = "from runner.cli import main; main()"
    twin = subprocess.Popen(  # the bundled scenario by NAME, from outside the repository
        [sys.executable, "-c", code, "twin", SCENARIO.stem, "--port", "0", "--exit-after-run"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert twin.stdout is not None
        first = twin.stdout.readline()
        assert "twin: two-node-cloud-witness" in first
        port = first.rsplit(":", 1)[1].split("/")[0]
        result = pycau("run", "--cluster", f"127.0.0.1:{port}", "--insecure-http", "--yes", "-q")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1].endswith(" on hci-branch01: Succeeded")
        out, _ = twin.communicate(timeout=30)
    finally:
        twin.kill()
    assert twin.returncode == 0
    assert "invariants: all hold" in out
    assert "expectation of two-node-cloud-witness met" in out
    assert PASSWORD not in first + out
