"""JUnit XML of runs, sweeps and readiness checks, as Jenkins and GitLab read it.

Owns: ``run_junit(report)`` — one ``testsuite`` per run: a testcase "the updating run
succeeded" (fails with the run's error id and error unless the run Succeeded, so a Failed run
whose nodes were never operated on is not green), one testcase per node ("node2 updated":
a failure carries the node's error, each failed update's HRESULT and its meaning; a node
never operated on is ``skipped``) and one per invariant of a simulated run (a failure lists
the violations with their times); the run's log, its events as text, in the suite's
``system-out``. ``sweep_junit(report)`` — one testcase per seed, failing when the seed
violated an invariant or ended without a final status (what makes ``pycau sweep`` exit 1),
with its status and replay command in ``system-out``. ``setup_junit(report)`` — one testcase
per readiness rule of ``pycau test-setup --report``: Fail fails, Skip is skipped.

The shape is the one of the ``jenkins-junit.xsd`` schema (tests/data/, tested against it);
text the XML cannot carry (control characters) is dropped, everything else is escaped by
``xml.etree``. ``clean_text``, ``element``, ``testsuite``, ``properties`` and ``finish``
(count the cases, serialise) are shared with ``junit_rehearse``.

Must not: read anything but the report dictionary.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from runner.render.model import RunView, clock, run_view, seconds_text
from runner.render.sweep_model import sweep_view

__all__ = [
    "clean_text", "element", "finish", "properties", "run_junit", "setup_junit", "sweep_junit",
    "testsuite",
]  # fmt: skip

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: Any) -> str:
    """``value`` as text without the characters XML cannot carry."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def element(parent: ET.Element, tag: str, body: str | None = None, **attrs: Any) -> ET.Element:
    """A ``tag`` child of ``parent`` with ``body`` and the attributes that are not None."""
    child = ET.SubElement(
        parent, tag, {k: clean_text(v) for k, v in attrs.items() if v is not None}
    )
    if body is not None:
        child.text = clean_text(body)
    return child


def testsuite(root: ET.Element, name: str, **attrs: Any) -> ET.Element:
    """A ``testsuite`` element (its counts are set by ``finish``)."""
    return element(root, "testsuite", name=name, **attrs)


def _count(cases: list[ET.Element], tag: str) -> str:
    return str(sum(case.find(tag) is not None for case in cases))


def finish(root: ET.Element) -> str:
    """Count each suite's and the whole document's tests, failures and skips; serialise."""
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", _count(cases, "failure"))
        suite.set("errors", "0")
        suite.set("skipped", _count(cases, "skipped"))
    every = list(root.iter("testcase"))
    root.set("tests", str(len(every)))
    root.set("failures", _count(every, "failure"))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def properties(suite: ET.Element, items: Mapping[str, Any]) -> None:
    """The suite's ``properties``: one per item that is not None."""
    props = element(suite, "properties")
    for name, value in items.items():
        if value is not None:
            element(props, "property", name=name, value=value)


def _log(view: RunView) -> str:
    lines = []
    for e in view.events:
        event_id = f"[{e.event_id}] " if e.event_id is not None else ""
        phase = f" {e.phase}" if e.phase else ""
        node = f" {e.node}" if e.node else ""
        detail = f": {e.detail}" if e.detail else ""
        lines.append(f"{clock(e.time)} {event_id}{e.kind}{phase}{node}{detail}")
    return "\n".join(lines)


def _node_cases(suite: ET.Element, view: RunView, classname: str) -> None:
    for node in view.nodes:
        case = element(suite, "testcase", name=f"{node.name} updated", classname=classname)
        if node.status == "Succeeded":
            continue
        if node.status == "Canceled":
            element(case, "skipped", f"{node.name} was not operated on: the run ended first")
            continue
        failed = [u for u in node.updates if u.result != "Succeeded"]
        lines = [f"{node.name}: {node.status} after {node.attempts} attempt(s)"]
        lines += [f"error: {node.error}"] if node.error else []
        lines += [f"{u.id} {u.title}: {u.result} {u.hresult or ''} {u.meaning or ''}".rstrip()
                  for u in failed]  # fmt: skip
        hresults = ", ".join(u.hresult for u in failed if u.hresult)
        message = node.error or node.status
        if hresults:
            message = f"{message} (HRESULT {hresults})" if hresults not in message else message
        element(case, "failure", "\n".join(lines), message=message, type=f"Node{node.status}")


