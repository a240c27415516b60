"""Validation at the edge: user files are read once and checked against a JSON Schema.

Owns: reading YAML/JSON documents (``read_document``: unreadable file, YAML syntax error,
duplicate key → ``InputError`` with a line), JSON Schema checking (``SchemaValidator``, built
once per schema; ``is_valid`` first, error analysis only on failure) and turning the one most
useful ``ValidationError`` into ``InputError(source, json_path, what was expected)``, and the
profile loaders (``parse_profile``, ``load_profile``).

Must not: print, know the simulator, or put ``str(ValidationError)`` in a message (it dumps
the schema). Names must never carry control characters: the schemas reject them, because
NUL cannot be quoted into PowerShell at all.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from runner.errors import InputError
from runner.input_bounds import (
    MAX_DEPTH,
    PathElement,
    check_yaml_graph,
    format_path,
    read_user_file,
)
from runner.profile import Profile

__all__ = [
    "PROFILE_SCHEMA_ID",
    "Document",
    "Locator",
    "PathElement",
    "SchemaValidator",
    "explain",
    "format_path",
    "load_profile",
    "load_schema",
    "parse_document",
    "parse_profile",
    "profile_schema",
    "profile_validator",
    "read_document",
]

PROFILE_SCHEMA_ID = "https://pycau.invalid/schemas/profile.schema.json"

Locator = Callable[[Sequence[PathElement]], int | None]
"""Maps a JSON path (as elements) to the 1-based line it was written on, if known."""

_TYPE_PHRASES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}
_WEAK = frozenset({"anyOf", "oneOf", "if", "then", "else", "allOf", "$ref"})


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A parsed YAML/JSON document and where its parts were written."""

    data: Any
    source: str
    locate: Locator


# C parser when available (64-node scenarios stay small, but profiles are read often).
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML 1.1 reads 1e300 and 1.0e3 as text (it wants a dot and a signed exponent), JSON and
# YAML 1.2 as numbers: a profile may be JSON, and an admin writing 1e3 means a number.
_Loader: type[yaml.SafeLoader] = type("_Loader", (_BaseLoader,), {})
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)
# YAML 1.1 turns an unquoted 2020-03-02T03:00:00 into a datetime, JSON and YAML 1.2 keep it
# text: dates stay text here, and the option that takes one parses it (with its time zone).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def read_document(path: str | Path) -> Document:
    """Read one YAML (or JSON) document; every failure is an ``InputError`` naming the file.

    Only a regular file of at most 4 MiB is read (``runner.input_bounds``)."""
    source = str(path)
    data = read_user_file(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, "$", f"cannot read the file: not UTF-8 text ({exc.reason})"
        ) from None
    return parse_document(text, source)


