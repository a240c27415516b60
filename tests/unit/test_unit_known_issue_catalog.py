"""Every known issue's handling, and every refusal it names, is proven by a BDD scenario.

``unproven`` reads the feature files' steps (gherkin-official): an entry of
``runner.known_issues`` needs a scenario ending ``the known issue "<id>" is <handling>``
(whose step checks that behaviour on the report); an entry with an ``error_id`` but another
handling needs a scenario ``the run was refused for the known issue "<id>", with its
guidance`` too. A catalog entry added without its scenario fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from runner.known_issues import KNOWN_ISSUES, Handling, KnownIssue, known_issue
from runner.readiness import readiness_refusal
from runner.types import ClusterView, NodeState, NodeView, UpdateInfo

FEATURES = sorted((Path(__file__).resolve().parents[2] / "features").glob("**/*.feature"))
HANDLED = re.compile(r'^the known issue "(?P<id>[\w-]+)" is (?P<handling>.+)$')
REFUSED = re.compile(
    r'^the run was refused for the known issue "(?P<id>[\w-]+)", with its guidance$'
)


def step_texts(feature_texts: Iterable[str]) -> list[str]:
    """The text of every scenario step of these features."""
    texts: list[str] = []
    for text in feature_texts:
        feature = Parser().parse(TokenScanner(text)).get("feature") or {}
        for child in feature.get("children", []):
            scenario = child.get("scenario")
            if scenario is not None:
                texts += [step["text"] for step in scenario.get("steps", [])]
    return texts


def unproven(issues: Iterable[KnownIssue], feature_texts: Iterable[str]) -> list[str]:
    """What of each entry's handling (and refusal) no scenario proves."""
    steps = step_texts(feature_texts)
    handled = {(m["id"], m["handling"]) for s in steps if (m := HANDLED.match(s))}
    refused = {m["id"] for s in steps if (m := REFUSED.match(s))}
    refused |= {i for i, h in handled if h == Handling.REFUSED_WITH_GUIDANCE.value}
    missing = []
    for issue in issues:
        if (issue.id, issue.handling.value) not in handled:
            missing.append(f'{issue.id}: no scenario proves it is "{issue.handling.value}"')
        if issue.error_id and issue.id not in refused:
            missing.append(f"{issue.id}: no scenario proves its refusal {issue.error_id}")
    return missing


def test_every_entry_s_handling_is_proven_by_a_scenario() -> None:
    """Each catalog entry's handling, and each refusal it names, has its BDD scenario."""
    texts = [path.read_text(encoding="utf-8") for path in FEATURES]
    assert unproven(KNOWN_ISSUES, texts) == []


def test_an_entry_without_its_scenario_is_caught() -> None:
    """The check names a handling no scenario proves, and a refusal no scenario shows."""
    feature = (
        "Feature: f\n  Scenario: one\n    Given a\n"
        '    Then the known issue "readiness-check-never-completes" is mitigated automatically\n'
    )
    issues = [known_issue("readiness-check-never-completes"), known_issue("vmm-2019-managed")]
    assert unproven(issues, [feature]) == [
        "readiness-check-never-completes: no scenario proves its refusal "
        "ClusterValidationIncomplete",
        'vmm-2019-managed: no scenario proves it is "refused with guidance"',
        "vmm-2019-managed: no scenario proves its refusal UnsupportedManagement",
    ]


def test_a_claimed_handling_other_than_the_entry_s_does_not_count() -> None:
    """A scenario claiming another handling than the catalog's proves nothing for it."""
    feature = (
        "Feature: f\n  Scenario: one\n    Given a\n"
        '    Then the known issue "os-version-naming-mismatch" is mitigated automatically\n'
    )
    assert unproven([known_issue("os-version-naming-mismatch")], [feature]) == [
        'os-version-naming-mismatch: no scenario proves it is "detected and reported"'
    ]


def test_refusals_carry_the_catalog_s_guidance() -> None:
    """The readiness refusals' messages contain the guidance their catalog entry names."""
    nodes = tuple(NodeView(name=n, state=NodeState.UP) for n in ("node1", "node2"))
    fu = UpdateInfo(id="FU-21H2", title="Feature update", kind="feature")
    other = UpdateInfo(id="FU-21H2.1", title="Feature update (other)", kind="feature")
    mixed = ClusterView(cluster="c", taken_at=0.0, nodes=nodes)
    vmm = ClusterView(
        cluster="c", taken_at=0.0, nodes=nodes, managed_by="Virtual Machine Manager 2019"
    )
    for view, offers in ((mixed, {"node1": (fu,), "node2": (other,)}), (vmm, {"node1": (fu,)})):
        refusal = readiness_refusal(view, offers)
        assert refusal is not None
        issue = known_issue(refusal.known_issue)
        assert (refusal.error_id, issue.handling) == (
            issue.error_id,
            Handling.REFUSED_WITH_GUIDANCE,
        )
        assert issue.guidance in refusal.detail