def run_junit(report: Mapping[str, Any]) -> str:
    """JUnit XML of a run report (see the module docstring)."""
    view = run_view(report)
    root = ET.Element("testsuites", {"name": "pycau"})
    name = f"pycau run on {view.cluster}" + (f" ({view.scenario})" if view.scenario else "")
    started = view.started_at.rstrip("Z")
    suite = testsuite(
        root, clean_text(name), time=seconds_text(view.duration), timestamp=started, id=view.run_id
    )
    properties(suite, {
        "run_id": view.run_id, "cluster": view.cluster, "status": view.status,
        "error_id": view.error_id, "mode": view.mode, "policy": view.policy,
        "scenario": view.scenario, "seed": view.seed,
    })  # fmt: skip
    classname = f"pycau.{view.cluster}"
    run_case = element(suite, "testcase", name="the updating run succeeded", classname=classname,
                        time=seconds_text(view.duration))  # fmt: skip
    if view.status != "Succeeded":
        message = f"{view.status}" + (f" ({view.error_id})" if view.error_id else "")
        message += f": {view.error}" if view.error else ""
        element(run_case, "failure", message, message=message, type=view.error_id or view.status)
    _node_cases(suite, view, f"{classname}.nodes")
    for inv in view.invariants or ():
        case = element(suite, "testcase", name=f"invariant {inv.name} holds",
                        classname=f"{classname}.invariants")  # fmt: skip
        if not inv.holds:
            evidence = "\n".join(f"{clock(t)} {d}" for t, d in inv.violations)
            first = inv.violations[0][1] if inv.violations else "violated"
            element(case, "failure", evidence, message=first, type="InvariantViolated")
    element(suite, "system-out", _log(view))
    return finish(root)


def sweep_junit(report: Mapping[str, Any]) -> str:
    """JUnit XML of a sweep report: one testcase per seed."""
    view = sweep_view(report)
    root = ET.Element("testsuites", {"name": "pycau"})
    suite = testsuite(root, clean_text(f"pycau sweep of {view.scenario}"))
    facts = {"scenario": view.scenario, "seeds": view.seeds, "first_seed": view.first_seed}
    properties(suite, facts)
    classname = f"pycau.sweep.{view.scenario}"
    for seed in view.runs:
        case = element(suite, "testcase", name=f"seed {seed.seed}", classname=classname,
                        time=seconds_text(seed.duration))  # fmt: skip
        if seed.violations or seed.status is None:
            why = (f"{seed.violations} invariant violation(s)" if seed.violations
                   else f"no final status: {seed.error or 'the run did not finish'}")  # fmt: skip
            body = f"{why}\nreplay: {seed.replay}" if seed.replay else why
            element(case, "failure", body, message=why, type="SweepSeedFailed")
        out = [f"status: {seed.status}", f"faults: {', '.join(seed.faults) or 'none'}"]
        out += [f"replay: {seed.replay}"] if seed.replay else []
        element(case, "system-out", "\n".join(out))
    return finish(root)


def setup_junit(report: Mapping[str, Any]) -> str:
    """JUnit XML of a ``pycau test-setup --report`` document: one testcase per rule."""
    root = ET.Element("testsuites", {"name": "pycau"})
    suite = testsuite(root, clean_text(f"pycau test-setup on {report.get('cluster')}"))
    for rule in report.get("rules") or []:
        number = rule.get("number")
        name = f"rule {number}: {rule.get('rule')}" if number is not None else str(rule.get("rule"))
        case = element(suite, "testcase", name=name, classname="pycau.test-setup")
        verdict, evidence, remedy = rule.get("verdict"), rule.get("evidence"), rule.get("remedy")
        if verdict == "Fail":
            body = f"{evidence}\nremedy: {remedy}" if remedy else str(evidence)
            element(case, "failure", body, message=evidence, type="RuleFailed")
        elif verdict == "Skip":
            element(case, "skipped", str(evidence))
        else:
            element(case, "system-out", f"{verdict}: {evidence}")
    return finish(root)
