"""Start-up: each command loads only what it needs, and `pycau --help` still lists them all.

Each check runs ``pycau`` in a fresh interpreter and reads ``sys.modules`` as it exits,
because this test process has long since imported everything. Times are never asserted
here; they are ``benchmarks/bench_startup.py``'s job.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from runner.cli import LAZY_COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]
# requests, pywinrm, pyspnego and cryptography, and what they bring with them.
WINRM_STACK = ("winrm", "requests", "requests_ntlm", "spnego", "cryptography", "urllib3")
# Besides the WinRM stack, what `pycau --help` must not load: the simulator, the engine,
# the rendering and the file formats belong to the commands that run.
NOT_FOR_HELP = (
    *WINRM_STACK,
    "simulator",
    "simpy",
    "rich",
    "jsonschema",
    "yaml",
    "runner.engine",
    "runner.cli.remote",
    "runner.cli.sweep",
    "runner.cli.resume_cmd",
)


# Runs `pycau ARGS` as the console script does; at exit prints the loaded modules and how
# many objects were frozen out of the garbage collector.
_AT_EXIT = """
import atexit, gc, json, sys
atexit.register(lambda: print("at exit:", json.dumps(
    {"modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}), file=sys.stderr))
from runner.cli import main
main(sys.argv[1:])
"""


def _at_exit(*args: str) -> dict[str, Any]:
    """What a fresh ``pycau ARGS`` holds when it exits: modules and frozen objects."""
    result = subprocess.run(
        [sys.executable, "-c", _AT_EXIT, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("at exit: ")]
    state: dict[str, Any] = json.loads(line.removeprefix("at exit: "))
    return state


def _imported(*args: str) -> set[str]:
    """The modules a fresh ``pycau ARGS`` has loaded when it exits."""
    return set(_at_exit(*args)["modules"])


def _offenders(imported: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in imported if any(m == f or m.startswith(f"{f}.") for f in forbidden))


def test_loaded_modules_are_read() -> None:
    """The modules of a fresh process are read back (guards the checks below)."""
    imported = _imported("--version")
    assert {"click", "runner.cli", "runner.cli.lazy_group"} <= imported


def test_the_entry_point_freezes_the_objects_left_at_exit() -> None:
    """`pycau` ends with its objects frozen out of the collector (no last walk over them)."""
    assert _at_exit("--version")["frozen"] > 0


def test_the_group_called_in_process_leaves_the_collector_alone() -> None:
    """Only the console-script entry point freezes: `cli` invoked in process does not."""
    before = gc.get_freeze_count()
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0
    assert gc.get_freeze_count() == before


def test_help_imports_no_command_module() -> None:
    """`pycau --help` loads neither the WinRM stack, the simulator, the engine nor rich."""
    assert _offenders(_imported("--help"), NOT_FOR_HELP) == []


def test_quiet_simulate_imports_no_winrm_stack_and_no_rich() -> None:
    """`pycau simulate --quiet` runs without requests, pywinrm, spnego, cryptography or rich."""
    imported = _imported("simulate", "--quiet")
    assert {"simulator.world", "runner.engine"} <= imported  # it did simulate
    assert _offenders(imported, (*WINRM_STACK, "rich")) == []


# What a rolling `pycau simulate --quiet` must not load: the offline driver (only an offline
# run needs it), schedules and their time zones (only a profile with a `schedule:`), the
# live view (nothing is drawn, no listener is called) and the renderings (none asked for).
NOT_FOR_A_QUIET_ROLLING_RUN = (
    "runner.offline_engine",
    "runner.offline_acts",
    "runner.offline_decisions",
    "runner.schedule",
    "zoneinfo",
    "runner.cli.live_view",
    "runner.cli.render_options",
    "runner.render",
)


def test_quiet_rolling_simulate_loads_no_offline_driver_schedule_live_view_or_renderer() -> None:
    """`pycau simulate --quiet` (rolling) loads neither the offline driver, the schedule
    parser (nor zoneinfo), the live view nor the renderings; an offline run does load its
    driver."""
    assert _offenders(_imported("simulate", "--quiet"), NOT_FOR_A_QUIET_ROLLING_RUN) == []
    assert "runner.offline_engine" in _imported("simulate", "offline-four-node", "--quiet")


def test_simulate_with_a_rendering_loads_the_renderer(tmp_path: Path) -> None:
    """`pycau simulate --quiet --markdown F` loads the renderings and writes F."""
    target = tmp_path / "summary.md"
    assert "runner.cli.render_options" in _imported(
        "simulate", "--quiet", "--markdown", str(target)
    )
    assert target.read_text(encoding="utf-8").strip()


def test_help_loads_no_schedule_parser() -> None:
    """`pycau --help` loads neither runner.schedule nor zoneinfo (the profile imports the
    schedule parser only for a profile that has a schedule)."""
    assert _offenders(_imported("--help"), ("runner.schedule", "zoneinfo")) == []


def test_simulate_imports_no_winrm_stack() -> None:
    """`pycau simulate` with progress lines loads rich, but not the WinRM stack."""
    imported = _imported("simulate")
    assert "rich.console" in imported
    assert _offenders(imported, WINRM_STACK) == []


def test_remote_command_help_loads_its_module() -> None:
    """`pycau scan --help` imports the command's module (and so the WinRM stack) on demand."""
    assert {"runner.cli.remote", "winrm"} <= _imported("scan", "--help")


_PROBE = """
import json, pkgutil, importlib, sys
import click
from click.testing import CliRunner
import runner.cli
from runner.cli import cli
eager = sorted(cli.commands)
lazy_help = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
loaded_by_help = sorted(m for m in sys.modules if m.startswith("runner.cli."))
modules = [runner.cli] + [
    importlib.import_module(f"runner.cli.{module.name}")
    for module in pkgutil.iter_modules(runner.cli.__path__) if not module.name.startswith("_")
]
defined = sorted({
    value.name for loaded in modules for value in vars(loaded).values()
    if isinstance(value, click.Command) and not isinstance(value, click.Group)
})
context = click.Context(cli)
for name in cli.list_commands(context):
    cli.get_command(context, name)
loaded_help = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
print(json.dumps({"eager": eager, "lazy_help": lazy_help, "loaded_help": loaded_help,
                  "loaded_by_help": loaded_by_help, "all": sorted(cli.commands),
                  "defined": sorted(defined)}))
"""


@pytest.fixture(scope="module")
def probe() -> dict[str, object]:
    """A fresh process's help before and after every runner.cli module was imported."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_help_lists_the_same_commands_loaded_or_not(probe: dict[str, object]) -> None:
    """`pycau --help` from the lazy table equals the help once every command is loaded."""
    assert probe["loaded_by_help"] == ["runner.cli.lazy_group"]
    assert probe["lazy_help"] == probe["loaded_help"]
    for name in LAZY_COMMANDS:
        assert f"\n  {name} " in str(probe["lazy_help"])


def test_every_registered_command_is_eager_or_in_the_lazy_table(
    probe: dict[str, object],
) -> None:
    """Every command a runner.cli module defines is eager or in the table (`pycau --help`
    lists it before it loads), and each table entry loads from its module."""
    eager = set(probe["eager"])  # type: ignore[call-overload]
    assert eager == {"simulate", "scenarios"}
    assert not eager & set(LAZY_COMMANDS)
    assert probe["all"] == sorted(eager | set(LAZY_COMMANDS))
    assert probe["defined"] == probe["all"]


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_lazy_summary_is_the_first_sentence_of_the_commands_help(name: str) -> None:
    """Each table entry loads a module registering that command, whose help begins with it."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    listed = click.Command(name, help=LAZY_COMMANDS[name].summary)
    assert listed.get_short_help_str(1000) == command.get_short_help_str(1000)
