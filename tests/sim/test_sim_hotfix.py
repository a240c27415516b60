"""The simulated Hotfix plug-in: the share's checks, which files it offers which node, and
CAU's exit-code rules (restart, already installed, not applicable, unlisted = failed with no
restart, alwaysReboot), the installer timeout; and the Windows Update plug-in's arguments."""

from __future__ import annotations

from typing import Any

import pytest
from sim_driver import wait_work

from runner.plugins import PluginName, PluginSpec
from runner.profile import Profile
from runner.types import WorkProgress, WorkState
from simulator.scenario import parse_scenario
from simulator.world import SimulatedCluster, build_world

ROOT = r"\\fs01\Hotfixes\Root"
CONFIG = """<root xmlns="http://www.microsoft.com/ClusterAwareUpdating/2011/10/HotfixPlugin">
  <DefaultRules><ExtensionRules>
    <Extension name="MSU">
      <Template path="wusa.exe" parameters="$update$ /quiet /norestart"/>
      <ExitConditions>
        <Success><ExitCode code="0"/></Success>
        <Success_RebootRequired><ExitCode code="3010"/></Success_RebootRequired>
        <Fail_RebootRequired><ExitCode code="1603"/></Fail_RebootRequired>
        <AlreadyInstalled><ExitCode code="0x00240006"/></AlreadyInstalled>
        <NotApplicable><ExitCode code="-2145124329"/></NotApplicable>
      </ExitConditions>
    </Extension>
  </ExtensionRules></DefaultRules>
  <FolderRules>
    <Folder name="Firmware" alwaysReboot="true">
      <Template path="$update$" parameters="/s"/>
      <ExitConditions><Success><ExitCode code="0"/></Success></ExitConditions>
    </Folder>
  </FolderRules>
</root>"""


def hotfix(id_: str, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "kind": "hotfix", "install_minutes": 5, **fields}


def world_of(
    updates: list[dict[str, Any]], share: dict[str, Any] | None = None, **arguments: Any
) -> SimulatedCluster:
    data: dict[str, Any] = {
        "name": "hotfix-test",
        "cluster": {"name": "hci", "witness": "cloud", "nodes": {"count": 3}},
        "updates": updates,
        "hotfix_share": share if share is not None else {"config_files": {
            "DefaultHotfixConfig.xml": CONFIG}},
    }  # fmt: skip
    scenario = parse_scenario(data)
    profile = Profile.from_mapping(
        {"plugin": "hotfix", "plugin_arguments": {"hotfix_root_folder_path": ROOT, **arguments}}
    )
    return build_world(scenario, 0, profile.resolved(scenario.cluster.node_names))


def plugin(world: SimulatedCluster) -> PluginSpec:
    (spec,) = world.profile.plugins
    return spec


def scan(world: SimulatedCluster, node: str = "node1") -> WorkProgress:
    return wait_work(world, world.transport.start_scan(node, (plugin(world),)))


def install(world: SimulatedCluster, *ids: str, node: str = "node1") -> WorkProgress:
    return wait_work(world, world.transport.start_install(node, ids, plugin(world)))


def test_all_nodes_folder_node_folder_and_ignored_files() -> None:
    """CAUHotfix_All goes to every node, <node> only to that node; a file no rule installs
    (a .txt, or one in a subfolder without a folder rule) is ignored."""
    world = world_of([
        hotfix("HF1"), hotfix("HF2", nodes=["node2"]), hotfix("NOTE", file="readme.txt"),
        hotfix("ODD", file="Other/tool.exe"), hotfix("FW", file="Firmware/bios.exe"),
    ])  # fmt: skip
    assert [(u.id, u.plugin) for u in scan(world, "node1").offered] == [
        ("HF1", PluginName.HOTFIX), ("FW", PluginName.HOTFIX)]  # fmt: skip
    assert [u.id for u in scan(world, "node2").offered] == ["HF1", "HF2", "FW"]


@pytest.mark.parametrize(
    ("code", "result", "restart", "offered_after"),
    [
        (0, "Succeeded", False, []),
        (3010, "Succeeded", True, []),
        (0x00240006, "Succeeded", False, []),  # AlreadyInstalled: nothing to do
        (0x80240017, "Succeeded", False, []),  # NotApplicable, listed as -2145124329
        (1603, "Failed", True, ["HF1"]),  # Fail_RebootRequired
        (1, "Failed", False, ["HF1"]),  # listed nowhere: failed, no restart
    ],
)
def test_exit_codes_map_through_the_exit_conditions(
    code: int, result: str, restart: bool, offered_after: list[str]
) -> None:
    """Each exit condition gives its result and restart; an unlisted code fails without a
    restart, and a failed hotfix is offered again."""
    world = world_of([hotfix("HF1", exit_code=code)])
    done = install(world, "HF1")
    assert [(r.id, r.result, r.plugin) for r in done.results] == [
        ("HF1", result, PluginName.HOTFIX)]  # fmt: skip
    assert done.restart_required is restart
    if result == "Failed":
        assert done.results[0].hresult == f"0x{code & 0xFFFFFFFF:08X}"
    assert [u.id for u in scan(world).offered] == offered_after


