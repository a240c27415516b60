"""Reading JSON as Windows PowerShell 5.1 really writes it.

Owns: turning a script's stdout into one JSON document, and the coercions every parser
needs because of how ``ConvertTo-Json`` behaves on 5.1 (reference cau.md §8.2):

- enums are numbers (no ``-EnumsAsStrings`` before PowerShell 6), but a projection or a
  newer shell may give names — ``enum_value`` accepts both;
- CIM status values are raw UInt16, ``OperationalStatus`` an array — or a bare number when a
  single value was unwrapped — ``as_list`` accepts both, as it accepts a single object where
  a list was expected (PowerShell unwraps one-element pipeline output);
- ``DateTime`` is ``"\\/Date(ms)\\/"`` (JSON-decoded: ``/Date(ms)/``, possibly with a
  ``+hhmm`` offset), and a DateTime from ``Get-Date`` carries NoteProperties, which
  serialises as ``{"value": "/Date(ms)/", "DisplayHint": 2, "DateTime": "…"}``;
- an object nested deeper than ``-Depth`` collapses to its type name (``"System.Object[]"``)
  — ``reject_truncated`` refuses such a value rather than misreading it.

Must not: import ``winrm`` or know the shape of any one script's answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from runner.errors import MalformedOutput

__all__ = [
    "MalformedOutput",
    "as_list",
    "as_mapping",
    "enum_value",
    "load_document",
    "ps_datetime",
    "reject_truncated",
]

E = TypeVar("E")

_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What ConvertTo-Json writes for a value nested deeper than -Depth: the type's name.
_TYPE_NAME = re.compile(r"^(System|Microsoft)(\.[A-Za-z0-9_`]+)+(\[\])?$")


def load_document(stdout: bytes) -> Any:
    """The one JSON document a script wrote (UTF-8, with or without a BOM).

    Tolerates stray text before it (a profile, a warning written to the host): the last
    line that parses as JSON wins.
    """
    text = stdout.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise MalformedOutput("the script wrote nothing")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise MalformedOutput(f"the output is not JSON: {text[:120]!r}")


def reject_truncated(value: Any, what: str) -> Any:
    """``value`` unless it is a type name left by ``ConvertTo-Json`` depth truncation."""
    if isinstance(value, str) and _TYPE_NAME.match(value):
        raise MalformedOutput(f"{what} was truncated by ConvertTo-Json -Depth: {value!r}")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    """A JSON array as a list; ``null`` → []; a lone object or scalar → [it]."""
    reject_truncated(value, what)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def as_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """A JSON object, or ``MalformedOutput`` naming ``what``."""
    reject_truncated(value, what)
    if not isinstance(value, Mapping):
        raise MalformedOutput(f"{what} is not an object: {value!r:.80}")
    return value


def enum_value(
    value: Any,
    from_code: Callable[[int], E],
    names: Mapping[str, E],
    what: str,
) -> E:
    """An enum member from its numeric code (5.1) or its name (PS 6+, or a projection)."""
    if isinstance(value, bool):
        raise MalformedOutput(f"{what} is a boolean, expected an enum code: {value!r}")
    if isinstance(value, int):
        return from_code(value)
    if isinstance(value, str):
        key = value.replace(" ", "").lower()
        for name, member in names.items():
            if name.replace(" ", "").lower() == key:
                return member
        if value.lstrip("-").isdigit():
            return from_code(int(value))
    raise MalformedOutput(f"{what} is not a known value: {value!r:.80}")


def ps_datetime(value: Any, what: str) -> datetime | None:
    """A UTC datetime from ``/Date(ms)/``, a Get-Date object, or ISO-8601; ``null`` → None."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping) and "value" in value:
        return ps_datetime(value["value"], what)
    if isinstance(value, str):
        match = _DATE.match(value)
        if match:
            # The ms count is UTC; the optional offset only tells the writer's zone.
            return _EPOCH + timedelta(milliseconds=int(match.group(1)))
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise MalformedOutput(f"{what} is not a date: {value!r:.80}")
