"""A short Markdown summary of a run or sweep report, for pull-request comments and chat.

Owns: ``run_markdown(report)`` — status (with error id), duration, nodes by status, each node
that did not succeed with its error and failed updates' HRESULTs, and each invariant that
failed with its first violation; ``sweep_markdown(report)`` — statuses, duration
percentiles, violations, and the seeds that were not a clean Succeeded run with their replay
commands (the first ``MAX_SEEDS``).

Text from the report is escaped for Markdown and for the HTML that Markdown renderers accept
(``<``, ``>``, ``&``, backticks, ``|``, ``*``, ``_``, ``[``, ``]``…), so a hostile name stays
text; commands go in code spans.

Must not: read anything but the report dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from runner.render.model import clock, run_view
from runner.render.sweep_model import sweep_view

__all__ = ["MAX_SEEDS", "code_span", "escape_md", "run_markdown", "sweep_markdown"]

MAX_SEEDS = 10
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape_md(value: Any) -> str:
    """``value`` as Markdown text that renders as itself, on one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def code_span(value: Any) -> str:
    """A code span that no backtick in ``value`` can close early."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def run_markdown(report: Mapping[str, Any]) -> str:
    """The Markdown summary of a run report."""
    view = run_view(report)
    status = f"**{escape_md(view.status)}**"
    if view.error_id:
        status += f" ({escape_md(view.error_id)})"
    nodes = ", ".join(f"{escape_md(s)} {n}" for s, n in view.nodes_by_status) or "none"
    lines = [
        f"### pycau run on {escape_md(view.cluster)}: {status}",
        "",
        f"- duration: {clock(view.duration)}",
        f"- nodes: {nodes}",
    ]
    if view.scenario is not None:
        lines.append(f"- scenario: {escape_md(view.scenario)} (seed {escape_md(view.seed)})")
    if view.error:
        lines.append(f"- error: {escape_md(view.error)}")
    failed = [n for n in view.nodes if n.status not in ("Succeeded", "Canceled")]
    if failed:
        lines += ["", "| node | status | attempts | error |", "|---|---|---|---|"]
        for node in failed:
            error = node.error or "—"
            codes = [u.hresult for u in node.updates if u.result != "Succeeded" and u.hresult]
            if any(code not in error for code in codes):
                error = f"{error} (HRESULT {', '.join(codes)})"
            lines.append(
                f"| {escape_md(node.name)} | {escape_md(node.status)} | {node.attempts} | "
                f"{escape_md(error)} |"
            )
    broken = [inv for inv in view.invariants or () if not inv.holds]
    if broken:
        lines += ["", "Invariants that failed:"]
        for inv in broken:
            first = ""
            if inv.violations:
                first = f": {clock(inv.violations[0][0])} {inv.violations[0][1]}"
            lines.append(f"- {escape_md(inv.name)}{escape_md(first)}")
    elif view.invariants is not None:
        lines.append(f"- invariants: all {len(view.invariants)} hold")
    return "\n".join(lines) + "\n"


def sweep_markdown(report: Mapping[str, Any]) -> str:
    """The Markdown summary of a sweep report."""
    view = sweep_view(report)
    statuses = ", ".join(f"{escape_md(s)} {n}" for s, n in view.statuses) or "none"
    percentiles = ", ".join(f"{escape_md(k)} {clock(v)}" for k, v in view.percentiles)
    last = view.first_seed + view.seeds - 1
    lines = [
        f"### pycau sweep of {escape_md(view.scenario)}: {view.seeds} seed(s) "
        f"({view.first_seed}..{last})",
        "",
        f"- statuses: {statuses}",
        f"- simulated duration: {percentiles or '—'}",
        f"- invariant violations: {len(view.violations)}; runs without a final status: "
        f"{len(view.unfinished)}",
    ]
    if view.flagged:
        shown = view.flagged[:MAX_SEEDS]
        lines += ["", f"Seeds that were not a clean Succeeded run ({len(view.flagged)}):", ""]
        for seed in shown:
            replay = f" — {code_span(seed.replay)}" if seed.replay else ""
            lines.append(f"- seed {seed.seed}: {escape_md(seed.status)}{replay}")
        if len(view.flagged) > len(shown):
            lines.append(f"- … and {len(view.flagged) - len(shown)} more (see the report)")
    return "\n".join(lines) + "\n"
