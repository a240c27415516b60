"""`pycau sweep --dask`: the same report on a LocalCluster and on a real scheduler with its
workers as on local processes; exit 3 naming the address when the scheduler cannot be
reached, has no workers, loses them, or its workers cannot run pycau; exit 2 on a bad value."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dask_support import dask_processes, start_worker, wait_for_tasks, wait_for_workers

from runner.cli import cli
from runner.cli.sweep import sweep_exit_code
from runner.rehearsal.backends import DaskLocal
from runner.rehearsal.pools import open_pool
from runner.rehearsal.sweep import ScenarioSource, sweep_seed

ROOT = Path(__file__).resolve().parents[2]
FOUR = ROOT / "scenarios" / "four-node-rolling.yaml"
# How it ran, the only part of a sweep report that may differ between backends.
HOW_IT_RAN = ("jobs", "backend", "wall_seconds", "seeds_per_second")


def sweep_report(cli_runner: CliRunner, tmp_path: Path, name: str, *options: str) -> dict[str, Any]:
    target = tmp_path / f"{name}.json"
    args = ["sweep", str(FOUR), "--report", str(target), "--reproducers", str(tmp_path / "r")]
    result = cli_runner.invoke(cli, [*args, *options])
    report: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    assert result.exit_code == sweep_exit_code(report), result.output
    return report


def what_it_found(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in HOW_IT_RAN}


def test_local_cluster_gives_the_local_processes_report(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """8 seeds on a LocalCluster of 2 workers: the report equals the local pool's, byte for
    byte once the figures of how it ran are set aside."""
    local = sweep_report(cli_runner, tmp_path, "local", "--seeds", "8", "--jobs", "2")
    dask = sweep_report(cli_runner, tmp_path, "dask", "--seeds", "8", "--dask", "local:2")
    assert (local["backend"], dask["backend"]) == ("processes", "dask-local")
    assert dask["jobs"] == 2
    assert json.dumps(what_it_found(local)) == json.dumps(what_it_found(dask))


def test_unreachable_scheduler_is_exit_3_naming_it_in_bounded_time(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """Nobody listens at the address: exit 3 at once, one error naming it, no report."""
    target = tmp_path / "r.json"
    result = cli_runner.invoke(
        cli,
        ["sweep", str(FOUR), "--seeds", "2", "--report", str(target),
         "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "0.5"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(result.output.strip().splitlines()) == 1
    assert not target.exists()


def test_silent_listener_is_exit_3_within_the_timeout(cli_runner: CliRunner) -> None:
    """Something accepts connections at the address but never speaks (not a scheduler):
    exit 3 naming it once the timeout has passed, instead of waiting for ever."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        result = cli_runner.invoke(
            cli, ["sweep", str(FOUR), "--seeds", "2", "--dask", address, "--dask-timeout", "0.5"]
        )
        waited = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert f"nothing at {address} answered as a Dask scheduler within 0.5 s" in result.output
    assert waited < 30  # bounded (the bound is generous: no wall time is asserted closely)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("local:0", "local:N needs N"),
        ("local:two", "local:N needs N"),
        ("garbage", "neither local:N nor a Dask scheduler address"),
        ("tcp://127.0.0.1", "neither local:N nor a Dask scheduler address"),
        ("tcp://127.0.0.1:70000", "neither local:N nor a Dask scheduler address"),
        ("tls://10.0.0.5:8786", "neither local:N nor a Dask scheduler address"),
    ],
)
def test_bad_dask_value_is_exit_2_in_one_sentence(
    cli_runner: CliRunner, value: str, says: str
) -> None:
    """`--dask local:0` or garbage: exit 2, one `error:` line saying what is expected."""
    result = cli_runner.invoke(cli, ["sweep", str(FOUR), "--seeds", "2", "--dask", value])
    assert result.exit_code == 2
    assert result.output.startswith("error: Invalid value for '--dask'")
    assert says in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_jobs_and_dask_together_is_exit_2(cli_runner: CliRunner) -> None:
    """--jobs (local processes) and --dask exclude each other."""
    result = cli_runner.invoke(
        cli, ["sweep", str(FOUR), "--seeds", "2", "--jobs", "2", "--dask", "local:2"]
    )
    assert result.exit_code == 2
    assert "--jobs sets local processes" in result.output


@pytest.mark.slow
def test_scheduler_without_workers_is_exit_3(cli_runner: CliRunner) -> None:
    """A real scheduler with no worker: exit 3 naming the address, after the timeout."""
    with dask_processes(0) as (address, _):
        result = cli_runner.invoke(
            cli, ["sweep", str(FOUR), "--seeds", "2", "--dask", address, "--dask-timeout", "1"]
        )
    assert result.exit_code == 3, result.output
    assert f"the Dask scheduler at {address} has no workers" in result.output


