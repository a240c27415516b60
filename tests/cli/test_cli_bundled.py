"""Bundled scenarios by NAME: `pycau scenarios`, `simulate NAME`, `sweep NAME`, and the rules
that pick a file or a bundled scenario from one argument."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from runner.cli import cli
from runner.errors import InputError
from simulator import bundled
from simulator.bundled import bundled_names, bundled_scenarios, resolve_scenario

ROOT = Path(__file__).resolve().parents[2]
REPO_NAMES = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def test_cli_scenarios_lists_every_bundled_scenario_with_its_description(
    cli_runner: CliRunner,
) -> None:
    """`pycau scenarios` prints one line per bundled scenario: its name and description."""
    result = cli_runner.invoke(cli, ["scenarios"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == REPO_NAMES
    for line, scenario in zip(lines, bundled_scenarios(), strict=False):
        assert scenario.description
        assert line.endswith(scenario.description)
    assert "four-node-rolling" in lines[-1]


def test_cli_simulate_takes_a_bundled_name_from_any_directory(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pycau simulate NAME` (and NAME.yaml) runs the bundled scenario outside the repo."""
    monkeypatch.chdir(tmp_path)
    for argument in ("two-node-cloud-witness", "two-node-cloud-witness.yaml"):
        result = cli_runner.invoke(cli, ["simulate", argument, "--quiet"])
        assert result.exit_code == 0, result.output
        assert result.stdout == "two-node-cloud-witness (seed 11): Succeeded — expectation met\n"


def test_cli_an_existing_file_wins_over_a_bundled_name(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file in the working directory spelt like a bundled NAME is the scenario that runs."""
    data = yaml.safe_load((ROOT / "scenarios" / "four-node-rolling.yaml").read_text("utf-8"))
    data["name"] = "my-local-copy"
    (tmp_path / "four-node-rolling").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli_runner.invoke(cli, ["simulate", "four-node-rolling", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("my-local-copy (seed 7): Succeeded")


def test_cli_unknown_name_lists_the_bundled_names(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NAME that is neither a file nor bundled: exit 2, one error naming it and every
    bundled scenario; a missing path to a bundled file says to give the name alone."""
    monkeypatch.chdir(tmp_path)
    for command in ("simulate", "sweep", "twin"):
        args = [command, "four-node-rollin", *(["--seeds", "1"] if command == "sweep" else [])]
        result = cli_runner.invoke(cli, args, env={"PYCAU_USERNAME": "u", "PYCAU_PASSWORD": "p"})
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("error: four-node-rollin: no such file, and no bundled")
        assert all(name in result.stderr for name in REPO_NAMES)
    moved = cli_runner.invoke(cli, ["simulate", "scenarios/fault-boot-hang.yaml"])
    assert moved.exit_code == 2
    assert "a bundled scenario is named 'fault-boot-hang': give the name alone" in moved.stderr


def test_cli_sweep_takes_a_bundled_name(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pycau sweep NAME` sweeps the bundled scenario (its worker processes find it too)."""
    monkeypatch.chdir(tmp_path)
    result = cli_runner.invoke(cli, ["sweep", "two-node-cloud-witness", "--seeds", "2", "-j", "2"])
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.startswith("two-node-cloud-witness: 2 seed(s) from 0")


def test_bundled_scenarios_come_from_the_data_package_and_match_the_repo() -> None:
    """importlib.resources finds the same files as scenarios/ (one source, no copy); each
    file's `name` is its NAME, and the default resolves to four-node-rolling."""
    assert list(bundled_names()) == REPO_NAMES
    for scenario in bundled_scenarios():
        data = yaml.safe_load(scenario.path.read_text(encoding="utf-8"))
        assert data["name"] == scenario.name
        assert scenario.path.samefile(ROOT / "scenarios" / f"{scenario.name}.yaml")
    assert resolve_scenario(None).name == "four-node-rolling.yaml"


def test_bundled_scenarios_inside_an_archive_are_refused_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip-imported install (no real files for the loader) is bad input, not a crash."""
    archive = tmp_path / "pycau.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("simulator/scenarios/four-node-rolling.yaml", "name: x\n")
    root = zipfile.Path(archive, "simulator/scenarios/")
    monkeypatch.setattr(bundled.resources, "files", lambda package: root)
    with pytest.raises(InputError, match="inside an archive"):
        resolve_scenario(None)
