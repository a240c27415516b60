"""HTML, JUnit XML and Markdown renderings of run, sweep and test-setup reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from literal_reports import run_report, setup_report, sweep_report, with_simulation
from lxml import etree

from runner.errors import InputError
from runner.render import render
from runner.render.markdown import escape_md

XSD = Path(__file__).resolve().parents[1] / "data" / "jenkins-junit.xsd"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    """The Jenkins JUnit schema shipped in tests/data."""
    return etree.XMLSchema(etree.parse(str(XSD)))


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the script bodies, of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _tags(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def _hostile(report: dict[str, Any]) -> dict[str, Any]:
    report["cluster"] = HOSTILE
    report["nodes"][1]["name"] = HOSTILE
    report["nodes"][1]["updates"][0]["title"] = HOSTILE
    report["nodes"][1]["error"] = HOSTILE
    for event in report["events"]:
        if event["node"] == "node2":
            event["node"] = HOSTILE
    report["events"][0]["detail"] = HOSTILE
    return report


def test_html_is_self_contained() -> None:
    """The page loads nothing: no src/href to anything, no link or import, one inline script."""
    page = render(with_simulation(run_report()), "html")
    tags = _tags(page)
    assert not [t for t, attrs in tags.tags if attrs.get("src") or attrs.get("href")]
    assert not [t for t, _ in tags.tags if t in ("link", "iframe", "object", "embed", "img")]
    assert [t for t, _ in tags.tags].count("script") == 1
    assert "@import" not in page
    assert "url(" not in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)


def test_html_shows_the_run() -> None:
    """Summary in CAU's words, a timeline row per node, updates with decoded HRESULTs,
    the events with their CAU ids, the invariants with evidence."""
    page = render(with_simulation(run_report()), "html")
    tags = _tags(page).tags
    rows = [attrs["data-node"] for t, attrs in tags if "node-row" in (attrs.get("class") or "")]
    assert rows == ["node1", "node2", "node3"]
    phases = {attrs["data-phase"] for t, attrs in tags if attrs.get("data-phase")}
    assert phases == {"storage_wait", "drain", "install", "reboot", "resume", "resync"}
    assert 'class="mark mark-failure"' in page
    assert 'class="mark mark-retry"' in page
    assert "MaxFailedNodesExceeded" in page
    assert "0:43:21" in page
    assert "WU_E_ALL_UPDATES_FAILED: Operation failed for all the updates." in page
    assert 'data-event-id="1013"' in page
    assert 'id="event-filter"' in page
    assert "cluster lost quorum: 1 of 3 votes" in page  # the violation's evidence
    lanes = [attrs["data-lane"] for t, attrs in tags if attrs.get("data-lane")]
    assert lanes == ["nodes in maintenance", "storage", "quorum"]


def test_html_without_simulation_claims_no_invariant() -> None:
    """A real run's page says no oracle judged it, and shows no invariant verdict."""
    page = render(run_report(), "html")
    assert "the oracle judges simulated runs only" in page
    assert 'class="holds-' not in page
    assert "invariants-table" not in page


def test_html_escapes_hostile_text() -> None:
    """A hostile cluster, node name, update title or detail shows as text, never markup."""
    page = render(_hostile(with_simulation(run_report())), "html")
    tags = _tags(page)
    assert [t for t, _ in tags.tags].count("script") == 1
    assert "img" not in [t for t, _ in tags.tags]
    assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_html_shows_unknown_fields_as_json() -> None:
    """A field added later is shown as it is, not dropped."""
    report = run_report()
    report["cluster_section"] = {"os_version": "23H2 <b>"}
    page = render(report, "html")
    assert "cluster_section" in page
    assert "23H2 &lt;b&gt;" in page


def test_html_is_deterministic() -> None:
    """The same report gives the same bytes."""
    report = with_simulation(run_report())
    assert render(report, "html") == render(
        run_report() | {"simulation": report["simulation"]}, "html"
    )


def test_sweep_html_has_histogram_and_replays() -> None:
    """A sweep page: the duration histogram and every flagged seed with its replay."""
    page = render(sweep_report(), "html")
    bins = re.findall(r'<rect class="bin" data-count="(\d+)"', page)
    assert sum(int(n) for n in bins) == 5
    for seed in (2, 3, 5):
        if seed != 5:
            assert f"pycau simulate four-node-rolling --seed {seed} --swarm" in page
    assert "repro/seed-3.yaml" in page
    assert "RecursionError" in page


def test_run_junit_is_valid_and_says_why(junit_schema: etree.XMLSchema) -> None:
    """One suite; a run case failing with the error id; node cases (failed with the HRESULT,
    skipped when never operated on); one case per invariant; the log in system-out."""
    xml = render(with_simulation(run_report()), "junit")
    document = etree.fromstring(xml.encode("utf-8"))
    assert junit_schema.validate(document), junit_schema.error_log
    root = ET.fromstring(xml)
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = {case.get("name"): case for case in suites[0].findall("testcase")}
    assert list(cases)[:4] == [
        "the updating run succeeded", "node1 updated", "node2 updated", "node3 updated",
    ]  # fmt: skip
    assert len(cases) == 4 + 9
    run_failure = cases["the updating run succeeded"].find("failure")
    assert run_failure is not None
    assert run_failure.get("type") == "MaxFailedNodesExceeded"
    node2 = cases["node2 updated"].find("failure")
    assert node2 is not None
    assert "0x80240022" in (node2.get("message") or "")
    assert "WU_E_ALL_UPDATES_FAILED" in (node2.text or "")
    assert cases["node1 updated"].find("failure") is None
    assert cases["node3 updated"].find("skipped") is not None
    quorum = cases["invariant quorum holds"].find("failure")
    assert quorum is not None
    assert quorum.get("message") == "cluster lost quorum: 1 of 3 votes"
    out = suites[0].find("system-out")
    assert out is not None
    assert "[1013] node-failed node2" in (out.text or "")
    assert (root.get("tests"), root.get("failures")) == ("13", "3")


