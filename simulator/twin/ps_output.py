"""Writing JSON the way Windows PowerShell 5.1's ``ConvertTo-Json -Compress`` does.

Owns: ``dumps`` and ``PsDate``. 5.1 serialises through .NET's JavaScriptSerializer, so
its output differs from Python's ``json`` in ways a parser must survive: ``'`` ``<`` ``>``
``&`` are escaped as ``\\u0027`` ``\\u003c`` ``\\u003e`` ``\\u0026``, other non-ASCII text
is written raw, a ``DateTime`` becomes ``"\\/Date(<ms since epoch>)\\/"``, and a whole
double such as 100.0 is written ``100``.

Must not: know what the documents mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PsDate", "dumps"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "'": "\\u0027",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
}


@dataclass(frozen=True, slots=True)
class PsDate:
    """A ``DateTime`` as milliseconds since 1970-01-01 UTC."""

    ms: int


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"ConvertTo-Json cannot write {value}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def dumps(value: Any) -> str:
    """``value`` (dicts keep their order) as 5.1 ``-Compress`` JSON text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, PsDate):
        return f'"\\/Date({value.ms})\\/"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = ",".join(f"{_string(str(k))}:{dumps(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
