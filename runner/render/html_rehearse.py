"""A ``pycau rehearse`` report as one self-contained HTML page.

Owns: ``rehearse_html(report)`` — the summary (scenario, runs and seeds, fault rate,
P50/P95/P99 and min/mean/max of the simulated run duration, the window and the share of runs
that end inside it, violations, runs without a final status), the outcome shares
(``#outcomes``), each node's P50/P95 time out of service (``#out-of-service``), the fault
causes (``#causes``, with --faults), the histogram of the report's bins (``histogram_svg``:
inline SVG, ``rect.bin``) and the runs that were not a clean Succeeded run with the command
that replays each (``#flagged``).

Must not: read anything but the report dictionary; every text goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.render.html import page, section, status, table, text
from runner.render.html_sweep import histogram_svg
from runner.render.model import clock
from runner.render.rehearse_model import RehearseView, rehearse_view

__all__ = ["percent", "rehearse_html"]


def percent(share: float) -> str:
    """A share of runs (0..1) as ``83.3 %``."""
    return f"{share * 100:.1f} %"


def _replay(value: Any) -> str:
    return f'<code class="replay">{text(value)}</code>' if value else text(None)


def _summary(view: RehearseView) -> str:
    figures = ", ".join(f"{name.upper() if name[0] == 'p' else name} {clock(view.figure(name))}"
                        for name, _ in view.durations)  # fmt: skip
    if view.window is None:
        window = "— (no --window given)"
    else:
        window = (
            f'<span id="window">{clock(view.window.seconds)}: '
            f"{percent(view.window.finished_inside)} of runs end inside it, "
            f"{percent(view.window.succeeded_inside)} end Succeeded inside it</span>"
        )
    items = [
        ("Scenario", text(view.scenario)),
        ("Runs", f"{view.runs} (seeds {view.first_seed}..{view.last_seed})"),
        ("Faults per run", f"{view.fault_rate:g}" if view.fault_rate else "0 (the scenario's own)"),
        ("Duration (simulated)", figures or "—"),
        ("Window", window),
        ("Invariant violations", str(view.violations)),
        ("Without a final status", str(len(view.unfinished))),
    ]
    rows = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in items)
    return f'<dl class="summary">{rows}</dl>'


def rehearse_html(report: Mapping[str, Any]) -> str:
    """The HTML page of a rehearse report (``runner/schemas/rehearse.schema.json``)."""
    view = rehearse_view(report)
    outcomes = [[status(s), str(n), percent(share)] for s, n, share in view.outcomes]
    nodes = [[text(n.name), clock(n.p50), clock(n.p95)] for n in view.nodes]
    flagged = [
        [str(run.seed), status(run.status), text(run.error), clock(run.duration),
         str(run.violations), text(", ".join(run.faults) or None), _replay(run.replay)]
        for run in view.flagged
    ]  # fmt: skip
    if flagged:
        head = ("seed", "status", "error", "duration", "violations", "faults fired", "replay")
        flagged_html = table(head, flagged, attrs=' id="flagged"')
    else:
        flagged_html = '<p id="flagged" class="muted">Every run was a clean Succeeded run.</p>'
    sections = [
        section("summary", "Summary", _summary(view)),
        section("outcomes", "Outcomes", table(("status", "runs", "share"), outcomes)),
        section("durations", "Simulated run durations", histogram_svg(view.bins)),
        section("flagged-runs", "Runs that were not a clean Succeeded run", flagged_html),
        section(
            "out-of-service",
            "Time out of service per node",
            table(("node", "P50", "P95"), nodes),
        ),
    ]
    if view.causes:
        causes = [
            [text(c.get("fault_type")), str(c.get("runs_fired")), str(c.get("non_succeeded")),
             percent(float(c.get("share") or 0))]
            for c in view.causes
        ]  # fmt: skip
        head_c = ("fault type", "runs it fired in", "not Succeeded", "share")
        sections.append(
            section("causes", "Fault types behind non-Succeeded runs", table(head_c, causes))
        )
    title = f"pycau rehearse of {view.scenario}: {view.runs} run(s)"
    return page(title, f"seeds {view.first_seed}..{view.last_seed}", sections)
