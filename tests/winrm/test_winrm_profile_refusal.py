"""`pycau run --profile` with max_nodes_out other than 1 without the fast policy, or larger
than the cluster with it, is refused before any node is touched."""

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
    _refused(tmp_path, "max_nodes_out: 2\n", "needs policy: fast")


def test_run_refuses_more_nodes_out_than_the_cluster_has(tmp_path: Path) -> None:
    """With policy fast, max_nodes_out 3 on the two-node cluster is refused against the view
    the run observed at its start: exit 2 naming both numbers; no work reached a node."""
    _refused(tmp_path, "policy: fast\nmax_nodes_out: 3\n", "larger than the cluster's 2 node(s)")


def _refused(tmp_path: Path, text: str, words: str) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(text, encoding="utf-8")
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
    assert words in " ".join(result.output.split())
    assert not set(twin.answers.scripts) & WORLD_SCRIPTS
