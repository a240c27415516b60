"""Test-CauSetup-like readiness rules judged from gathered facts (pure, table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from runner.profile import Profile
from runner.types import ClusterView, NodeState, NodeView
from runner.winrm.setup_rules import RuleResult, Verdict, judge
from simulator.twin.encode import facts_document

VIEW = ClusterView(
    cluster="hci01",
    taken_at=0.0,
    nodes=tuple(
        NodeView(name=f"node{i}", state=NodeState.UP, os_build="20348.2031") for i in (1, 2)
    ),
)
SCRIPT = "C:\\ClusterStorage\\Volume1\\pre.ps1"


def facts(**changes: Any) -> dict[str, Any]:
    return {**facts_document("node1", [SCRIPT]), **changes}


def verdict_of(results: list[RuleResult], number: int | None, rule: str = "") -> Verdict:
    return next(r.verdict for r in results if r.number == number and rule in r.rule)


def test_a_healthy_cluster_passes_every_rule() -> None:
    """Well-configured nodes pass; the self-updating role rules are skipped."""
    results = judge(VIEW, {"node1": facts(), "node2": facts()}, Profile(), https=True)
    assert {r.verdict for r in results} == {Verdict.PASS, Verdict.SKIP}
    assert [r.number for r in results if r.verdict is Verdict.SKIP] == [11, 12, 13, 14, 16]
    numbered = [r.number for r in results if r.number is not None]
    assert numbered == sorted(numbered) == list(range(1, 20))


@pytest.mark.parametrize(
    ("node2", "profile", "https", "number", "rule", "expected"),
    [
        (facts(AUOptions=4, NoAutoUpdate=0), Profile(), True, 7, "", Verdict.FAIL),
        (facts(UseWUServer=1, WUServer="http://wsus:8530"), Profile(), True, 8, "", Verdict.WARN),
        ("NodeUnreachable: node node2 is unreachable", Profile(), True, 2, "", Verdict.FAIL),
        (facts(PSVersion="4.0"), Profile(), True, 5, "", Verdict.FAIL),
        (facts(ClusterServiceStatus=1), Profile(), True, 6, "", Verdict.FAIL),
        (facts(RemoteShutdownRulesEnabled=0), Profile(), True, 9, "", Verdict.FAIL),
        (facts(RemoteShutdownRulesEnabled=0), Profile(enable_firewall_rules=True), True, 9, "",
         Verdict.WARN),
        (facts(Scripts=[{"Path": SCRIPT, "Exists": False, "Sha256": ""}]),
         Profile(pre_update_script=SCRIPT), True, 17, "", Verdict.FAIL),
        (facts(Scripts=[{"Path": SCRIPT, "Exists": True, "Sha256": "AB"}]),
         Profile(pre_update_script=SCRIPT), True, 18, "", Verdict.WARN),
        (facts(), Profile(warn_after_minutes=90, stop_after_minutes=60), True, 19, "",
         Verdict.FAIL),
        (facts(), Profile(), False, None, "HTTPS", Verdict.WARN),
        (facts(SystemDriveFreeGB=2.5), Profile(), True, None, "5 GB", Verdict.FAIL),
        (facts(RestartPending=True), Profile(), True, None, "pending", Verdict.WARN),
    ],
)  # fmt: skip
def test_a_misconfigured_node_breaks_its_rule(
    node2: dict[str, Any] | str,
    profile: Profile,
    https: bool,
    number: int | None,
    rule: str,
    expected: Verdict,
) -> None:
    """Each problem on node2 turns exactly the rule about it to Warn or Fail, with evidence."""
    results = judge(VIEW, {"node1": facts(), "node2": node2}, profile, https=https)
    assert verdict_of(results, number, rule) is expected
    broken = [r for r in results if r.verdict in (Verdict.WARN, Verdict.FAIL)]
    assert all(r.evidence and r.remedy for r in broken)
    if number in (2, 5, 6, 7, 8, 9, 17):
        assert "node2" in next(r.evidence for r in broken if r.number == number)


def test_invalid_profile_and_lost_quorum_fail() -> None:
    """Rule 15 carries the profile problem; rule 1 fails without quorum."""
    view = ClusterView(cluster="c", taken_at=0.0, nodes=VIEW.nodes, has_quorum=False)
    results = judge(view, {"node1": facts()}, Profile(), https=True, profile_problem="bad x")
    assert verdict_of(results, 15) is Verdict.FAIL
    assert verdict_of(results, 1) is Verdict.FAIL


def test_disabled_remote_shutdown_rules_fail_unless_the_run_enables_them() -> None:
    """Rule 9 fails for a node whose Remote Shutdown rules are all off (its restart would be
    refused); with enable_firewall_rules it warns that the run enables them first."""
    node2 = facts(RemoteShutdownRulesEnabled=0)
    plain = judge(VIEW, {"node1": facts(), "node2": node2}, Profile(), https=True)
    rule = next(r for r in plain if r.number == 9)
    assert (rule.verdict, "enable_firewall_rules" in rule.remedy) == (Verdict.FAIL, True)
    enabling = Profile(enable_firewall_rules=True)
    rule = next(r for r in judge(VIEW, {"node2": node2}, enabling, https=True) if r.number == 9)
    assert rule.verdict is Verdict.WARN
    assert "the run enables them first" in rule.evidence
