"""`pycau run --profile` with max_nodes_out other than 1 is refused before any node is touched."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from simulator.scenario import load_scenario
from simulator.twin import Account

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "two-node-cloud-witness.yaml"
WORLD_SCRIPTS = {"start-work", "poll-work", "suspend-node", "resume-node", "restart-node"}


def test_run_refuses_max_nodes_out_two(tmp_path: Path) -> None:
    """Exit 2 with the file, the JSON path and the fast policy named; no work reached a node."""
    profile = tmp_path / "profile.yaml"
    profile.write_text("max_nodes_out: 2\n", encoding="utf-8")
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    address = f"127.0.0.1:{twin.endpoint.port}"
    try:
        result = CliRunner().invoke(
            cli,
            ["run", "--cluster", address, "--insecure-http", "--yes", "--profile", str(profile)],
            env={"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD},
        )
    finally:
        twin.stop()
    assert result.exit_code == 2, result.output
    assert f"{profile} at $.max_nodes_out" in result.output
    assert "'fast' policy, which is not built yet" in result.output
    assert not set(twin.answers.scripts) & WORLD_SCRIPTS
