"""Plug-ins over WinRM: the bundled plug-in scenarios through the real transport and the twin
give `pycau simulate`'s report; scans and installs carry the plug-ins (and the Windows
Update search) to the worker; the hotfix library reaches each node once and fits a command
line."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from test_winrm_twin import run_through_twin
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.plugins import PluginName, PluginSpec
from runner.profile import Profile
from runner.rehearsal.compose import (
    SIMULATED_STARTED_AT,
    rehearse,
    run_coordinator,
    simulated_run_id,
)
from runner.rehearsal.twin import TwinServer
from runner.remote_protocol import (
    MAX_COMMAND_LINE,
    ScriptName,
    decode_command_line,
    encode_command_line,
    read_script,
)
from runner.winrm.connection import AuthMethod
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.scripts import (
    compose,
    hotfix_library_payload,
    template,
    worker_hash,
    worker_payload,
)
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario, parse_scenario
from simulator.twin import Account, ScriptOutput, WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import build_world

ROOT = r"\\fs01\Hotfixes\Root"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["two-plugins-separate-reboots", "hotfix-plugin-exit-codes"])
def test_plugin_scenario_through_winrm_is_the_simulated_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    name: str,
) -> None:
    """Two plug-ins with separate reboots, and the hotfix plug-in's failure rules: the same
    report and verdicts through WinRM as simulated."""
    simulated, report, simulation, _ = run_through_twin(
        name, endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["invariants"] == simulated["simulation"]["invariants"]
    assert any(u.get("plugin") == "hotfix" for n in report["nodes"] for u in n["updates"])


SMALL = {
    "name": "two-plugins-small",
    "seed": 3,
    "cluster": {"name": "hci", "witness": "cloud", "nodes": {"count": 2, "boot_minutes": 4}},
    "updates": [
        {"id": "KB1", "install_minutes": 5},
        {"id": "HF1", "kind": "hotfix", "install_minutes": 3, "exit_code": 3010},
        {"id": "HF2", "kind": "hotfix", "nodes": ["node2"], "install_minutes": 3, "exit_code": 1},
    ],
    "profile": {
        "plugin": ["windows-update", "hotfix"],
        "plugin_arguments": [{}, {"hotfix_root_folder_path": ROOT}],
        "separate_reboots": True,
        "stop_on_plugin_failure": True,
        "max_retries_per_node": 1,
        "max_failed_nodes": 1,
    },
}


def test_a_small_two_plugin_run_through_winrm_is_the_simulated_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Two plug-ins, separate reboots and a hotfix whose exit code no rule lists, over real
    WinRM against the twin: the report pycau simulate gives, plug-ins named per update."""
    scenario = parse_scenario(SMALL)
    simulated = rehearse(scenario, scenario.seed).to_dict()
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    report = run_coordinator(
        transport, EndpointClock(transport), profile, world,
        run_id=simulated_run_id(scenario.name, scenario.seed), started_at=SIMULATED_STARTED_AT,
    ).to_dict()  # fmt: skip
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    node2 = report["nodes"][[n["name"] for n in report["nodes"]].index("node2")]
    assert [(u["id"], u["plugin"], u["result"]) for u in node2["updates"]] == [
        ("KB1", "windows-update", "Succeeded"), ("HF1", "hotfix", "Succeeded"),
        ("HF2", "hotfix", "Failed")]  # fmt: skip
    assert node2["restarts"] == 2
    assert answers.scripts["install-hotfix-library"] == 2  # once per node


def _recording_twin(
    endpoint_factory: Callable[..., WsmanEndpoint],
) -> tuple[WsmanEndpoint, list[tuple[ScriptName, dict[str, Any]]]]:
    scenario = parse_scenario(
        {
            "name": "recorded",
            "cluster": {"name": "hci", "witness": "cloud", "nodes": {"count": 2}},
            "updates": [{"id": "KB1"}, {"id": "HF1", "kind": "hotfix"}],
        }
    )
    world = build_world(scenario, 0, Profile().resolved(scenario.cluster.node_names))
    answers = TwinAnswers(world.transport, world.clock, cluster="hci")
    seen: list[tuple[ScriptName, dict[str, Any]]] = []

    def answer(command: str, arguments: str) -> ScriptOutput:
        seen.append(read_script(decode_command_line(command, arguments)))
        return answers(command, arguments)

    return endpoint_factory(answer), seen


