"""Steps of ``features/reports.feature``: render a rehearsed run's report, through the API
(``runner.render``) and through ``pycau report``, and look at what came out.

Owns: the ``renderings`` fixture (format → text) and the steps that read it. Must not:
rehearse (the shared When step does) or build report dictionaries by hand.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lxml import etree
from pytest_bdd import given, parsers, then, when

from runner.cli import cli
from runner.render import render

FORMATS = ("html", "junit", "markdown")
XSD = Path(__file__).resolve().parents[1] / "data" / "jenkins-junit.xsd"


@pytest.fixture
def reported() -> dict[str, Any]:
    """What `pycau report` did: its result and where it wrote."""
    return {}


@given(parsers.parse('the scenario is named "{name}"'))
def scenario_named(scenario_doc: dict[str, Any], name: str) -> None:
    """The scenario's name (it appears in the report's simulation section)."""
    scenario_doc["name"] = name


@when("the report is rendered as HTML, JUnit and Markdown", target_fixture="renderings")
def rendered(report: dict[str, Any]) -> dict[str, str]:
    """Every rendering of the rehearsed run's report."""
    return {fmt: render(report, fmt) for fmt in FORMATS}


@when("the report is saved and rendered again with pycau report", target_fixture="again")
def rendered_again(report: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """The report written as JSON, then `pycau report --html --junit --markdown` on it."""
    source = tmp_path / "report.json"
    source.write_text(json.dumps(report, indent=2), encoding="utf-8")
    args = ["report", str(source)] + [f"--{f}={tmp_path / f'out.{f}'}" for f in FORMATS]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {fmt: (tmp_path / f"out.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}


@when(parsers.parse("pycau report renders a file holding {content} as HTML"))
def report_on_file(content: str, tmp_path: Path, reported: dict[str, Any]) -> None:
    """`pycau report FILE --html OUT` on a file with this content."""
    source = tmp_path / "input.json"
    source.write_text(content, encoding="utf-8")
    reported["out"] = tmp_path / "out.html"
    reported["result"] = CliRunner().invoke(
        cli, ["report", str(source), "--html", str(reported["out"])]
    )


@then("the HTML timeline has a row for each node of the report")
def html_rows(renderings: dict[str, str], report: dict[str, Any]) -> None:
    """One ``g.node-row`` per node, in report order."""
    rows = [line.split('data-node="')[1].split('"')[0]
            for line in renderings["html"].split("<g class=\"row node-row\" ")[1:]]  # fmt: skip
    assert rows == [node["name"] for node in report["nodes"]]


@then(parsers.parse('the HTML page shows {code} as "{meaning}"'))
def html_hresult(renderings: dict[str, str], code: str, meaning: str) -> None:
    """The update's HRESULT and its decoded meaning are on the page."""
    assert code in renderings["html"]
    assert meaning in renderings["html"]


@then("the JUnit file is valid against the Jenkins JUnit schema")
def junit_valid(renderings: dict[str, str]) -> None:
    """tests/data/jenkins-junit.xsd accepts the file."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(renderings["junit"].encode("utf-8"))), schema.error_log


def _case(renderings: dict[str, str], name: str) -> ET.Element:
    cases = [
        c for c in ET.fromstring(renderings["junit"]).iter("testcase") if c.get("name") == name
    ]
    assert len(cases) == 1, f"no single testcase {name!r}"
    return cases[0]


@then(parsers.parse('the JUnit testcase "{name}" fails with "{text}"'))
def junit_fails(renderings: dict[str, str], name: str, text: str) -> None:
    """The testcase has a failure whose message carries ``text``."""
    failure = _case(renderings, name).find("failure")
    assert failure is not None
    assert text in (failure.get("message") or "")


@then(parsers.parse('the JUnit testcase "{name}" passes'))
def junit_passes(renderings: dict[str, str], name: str) -> None:
    """The testcase has neither failure nor skip."""
    case = _case(renderings, name)
    assert case.find("failure") is None
    assert case.find("skipped") is None


@then(parsers.parse('the Markdown summary starts with "{text}"'))
def markdown_starts(renderings: dict[str, str], text: str) -> None:
    """The summary's first line."""
    assert renderings["markdown"].startswith(text)


@then("both renderings are the same, byte for byte")
def same_renderings(renderings: dict[str, str], again: dict[str, str]) -> None:
    """The saved report gives what the in-memory report gave."""
    assert again == renderings


@then(parsers.parse('no rendering carries the markup "{markup}"'))
def no_markup(renderings: dict[str, str], markup: str) -> None:
    """The text is escaped in each rendering (it is still there, as text, in HTML)."""
    for fmt, text in renderings.items():
        assert markup not in text, fmt
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in renderings["html"]


@then(parsers.parse('pycau report exits 2 with one sentence saying "{text}"'))
def report_refused(reported: dict[str, Any], text: str) -> None:
    """Exit 2 and one ``error:`` line."""
    result: Result = reported["result"]
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert text in lines[0]


@then("no rendering was written")
def nothing_written(reported: dict[str, Any]) -> None:
    """The output file does not exist."""
    assert not reported["out"].exists()