def test_always_reboot_turns_success_into_a_restart() -> None:
    """A folder rule with alwaysReboot makes its Success exit code a Success_RebootRequired."""
    world = world_of([hotfix("FW", file="Firmware/bios.exe", exit_code=0)])
    done = install(world, "FW")
    assert done.results[0].result == "Succeeded"
    assert done.results[0].restart_required
    assert done.restart_required


def test_an_installer_past_the_timeout_fails_at_the_timeout() -> None:
    """hotfix_installer_timeout_minutes (default 30) bounds one installer: a 45-minute one
    fails (ERROR_TIMEOUT) after 30 minutes, no restart; a longer timeout lets it finish."""
    world = world_of([hotfix("SLOW", install_minutes=45)])
    started = world.clock.now()
    done = install(world, "SLOW")
    assert (done.results[0].result, done.results[0].hresult) == ("Failed", "0x800705B4")
    assert not done.restart_required
    assert world.clock.now() - started < 31 * 60
    patient = world_of([hotfix("SLOW", install_minutes=45)], hotfix_installer_timeout_minutes=60)
    assert install(patient, "SLOW").results[0].result == "Succeeded"


@pytest.mark.parametrize(
    ("share", "arguments", "words"),
    [
        ({"path": r"\\other\share"}, {}, "does not exist or cannot be reached"),
        ({"smb_signing": False}, {}, "neither SMB signing nor SMB encryption"),
        ({}, {"require_smb_encryption": True}, "is not SMB-encrypted"),
        ({"acl": "users-can-write"}, {}, "Users may write"),
        ({"acl": "users-cannot-read"}, {}, "Users cannot read"),
        ({}, {"hotfix_config_file_name": "Custom.xml"}, "Custom.xml is not in"),
    ],
)
def test_share_checks_fail_the_scan_with_one_reason(
    share: dict[str, Any], arguments: dict[str, Any], words: str
) -> None:
    """SMB signing or encryption, encryption when required, the ACL check, the
    configuration file: each failure fails the plug-in's scan and says why."""
    world = world_of([hotfix("HF1")], share, **arguments)
    done = scan(world)
    assert done.state is WorkState.FAILED
    assert words in done.error
    assert done.error.startswith("hotfix: ")


def test_disable_acl_checks_and_encryption_pass_the_checks() -> None:
    """disable_acl_checks skips the permission check; an encrypted share satisfies
    require_smb_encryption; a local root folder needs no SMB at all."""
    loose = world_of([hotfix("HF1")], {"acl": "users-can-write"}, disable_acl_checks=True)
    assert scan(loose).state is WorkState.SUCCEEDED
    sealed = world_of(
        [hotfix("HF1")], {"smb_encryption": True, "smb_signing": False},
        require_smb_encryption=True,
    )  # fmt: skip
    assert scan(sealed).state is WorkState.SUCCEEDED


def test_default_share_uses_pycaus_sample_configuration() -> None:
    """Without hotfix_share: a signed share with pycau's sample DefaultHotfixConfig.xml
    (.msu/.msi/.msp rules; 3010 restart)."""
    world = world_of([hotfix("HF1", exit_code=3010), hotfix("X", file="a.exe")], {})
    assert [u.id for u in scan(world).offered] == ["HF1"]
    assert install(world, "HF1").restart_required


def _wu_world(**arguments: Any) -> SimulatedCluster:
    data = {
        "name": "wu-test",
        "cluster": {"name": "hci", "witness": "cloud", "nodes": {"count": 3}},
        "updates": [
            {"id": "KB1", "title": "cumulative"},
            {"id": "KB2", "title": "preview", "importance": "recommended"},
            {"id": "DRV1", "kind": "driver"},
        ],
    }
    scenario = parse_scenario(data)
    profile = Profile.from_mapping({"plugin_arguments": arguments} if arguments else {})
    return build_world(scenario, 0, profile.resolved(scenario.cluster.node_names))


@pytest.mark.parametrize(
    ("arguments", "offered"),
    [
        ({}, ["KB1", "DRV1"]),
        ({"include_recommended_updates": True}, ["KB1", "KB2", "DRV1"]),
        ({"query_string": "IsInstalled=0 and Type='Driver' and IsHidden=0"}, ["DRV1"]),
        ({"query_string": "UpdateID='KB1' and IsInstalled=0"}, ["KB1"]),
        ({"query_string": "UpdateID=''KB1'' or UpdateID='DRV1'"}, ["KB1", "DRV1"]),
        ({"query_string": "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1"},
         ["KB1"]),
    ],
)  # fmt: skip
def test_windows_update_plugin_arguments_select_the_offer(
    arguments: dict[str, Any], offered: list[str]
) -> None:
    """Important updates only unless include_recommended_updates; a query_string replaces the
    default search (a scenario's update list is what the default search finds)."""
    world = _wu_world(**arguments)
    spec = world.profile.plugins[0]
    done = wait_work(world, world.transport.start_scan("node1", (spec,)))
    assert [u.id for u in done.offered] == offered


def test_a_query_the_simulator_cannot_run_fails_the_scan() -> None:
    """A search with a criterion the simulator does not model fails the scan, named."""
    world = _wu_world()
    spec = PluginSpec(arguments=(("query_string", "CategoryIDs contains 'x'"),))
    done = wait_work(world, world.transport.start_scan("node1", (spec,)))
    assert done.state is WorkState.FAILED
    assert "cannot run the QueryString" in done.error
