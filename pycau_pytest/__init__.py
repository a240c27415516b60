"""pycau's pytest plugin: users' own ``features/*.feature`` run with plain ``pytest``.

Owns: the ``pytest11`` entry point (``pycau = "pycau_pytest"``). Installing pycau with its
``pytest`` extra (``pip install 'pycau[pytest]'``: pytest and pytest-bdd) makes every
``pytest`` run in that environment load this module, which is kept cheap: it imports
neither pycau's simulator nor pytest-bdd. At ``pytest_configure`` it registers
``pycau_pytest.steps`` (pycau's step definitions and fixtures) when pytest-bdd is
installed, and from then on every ``*.feature`` file pytest meets while collecting becomes
a test module of its scenarios (``pycau_pytest.collect``) — so no ``scenarios()`` call and
no test module are needed. ``pycau_features = false`` in the pytest ini switches the
collection off (for a suite that binds its features itself, like pycau's own ``tests/bdd``).

Must not: import ``simulator``, ``runner.rehearsal`` or ``pytest_bdd`` at load time.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

__all__ = ["pytest_addoption", "pytest_collect_file", "pytest_configure"]

_ACTIVE = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "pycau_features",
        "pycau: collect every *.feature file pytest meets as pycau scenarios (default true)",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register pycau's steps when pytest-bdd is there (else the plugin stays idle)."""
    active = importlib.util.find_spec("pytest_bdd") is not None
    config.stash[_ACTIVE] = active
    if active and not config.pluginmanager.has_plugin("pycau_pytest.steps"):
        from pycau_pytest import steps

        config.pluginmanager.register(steps, "pycau_pytest.steps")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    """A ``*.feature`` file becomes a module of its scenarios (unless switched off)."""
    if file_path.suffix != ".feature" or not parent.config.stash.get(_ACTIVE, False):
        return None
    if not parent.config.getini("pycau_features"):
        return None
    from pycau_pytest.collect import FeatureModule

    return FeatureModule.from_parent(parent, path=file_path)