def test_scans_and_installs_carry_plugins_and_the_query_to_the_worker(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """start-work carries each plug-in under CAU's names; the Windows Update plug-in's
    query_string is the search (Criteria); the hotfix library goes to a node once, before
    its first hotfix work."""
    endpoint, seen = _recording_twin(endpoint_factory)
    transport = transport_factory(endpoint, auth=AuthMethod.BASIC)
    wu = PluginSpec(arguments=(("query_string", "UpdateID='KB1' and IsInstalled=0"),))
    hotfix = PluginSpec(name=PluginName.HOTFIX, arguments=(("hotfix_root_folder_path", ROOT),))
    transport.start_scan("node1", (wu, hotfix), serially=True, stop_on_failure=True)
    transport.start_install("node1", ("HF1",), hotfix)
    names = [name for name, _ in seen]
    assert names.count(ScriptName.INSTALL_HOTFIX_LIBRARY) == 1
    assert names.index(ScriptName.INSTALL_HOTFIX_LIBRARY) < names.index(ScriptName.START_WORK)
    scan, install = [args for name, args in seen if name is ScriptName.START_WORK]
    assert scan["Criteria"] == "UpdateID='KB1' and IsInstalled=0"
    assert [p["CauName"] for p in scan["Plugins"]] == [
        "Microsoft.WindowsUpdatePlugin", "Microsoft.HotfixPlugin"]  # fmt: skip
    assert scan["Plugins"][1]["Arguments"]["HotfixRootFolderPath"] == ROOT
    assert (scan["Serially"], scan["StopOnFailure"]) == (True, True)
    assert [p["Name"] for p in install["Plugins"]] == ["hotfix"]
    assert install["UpdateIds"] == ["HF1"]


def test_the_default_scan_sends_no_hotfix_library(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A Windows Update scan never installs the hotfix library and sends CAU's search."""
    endpoint, seen = _recording_twin(endpoint_factory)
    transport = transport_factory(endpoint, auth=AuthMethod.BASIC)
    transport.start_scan("node1")
    assert [name for name, _ in seen] == [ScriptName.INSTALL_WORKER, ScriptName.START_WORK]
    assert seen[1][1]["Criteria"] == (
        "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1"
    )


def test_the_worker_is_installed_once_per_node_and_start_work_names_its_hash(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """install-worker carries the packed worker once per node and run; every start-work
    names the installed worker by its hash and carries no worker of its own."""
    endpoint, seen = _recording_twin(endpoint_factory)
    transport = transport_factory(endpoint, auth=AuthMethod.BASIC)
    transport.start_scan("node1")
    transport.start_scan("node1")
    transport.start_scan("node2")
    names = [name for name, _ in seen]
    assert names.count(ScriptName.INSTALL_WORKER) == 2
    installs = [args for name, args in seen if name is ScriptName.INSTALL_WORKER]
    assert [a["Node"] for a in installs] == ["node1", "node2"]
    assert all(a["Worker"] == worker_payload() and a["Hash"] == worker_hash() for a in installs)
    starts = [args for name, args in seen if name is ScriptName.START_WORK]
    assert len(starts) == 3
    assert all(a["WorkerHash"] == worker_hash() and "Worker" not in a for a in starts)


def test_hotfix_library_fits_a_command_line_and_unpacks_to_the_library() -> None:
    """install-hotfix-library with the packed hotfix.ps1 stays under CreateProcess' limit;
    the payload unpacks to the library the worker dot-sources."""
    script = compose(
        ScriptName.INSTALL_HOTFIX_LIBRARY, {"Node": "n", "Library": hotfix_library_payload()}
    )
    _, arguments = encode_command_line(script)
    assert len(" ".join(arguments)) < MAX_COMMAND_LINE
    unpacked = gzip.decompress(base64.b64decode(hotfix_library_payload())).decode("utf-8")
    assert "function Install-PycauHotfixes" in unpacked
    assert "function Find-PycauHotfixes" in template("hotfix")


def test_the_hotfix_library_follows_cau_rules() -> None:
    """The library checks SMB signing/encryption and ACLs, reads exit codes through the
    rule's ExitConditions (unlisted: Failed), honours alwaysReboot and the timeout, and
    keeps a ledger of what it installed."""
    library = template("hotfix")
    for needle in (
        "requires neither SMB signing nor SMB encryption",
        "RequireSmbEncryption",
        "DisableAclChecks",
        "CAUHotfix_All",
        "alwaysReboot",
        "return 'Failed'",
        "WaitForExit($minutes * 60000)",
        "$update$",
        "pycau\\hotfixes.json",  # the ledger: what was installed, by id and SHA-256
        "-Algorithm SHA256",
    ):
        assert needle in library, needle
    worker = template("worker")
    assert "WuConnected false) are not supported by pycau yet" in worker  # media: refused
    assert "-not $update.AutoSelectOnWebSites" in worker  # important updates only by default


def test_scan_command_scans_with_the_profiles_plugins(tmp_path: Path) -> None:
    """pycau scan --profile: the hotfix plug-in's scan lists the share's hotfixes with the
    plug-in that offers them (a file no rule installs is not listed); the plan of pycau run
    lists the profile's plug-ins."""
    scenario = load_scenario(SCENARIOS / "hotfix-plugin.yaml")
    twin = TwinServer(
        scenario, scenario.seed, Account(username=USERNAME, password=PASSWORD),
        echo=lambda line: None,
    ).start()  # fmt: skip
    try:
        profile = tmp_path / "profile.yaml"
        profile.write_text(yaml.safe_dump(dict(scenario.profile)), encoding="utf-8")
        where = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
        env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
        hotfix = CliRunner().invoke(cli, ["scan", *where, "--profile", str(profile)], env=env)
        assert hotfix.exit_code == 0, hotfix.output
        assert "KB5034567" in hotfix.output
        assert "NICFW-24.1" in hotfix.output
        assert "README" not in hotfix.output  # no rule installs readme.txt: ignored
        assert "hotfix" in hotfix.output
        plan = CliRunner().invoke(
            cli, ["run", *where, "--profile", str(profile), "--what-if"], env=env
        )
        assert plan.exit_code == 0, plan.output
        gates = " ".join(plan.output.split())  # the console wraps long lines
        assert "plug-ins, installed in this order on each node: hotfix (" in gates
        assert "RequireSmbEncryption=True" in gates
    finally:
        twin.stop()
