"""HTML, JUnit XML and Markdown renderings of a `pycau rehearse` report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from runner.render import render, report_kind

XSD = Path(__file__).resolve().parents[1] / "data" / "jenkins-junit.xsd"
HOSTILE = '<script>alert("x")</script>`| *x* [a](b)'


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    """The Jenkins JUnit schema shipped in tests/data."""
    return etree.XMLSchema(etree.parse(str(XSD)))


def rehearse_report(*, window: float | None = 9000.0) -> dict[str, Any]:
    """Five runs (seeds 10..14): 12 Failed, 13 Succeeded with a violation, 14 raised."""
    plan = ((10, "Succeeded", 7000.0), (11, "Succeeded", 7300.0), (12, "Failed", 9600.0),
            (13, "Succeeded", 7100.0), (14, None, 0.0))  # fmt: skip
    results = []
    for seed, status, duration in plan:
        clean = status == "Succeeded" and seed != 13
        results.append({
            "seed": seed, "status": status, "error": None if status else "RecursionError",
            "duration_seconds": duration, "fired": {} if clean else {"boot-hang": 1},
            "violations": 1 if seed == 13 else 0,
            "replay": None if clean else f"pycau simulate four-node-rolling --seed {seed} "
            "--faults 1",
        })  # fmt: skip
    share = {"seconds": window, "finished_inside": 0.75, "succeeded_inside": 0.5}
    return {
        "scenario": "four-node-rolling", "runs": 5, "first_seed": 10, "fault_rate": 1.0,
        "duration_seconds": {"p50": 7100.0, "p95": 9600.0, "p99": 9600.0, "min": 7000.0,
                             "mean": 7750.0, "max": 9600.0},
        "window": share if window else None,
        "outcomes": {"Succeeded": {"runs": 3, "share": 0.6}, "PartiallyFailed": {"runs": 0,
                     "share": 0.0}, "Failed": {"runs": 1, "share": 0.2},
                     "Canceled": {"runs": 0, "share": 0.0}},
        "unfinished": [{"seed": 14, "status": None, "error": "RecursionError"}],
        "violations": 1,
        "nodes": [{"name": "node1", "out_of_service_seconds": {"p50": 2400.0, "p95": 3000.0}},
                  {"name": "node2", "out_of_service_seconds": {"p50": 2300.0, "p95": 2900.0}}],
        "causes": [{"fault_type": "boot-hang", "runs_fired": 3, "non_succeeded": 2,
                    "share": 0.6667}],
        "histogram": {"bin_seconds": 1800.0, "bins": [
            {"from_seconds": 5400.0, "to_seconds": 7200.0, "runs": 2},
            {"from_seconds": 7200.0, "to_seconds": 9000.0, "runs": 1},
            {"from_seconds": 9000.0, "to_seconds": 10800.0, "runs": 1}]},
        "results": results, "backend": "processes", "jobs": 1,
        "wall": {"seconds": 1.0, "runs_per_second": 5.0},
    }  # fmt: skip


def _hostile() -> dict[str, Any]:
    report = rehearse_report()
    report["scenario"] = HOSTILE
    report["nodes"][0]["name"] = HOSTILE
    report["causes"][0]["fault_type"] = HOSTILE
    report["results"][2]["replay"] = f"pycau simulate '{HOSTILE}' --seed 12"
    return report


def test_a_rehearse_report_is_recognised() -> None:
    """A report with results, outcomes and first_seed is a rehearse report, not a sweep."""
    assert report_kind(rehearse_report()) == "rehearse"


def test_rehearse_html_shows_the_forecast() -> None:
    """The page: percentiles, window share, outcomes, nodes, causes, histogram, flagged runs."""
    page = render(rehearse_report(), "html")
    bins = re.findall(r'<rect class="bin" data-count="(\d+)"', page)
    assert [int(n) for n in bins] == [2, 1, 1]
    for figure in ("P50 1:58:20", "P95 2:40:00", "P99 2:40:00", "mean 2:09:10"):
        assert figure in page
    assert "2:30:00: 75.0 % of runs end inside it, 50.0 % end Succeeded inside it" in page
    assert "<td>20.0 %</td>" in page
    assert "<td>60.0 %</td>" in page
    assert "<td>node2</td><td>0:38:20</td><td>0:48:20</td>" in page
    assert '<section id="causes">' in page
    assert "66.7 %" in page
    flagged = page.split('id="flagged"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"--seed (\d+)", flagged) == ["12", "13", "14"]
    assert "RecursionError" in flagged


def test_rehearse_html_without_window_or_faults() -> None:
    """No window: the page says so; no causes: no causes section."""
    report = rehearse_report(window=None)
    report["causes"] = []
    page = render(report, "html")
    assert "no --window given" in page
    assert '<section id="causes">' not in page


def test_rehearse_html_escapes_hostile_text() -> None:
    """A hostile scenario, node or fault name stays text: no script or img element appears."""
    page = render(_hostile(), "html")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the page's own


def test_rehearse_junit_one_case_per_seed_and_the_window(junit_schema: etree.XMLSchema) -> None:
    """JUnit: a case per seed failing unless Succeeded without violation, and the window."""
    xml = render(rehearse_report(), "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    cases = list(ET.fromstring(xml).iter("testcase"))
    names = [c.get("name") for c in cases]
    assert names == [*(f"seed {n}" for n in range(10, 15)), "every run finishes inside the window"]
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert list(failed) == ["seed 12", "seed 13", "seed 14", names[-1]]
    assert failed["seed 13"].get("message") == "Succeeded; 1 invariant violation(s)"  # type: ignore[union-attr]
    assert failed["seed 14"].get("message") == "no final status: RecursionError"  # type: ignore[union-attr]
    assert "75.0 % of runs end inside the window of 2:30:00" in failed[names[-1]].get("message", "")  # type: ignore[union-attr]
    assert ET.fromstring(xml).get("failures") == "4"


def test_rehearse_junit_window_case_only_with_a_window(junit_schema: etree.XMLSchema) -> None:
    """Without --window there is no window case; with every run inside, it passes."""
    xml = render(rehearse_report(window=None), "junit")
    assert [c.get("name") for c in ET.fromstring(xml).iter("testcase")][-1] == "seed 14"
    report = rehearse_report()
    report["window"]["finished_inside"] = 1.0
    cases = list(ET.fromstring(render(report, "junit")).iter("testcase"))
    assert cases[-1].get("name") == "every run finishes inside the window"
    assert cases[-1].find("failure") is None


def test_rehearse_junit_survives_hostile_text(junit_schema: etree.XMLSchema) -> None:
    """Hostile names and control characters still give schema-valid JUnit carrying the name."""
    report = _hostile()
    report["results"][4]["error"] = "bad\x00\x1b byte"
    xml = render(report, "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None
    assert suite.get("name") == f"pycau rehearse of {HOSTILE}"


def test_rehearse_markdown() -> None:
    """Markdown: percentiles, window, outcomes, causes and the flagged runs' replays."""
    text = render(rehearse_report(), "markdown")
    assert text.startswith("### pycau rehearse of four-node-rolling: 5 run(s) (10..14)\n")
    assert "- simulated duration: P50 1:58:20, P95 2:40:00, P99 2:40:00" in text
    assert "- window 2:30:00: 75.0 % of runs end inside it, 50.0 % Succeeded inside it" in text
    assert "Failed 20.0 % (1)" in text
    assert "- fault types behind non-Succeeded runs: boot-hang 2 of 3" in text
    assert "- seed 12: Failed — `pycau simulate four-node-rolling --seed 12 --faults 1`" in text
    assert "- seed 14: None — `pycau simulate four-node-rolling --seed 14 --faults 1`" in text


def test_rehearse_markdown_escapes_hostile_text() -> None:
    """A hostile scenario name is escaped; a replay's backticks cannot close its code span."""
    text = render(_hostile(), "markdown")
    heading = text.splitlines()[0]
    assert "<script>" not in heading
    assert "&lt;script&gt;" in heading
    assert "<script>" not in text.replace(f"'{HOSTILE}'", "")  # only inside the code span
    assert "&lt;script&gt;" in text
    assert r"\`\| \*x\* \[a\](b)" in text
    line = next(line for line in text.splitlines() if line.startswith("- seed 12"))
    assert line.endswith(f"``pycau simulate '{HOSTILE}' --seed 12``")
