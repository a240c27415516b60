"""Hypothesis strategies that mutate the bundled scenarios and profiles, and a CLI harness
with hang detection, for the fuzz tests (``test_cli_fuzz.py``).

Mutations are bounded: one to three per input, on the parsed document (replace a value by
another type, an extreme, NaN/inf, a huge integer, a negative number, an empty string, a deep
nesting, a subtree of another scenario; remove or add keys and items; alias a value to an
ancestor — a recursive alias — or to an alias bomb) and then on its text (duplicate, drop or
cut lines — duplicate keys, syntax errors —, insert a YAML-significant character or a byte
that is not UTF-8, or write it as JSON).

The harness runs ``pycau`` in process through click's test runner under a per-input
deadline (``SIGALRM``): a hang raises ``InputHung`` (a ``BaseException``, which nothing in
pycau catches), so it fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import copy
import json
import signal
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import click
import yaml
from click.testing import CliRunner, Result
from hypothesis import strategies as st

from runner.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
# Hang detection, not a performance bound: the largest bundled scenario runs in about 1 s.
DEADLINE_SECONDS = 60.0

PathElements = tuple[Any, ...]


class InputHung(BaseException):
    """One fuzz input ran past DEADLINE_SECONDS (raised from the SIGALRM handler)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FuzzInput:
    """A mutated document: its bytes, the seed it came from and what was done to it."""

    seed: str
    text: bytes
    steps: tuple[str, ...]

    def describe(self) -> str:
        shown = self.text[:600].decode("utf-8", "replace")
        return f"seed {self.seed}, mutations {list(self.steps)}:\n{shown}"


def load_seed(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, -1, 1, 64, 65, 2**63, 2**64, 10**30, -(10**30), 10**120]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 5e-324, 0.0, -0.0, 10080.0, 10080.5, 0.001]),
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "node1", "node99", "NODE1", "KB5031364", "0x80240022", "two-way-mirror",
         "install-failure", "Succeeded", "classic", "fast", "pre", "\x00", "a\nb", "x" * 300,
         "C:\\cau\\pre.ps1", "1e300", ".nan", "~", "yes", "20348.2031"]
    ),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def paths(data: Any) -> list[PathElements]:
    """Every path into ``data`` (the root excluded), containers before their contents. A
    container is entered once: an alias made earlier (shared, recursive or a bomb) is
    listed where it is first met, never expanded."""
    found: list[PathElements] = []
    entered: set[int] = set()

    def walk(node: Any, at: PathElements) -> None:
        if id(node) in entered:
            return
        entered.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            found.append((*at, key))
            if isinstance(value, (dict, list)):
                walk(value, (*at, key))

    if isinstance(data, (dict, list)):
        walk(data, ())
    return found


def get(data: Any, path: PathElements) -> Any:
    for key in path:
        data = data[key]
    return data


