"""pyproject.toml ships every package on disk and the bundled scenarios as package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_packaging_lists_every_python_package_on_disk() -> None:
    """The explicit package list equals the runner/simulator/pycau_pytest packages on disk, plus the
    scenario data package (a package added on disk but not listed would miss the wheel)."""
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("runner", "simulator", "pycau_pytest")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert sorted(CONFIG["packages"]) == sorted(on_disk | {"simulator.scenarios"})


def test_packaging_maps_the_scenario_data_package_to_the_one_scenarios_folder() -> None:
    """`simulator.scenarios` is scenarios/ at the root with its YAML files as package data."""
    assert CONFIG["package-dir"] == {"simulator.scenarios": "scenarios"}
    assert CONFIG["package-data"]["simulator.scenarios"] == ["*.yaml"]
    assert not (ROOT / "simulator" / "scenarios").exists(), "a second copy to keep in sync"
    assert sorted(p.name for p in (ROOT / "scenarios").iterdir() if p.suffix == ".py") == [
        "__init__.py"
    ]
