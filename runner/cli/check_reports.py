"""The JSON reports of ``pycau test-setup --report`` and ``pycau scan --report``.

Owns: ``setup_report`` (every readiness rule with its number, verdict, evidence and remedy,
and the overall result: Fail when a rule failed, else Warn when one warned, else Pass) and
``scan_report`` (the updates each node is offered, or why it could not be scanned); shapes
in ``runner/schemas/setup.schema.json`` and ``scan.schema.json``. Each says its ``kind``, so
``pycau report`` recognises it; ``cluster`` is the ``--cluster`` address the command used.

Must not: talk to the cluster or print (``runner.cli.remote`` does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runner.types import UpdateInfo
from runner.winrm.setup_rules import RuleResult, Verdict

__all__ = ["scan_report", "setup_report"]


def setup_report(cluster: str, results: Sequence[RuleResult]) -> dict[str, Any]:
    """The ``test-setup`` report of ``results``."""
    verdicts = {r.verdict for r in results}
    overall = next(
        (v.value for v in (Verdict.FAIL, Verdict.WARN) if v in verdicts), Verdict.PASS.value
    )
    return {
        "kind": "test-setup",
        "cluster": cluster,
        "result": overall,
        "rules": [
            {
                "number": r.number,
                "rule": r.rule,
                "verdict": r.verdict.value,
                "evidence": r.evidence,
                "remedy": r.remedy,
            }
            for r in results
        ],
    }


def scan_report(
    cluster: str, offered: Mapping[str, Sequence[UpdateInfo]], errors: Mapping[str, str]
) -> dict[str, Any]:
    """The ``scan`` report: every node scanned or not, in name order."""
    nodes = []
    for name in sorted({*offered, *errors}):
        updates = [
            {
                "id": u.id,
                "title": u.title,
                "kind": u.kind,
                "restart_required": u.restart_required,
                "plugin": str(u.plugin),
            }
            for u in offered.get(name, ())
        ]
        nodes.append({"name": name, "updates": updates, "error": errors.get(name)})
    return {"kind": "scan", "cluster": cluster, "nodes": nodes}
