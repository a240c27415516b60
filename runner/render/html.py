"""A run report as one self-contained HTML page (like ``Export-CauReport -Format Html``).

Owns: ``run_html(report)`` and the page frame ``page`` that ``runner.render.html_sweep``
shares: the summary in CAU's words (status, error id, duration, nodes by status), the
timeline and health strip (``runner.render.html_timeline``), per node its updates with KB,
title, result and decoded HRESULT, attempts, restarts and boot type; the events table with
CAU event ids and its filter; the invariants with their evidence; and every field of the
report this renderer does not know, shown as JSON.

Every text from the report goes through ``html.escape``: a hostile scenario name, node name
or update title shows as text, never as markup. The page loads nothing (inline CSS and
script, no fonts, images or network) and the same report gives the same bytes.

Must not: read anything but the report dictionary, or claim what it does not say.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from runner.render.assets import CSS, SCRIPT
from runner.render.html_timeline import legend_html, timeline_svg
from runner.render.model import RunView, clock, run_view, seconds_text

__all__ = ["page", "run_html", "table", "text"]


def text(value: Any) -> str:
    """Any value as escaped text (``None`` as an em dash)."""
    return "—" if value is None else escape(str(value))


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, attrs: str = "") -> str:
    """A table of already-escaped cells."""
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def status(value: Any) -> str:
    return f'<span class="status status-{escape(str(value))}">{text(value)}</span>'


def page(title: str, subtitle: str, sections: Iterable[str]) -> str:
    """A whole HTML document: escaped title, the inline style sheet and script."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(subtitle)}</div></header>'
        f"<main>{''.join(sections)}</main><script>{SCRIPT}</script></body></html>\n"
    )


def section(ident: str, heading: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{escape(heading)}</h2>{body}</section>'


def _summary(view: RunView) -> str:
    by_status = ", ".join(f"{status(s)} {n}" for s, n in view.nodes_by_status) or "no nodes"
    items = [
        ("Cluster", text(view.cluster)),
        ("Run id", f'<span class="mono">{text(view.run_id)}</span>'),
        ("Status", f'<span id="run-status">{status(view.status)}</span>'),
        ("Error id", text(view.error_id)),
        ("Error", text(view.error)),
        ("Started", text(view.started_at)),
        ("Finished", text(view.finished_at)),
        ("Duration", f"{clock(view.duration)} ({seconds_text(view.duration)} s)"),
        ("Nodes by status", by_status),
        ("Mode / policy", f"{text(view.mode)} / {text(view.policy)}"),
    ]
    if view.scenario is not None:
        items.append(("Scenario / seed", f"{text(view.scenario)} / {text(view.seed)}"))
    cells = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in items)
    return section("summary", "Summary", f'<dl class="summary">{cells}</dl>')


def _timeline(view: RunView) -> str:
    notes = "".join(
        f'<li><b>{escape(lane.name)}</b>: <span class="verdict-{escape(lane.verdict)}">'
        f"{escape(lane.note)}</span></li>"
        for lane in view.lanes
    )
    body = timeline_svg(view) + legend_html(view) + f'<ul class="lane-notes">{notes}</ul>'
    return section("timeline-section", "Timeline (time since run start, h:mm)", body)


def _nodes(view: RunView) -> str:
    rows = []
    for node in view.nodes:
        updates = (
            "<br>".join(
                f"<b>{text(u.id)}</b> {text(u.title)} — {status(u.result)}"
                + (f' <span class="mono">{text(u.hresult)}</span>' if u.hresult else "")
                + (f' <span class="muted">{text(u.meaning)}</span>' if u.meaning else "")
                for u in node.updates
            )
            or '<span class="muted">none</span>'
        )
        rows.append([
            text(node.name), status(node.status), str(node.attempts), str(node.restarts),
            text(node.boot_type), updates, text(node.error),
        ])  # fmt: skip
    head = ("node", "status", "attempts", "restarts", "boot type", "updates", "error")
    return section("nodes", "Nodes", table(head, rows, attrs=' id="node-table"'))


def _events(view: RunView) -> str:
    nodes = sorted({e.node for e in view.events if e.node is not None})
    options = '<option value="">all nodes</option>' + "".join(
        f'<option value="{escape(n)}">{escape(n)}</option>' for n in nodes
    )
    filters = (
        '<div class="filters"><input type="search" id="event-filter" '
        'placeholder="filter events (any text)" aria-label="filter events">'
        f'<select id="event-node" aria-label="node">{options}</select>'
        '<label><input type="checkbox" id="event-cau"> CAU events only</label>'
        f'<span id="event-count" class="muted">{len(view.events)} events</span></div>'
    )
    rows = []
    for e in view.events:
        phase = f" {e.phase}" if e.phase else ""
        attempt = f" (attempt {e.attempt})" if e.attempt is not None else ""
        rows.append(
            f'<tr data-node="{escape(e.node or "")}" data-kind="{escape(e.kind)}" '
            f'data-event-id="{e.event_id if e.event_id is not None else ""}">'
            f'<td class="num">{clock(e.time)}</td><td class="num">{text(e.event_id)}</td>'
            f"<td>{text(e.kind)}{escape(phase + attempt)}</td><td>{text(e.node)}</td>"
            f"<td>{text(e.detail)}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("time", "CAU id", "kind", "node", "detail"))
    body = (
        f'<table id="events"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    return section("events-section", "Events", filters + body)


def _evidence(items: Sequence[tuple[float, str]]) -> str:
    return "<br>".join(f"{clock(t)} {text(d)}" for t, d in items)


def _invariants(view: RunView) -> str:
    if view.invariants is None:
        body = (
            '<p class="muted">No invariants: the oracle judges simulated runs only, and this '
            "report has no <code>simulation</code> section.</p>"
        )
        return section("invariants", "Invariants", body)
    rows = [
        [
            text(inv.name),
            f'<span class="holds-{str(inv.holds).lower()}">'
            f"{'holds' if inv.holds else 'violated'}</span>",
            _evidence(inv.violations) or '<span class="muted">no violation</span>',
            _evidence(inv.consented),
        ]
        for inv in view.invariants
    ]
    body = table(
        ("invariant", "verdict", "evidence", "consented"), rows, attrs=' id="invariants-table"'
    )
    if view.fault_losses:
        losses = [[clock(t), text(i), text(d)] for t, i, d in view.fault_losses]
        body += "<h2>Losses caused by injected faults (not violations)</h2>"
        body += table(("time", "invariant", "detail"), losses)
    if view.facts:
        body += "<h2>Simulation</h2>" + table(
            ("figure", "value"), [[text(k), text(v)] for k, v in view.facts]
        )
    return section("invariants", "Invariants", body)


def other_fields(other: Sequence[tuple[str, Any]]) -> str:
    """Fields of the report no renderer section knows, as JSON (nothing is dropped)."""
    if not other:
        return ""
    rows = [
        [f"<code>{text(key)}</code>", f"<pre>{text(json.dumps(value, indent=1))}</pre>"]
        for key, value in other
    ]
    return section("other-fields", "Other fields of the report", table(("field", "value"), rows))


def run_html(report: Mapping[str, Any]) -> str:
    """The HTML page of a run report (``runner/schemas/report.schema.json``)."""
    view = run_view(report)
    title = f"pycau run on {view.cluster}: {view.status}"
    subtitle = f"run {view.run_id} · started {view.started_at} · duration {clock(view.duration)}"
    sections = (
        _summary(view), _timeline(view), _nodes(view), _events(view), _invariants(view),
        other_fields(view.other),
    )  # fmt: skip
    return page(title, subtitle, sections)
