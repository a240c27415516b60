"""Renderings of pycau's reports: HTML, JUnit XML and Markdown, from the report JSON alone.

Owns: ``render(report, fmt)`` — the text of one rendering (``FORMATS``: html, junit,
markdown) of a run report, a sweep report, a ``pycau rehearse`` report, or (JUnit only) a
``test-setup`` report, chosen by ``report_kind``; ``load_saved_report`` (a saved report
file, recognised and checked against its shipped schema). The modules: ``model`` (run
report → view), ``sweep_model``, ``health`` (the quorum/storage strip), ``spans``,
``hresults``, ``html``, ``html_timeline``, ``html_sweep``, ``assets``, ``junit``,
``markdown``, ``saved``; a rehearse report's ``rehearse_model``, ``html_rehearse``,
``junit_rehearse``, ``markdown_rehearse``.

Everything a rendering shows comes from the report dictionary; unknown fields are carried
through (HTML shows them as JSON), never an error.

Must not: import the simulator, click or rich, read clocks, or touch the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.errors import InputError
from runner.render.html import run_html
from runner.render.html_rehearse import rehearse_html
from runner.render.html_sweep import sweep_html
from runner.render.junit import run_junit, setup_junit, sweep_junit
from runner.render.junit_rehearse import rehearse_junit
from runner.render.markdown import run_markdown, sweep_markdown
from runner.render.markdown_rehearse import rehearse_markdown
from runner.render.saved import KINDS, load_saved_report, report_kind

__all__ = ["FORMATS", "KINDS", "RENDERERS", "load_saved_report", "render", "report_kind"]

FORMATS = ("html", "junit", "markdown")

RENDERERS: dict[tuple[str, str], Callable[[Mapping[str, Any]], str]] = {
    ("run", "html"): run_html,
    ("run", "junit"): run_junit,
    ("run", "markdown"): run_markdown,
    ("sweep", "html"): sweep_html,
    ("sweep", "junit"): sweep_junit,
    ("sweep", "markdown"): sweep_markdown,
    ("rehearse", "html"): rehearse_html,
    ("rehearse", "junit"): rehearse_junit,
    ("rehearse", "markdown"): rehearse_markdown,
    ("test-setup", "junit"): setup_junit,
}


def render(report: Mapping[str, Any], fmt: str, *, source: str = "report") -> str:
    """The ``fmt`` rendering of ``report``; ``InputError`` when its kind has none."""
    kind = report_kind(report, source)
    renderer = RENDERERS.get((kind, fmt))
    if renderer is None:
        offered = ", ".join(f"--{f}" for k, f in RENDERERS if k == kind)
        raise InputError(source, "$", f"a {kind} report renders only as {offered}, not --{fmt}")
    return renderer(report)
