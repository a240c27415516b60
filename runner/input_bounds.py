"""Bounds on what a user file may be, so hostile input is refused instead of crashing pycau.

Owns: ``read_user_file`` / ``check_user_file`` / ``user_file_option`` (only a regular file of
at most ``MAX_FILE_BYTES``, checked before anything is read, and never more than that read;
also for the PEM files a TLS library reads), ``check_yaml_graph`` (on the composed YAML
node graph, before anything is constructed: no recursive alias, at most ``MAX_VALUES`` values
once every alias is expanded — the "billion laughs" bound —, at most ``MAX_DEPTH`` levels of
nesting, no integer of more than ``MAX_INTEGER_CHARACTERS`` characters, no key written twice
in one mapping — PyYAML would silently keep the last) and ``format_path``
(JSON paths as jsonschema writes them). Each refusal is an ``InputError(file, JSON path, what
was expected)``; ``runner.validation`` checks the constructed values (text keys, finite
numbers) and the schemas.

Theory of operation: libyaml composes at most 1,000 nesting levels and the file is at most
4 MiB, so composing is bounded; the node graph is then walked once per node (shared alias
targets are measured once, memoised), so a small file that would expand to a huge structure
is refused in time proportional to the file, before jsonschema or any loop of ours walks the
expanded structure. The limits are generous: the largest scenario the schema allows in a
natural form (64 nodes, 8,000 VMs listed one by one) is about 0.5 MB and 72,000 values.

Must not: print, know schemas or the simulator, or follow a file that is not regular (a FIFO
would block, ``/dev/zero`` never ends).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from runner.errors import InputError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INTEGER_CHARACTERS",
    "MAX_VALUES",
    "PathElement",
    "check_user_file",
    "check_yaml_graph",
    "file_kind",
    "format_path",
    "read_user_file",
    "user_file_option",
]

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_VALUES = 250_000
MAX_DEPTH = 32
MAX_INTEGER_CHARACTERS = 100
_INT_TAG = "tag:yaml.org,2002:int"

PathElement = str | int


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (``stat`` mode)."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def check_user_file(path: str | Path) -> None:
    """``InputError`` unless ``path`` is a regular file of at most ``MAX_FILE_BYTES``
    (decided from ``stat``, nothing is read)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    _check_stat(path, info)


