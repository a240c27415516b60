"""Then-steps of ``features/redundancy_margin.feature``: the ``redundancy-margin`` verdict.

Owns: the steps that read the oracle's ``redundancy-margin`` entry of a report (applies and
holds, does not apply and why, violated at an act) and the step that every other invariant
holds.

Must not: rehearse anything (the When-steps do) or judge the margin itself.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

Report = dict[str, Any]
MARGIN = "redundancy-margin"


def _margin(report: Report) -> dict[str, Any]:
    verdicts = report["simulation"]["invariants"]
    assert MARGIN in verdicts, f"the oracle did not judge {MARGIN}: {sorted(verdicts)}"
    verdict: dict[str, Any] = verdicts[MARGIN]
    return verdict


@then("the redundancy margin applies and holds")
def margin_applies_and_holds(report: Report) -> None:
    """The invariant applies to the run (no ``not_applicable``) and no act broke it."""
    verdict = _margin(report)
    assert "not_applicable" not in verdict, verdict
    assert verdict["holds"], verdict
    assert verdict["violations"] == [], verdict


@then(parsers.parse('the redundancy margin does not apply because "{text}"'))
def margin_not_applicable(report: Report, text: str) -> None:
    """The invariant is listed as not applicable, its reason naming ``text``."""
    verdict = _margin(report)
    assert text in verdict.get("not_applicable", ""), verdict
    assert verdict["holds"], verdict
    assert verdict["violations"] == [], verdict


@then(parsers.parse('the redundancy margin is violated when "{node}" is taken out: "{text}"'))
def margin_violated(report: Report, node: str, text: str) -> None:
    """A violation names the act on ``node`` and says ``text`` of what one more failure loses."""
    verdict = _margin(report)
    assert not verdict["holds"], verdict
    details = [v["detail"] for v in verdict["violations"]]
    assert any(d.startswith(f"{node} taken out") and text in d for d in details), details


@then(parsers.parse('every invariant but "{name}" holds'))
def every_other_invariant_holds(report: Report, name: str) -> None:
    """Each other invariant the oracle judged holds."""
    verdicts = report["simulation"]["invariants"]
    broken = {k: v["violations"] for k, v in verdicts.items() if k != name and not v["holds"]}
    assert name in verdicts, sorted(verdicts)
    assert not broken, broken
