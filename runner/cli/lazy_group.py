"""A click group whose commands load their module only when they are needed.

Owns: ``LazyGroup`` and ``LazyCommand`` — the table of command name → the module that
defines it (a ``click.Command`` named like the command, ``-`` as ``_``; the module never
imports the group) and the one-line help ``pycau --help`` lists for it.
A command's module is imported when the command runs or its own ``--help`` is asked for;
``pycau --help`` lists every command from the table alone, so it imports none of them (no
WinRM stack, no simulator, no engine).

Theory of operation: a lazy command's summary is written twice, in the table and as the
first sentence of the command's docstring; ``tests/cli/test_cli_startup.py`` keeps
``pycau --help`` identical whether or not the modules are loaded, so the two cannot drift.

Must not: import any command module at module level, or hold command logic.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LazyCommand:
    """Where a lazily registered command lives, and what ``pycau --help`` says of it."""

    module: str  # imported on first use; defines the command
    summary: str  # the first sentence of the command's help

    def load(self, name: str) -> click.Command:
        """The command ``name`` from its module (``test-setup`` is ``test_setup``)."""
        command = getattr(importlib.import_module(self.module), name.replace("-", "_"))
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.module} defines no click command {name!r}")
        return command


class LazyGroup(click.Group):
    """A group with eager commands (``self.commands``) and lazy ones (``lazy``)."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands:" section, as ``click.Group`` writes it, without loading modules."""
        shown = [
            (name, self.commands.get(name))
            for name in self.list_commands(ctx)
            if name not in self.commands or not self.commands[name].hidden
        ]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        rows = []
        for name, command in shown:
            # An unloaded command is shortened as click shortens a loaded one's help.
            listed = command or click.Command(name, help=self.lazy[name].summary)
            rows.append((name, listed.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
