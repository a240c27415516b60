"""JUnit XML of a ``pycau rehearse`` report, as Jenkins and GitLab read it.

Owns: ``rehearse_junit(report)`` — one ``testsuite``; one testcase per run ("seed S"), which
fails when the run did not end Succeeded (another final status, or none) or violated an
invariant, with its status, error, faults fired and replay command; and, only when the
forecast was given a window, one testcase "every run finishes inside the window", which fails
unless every run ended (with a final status) inside it, its message giving the share that did
and P95. A pass/fail line needs a threshold, and "every run" is the one that invents no
number: the share and P95 are in the message for a reader to judge.

Unlike ``pycau rehearse``'s exit status (1 only for violations or runs without a final
status), a Failed or PartiallyFailed run is a failed testcase here: a forecast's red runs are
what a CI reader must see. The shape is ``junit.py``'s (tested against ``jenkins-junit.xsd``).

Must not: read anything but the report dictionary.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from runner.render.html_rehearse import percent
from runner.render.junit import clean_text, element, finish, properties, testsuite
from runner.render.model import clock, seconds_text
from runner.render.rehearse_model import rehearse_view

__all__ = ["WINDOW_CASE", "rehearse_junit"]

WINDOW_CASE = "every run finishes inside the window"


def rehearse_junit(report: Mapping[str, Any]) -> str:
    """JUnit XML of a rehearse report (see the module docstring)."""
    view = rehearse_view(report)
    root = ET.Element("testsuites", {"name": "pycau"})
    suite = testsuite(root, clean_text(f"pycau rehearse of {view.scenario}"))
    properties(suite, {
        "scenario": view.scenario, "runs": view.runs, "first_seed": view.first_seed,
        "fault_rate": view.fault_rate,
        "window_seconds": view.window.seconds if view.window else None,
    })  # fmt: skip
    classname = f"pycau.rehearse.{view.scenario}"
    for run in view.results:
        case = element(suite, "testcase", name=f"seed {run.seed}", classname=classname,
                        time=seconds_text(run.duration))  # fmt: skip
        if run.status != "Succeeded" or run.violations:
            if run.status is None:
                why = f"no final status: {run.error or 'the run did not finish'}"
            else:
                why = f"{run.status}" + (f": {run.error}" if run.error else "")
            if run.violations:
                why += f"; {run.violations} invariant violation(s)"
            body = f"{why}\nreplay: {run.replay}" if run.replay else why
            element(case, "failure", body, message=why, type="RehearsalRunNotSucceeded")
        out = [f"status: {run.status}", f"duration: {clock(run.duration)}",
               f"faults fired: {', '.join(run.faults) or 'none'}"]  # fmt: skip
        out += [f"replay: {run.replay}"] if run.replay else []
        element(case, "system-out", "\n".join(out))
    if view.window is not None:
        case = element(suite, "testcase", name=WINDOW_CASE, classname=classname)
        inside = view.window.finished_inside
        summary = (
            f"{percent(inside)} of runs end inside the window of {clock(view.window.seconds)} "
            f"({percent(view.window.succeeded_inside)} Succeeded inside it); "
            f"P95 {clock(view.figure('p95'))}"
        )
        if inside < 1.0:
            element(case, "failure", summary, message=summary, type="OutsideWindow")
        else:
            element(case, "system-out", summary)
    return finish(root)
