"""What every HTML report carries inline: its style sheet, its one script, phase colours.

Owns: ``CSS``, ``SCRIPT`` (the events table's filter: a text box, a node choice and "CAU
events only"; ``#filter=TEXT&node=NAME`` in the address presets them, so a link can point at
a filtered view) and ``phase_colour`` (a fixed colour per known phase, a stable colour
derived from the name for any other).

Must not: reference anything outside the file (no fonts, images, CDN or network).
"""

from __future__ import annotations

import zlib

__all__ = ["CSS", "PHASE_COLOURS", "SCRIPT", "phase_colour"]

PHASE_COLOURS = {
    "pre_script": "#8e44ad",
    "storage_wait": "#e67e22",
    "drain": "#2e86c1",
    "install": "#27ae60",
    "reboot": "#f1c40f",
    "resume": "#16a085",
    "resync": "#7f8c8d",
    "post_script": "#c39bd3",
}


def phase_colour(phase: str) -> str:
    """The colour of ``phase`` on the timeline (stable across runs and machines)."""
    if phase in PHASE_COLOURS:
        return PHASE_COLOURS[phase]
    hue = zlib.crc32(phase.encode("utf-8")) % 360
    return f"hsl({hue}, 55%, 50%)"


CSS = """
:root { --ok: #1e8449; --bad: #c0392b; --warn: #b7950b; --muted: #666; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       color: #222; background: #fafafa; }
header { padding: 16px 24px; background: #1f2d3d; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .sub { color: #c8d3df; font-size: 13px; }
main { padding: 8px 24px 32px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px;
          margin: 14px 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee;
         vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
.status-Succeeded, .holds-true, .verdict-ok { color: var(--ok); }
.status-Failed, .holds-false, .verdict-violated { color: var(--bad); }
.status-PartiallyFailed { color: var(--warn); }
.status-Canceled, .verdict-unknown, .verdict-info { color: var(--muted); }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px;
             margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #222; }
svg .axis line { stroke: #ddd; }
svg .axis text { fill: #666; }
svg .open { stroke: #222; stroke-dasharray: 3 2; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0 0; padding: 0;
          list-style: none; font-size: 12px; }
.legend span.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
                      vertical-align: -2px; margin-right: 4px; }
.lane-notes { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: #444; }
.filters { display: flex; gap: 12px; align-items: center; margin-bottom: 8px;
           flex-wrap: wrap; }
.filters input[type=search] { padding: 4px 6px; min-width: 240px; }
tr[hidden] { display: none; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Consolas, monospace;
              font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
.failed { color: var(--bad); }
code.replay { white-space: nowrap; }
.muted { color: var(--muted); }
"""

SCRIPT = """
(function () {
  var text = document.getElementById('event-filter');
  var node = document.getElementById('event-node');
  var cau = document.getElementById('event-cau');
  var count = document.getElementById('event-count');
  if (!text || !node || !cau || !count) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  function apply() {
    var wanted = text.value.toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = (!wanted || row.textContent.toLowerCase().indexOf(wanted) >= 0) &&
               (!node.value || row.getAttribute('data-node') === node.value) &&
               (!cau.checked || row.getAttribute('data-event-id') !== '');
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + ' of ' + rows.length + ' events shown';
  }
  var preset = /[#&]filter=([^&]*)/.exec(location.hash);
  if (preset) { text.value = decodeURIComponent(preset[1]); }
  var onNode = /[#&]node=([^&]*)/.exec(location.hash);
  if (onNode) { node.value = decodeURIComponent(onNode[1]); }
  text.addEventListener('input', apply);
  node.addEventListener('change', apply);
  cau.addEventListener('change', apply);
  apply();
})();
"""
