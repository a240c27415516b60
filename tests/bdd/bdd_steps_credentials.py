"""Steps of ``features/credentials.feature``: ``pycau run`` against ``pycau twin`` over WinRM.

Owns: the Given step that keeps the password in a stand-in for the OS keyring (which counts
how often it is read), the When steps that serve the scenario with ``TwinServer`` on loopback
and run the real CLI against it (``pycau run --yes --report``, ``pycau status``), and the
Then steps about what the twin saw (session expiries, refusals, scripts) and where the
password went. The ``report`` these When steps produce is the CLI's JSON report plus the
twin's "simulation" section (the oracle's verdicts on the run it served), so the shared
outcome steps read it as they read a rehearsal's.

Must not: patch the transport or the endpoint — the evidence is real HTTP, real NTLM or
Basic, and the CLI's own password lookup; ``test_features.py`` star-imports this module so
its step fixtures are visible.
"""

from __future__ import annotations

import copy
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bdd_checks import Doc, Report
from click.testing import CliRunner, Result
from pytest_bdd import given, parsers, then, when

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

USERNAME = "CONTOSO\\cau-admin"
PASSWORD = "Bdd-s3ssion-Expiry&horse"  # the steps grep for it in everything pycau wrote


@dataclass(slots=True)
class TwinRun:
    """What one CLI command against the twin left behind."""

    keyring_reads: list[str] = field(default_factory=list)
    keyring_password: str = PASSWORD
    twin: Any = None
    result: Result | None = None
    twin_lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # report and journal files


@pytest.fixture
def twin_run() -> TwinRun:
    """The evidence of the When step (filled in as the steps go)."""
    return TwinRun()


@given(parsers.re(r"the OS keyring holds (?P<which>the|a wrong) password"))
def keyring_holds(twin_run: TwinRun, monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """No PYCAU_PASSWORD: the CLI finds the password in the keyring (a stand-in that counts
    each read; the real ``keyring`` package is looked up the same way)."""

    def get_password(service: str, entry: str) -> str:
        twin_run.keyring_reads.append(f"{service}:{entry}")
        return twin_run.keyring_password

    if which == "a wrong":
        twin_run.keyring_password = "wrong-" + PASSWORD
    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=get_password))
    monkeypatch.delenv("PYCAU_PASSWORD", raising=False)


def _serve_and_invoke(
    doc: Doc, source: str, twin_run: TwinRun, tmp_path: Path, args: list[str]
) -> None:
    from runner.cli import cli
    from runner.rehearsal.twin import TwinServer
    from simulator.scenario import parse_scenario
    from simulator.twin import Account

    scenario = parse_scenario(copy.deepcopy(doc), source=source)
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=twin_run.twin_lines.append)
    twin_run.twin = twin.start()
    try:
        twin_run.result = CliRunner().invoke(
            cli,
            [*args[:1], "--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http",
             *args[1:]],
            env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": None,
                 "XDG_STATE_HOME": str(tmp_path / "state")},
            catch_exceptions=False,
        )  # fmt: skip
    finally:
        twin.stop()
    twin_run.written = sorted(p for p in tmp_path.rglob("*") if p.is_file())


@when(
    parsers.parse("pycau runs it through the twin over WinRM with {auth} authentication"),
    target_fixture="report",
)
def run_through_twin(
    scenario_doc: Doc,
    scenario_source: dict[str, str],
    twin_run: TwinRun,
    tmp_path: Path,
    auth: str,
) -> Report:
    """`pycau run --yes --report` against the scenario served by the twin; the report with
    the twin's simulation section (the oracle's verdicts)."""
    report_path = tmp_path / "report.json"
    args = ["run", "--auth", auth, "--yes", "--quiet", "--report", str(report_path)]
    _serve_and_invoke(scenario_doc, scenario_source["source"], twin_run, tmp_path, args)
    assert twin_run.result is not None
    assert report_path.is_file(), twin_run.result.output
    report: Report = json.loads(report_path.read_text(encoding="utf-8"))
    simulation = dict(twin_run.twin.simulation)
    expiry = twin_run.twin.expiry
    if expiry is not None:  # what the endpoint saw of the expired sessions, as evidence
        simulation["session_expiry"] = {
            "expiries": expiry.expiries,
            "refused": expiry.refused,
            "shells_ended": expiry.shells_ended,
        }
    return {**report, "simulation": simulation}


@when(parsers.parse("pycau asks the twin for the run status over WinRM with {auth} authentication"))
def status_through_twin(
    scenario_doc: Doc,
    scenario_source: dict[str, str],
    twin_run: TwinRun,
    tmp_path: Path,
    auth: str,
) -> None:
    """`pycau status` against the scenario served by the twin."""
    args = ["status", "--auth", auth]
    _serve_and_invoke(scenario_doc, scenario_source["source"], twin_run, tmp_path, args)


@then(parsers.parse("the twin expired every session at least {count:d} times"))
def twin_expired(twin_run: TwinRun, count: int) -> None:
    """The endpoint's own count of expiries (each ended the idle shells)."""
    expiry = twin_run.twin.expiry
    assert expiry is not None, "the scenario does not switch session-expiry on"
    assert expiry.expiries >= count, expiry.expiries
    assert expiry.shells_ended >= expiry.expiries


@then(parsers.parse("the twin refused at least {count:d} requests of expired sessions with 401"))
def twin_refused(twin_run: TwinRun, count: int) -> None:
    """NTLM connections authenticated before an expiry got HTTP 401 on their next request."""
    assert twin_run.twin.expiry.refused >= count, twin_run.twin.expiry.refused


@then("the twin printed how often the sessions expired")
def twin_printed(twin_run: TwinRun) -> None:
    """The verdict lines of `pycau twin` count the expiries of the run."""
    expected = f"every session expired {twin_run.twin.expiry.expiries} time(s) during the run"
    assert [line for line in twin_run.twin_lines if expected in line], twin_run.twin_lines


@then(parsers.re(r"the password was read from the keyring (?P<count>\d+) times?"))
def keyring_read(twin_run: TwinRun, count: str) -> None:
    """How often the CLI consulted its password source (never again after a refusal)."""
    assert len(twin_run.keyring_reads) == int(count), twin_run.keyring_reads


@then("the password appears in no output, report or journal")
def password_nowhere(twin_run: TwinRun) -> None:
    """Neither the CLI's output nor any file the run wrote (report, journal) holds it."""
    assert twin_run.result is not None
    assert twin_run.written, "the run wrote no file"
    texts = [twin_run.result.output, *twin_run.twin_lines]
    assert not [t for t in texts if PASSWORD in t]
    assert not [p for p in twin_run.written if PASSWORD.encode() in p.read_bytes()]


@then(parsers.parse("pycau exits {code:d} naming {error}"))
def exits_naming(twin_run: TwinRun, code: int, error: str) -> None:
    """The CLI's exit status and the error it names."""
    assert twin_run.result is not None
    assert twin_run.result.exit_code == code, twin_run.result.output
    assert error in twin_run.result.output


@then("the twin ran no script")
def no_script(twin_run: TwinRun) -> None:
    """Nothing reached the simulated cluster: every request was refused at the door."""
    assert twin_run.twin.answers.scripts == {}
