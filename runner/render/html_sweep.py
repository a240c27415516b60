"""A sweep report as one self-contained HTML page.

Owns: ``sweep_html(report)`` — the statuses and duration percentiles, the histogram of
simulated run durations (inline SVG, ``rect.bin``), the seeds that were not a clean Succeeded
run with the command that replays each (``#flagged``), every invariant violation with its
reproducer, the runs without a final status, and the fault types that fired. Also
``histogram_svg``, for ``pycau rehearse`` reports.

Must not: read anything but the report dictionary; every text goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from runner.render.html import page, section, status, table, text
from runner.render.model import clock
from runner.render.sweep_model import Bin, sweep_view

__all__ = ["histogram_svg", "sweep_html"]

_W, _H, _PAD = 900, 220, 40


def histogram_svg(bins: Sequence[Bin], *, unit: str = "h:mm") -> str:
    """Bars of ``bins`` (counts of simulated run durations), labelled in h:mm."""
    if not bins:
        return '<p class="muted">No finished run: no durations to show.</p>'
    peak = max(b.count for b in bins) or 1
    width = (_W - 2 * _PAD) / len(bins)
    parts = [
        f'<svg id="histogram" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_W} {_H + 30}" width="{_W}" height="{_H + 30}">'
        "<title>simulated run durations</title>"
    ]
    for index, item in enumerate(bins):
        height = round((_H - 20) * item.count / peak, 2)
        x = round(_PAD + index * width, 2)
        y = round(_H - height, 2)
        tip = f"{item.count} run(s) of {clock(item.low)}–{clock(item.high)}"
        parts.append(
            f'<rect class="bin" data-count="{item.count}" x="{x}" y="{y}" '
            f'width="{round(width - 2, 2)}" height="{height}" fill="#2e86c1">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if item.count:
            parts.append(
                f'<text x="{round(x + width / 2, 2)}" y="{y - 3}" '
                f'text-anchor="middle">{item.count}</text>'
            )
    for item in (bins[0], bins[-1]):
        x = _PAD if item is bins[0] else _W - _PAD
        edge = item.low if item is bins[0] else item.high
        anchor = "start" if item is bins[0] else "end"
        parts.append(
            f'<text x="{x}" y="{_H + 16}" text-anchor="{anchor}">{clock(edge)[:-3]}</text>'
        )
    parts.append(
        f'<text x="{_W / 2}" y="{_H + 16}" text-anchor="middle">simulated duration '
        f"({escape(unit)})</text></svg>"
    )
    return "".join(parts)


def _pre(value: Any) -> str:
    return f'<code class="replay">{text(value)}</code>' if value else text(None)


def sweep_html(report: Mapping[str, Any]) -> str:
    """The HTML page of a sweep report (``runner/schemas/sweep.schema.json``)."""
    view = sweep_view(report)
    last = view.first_seed + view.seeds - 1
    statuses = ", ".join(f"{status(s)} {n}" for s, n in view.statuses) or "none"
    percentiles = ", ".join(f"{escape(k)} {clock(v)}" for k, v in view.percentiles)
    summary = (
        f'<dl class="summary"><dt>Scenario</dt><dd>{text(view.scenario)}</dd>'
        f"<dt>Seeds</dt><dd>{view.seeds} ({view.first_seed}..{last})</dd>"
        f"<dt>Statuses</dt><dd>{statuses}</dd>"
        f"<dt>Violations</dt><dd>{len(view.violations)}</dd>"
        f"<dt>Without a final status</dt><dd>{len(view.unfinished)}</dd>"
        f"<dt>Duration (simulated)</dt><dd>{percentiles or '—'}</dd></dl>"
    )
    flagged = [
        [
            str(seed.seed), status(seed.status), text(seed.error), clock(seed.duration),
            str(seed.violations), text(", ".join(seed.faults) or None), _pre(seed.replay),
        ]
        for seed in view.flagged
    ]  # fmt: skip
    head = ("seed", "status", "error", "duration", "violations", "faults", "replay")
    if flagged:
        flagged_html = table(head, flagged, attrs=' id="flagged"')
    else:
        flagged_html = '<p id="flagged" class="muted">Every seed was a clean Succeeded run.</p>'
    violations = [
        [str(v.get("seed")), text(v.get("invariant")), clock(float(v.get("time") or 0)),
         text(v.get("detail")), _pre(v.get("reproducer"))]
        for v in view.violations
    ]  # fmt: skip
    unfinished = [
        [str(u.get("seed")), text(u.get("status")), text(u.get("error")), _pre(u.get("reproducer"))]
        for u in view.unfinished
    ]
    sections = [
        section("summary", "Summary", summary),
        section("durations", "Simulated run durations", histogram_svg(view.bins)),
        section("flagged-seeds", "Seeds that were not a clean Succeeded run", flagged_html),
    ]
    if violations:
        head_v = ("seed", "invariant", "time", "detail", "reproducer")
        sections.append(section("violations", "Invariant violations", table(head_v, violations)))
    if unfinished:
        head_u = ("seed", "status", "error", "reproducer")
        sections.append(
            section("unfinished", "Runs without a final status", table(head_u, unfinished))
        )
    if view.fault_types_fired:
        fired = [[text(k), str(n)] for k, n in view.fault_types_fired]
        sections.append(
            section("faults", "Fault types fired", table(("fault type", "fired"), fired))
        )
    title = f"pycau sweep of {view.scenario}: {view.seeds} seed(s)"
    return page(title, f"seeds {view.first_seed}..{last}", sections)