def _nested(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


def _bomb(width: int, levels: int) -> Any:
    level: Any = ["lol"] * width
    for _ in range(levels):
        level = [level] * width  # one shared list: written once, aliased width times
    return level


@st.composite
def mutated_data(
    draw: st.DrawFn, seeds: dict[str, Any], donors: list[Any]
) -> tuple[Any, list[str]]:
    """A deep copy of one seed with one to three structural mutations."""
    name = draw(st.sampled_from(sorted(seeds)))
    data = copy.deepcopy(seeds[name])
    steps = [name]
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent, key = get(data, path[:-1]), path[-1]
        op = draw(
            st.sampled_from(
                ["value", "extreme", "delete", "delete", "add-key", "add-item", "add-item",
                 "nest", "recursive-alias", "alias-bomb", "donor", "shared-alias",
                 "same-key-donor", "same-key-donor", "same-key-donor", "number", "number"]
            )
        )  # fmt: skip
        if op == "same-key-donor":  # a value another scenario gives this key: plausible
            donor = draw(st.sampled_from(donors))
            alike = [p for p in paths(donor) if p[-1] == key]
            if alike:
                parent[key] = copy.deepcopy(get(donor, draw(st.sampled_from(alike))))
        elif op == "number":
            old = parent[key]
            if isinstance(old, (int, float)) and not isinstance(old, bool):
                factor = draw(st.sampled_from([0, 0.5, 2, 10, 100, -1]))
                new = old * factor + draw(st.sampled_from([0, 1, -1]))
                parent[key] = type(old)(new) if isinstance(old, int) else new
        elif op == "value":
            parent[key] = draw(VALUES)
        elif op == "extreme":
            parent[key] = draw(
                st.sampled_from(
                    [float("nan"), float("inf"), float("-inf"), 1e300, -1, 0, 10**40, "", [], {},
                     -0.5, 2**64, 10081, 1024, 8001, 65, 17]
                )
            )  # fmt: skip
        elif op == "delete":
            del parent[key]
        elif op == "add-key":
            target = parent if isinstance(parent, dict) else get(data, ())
            names = [str(p[-1]) for p in where if isinstance(p[-1], str)] + ["colour", "<<", "?"]
            target[draw(st.sampled_from(names))] = draw(VALUES)
        elif op == "add-item" and isinstance(parent, list):
            parent.append(copy.deepcopy(draw(st.sampled_from(parent))))
        elif op == "nest":
            parent[key] = _nested(parent[key], draw(st.integers(min_value=5, max_value=60)))
        elif op == "recursive-alias":
            parent[key] = get(data, path[: draw(st.integers(0, len(path) - 1))])
        elif op == "alias-bomb":
            parent[key] = _bomb(draw(st.integers(2, 12)), draw(st.integers(1, 9)))
        elif op == "donor":
            donor = draw(st.sampled_from(donors))
            inside = paths(donor)
            parent[key] = (
                copy.deepcopy(get(donor, draw(st.sampled_from(inside)))) if inside else donor
            )
        elif op == "shared-alias":
            parent[key] = get(data, draw(st.sampled_from(where))[:1])
        steps.append(f"{op} at {list(path)}")
    return data, steps


def render(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> tuple[bytes, list[str]]:
    """Zero to two edits of the YAML text (duplicate keys, syntax errors, odd bytes)."""
    steps: list[str] = []
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        op = draw(st.sampled_from(["duplicate-line", "drop-line", "cut", "insert", "json"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "duplicate-line":
            lines.insert(i, lines[i])
        elif op == "drop-line":
            del lines[i]
        elif op == "cut":
            lines = [*lines[:i], lines[i][: draw(st.integers(0, len(lines[i])))]]
        elif op == "insert":
            char = draw(st.sampled_from([":", "-", "[", "{", "&a", "*a", "\t", "!", "%", "'",
                                         '"', "|", ">", "#", "? ", "<<: *a", "\x00"]))  # fmt: skip
            column = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:column] + char + lines[i][column:]
        elif op == "json":
            if "&" in "".join(lines):  # aliases: JSON would expand them (a bomb) or loop
                continue
            try:
                lines = [json.dumps(yaml.safe_load("".join(lines)))]
            except (yaml.YAMLError, ValueError, TypeError, RecursionError):
                continue
        steps.append(f"text {op} at line {i + 1}")
    raw = "".join(lines).encode("utf-8")
    if draw(st.integers(0, 40)) == 0:
        raw += b"\xff\xfe"
        steps.append("not UTF-8")
    return raw, steps


@st.composite
def fuzz_inputs(draw: st.DrawFn, seeds: dict[str, Any], donors: list[Any]) -> FuzzInput:
    data, steps = draw(mutated_data(seeds, donors))
    raw, more = draw(text_mutations(render(data)))
    return FuzzInput(seed=steps[0], text=raw, steps=tuple(steps[1:] + more))


# click's test runner and contextlib: where the deadline must not interrupt (below).
_HARNESS = (str(Path(click.__file__).resolve().parent), contextlib.__file__)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    """Raise ``InputHung`` where the run is, not in click's test runner: raised there
    (while it puts ``sys.stdout`` back after the run) it would leave the test process's
    streams swapped and fail a later test; there the alarm comes again 5 ms later."""
    where = frame.f_code.co_filename if frame is not None else ""
    if where.startswith(_HARNESS):
        signal.setitimer(signal.ITIMER_REAL, 0.005)
        return
    raise InputHung(f"no answer within {DEADLINE_SECONDS:g} s")


def invoke_with_deadline(args: list[str]) -> Result:
    """``pycau ARGS`` in process; ``InputHung`` after DEADLINE_SECONDS (main thread only)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE_SECONDS)
    try:
        return CliRunner().invoke(cli, args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
