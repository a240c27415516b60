"""A short Markdown summary of a ``pycau rehearse`` report, for pull-request comments and chat.

Owns: ``rehearse_markdown(report)`` — runs and seeds, P50/P95/P99 of the simulated run
duration, the window and the share of runs ending inside it, the outcome shares, violations
and runs without a final status, the fault types behind non-Succeeded runs, and the runs
that were not a clean Succeeded run with their replay commands (the first ``MAX_SEEDS``).
Text is escaped as ``markdown.escape_md`` does; commands go in code spans.

Must not: read anything but the report dictionary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.render.html_rehearse import percent
from runner.render.markdown import MAX_SEEDS, code_span, escape_md
from runner.render.model import clock
from runner.render.rehearse_model import rehearse_view

__all__ = ["rehearse_markdown"]


def rehearse_markdown(report: Mapping[str, Any]) -> str:
    """The Markdown summary of a rehearse report."""
    view = rehearse_view(report)
    figures = ", ".join(
        f"{name.upper()} {clock(view.figure(name))}" for name in ("p50", "p95", "p99")
    )
    outcomes = ", ".join(f"{escape_md(s)} {percent(share)} ({n})" for s, n, share in view.outcomes)
    lines = [
        f"### pycau rehearse of {escape_md(view.scenario)}: {view.runs} run(s) "
        f"({view.first_seed}..{view.last_seed})",
        "",
        f"- simulated duration: {figures}",
    ]
    if view.window is not None:
        lines.append(
            f"- window {clock(view.window.seconds)}: {percent(view.window.finished_inside)} of "
            f"runs end inside it, {percent(view.window.succeeded_inside)} Succeeded inside it"
        )
    lines += [
        f"- outcomes: {outcomes or 'none'}",
        f"- invariant violations: {view.violations}; runs without a final status: "
        f"{len(view.unfinished)}",
    ]
    causes = [c for c in view.causes if c.get("non_succeeded")]
    if causes:
        lines.append(
            "- fault types behind non-Succeeded runs: "
            + ", ".join(
                f"{escape_md(c.get('fault_type'))} {c.get('non_succeeded')} of "
                f"{c.get('runs_fired')}"
                for c in causes
            )
        )
    if view.flagged:
        shown = view.flagged[:MAX_SEEDS]
        lines += ["", f"Runs that were not a clean Succeeded run ({len(view.flagged)}):", ""]
        for run in shown:
            replay = f" — {code_span(run.replay)}" if run.replay else ""
            lines.append(f"- seed {run.seed}: {escape_md(run.status)}{replay}")
        if len(view.flagged) > len(shown):
            lines.append(f"- … and {len(view.flagged) - len(shown)} more (see the report)")
    return "\n".join(lines) + "\n"
