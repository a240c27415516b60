"""pycau's pytest plugin as users meet it: plain `pytest` in a directory of their own with
`features/*.feature` and scenario files, using pycau's documented steps."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    "sweep-reproducers", "out",
)  # fmt: skip

FEATURE = """\
Feature: Our cluster's monthly update

  Scenario: a stop from another machine ends the run canceled
    Given the scenario "stop-request"
    When the updating run is rehearsed
    Then the run status is "Canceled"
    And node "node2" is "Succeeded"
    And node "node3" is "Canceled"
    And every invariant holds

  Scenario: our own cluster file with a failing install
    Given the scenario "scenarios/cluster.yaml"
    And the profile option "max_retries_per_node" is "3"
    And the fault "install-failure" on node "node2"
    When the updating run is rehearsed
    Then the run status is "Succeeded"
    And node "node2" is "Succeeded"
    And every invariant holds
    And the run takes at most {minutes} minutes
"""


def user_repository(where: Path, minutes: int) -> Path:
    """A user's repository: one feature file and one scenario file beside it."""
    features = where / "features"
    (features / "scenarios").mkdir(parents=True)
    (features / "monthly.feature").write_text(FEATURE.format(minutes=minutes))
    cluster = (ROOT / "scenarios" / "two-node-cloud-witness.yaml").read_text(encoding="utf-8")
    (features / "scenarios" / "cluster.yaml").write_text(cluster)
    return where


def plain_pytest(python: Path | str, where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=where,
        capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_plain_pytest_runs_a_users_features_and_names_the_failing_steps(
    tmp_path: Path,
) -> None:
    """Without any test module, one `pytest` run: the scenarios that hold pass; one with a
    bound the run cannot meet and one naming a scenario that exists nowhere fail, each
    naming its failing step; the exit status is 1."""
    where = user_repository(tmp_path, 600)
    (where / "features" / "broken.feature").write_text(
        FEATURE.split("  Scenario: our own")[0]
        .replace("stop from", "bound on")
        .replace('Then the run status is "Canceled"', "Then the run takes at most 5 minutes")
        + '  Scenario: nowhere\n    Given the scenario "nowhere.yaml"\n'
        "    When the updating run is rehearsed\n"
    )
    result = plain_pytest(sys.executable, where)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed, 2 passed" in result.stdout
    assert "Then the run takes at most 5 minutes: it took " in result.stdout
    assert 'Given the scenario "nowhere.yaml": no file ' in result.stdout
    assert "no bundled scenario of that name" in result.stdout
    assert "FAILED features/broken.feature::test_nowhere" in result.stdout


def test_loading_the_plugin_imports_neither_the_simulator_nor_pytest_bdd() -> None:
    """pytest's startup pays only for the entry-point module."""
    probe = (
        "import sys, pycau_pytest; "
        "print(sorted(m for m in ('simulator', 'pytest_bdd', 'runner.rehearsal') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_a_users_features(tmp_path: Path) -> None:
    """The built wheel with its pytest extra, in a fresh venv, from a directory outside the
    repository: plain `pytest` passes the feature that holds and fails (naming the step) the
    one that does not."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("pycau-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", f"{wheel}[pytest]"]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    shutil.rmtree(source)  # nothing may still be read from the source tree
    holds = plain_pytest(python, user_repository(tmp_path / "holds", 600))
    assert holds.returncode == 0, holds.stdout + holds.stderr
    assert "2 passed" in holds.stdout
    broken = plain_pytest(python, user_repository(tmp_path / "broken", 5))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Then the run takes at most 5 minutes: it took " in broken.stdout
    where = subprocess.run(
        [str(python), "-c", "import pycau_pytest; print(pycau_pytest.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the wheel's copy, not the repo's


def test_without_pytest_bdd_the_plugin_stays_idle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pytest-bdd missing: no steps are registered and no feature file is collected, so the
    user's other tests run as before."""
    import importlib.util

    import pycau_pytest

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pytest_bdd" else real(name)
    )

    class Config:
        def __init__(self) -> None:
            self.stash = pytest.Stash()
            self.pluginmanager = self
            self.registered: list[str] = []

        def has_plugin(self, name: str) -> bool:
            return name in self.registered

        def register(self, plugin: object, name: str) -> None:
            self.registered.append(name)

        def getini(self, name: str) -> bool:
            return True

    class Parent:
        config = Config()

    pycau_pytest.pytest_configure(Parent.config)  # type: ignore[arg-type]
    assert Parent.config.registered == []
    feature = tmp_path / "x.feature"
    assert pycau_pytest.pytest_collect_file(feature, Parent) is None  # type: ignore[arg-type]