def parse_document(text: str, source: str) -> Document:
    """Parse YAML text; syntax errors, duplicate keys, recursive aliases, alias bombs, deep
    nesting, non-text keys and non-finite numbers are ``InputError``s naming where."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            check_yaml_graph(node, source)  # before anything walks the expanded structure
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "not valid YAML"
        if exc.context and problem.startswith("but "):  # "expected X, but found Y"
            problem = f"{exc.context}, {problem}"
        raise InputError(source, "$", f"YAML syntax error{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(source, "$", f"YAML syntax error: {exc}") from None
    except RecursionError:  # the pure-Python composer, without libyaml's nesting limit
        nested = f"values are nested too deeply; expected at most {MAX_DEPTH} levels"
        raise InputError(source, "$", nested) from None
    finally:
        loader.dispose()
    locate = _locator(node)
    _check_values(data, source, locate)
    return Document(data=data, source=source, locate=locate)


def _check_values(data: Any, source: str, locate: Locator) -> None:
    """Keys must be text (YAML reads ``on:``/``1:`` keys as bool/int; schemas and names need
    text) and numbers finite (``.nan`` passes every JSON Schema bound, ``.inf`` most). The
    data passed ``check_yaml_graph``, so this iterative walk is bounded."""
    stack: list[tuple[Any, tuple[PathElement, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    raise InputError(
                        source,
                        format_path(path),
                        f'key {_show(key)} must be text; quote it ("{key}")',
                    )
            # Reversed onto the stack, so the first problem in file order is the one reported.
            stack.extend((item, (*path, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((value[i], (*path, i)) for i in reversed(range(len(value))))
        elif isinstance(value, float) and not math.isfinite(value):
            if math.isnan(value):
                got = ".nan (not a number)"
            else:  # YAML reads 1e999 as infinity too
                got = f"{'' if value > 0 else '-'}.inf (infinity, or a number too large to hold)"
            line = locate(path)
            where = f" at line {line}" if line is not None else ""
            raise InputError(
                source, format_path(path), f"expected a finite number, got {got}{where}"
            )


def _locator(root: yaml.Node | None) -> Locator:
    def locate(path: Sequence[PathElement]) -> int | None:
        node = root
        line = None if node is None else node.start_mark.line + 1
        for element in path:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(element, str):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == element:
                        line, nxt = key_node.start_mark.line + 1, value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(element, int)
                and 0 <= element < len(node.value)
            ):
                nxt = node.value[element]
                line = nxt.start_mark.line + 1
            if nxt is None:
                break
            node = nxt
        return line

    return locate


def _no_lines(path: Sequence[PathElement]) -> int | None:
    return None


# --------------------------------------------------------------------------- schemas


def load_schema(package: str, filename: str) -> dict[str, Any]:
    """A schema shipped in ``<package>/schemas/`` (package data, works when installed)."""
    text = resources.files(package).joinpath("schemas", filename).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class SchemaValidator:
    """One compiled schema; ``references`` are schemas it ``$ref``s by their ``$id``.

    The schema itself is trusted, not checked against the metaschema here: only the schemas
    shipped in ``*/schemas/`` are compiled, ``tests/unit/test_unit_shipped_schemas.py``
    checks each of them once; a check on every start would only slow ``pycau`` down."""

    def __init__(
        self, schema: Mapping[str, Any], *, references: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        registry: Registry[Any] = Registry().with_resources(
            (ref["$id"], Resource.from_contents(ref, default_specification=DRAFT202012))
            for ref in references
        )
        self._validator = Draft202012Validator(schema, registry=registry)

    def validate(self, instance: Any, source: str, *, locate: Locator = _no_lines) -> None:
        """Return if ``instance`` is valid, else raise the one most useful ``InputError``."""
        if self._validator.is_valid(instance):
            return
        errors = list(self._validator.iter_errors(instance))
        best = _most_useful(errors)
        path, message = explain(best)
        line = locate(path)
        if line is not None:
            message += f" (line {line})"
        # Branches of one value (if/then/else) can fail together: count other places only.
        others = len({tuple(e.absolute_path) for e in errors} - {tuple(best.absolute_path)})
        if others:
            message += f"; {others} more problem{'s' if others > 1 else ''} in this file"
        raise InputError(source, format_path(path), message)


def _most_useful(errors: Sequence[ValidationError]) -> ValidationError:
    """The highest-up error (more is wrong there); at equal depth a concrete keyword
    beats a combinator, then schema order. Never descends into anyOf/oneOf context: their
    own ``description`` says what was expected better than one failed branch does."""
    indexed = list(enumerate(errors))
    _, best = min(
        indexed,
        key=lambda pair: (len(pair[1].absolute_path), pair[1].validator in _WEAK, pair[0]),
    )
    return best


def explain(error: ValidationError) -> tuple[list[PathElement], str]:
    """(path, message) for one error, saying what was expected in an admin's words."""
    path: list[PathElement] = list(error.absolute_path)
    keyword, expected, value, schema = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    described = schema.get("description") if isinstance(schema, dict) else None

    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        extra = next((k for k in value if k not in allowed), None)
        if extra is not None:
            path.append(extra)
            hint = difflib.get_close_matches(str(extra), allowed, n=1)
            message = f"unknown key '{extra}'"
            if hint:
                message += f" (did you mean '{hint[0]}'?)"
            return path, message + f"; expected one of: {', '.join(allowed)}"
    if keyword == "required" and isinstance(value, dict):
        missing = next((k for k in expected if k not in value), expected[0])
        path.append(missing)
        kind = value.get("type")
        suffix = f" for type {kind!r}" if isinstance(kind, str) else ""
        return path, f"missing required key '{missing}'{suffix}"
    if keyword == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        message = (
            f"expected {' or '.join(_TYPE_PHRASES.get(t, t) for t in types)}, got {_show(value)}"
        )
        if "string" in types and not isinstance(value, (dict, list)):
            message += " (quote it)"
        return path, message
    if keyword == "enum":
        options = ", ".join(_show(v) for v in expected)
        message = f"expected one of {options}; got {_show(value)}"
        if isinstance(value, str):
            hint = difflib.get_close_matches(value, [str(v) for v in expected], n=1)
            if hint:
                message += f" (did you mean '{hint[0]}'?)"
        return path, message
    if keyword == "const":
        return path, f"expected {_show(expected)}, got {_show(value)}"
    if keyword in ("pattern", "anyOf", "oneOf", "not", "format"):
        wanted = described or f"a value matching {keyword}"
        got = "" if isinstance(value, (dict, list)) else f", got {_show(value)}"
        return path, f"expected {wanted}{got}"
    bounds = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "greater than",
        "exclusiveMaximum": "less than",
    }
    if keyword in bounds:
        return path, f"must be {bounds[keyword]} {_show(expected)}, got {_show(value)}"
    if keyword == "minLength":
        if expected == 1:
            return path, "must not be empty"
        return path, f"must be at least {expected} characters long"
    if keyword == "maxLength":
        return path, f"must be at most {expected} characters long, got {len(value)}"
    if keyword == "minItems":
        return path, f"must list at least {expected} item{'s' if expected != 1 else ''}"
    if keyword == "maxItems":
        return path, f"must list at most {expected} items, got {len(value)}"
    if keyword == "uniqueItems" and isinstance(value, list):
        dupes = [v for i, v in enumerate(value) if v in value[:i]]
        return path, f"lists {_show(dupes[0]) if dupes else 'an item'} more than once"
    return path, error.message  # never str(error): that dumps the schema


def _show(value: Any) -> str:
    """A short, control-character-safe rendering of a value for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # Windows paths read better unescaped; anything unprintable is shown escaped.
        shown = f"'{value}'" if value.isprintable() and "'" not in value else repr(value)
        return shown if len(shown) <= 60 else shown[:56] + "...'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value})"


# --------------------------------------------------------------------------- profiles


@cache
def profile_validator() -> SchemaValidator:
    """The compiled profile schema (``runner/schemas/profile.schema.json``)."""
    return SchemaValidator(profile_schema())


@cache
def profile_schema() -> dict[str, Any]:
    return load_schema("runner", "profile.schema.json")


def parse_profile(data: Any, source: str = "profile", *, locate: Locator = _no_lines) -> Profile:
    """A ``Profile`` from a mapping (profile file or scenario block); raise ``InputError``."""
    if data is None:
        data = {}
    profile_validator().validate(data, source, locate=locate)
    return Profile.from_mapping(data, source)


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file (YAML or JSON)."""
    document = read_document(path)
    return parse_profile(document.data, document.source, locate=document.locate)
