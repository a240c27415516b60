"""Reports of the real-cluster commands over WinRM (the twin on loopback).

``test-setup --report/--junit`` and ``scan --report`` write their JSON (valid against the
shipped schemas) and test-setup one testcase per rule; an unwritable target is refused before
anything connects. (``pycau run --html/--junit/--markdown`` is tested on the run of
``test_winrm_cli``.)
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from runner.validation import load_schema
from simulator.scenario import load_scenario
from simulator.twin import Account

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"


def pycau(*args: str) -> Result:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def twin() -> Iterator[TwinServer]:
    """The two-node scenario served on loopback."""
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        yield server
    finally:
        server.stop()


def at(twin: TwinServer) -> list[str]:
    return ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]


def _schema_errors(document: object, schema: str) -> list[str]:
    validator = Draft202012Validator(load_schema("runner", schema))
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_test_setup_writes_its_report_and_junit(twin: TwinServer, tmp_path: Path) -> None:
    """test-setup --report: every rule as JSON (schema-valid); --junit: a testcase per rule."""
    report, junit = tmp_path / "setup.json", tmp_path / "setup.xml"
    result = pycau("test-setup", *at(twin), "--report", str(report), "--junit", str(junit))
    assert result.exit_code in (0, 1), result.output
    document = json.loads(report.read_text("utf-8"))
    assert _schema_errors(document, "setup.schema.json") == []
    assert document["cluster"] == f"127.0.0.1:{twin.endpoint.port}"
    cases = list(ET.parse(junit).iter("testcase"))
    assert len(cases) == len(document["rules"]) > 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(r["verdict"] == "Fail" for r in document["rules"])
    assert (result.exit_code == 1) == (document["result"] == "Fail")


def test_scan_writes_its_report(twin: TwinServer, tmp_path: Path) -> None:
    """scan --report: the updates each node is offered, as JSON (schema-valid)."""
    report = tmp_path / "scan.json"
    result = pycau("scan", *at(twin), "--report", str(report))
    assert result.exit_code == 0, result.output
    document = json.loads(report.read_text("utf-8"))
    assert _schema_errors(document, "scan.schema.json") == []
    assert [n["name"] for n in document["nodes"]] == ["node1", "node2"]
    assert all(n["updates"] and n["error"] is None for n in document["nodes"])
    assert {u["plugin"] for n in document["nodes"] for u in n["updates"]} == {"windows-update"}


@pytest.mark.parametrize("option", ["--report", "--junit"])
def test_an_unwritable_target_is_refused_before_connecting(tmp_path: Path, option: str) -> None:
    """test-setup with a target in a missing directory: exit 2, nothing contacted (no twin
    runs here: the address would be refused, exit 3, had pycau tried to connect)."""
    target = tmp_path / "missing" / "out"
    result = pycau("test-setup", "--cluster", "127.0.0.1:9", "--insecure-http", option, str(target))
    assert result.exit_code == 2
    assert "does not exist" in result.output
