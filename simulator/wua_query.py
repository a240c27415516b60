"""The Windows Update Agent searches a simulated cluster can evaluate (the Windows Update
plug-in's ``QueryString``, reference cau.md §2.1).

Owns: ``parse_query`` (the subset of WUA's search syntax the simulator models, or a
sentence saying which part it does not) and ``WuaQuery.matches``.

Theory of operation: WUA's criteria are ``Name=Value`` terms joined by ``and``, with ``or``
only at the top level (a disjunction of conjunctions; a group may stand in parentheses).
The simulator models the terms whose meaning it has: ``IsInstalled=0``, ``IsHidden=0``,
``IsAssigned=1`` (a simulated scan lists only updates not installed, none hidden, all
assigned), ``Type='Software'`` (every kind but drivers and firmware) or ``Type='Driver'``
(drivers and firmware), and ``UpdateID='…'`` (a simulated update's id is its UpdateID).
Values may be quoted once or, as self-updating cmdlets need, with doubled quotes. Any other
term is refused rather than pretended: a rehearsal must not claim a search it cannot run.

Must not: know about plug-ins, nodes or SimPy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.model import UpdateSpec

__all__ = ["WuaQuery", "parse_query"]

_TERM = re.compile(r"^\s*(\w+)\s*=\s*(?:''(.*)''|'(.*)'|(-?\d+))\s*$")
_SPLIT_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
_SPLIT_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_FIXED = {"isinstalled": "0", "ishidden": "0", "isassigned": "1"}
_DRIVER_KINDS = ("driver", "firmware")


@dataclass(frozen=True, slots=True)
class WuaQuery:
    """A disjunction of conjunctions of (name, value) terms, names in lower case."""

    groups: tuple[tuple[tuple[str, str], ...], ...]

    def matches(self, spec: UpdateSpec) -> bool:
        """Whether the search finds ``spec`` (an update not installed on the node)."""
        return any(all(_term(name, value, spec) for name, value in group) for group in self.groups)


def _term(name: str, value: str, spec: UpdateSpec) -> bool:
    if name == "type":
        driver = spec.kind in _DRIVER_KINDS
        return driver if value.lower() == "driver" else not driver
    if name == "updateid":
        return spec.id.lower() == value.lower()
    return True  # IsInstalled=0, IsHidden=0, IsAssigned=1 hold for every offer


def parse_query(text: str) -> WuaQuery | str:
    """The modelled reading of ``text``, or a sentence naming what is not modelled."""
    groups = []
    for raw_group in _SPLIT_OR.split(text.strip()):
        group = raw_group.strip()
        if group.startswith("(") and group.endswith(")"):
            group = group[1:-1]
        terms = []
        for raw in _SPLIT_AND.split(group):
            match = _TERM.match(raw)
            if match is None:
                return f"cannot read the term {raw.strip()!r}"
            name = match.group(1).lower()
            value = next(v for v in match.groups()[1:] if v is not None)
            problem = _problem(name, match.group(1), value)
            if problem:
                return problem
            terms.append((name, value))
        groups.append(tuple(terms))
    return WuaQuery(groups=tuple(groups))


def _problem(name: str, spelt: str, value: str) -> str:
    if name in _FIXED:
        if value != _FIXED[name]:
            return (
                f"only {spelt}={_FIXED[name]} is modelled (a simulated scan lists updates "
                "not installed, none hidden, all assigned)"
            )
    elif name == "type":
        if value.lower() not in ("software", "driver"):
            return f"Type={value!r} is not modelled; use 'Software' or 'Driver'"
    elif name != "updateid":
        return (
            f"the criterion {spelt} is not modelled; a simulated cluster evaluates IsInstalled, "
            "IsHidden, IsAssigned, Type and UpdateID"
        )
    return ""
