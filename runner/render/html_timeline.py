"""The HTML report's timeline: an inline SVG Gantt chart and the health strip under it.

Owns: ``timeline_svg(view)`` — one row per node (``g.node-row[data-node]``), each phase a
coloured bar (``rect.phase[data-phase][data-attempt]``) with a tooltip, a bar the run ended
inside drawn dashed, failures (red diamonds), restarts (circles), retries (dashed line at
the attempt's start) and warnings (triangles) marked; the cluster-wide rows
(``g.cluster-row``) when the report has any; then the health lanes (``g.lane[data-lane]``);
a time axis in h:mm since run start — and ``legend_html`` for the phases shown.

Must not: put any text into the SVG unescaped (``html.escape`` on every label and title).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from runner.render.assets import phase_colour
from runner.render.health import Lane
from runner.render.model import RunView, clock
from runner.render.spans import Bar, Mark, Row

__all__ = ["legend_html", "timeline_svg"]

_LABEL = 170  # width of the name column
_CHART = 880
_ROW = 26
_BAR = 16
_TICKS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
_MARK_COLOURS = {"failure": "#c0392b", "restart": "#1f2d3d", "retry": "#d35400",
                 "warning": "#b7950b"}  # fmt: skip
_STATUS_COLOURS = {"Succeeded": "#1e8449", "Failed": "#c0392b", "PartiallyFailed": "#b7950b"}


def _x(time: float, span: float) -> float:
    return round(_LABEL + _CHART * max(0.0, min(time, span)) / span, 2)


def _bar(bar: Bar, span: float, y: float) -> str:
    x0, x1 = _x(bar.start, span), _x(bar.end, span)
    width = max(1.0, round(x1 - x0, 2))
    attempt = f" (attempt {bar.attempt})" if bar.attempt is not None else ""
    ended = " — the run ended inside it" if bar.open else ""
    tip = f"{bar.phase}{attempt}: {clock(bar.start)}–{clock(bar.end)}{ended}"
    extra = " open" if bar.open else ""
    return (
        f'<rect class="phase{extra}" data-phase="{escape(bar.phase)}" '
        f'data-attempt="{bar.attempt if bar.attempt is not None else ""}" x="{x0}" '
        f'y="{y + (_ROW - _BAR) / 2}" width="{width}" height="{_BAR}" rx="2" '
        f'fill="{escape(phase_colour(bar.phase))}"><title>{escape(tip)}</title></rect>'
    )


def _mark(mark: Mark, span: float, y: float) -> str:
    x, mid, colour = _x(mark.time, span), y + _ROW / 2, _MARK_COLOURS.get(mark.kind, "#333")
    tip = f"<title>{escape(clock(mark.time))} {escape(mark.text)}</title>"
    attrs = f'class="mark mark-{escape(mark.kind)}" data-kind="{escape(mark.kind)}"'
    if mark.kind == "failure":
        points = f"{x},{mid - 7} {x + 6},{mid} {x},{mid + 7} {x - 6},{mid}"
        return f'<polygon {attrs} points="{points}" fill="{colour}" stroke="#fff">{tip}</polygon>'
    if mark.kind == "restart":
        return (
            f'<circle {attrs} cx="{x}" cy="{mid}" r="4" fill="#fff" stroke="{colour}" '
            f'stroke-width="2">{tip}</circle>'
        )
    if mark.kind == "retry":
        return (
            f'<line {attrs} x1="{x}" x2="{x}" y1="{y + 1}" y2="{y + _ROW - 1}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="3 2">{tip}</line>'
        )
    points = f"{x},{mid - 6} {x + 6},{mid + 5} {x - 6},{mid + 5}"
    return f'<polygon {attrs} points="{points}" fill="{colour}">{tip}</polygon>'


def _short(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters for the name column (the tooltip has it whole)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _row(row: Row, css: str, span: float, y: float, index: int) -> str:
    shade = "#f7f9fb" if index % 2 == 0 else "#ffffff"
    status = f" — {row.status}" if row.status else ""
    name = escape(row.name)
    shown = escape(_short(row.name, 14 if row.status else 26))
    parts = [
        f'<g class="row {css}" data-node="{name}" data-status="{escape(row.status or "")}">',
        f'<rect x="0" y="{y}" width="{_LABEL + _CHART}" height="{_ROW}" fill="{shade}"/>',
        f'<text x="6" y="{y + 17}">{shown}<title>{name}{escape(status)}</title></text>',
    ]
    if row.status:
        colour = _STATUS_COLOURS.get(row.status, "#666")
        parts.append(
            f'<text class="row-status" x="{_LABEL - 6}" y="{y + 17}" text-anchor="end" '
            f'style="fill:{colour}">{escape(row.status)}</text>'
        )
    parts += [_bar(bar, span, y) for bar in row.bars]
    parts += [_mark(mark, span, y) for mark in row.marks]
    parts.append("</g>")
    return "".join(parts)


def _lane(lane: Lane, span: float, y: float) -> str:
    fill = {"storage": "#f5cba7", "nodes in maintenance": "#aed6f1"}.get(lane.name, "#d5dbdb")
    name = escape(lane.name)
    parts = [
        f'<g class="lane verdict-{escape(lane.verdict)}" data-lane="{name}" '
        f'data-verdict="{escape(lane.verdict)}">',
        f'<rect x="0" y="{y}" width="{_LABEL + _CHART}" height="{_ROW}" fill="#fdfefe"/>',
        f'<text x="6" y="{y + 17}">{name}<title>{escape(lane.note)}</title></text>',
    ]
    baseline = {"ok": "#abebc6", "violated": "#f5b7b1"}.get(lane.verdict)
    if baseline is not None:  # the oracle's verdict over the whole run
        parts.append(
            f'<rect class="verdict" x="{_LABEL}" y="{y + _ROW - 5}" width="{_CHART}" '
            f'height="3" fill="{baseline}"><title>{escape(lane.note)}</title></rect>'
        )
    for seg in lane.segments:
        x0, x1 = _x(seg.start, span), _x(seg.end, span)
        tip = f"{clock(seg.start)}–{clock(seg.end)} {seg.label}"
        parts.append(
            f'<rect class="segment" x="{x0}" y="{y + 5}" width="{max(1.0, round(x1 - x0, 2))}" '
            f'height="{_ROW - 12}" fill="{fill}"><title>{escape(tip)}</title></rect>'
        )
    parts += [_mark(mark, span, y) for mark in lane.marks]
    parts.append("</g>")
    return "".join(parts)


def _tick_step(span: float) -> int:
    return next((step for step in _TICKS if span / step <= 12), _TICKS[-1])


def _axis(span: float, top: float, height: float) -> str:
    step = _tick_step(span)
    parts = ['<g class="axis">']
    tick = 0
    while tick <= span:
        x = _x(tick, span)
        label = clock(tick)[:-3]  # h:mm
        parts.append(f'<line x1="{x}" x2="{x}" y1="{top}" y2="{top + height}"/>')
        parts.append(f'<text x="{x}" y="{top - 4}" text-anchor="middle">{label}</text>')
        tick += step
    parts.append("</g>")
    return "".join(parts)


def timeline_svg(view: RunView) -> str:
    """The Gantt chart of ``view`` with the health strip (see the module docstring)."""
    top = 18.0
    rows: list[str] = []
    y = top
    groups: Iterable[tuple[tuple[Row, ...], str]] = (
        (view.node_rows, "node-row"),
        (view.cluster_rows, "cluster-row"),
    )
    for index, (row, css) in enumerate((r, css) for group, css in groups for r in group):
        rows.append(_row(row, css, view.span, y, index))
        y += _ROW
    y += 10
    lanes = []
    for lane in view.lanes:
        lanes.append(_lane(lane, view.span, y))
        y += _ROW
    height = y + 4
    axis = _axis(view.span, top, y - top)
    return (
        f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_LABEL + _CHART + 10} {height}" width="{_LABEL + _CHART + 10}" '
        f'height="{height}"><title>timeline of run {escape(view.run_id)}</title>'
        f"{axis}{''.join(rows)}{''.join(lanes)}</svg>"
    )


def legend_html(view: RunView) -> str:
    """The phases shown and what the marks mean."""
    items = [
        f'<li><span class="swatch" style="background:{escape(phase_colour(p))}"></span>'
        f"{escape(p)}</li>"
        for p in view.phases
    ]
    items += [
        '<li><span class="swatch" style="background:#c0392b"></span>failure (diamond)</li>',
        '<li><span class="swatch" style="background:#1f2d3d"></span>restart (circle)</li>',
        '<li><span class="swatch" style="background:#d35400"></span>retry: attempt starts '
        "(dashed line)</li>",
        "<li>dashed outline: the run ended inside the phase</li>",
    ]
    return f'<ul class="legend">{"".join(items)}</ul>'
