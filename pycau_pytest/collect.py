"""A ``*.feature`` file as a pytest test module: its scenarios bound by pytest-bdd.

Owns: ``FeatureModule`` — a ``pytest.Module`` whose module object is built, not imported:
a fresh module in which pytest-bdd's ``scenarios(FILE)`` defines one test per scenario, as
the one-line test module a pytest-bdd user writes would. The steps come from
``pycau_pytest.steps`` (a registered plugin), so every feature sees them.

Must not: define steps or read the feature file itself (pytest-bdd parses it).
"""

from __future__ import annotations

import types
from typing import Any

import pytest

__all__ = ["FeatureModule"]

_BIND = "from pytest_bdd import scenarios\nscenarios(__file__, features_base_dir=_pycau_dir)\n"


class FeatureModule(pytest.Module):
    """The scenarios of one feature file, as test functions of a built module."""

    def _getobj(self) -> Any:
        name = "pycau_feature_" + "".join(c if c.isalnum() else "_" for c in self.path.stem)
        module = types.ModuleType(name)
        module.__file__ = str(self.path)
        module.__dict__["_pycau_dir"] = str(self.path.parent)
        exec(compile(_BIND, str(self.path), "exec"), module.__dict__)
        return module