def read_user_file(path: str | Path) -> bytes:
    """The bytes of a user file, checked as ``check_user_file`` does on the file actually
    opened (opening never blocks: a FIFO is refused, not waited on), and the read stops one
    byte past the cap (a file that grows meanwhile, or a ``/proc`` file whose size says 0)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        _check_stat(path, os.fstat(fd))
    except InputError:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise _unreadable(path, exc) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(str(path), "$", _too_big("more than that"))
    return data


def _check_stat(path: str | Path, info: os.stat_result) -> None:
    source = str(path)
    if stat.S_ISDIR(info.st_mode):
        raise InputError(source, "$", "cannot read the file: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        kind = file_kind(info.st_mode)
        raise InputError(
            source, "$", f"cannot read the file: it is {kind}; expected a regular file"
        )
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(source, "$", _too_big(f"{info.st_size:,} bytes"))


def _unreadable(path: str | Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(str(path), "$", "cannot read the file: it does not exist")
    if isinstance(exc, IsADirectoryError):
        return InputError(str(path), "$", "cannot read the file: it is a directory")
    return InputError(str(path), "$", f"cannot read the file: {exc.strerror or exc}")


def user_file_option(ctx: Any, param: Any, value: str | Path | None) -> Any:
    """Click callback for options naming a file pycau (or a library for it) reads."""
    if value is not None:
        check_user_file(value)
    return value


def _too_big(size: str) -> str:
    return (
        f"cannot read the file: pycau reads files of at most {MAX_FILE_BYTES / 2**20:g} MiB "
        f"({MAX_FILE_BYTES:,} bytes) and this one has {size}"
    )


def check_yaml_graph(root: yaml.Node, source: str) -> None:
    """Refuse recursive aliases, alias bombs, deep nesting, giant integers and duplicate
    keys (see module); one walk, each node once."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) expanded
    parent: dict[int, tuple[yaml.Node, PathElement]] = {}
    entered: set[int] = set()  # on the current walk path: met again = a cycle
    # (node, None) enters a node; (node, children) finishes it once its children are done.
    stack: list[tuple[yaml.Node, list[tuple[PathElement, yaml.Node]] | None]] = [(root, None)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done is not None:
            entered.discard(key)
            values, levels = 1, 0
            for _, child in done:
                child_values, child_levels = measured[id(child)]
                values += child_values
                levels = max(levels, child_levels)
            measured[key] = (values, levels + 1)
            if values > MAX_VALUES:
                raise InputError(
                    source,
                    "$",
                    f"the document expands to more than {MAX_VALUES:,} values (YAML aliases "
                    "count each time they are used); expected a file of ordinary size",
                )
            if levels + 1 > MAX_DEPTH:
                line = node.start_mark.line + 1
                raise InputError(
                    source,
                    _path_to(node, parent),
                    f"values are nested more than {MAX_DEPTH} levels deep (line {line}); "
                    f"expected at most {MAX_DEPTH}",
                )
            continue
        if key in measured:
            continue
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _INT_TAG and len(node.value) > MAX_INTEGER_CHARACTERS:
                raise InputError(
                    source,
                    _path_to(node, parent),
                    f"an integer of {len(node.value):,} characters (line "
                    f"{node.start_mark.line + 1}); expected at most {MAX_INTEGER_CHARACTERS}",
                )
            measured[key] = (1, 1)
            continue
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, parent, source)
        children = _children(node)
        entered.add(key)
        stack.append((node, children))
        for element, child in children:
            if id(child) in entered:  # the alias closing a cycle: name where it is used
                line = child.start_mark.line + 1
                raise InputError(
                    source,
                    format_path([*_elements_to(node, parent), element]),
                    f"recursive YAML alias: the value anchored at line {line} contains an "
                    "alias of itself; expected aliases only of values that do not contain them",
                )
            if id(child) not in measured:
                parent.setdefault(id(child), (node, element))
                stack.append((child, None))


def _check_unique_keys(
    node: yaml.MappingNode, parent: dict[int, tuple[yaml.Node, PathElement]], source: str
) -> None:
    """PyYAML silently keeps the last of two equal keys; an admin means one of them."""
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
            continue
        name, line = str(key_node.value), key_node.start_mark.line + 1
        if name in first_line:
            raise InputError(
                source,
                format_path([*_elements_to(node, parent), name]),
                f"duplicate key '{name}' at line {line} (first written at line {first_line[name]})",
            )
        first_line[name] = line


def _children(node: yaml.Node) -> list[tuple[PathElement, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[PathElement, yaml.Node]] = []
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            pairs += [(name, key_node), (name, value_node)]
        return pairs
    return []


def _path_to(node: yaml.Node, parent: dict[int, tuple[yaml.Node, PathElement]]) -> str:
    """The JSON path of the first way the walk reached ``node``."""
    return format_path(_elements_to(node, parent))


def _elements_to(
    node: yaml.Node, parent: dict[int, tuple[yaml.Node, PathElement]]
) -> list[PathElement]:
    elements: list[PathElement] = []
    while id(node) in parent:
        node, element = parent[id(node)]
        elements.append(element)
    return elements[::-1]


def format_path(path: Iterable[PathElement]) -> str:
    """JSON path as jsonschema writes it: ``$.faults[1].node``, ``$['odd key']``."""
    text = "$"
    for element in path:
        if isinstance(element, int):
            text += f"[{element}]"
        elif element.isidentifier():
            text += f".{element}"
        else:
            text += "['" + element.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text
