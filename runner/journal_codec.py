"""JSON codec of the engine's immutable snapshots, for the run journal.

Owns: ``encode`` (a frozen dataclass, enum, tuple or plain value → JSON-ready data; fields
left at their default are omitted so a checkpoint stays small) and ``decode`` (JSON data +
the annotated type → the same value again), driven by the dataclasses' own type hints, so
``NodeProgress``, ``RunProgress``, ``Profile`` and the transport value types round-trip
without a hand-written mapping per field.

Must not: do I/O, or know which snapshot it is coding (the journal decides what to store).
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

__all__ = ["decode", "decode_as", "encode"]

T = TypeVar("T")


_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default or MISSING) of a dataclass's fields; ``fields()`` is slow per call and
    the engine checkpoints after every step."""
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = tuple((f.name, f.default) for f in fields(cls))
    return known


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, str, numbers, bools, None)."""
    cls = type(value)
    if hasattr(cls, "__dataclass_fields__"):
        out: dict[str, Any] = {}
        for name, default in _fields(cls):
            item = getattr(value, name)
            if default is not MISSING and item == default:
                continue  # defaults are restored by the constructor
            out[name] = encode(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(tp: Any, data: Any) -> Any:
    """The value of type ``tp`` that ``encode`` turned into ``data``."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return decode(options[0], data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in data)
        return tuple(decode(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        _, value_type = get_args(tp)
        return {key: decode(value_type, item) for key, item in data.items()}
    if isinstance(tp, type) and is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{name: decode(hints[name], item) for name, item in data.items()})
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if tp is float and isinstance(data, int):
        return float(data)
    return data


def decode_as(cls: type[T], data: Any) -> T:
    """``decode`` with the result typed as ``cls``."""
    value: T = decode(cls, data)
    return value