@pytest.mark.slow
def test_scheduler_and_two_workers_give_the_local_report(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """A real scheduler and two worker processes on loopback: a 200-seed sweep's report is
    the local processes' one apart from how it ran."""
    local = sweep_report(cli_runner, tmp_path, "local", "--seeds", "200", "--first-seed", "300")
    with dask_processes(2) as (address, _):
        remote = sweep_report(
            cli_runner, tmp_path, "remote", "--seeds", "200", "--first-seed", "300",
            "--dask", address,
        )  # fmt: skip
    assert (remote["backend"], remote["jobs"]) == ("dask", 2)
    assert len(remote["runs"]) == 200
    assert json.dumps(what_it_found(local)) == json.dumps(what_it_found(remote))


@pytest.mark.slow
def test_workers_without_pycau_are_refused_by_name(cli_runner: CliRunner) -> None:
    """A worker that cannot import pycau: exit 3 before any seed, saying what it needs."""
    with dask_processes(1, preload=Path(__file__).with_name("block_pycau.py")) as (address, _):
        result = cli_runner.invoke(cli, ["sweep", str(FOUR), "--seeds", "2", "--dask", address])
    assert result.exit_code == 3, result.output
    assert f"the workers of the Dask scheduler at {address} cannot run pycau" in result.output
    assert "No module named 'runner'" in result.output
    assert "each worker needs pycau" in result.output


@pytest.mark.slow
def test_losing_every_worker_mid_sweep_is_exit_3_not_a_hang(tmp_path: Path) -> None:
    """The only worker is killed during a long sweep: `pycau sweep` ends with exit 3 soon
    after the timeout instead of waiting for ever."""
    with dask_processes(1) as (address, workers):
        sweep = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "sweep", str(FOUR), "--seeds", "5000",
             "--dask", address, "--dask-timeout", "2", "--reproducers", str(tmp_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            time.sleep(3)  # the sweep is under way (5,000 seeds take minutes on one worker)
            assert sweep.poll() is None
            workers[0].kill()
            _, err = sweep.communicate(timeout=120)
        finally:
            if sweep.poll() is None:
                sweep.kill()
                sweep.wait()
    assert sweep.returncode == 3, err
    assert f"the workers of the Dask scheduler at {address} are gone" in err


def test_local_processes_never_load_dask(tmp_path: Path) -> None:
    """A sweep without --dask (and `sweep --help`) runs without importing dask."""
    probe = (
        "import sys\nfrom runner.cli import main\n"
        "try:\n    main(sys.argv[1:])\nfinally:\n"
        "    print('dask loaded:', any(m.split('.')[0] in ('dask', 'distributed')"
        " for m in sys.modules), file=sys.stderr)\n"
    )
    for args in (
        ["sweep", "--help"],
        ["sweep", str(FOUR), "--seeds", "1", "--reproducers", str(tmp_path)],
    ):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "dask loaded: False" in result.stderr


@pytest.mark.slow
def test_workers_of_another_build_are_refused(
    cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers whose pycau differs from this one (here: this process claims another
    version) are refused before any seed runs: exit 3, both builds named."""
    import runner

    monkeypatch.setattr(runner, "__version__", "0.0.0-other")  # here only: workers spawn afresh
    result = cli_runner.invoke(cli, ["sweep", str(FOUR), "--seeds", "2", "--dask", "local:1"])
    assert result.exit_code == 3, result.output
    assert "1 of the 1 worker(s) of the local Dask cluster run another pycau build" in result.output
    assert "each worker needs pycau 0.0.0-other" in result.output


@pytest.mark.slow
def test_workers_joining_mid_sweep_get_no_seed(tmp_path: Path) -> None:
    """A worker that joins after the check (here one that cannot import pycau, which would
    stall any seed it got) is given nothing: the sweep ends normally."""
    blocked = Path(__file__).with_name("block_pycau.py")
    with dask_processes(1) as (address, _):
        sweep = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "sweep", str(FOUR), "--seeds", "400",
             "--dask", address, "--reproducers", str(tmp_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        started = [sweep]
        try:
            wait_for_tasks(address)  # the sweep checked its worker and sent seeds
            started.append(start_worker(address, blocked))
            wait_for_workers(address, 2)
            joined_during_sweep = sweep.poll() is None
            out, err = sweep.communicate(timeout=300)
        finally:
            for process in started:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    assert joined_during_sweep
    assert sweep.returncode in (0, 1), err
    assert "400 seed(s) from 0 on 1 Dask worker at" in out


@pytest.mark.slow
def test_dask_pool_maps_in_seed_order_with_progress() -> None:
    """The Dask pool's map, as `pycau rehearse` would call it: outcomes in seed order, equal
    to this process's, progress rising to every seed."""
    source = ScenarioSource.read(FOUR)
    seeds = list(range(30, 10, -1))
    seen: list[int] = []
    with open_pool(DaskLocal(workers=2)) as pool:
        assert (pool.workers, pool.label) == (2, "2 Dask workers in a LocalCluster")
        remote = pool.map(sweep_seed, source, seeds, seen.append)
    assert remote == [sweep_seed(source, seed) for seed in seeds]
    assert seen == sorted(seen)
    assert seen[-1] == len(seeds)