def test_a_succeeded_run_is_green(junit_schema: etree.XMLSchema) -> None:
    """A run that Succeeded with every invariant holding has no failure."""
    report = with_simulation(run_report(), violated=None)
    report.update(status="Succeeded", error_id=None, error=None)
    report["nodes"] = report["nodes"][:1]
    xml = render(report, "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    assert ET.fromstring(xml).get("failures") == "0"


def test_junit_survives_hostile_text(junit_schema: etree.XMLSchema) -> None:
    """Markup and control characters in names and details still give valid, equal text."""
    report = _hostile(run_report())
    report["nodes"][1]["error"] = "bad\x00byte\x1b[31m <&>"
    xml = render(report, "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    names = [c.get("name") for c in ET.fromstring(xml).iter("testcase")]
    assert f"{HOSTILE} updated" in names
    assert "badbyte[31m <&>" in xml.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_sweep_junit_one_case_per_seed(junit_schema: etree.XMLSchema) -> None:
    """A sweep: a testcase per seed, failing on a violation or no final status."""
    xml = render(sweep_report(), "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    cases = list(ET.fromstring(xml).iter("testcase"))
    assert [c.get("name") for c in cases] == [f"seed {n}" for n in range(6)]
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["seed 3", "seed 5"]


def test_setup_junit_one_case_per_rule(junit_schema: etree.XMLSchema) -> None:
    """test-setup: a testcase per rule; Fail fails with the remedy, Skip is skipped."""
    xml = render(setup_report(), "junit")
    assert junit_schema.validate(etree.fromstring(xml.encode("utf-8")))
    cases = {c.get("name"): c for c in ET.fromstring(xml).iter("testcase")}
    assert list(cases) == [
        "rule 1: The failover cluster must be available", "rule 4: Remote Shutdown firewall rules",
        "Profile scripts exist", "rule 7: Automatic updates",
    ]  # fmt: skip
    failure = cases["rule 4: Remote Shutdown firewall rules"].find("failure")
    assert failure is not None
    assert "Enable-NetFirewallRule" in (failure.text or "")
    assert cases["Profile scripts exist"].find("skipped") is not None
    warned = cases["rule 7: Automatic updates"]
    assert warned.find("failure") is None
    assert warned.findtext("system-out") == "Warn: Automatic Updates downloads on node2"


def test_markdown_summary_of_a_run() -> None:
    """Status with error id, duration, nodes by status, failed nodes, failed invariants."""
    text = render(with_simulation(run_report()), "markdown")
    assert text.startswith("### pycau run on hci01: **Failed** (MaxFailedNodesExceeded)\n")
    assert "- duration: 0:43:21" in text
    assert "- nodes: Succeeded 1, Failed 1, Canceled 1" in text
    assert "| node2 | Failed | 2 | 1 update(s) failed: KB5031364 (0x80240022) (HRESULT " in text
    assert "- quorum: 0:25:20 cluster lost quorum: 1 of 3 votes" in text


def test_markdown_escapes_hostile_text() -> None:
    """Markup, pipes and emphasis in report text stay text in Markdown."""
    text = render(_hostile(run_report()), "markdown")
    assert "<script>" not in text
    assert "<img" not in text
    assert escape_md("a|b *c* <d>") == "a\\|b \\*c\\* &lt;d&gt;"


def test_markdown_of_a_sweep() -> None:
    """Statuses, percentiles and each flagged seed with its replay command."""
    text = render(sweep_report(), "markdown")
    assert "- seed 2: PartiallyFailed — `pycau simulate four-node-rolling --seed 2 --swarm`" in text
    assert "invariant violations: 1; runs without a final status: 1" in text


def test_a_kind_without_that_rendering_is_refused() -> None:
    """A test-setup report renders only as JUnit; asking for HTML is bad input."""
    with pytest.raises(InputError, match="renders only as --junit"):
        render(setup_report(), "html")
    with pytest.raises(InputError, match="not a pycau report"):
        render({"hello": 1}, "html")


def test_markdown_of_a_sweep_lists_ten_seeds_at_most() -> None:
    """Past ten seeds to look at, the summary says how many more the report has."""
    report = sweep_report()
    extra = [dict(report["runs"][2], seed=seed) for seed in range(6, 16)]
    report["runs"] = report["runs"] + extra
    text = render(report, "markdown")
    assert text.count("\n- seed ") == 10
    assert "- … and 3 more (see the report)" in text


def test_html_draws_cluster_wide_phases_on_their_own_row() -> None:
    """Phase events without a node are drawn in a cluster row under the node rows."""
    report = run_report()
    report["events"] += [
        {"time": 2601, "kind": "phase-start", "node": None, "detail": "", "event_id": None,
         "phase": "update_functional_level"},
        {"time": 2700, "kind": "phase-end", "node": None, "detail": "", "event_id": None,
         "phase": "update_functional_level"},
    ]  # fmt: skip
    page = render(report, "html")
    tags = _tags(page).tags
    rows = [a.get("data-node") for t, a in tags if "row" in (a.get("class") or "").split()]
    assert rows == ["node1", "node2", "node3", "cluster"]
    assert 'data-phase="update_functional_level"' in page
