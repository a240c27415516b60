"""Every script the WinRM transport can send parses cleanly and calls only allowed commands.

tree-sitter-powershell is the syntax gate: no ERROR or MISSING node, and the set of command
names is a subset of an allow-list (a syntax check alone misses injection such as
``n1'; Remove-ClusterNode n2; #``, which parses clean). Hostile node, VM and volume names
from a Hypothesis strategy go through both value paths: the base64 JSON arguments document
and the quoting helper.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from pathlib import Path
from typing import Any

import pytest
import tree_sitter_powershell
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Language, Node, Parser, Query, QueryCursor

import runner.winrm
from runner.remote_protocol import (
    MAX_COMMAND_LINE,
    ScriptName,
    decode_command_line,
    encode_command_line,
    read_script,
)
from runner.winrm.quoting import SINGLE_QUOTES, ps_quote
from runner.winrm.scripts import (
    PAYLOADS,
    compose,
    template,
    worker_hash,
    worker_payload,
    worker_source,
)

LANGUAGE = Language(tree_sitter_powershell.language())
PARSER = Parser(LANGUAGE)
COMMANDS = Query(LANGUAGE, "(command command_name: (command_name) @name)")
DYNAMIC = Query(LANGUAGE, "(command_name_expr) @dynamic")

ALLOWED_COMMANDS = frozenset(
    {
        # own helpers (prelude.ps1, observe.ps1, worker.ps1)
        "Assert-PycauNode", "Get-PycauErrorDocument", "Get-PycauUpdateId",
        "Get-PycauUpdateKind", "Get-PycauWorkDirectory", "New-PycauError",
        "Save-PycauStatus", "Test-PycauPort", "Write-PycauResult",
        # the worker's plug-ins (worker.ps1)
        "Find-PycauHotfixes", "Find-PycauWindowsUpdates", "Get-PycauCriteria",
        "Install-PycauHotfixes", "Install-PycauWindowsUpdates", "Test-PycauRestartPending",
        "Assert-PycauHotfixAcl", "ConvertTo-PycauExitCode", "Get-PycauExitCondition",
        "Get-PycauHotfixConfig", "Get-PycauHotfixLedger", "Get-PycauHotfixRule", "Get-PycauSid",
        # the hotfix plug-in: share checks, then each hotfix's installer (its rule's template)
        "Get-Acl", "Get-SmbConnection", "Start-Process", "Stop-Process", "Split-Path",
        # the run lock's library (lock.ps1)
        "Assert-PycauFence", "Get-PycauGroup", "Get-PycauLockHolder", "Get-PycauStopOrder",
        "Get-PycauWin32Codes",
        "Test-PycauSameHolder", "Set-PycauLockHolder", "Enter-PycauLockMutex",
        "Exit-PycauLockMutex",
        # read-only cluster, storage and system queries
        "Get-Cluster", "Get-ClusterNode", "Get-ClusterQuorum", "Get-ClusterGroup",
        "Get-ClusterParameter", "Get-VirtualDisk", "Get-StorageJob", "Get-VM",
        "Get-StorageFaultDomain",  # storage maintenance mode of each node (observe)
        "Get-CimInstance", "Get-ItemProperty", "Get-Service", "Get-NetFirewallRule",
        "Get-PSDrive", "Get-FileHash", "Get-Content", "Test-Path", "Join-Path",
        "Get-ScheduledTask", "Get-ScheduledTaskInfo", "netsh.exe",
        "Get-ChildItem", "Sort-Object", "Get-Item",
        # OS versions: the S2D pool's version (observe), flight signing (a scan: preview
        # channel opted into, restart pending) — both read-only
        "Get-StoragePool", "bcdedit.exe",
        # pycau snapshot (snapshot.ps1, snapshot-node.ps1): read-only (Get-ClusterResource
        # is listed with the offline update's cmdlets below)
        "Get-ClusterOwnerNode", "Get-VMHost", "Get-Counter", "Get-WinEvent",
        # cluster validation in the detached worker (validate_cluster)
        "Test-Cluster",
        # the CredSSP server role for the run (enable_credssp), always disabled at the end
        "Enable-WSManCredSSP", "Disable-WSManCredSSP",
        # the cluster commands of an updating run
        "Suspend-ClusterNode", "Resume-ClusterNode", "Set-ClusterParameter", "shutdown.exe",
        # run options: the sites of the nodes, the firewall checked before a restart and the
        # Remote Shutdown rule group enabled (enable_firewall_rules)
        "Get-ClusterFaultDomain", "Get-NetFirewallProfile", "Set-NetFirewallRule",
        # post-installation steps of a feature update (update-functional-level.ps1,
        # update-storage-pool.ps1, vm-versions.ps1, vm-version.ps1)
        "Update-ClusterFunctionalLevel", "Update-StoragePool", "Get-VMHostSupportedVersion",
        "Stop-VM", "Update-VMVersion", "Start-VM", "Select-Object",
        # the run lock: an empty cluster group created if absent, and its write mutex
        "Add-ClusterGroup", "Remove-ClusterGroup",
        # detached work on the node
        "New-Item", "Set-Content", "Copy-Item", "Move-Item", "New-ScheduledTaskAction",
        "New-ScheduledTaskPrincipal", "New-ScheduledTaskSettingsSet",
        "New-ScheduledTaskTrigger", "Register-ScheduledTask", "Start-ScheduledTask",
        "Unregister-ScheduledTask", "New-TimeSpan", "Start-Sleep",
        # object plumbing
        "ConvertTo-Json", "ConvertFrom-Json", "ForEach-Object", "Where-Object",
        "New-Object", "Add-Member",
        # the fast offline update: VMs saved and started, disks offline and online, the
        # cluster stopped and started, the cluster service's startup type, the pool and
        # volumes, and the run lock's claims on the nodes while the cluster is stopped
        "Get-ClusterResource", "Stop-ClusterGroup", "Start-ClusterGroup",
        "Get-ClusterSharedVolume", "Stop-ClusterResource", "Start-ClusterResource",
        "Stop-Cluster", "Start-Cluster", "Start-ClusterNode", "Set-Service",
        "Get-Volume", "Set-ItemProperty", "Remove-ItemProperty",
        "Get-PycauClaim", "Set-PycauClaim",
    }
)  # fmt: skip
# The one dynamic invocation: the worker runs the operator's pre/post-update script.
# The worker also dot-sources the hotfix plug-in's library, a file pycau itself writes.
ALLOWED_DYNAMIC = {"worker": {"([string]$job.Script)", "$PycauHotfixLibrary"}}


def _bad_nodes(node: Node) -> list[str]:
    found = []
    if node.is_error or node.is_missing:
        found.append(f"{node.type} at {node.start_point}: {node.text!r:.60}")
    for child in node.children:
        found.extend(_bad_nodes(child))
    return found


def gate(text: str) -> tuple[list[str], set[str], set[str]]:
    """(syntax problems, command names, dynamic invocations) of a PowerShell text."""
    root = PARSER.parse(text.encode("utf-8")).root_node
    names = QueryCursor(COMMANDS).captures(root).get("name", [])
    # ``& <expression>`` / ``. <expression>``: an invocation whose target is not a name.
    dynamic = [
        n
        for n in QueryCursor(DYNAMIC).captures(root).get("dynamic", [])
        if not (n.named_children and n.named_children[0].type == "command_name")
    ]
    decode = lambda n: (n.text or b"").decode("utf-8")  # noqa: E731
    return _bad_nodes(root), {decode(n) for n in names}, {decode(n) for n in dynamic}


FENCE = {"RunId": "r1", "Coordinator": "mgmt1", "Pid": 4242, "StartedAt": "2026-01-13T02:00:00Z"}
SAMPLE_ARGS: dict[ScriptName, dict[str, Any]] = {
    ScriptName.PROBE: {},
    ScriptName.OBSERVE: {"WinRMPort": 5986, "VmMemory": True},
    ScriptName.START_WORK: {
        "Node": "node1",
        "Kind": "install",
        "Criteria": "IsInstalled=0 and Type='Software' and IsHidden=0",
        "UpdateIds": ["KB5031364"],
        "Script": "",
        "WorkerHash": "0123456789abcdef",
        "Fence": FENCE,
    },
    ScriptName.POLL_WORK: {"Node": "node1", "Id": "4b1c7c6e-0000-4000-8000-000000000001"},
    ScriptName.SUSPEND_NODE: {"Node": "node1", "Fence": FENCE},
    ScriptName.RESUME_NODE: {"Node": "node1", "Failback": "Immediate", "Fence": FENCE},
    ScriptName.RESTART_NODE: {"Node": "node1", "Soft": False, "Fence": FENCE},
    ScriptName.INSTALL_BEACON: {"Node": "node1", "Beacon": ""},
    ScriptName.NODE_FACTS: {"Node": "node1", "Scripts": ["C:\\ClusterStorage\\pre.ps1"]},
    ScriptName.GET_RUN: {},
    ScriptName.PUBLISH_RUN: {
        "Run": {"RunId": "r1", "RunState": "RunNotInProgress", "Nodes": [{"Node": "n1"}]},
        "Finished": {"RunId": "r1", "Status": "Succeeded", "Updated": 1, "Failed": 0},
        "Keep": 50,
    },
    ScriptName.CLOCK: {"Seconds": 1.5},
    ScriptName.VALIDATION_REPORT: {},
    ScriptName.SET_CREDSSP: {"Node": "node1", "Enabled": False, "Fence": FENCE},
    ScriptName.GET_CREDSSP: {"Node": "node1"},
    ScriptName.LOCK_CREATE: {"Holder": FENCE},
    ScriptName.LOCK_TAKEOVER: {"Holder": FENCE, "Previous": {**FENCE, "Pid": 1}},
    ScriptName.LOCK_RENEW: {"Holder": FENCE},
    ScriptName.LOCK_RELEASE: {"Holder": FENCE},
    ScriptName.LOCK_READ: {},
    ScriptName.INSTALL_HOTFIX_LIBRARY: {"Node": "node1", "Library": ""},
    ScriptName.INSTALL_WORKER: {"Node": "node1", "Worker": "", "Hash": "0123456789abcdef"},
    ScriptName.OBSERVE_HOST: {"Node": "node1"},
    ScriptName.OBSERVE_STORAGE: {},
    ScriptName.SAVE_VMS: {"Vms": ["vm01", "vm ‘02’"], "Fence": FENCE},
    ScriptName.START_VMS: {"Vms": ["vm01"], "Fence": FENCE},
    ScriptName.SET_VIRTUAL_DISKS: {"Online": False, "Fence": FENCE},
    ScriptName.STOP_CLUSTER: {"Fence": FENCE},
    ScriptName.SET_CLUSTER_SERVICE: {"Node": "node1", "StartupType": "Disabled", "Fence": FENCE},
    ScriptName.START_CLUSTER: {"Node": "node1", "Fence": FENCE},
    ScriptName.OFFLINE_CLAIM: {
        "Node": "node1",
        "Action": "TakeOver",
        "Holder": FENCE,
        "Previous": {**FENCE, "Pid": 1},
    },
    ScriptName.FORCE_DRAIN_NODE: {"Node": "node1", "Fence": FENCE},
    ScriptName.ENABLE_FIREWALL: {"Node": "node1", "Fence": FENCE},
    ScriptName.NODE_SITES: {},
    ScriptName.CAPACITY_FACTS: {},
    ScriptName.STOP_REQUEST: {
        "Stop": {"RunId": "r1", "RequestedBy": "alice@jumphost", "RequestedAt": "2026-01-13Z"}
    },
    ScriptName.GET_RUN_HISTORY: {},
    ScriptName.UPDATE_FUNCTIONAL_LEVEL: {"Fence": FENCE},
    ScriptName.UPDATE_STORAGE_POOL: {"Fence": FENCE},
    ScriptName.VM_VERSIONS: {},
    ScriptName.VM_VERSION: {"Vm": "vm01", "Action": "Update", "Fence": FENCE},
    ScriptName.SNAPSHOT: {},
    ScriptName.SNAPSHOT_NODE: {"Node": "node1", "Samples": 5, "MaxEvents": 500},
}

HOSTILE = st.text(
    alphabet=st.sampled_from([*list("'‘’‚‛\"`$();|&{}@#<>\n\r\t ,.-_"), "a", "Z", "7", "é", "節"])
    | st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


def test_every_script_name_has_sample_arguments() -> None:
    """The gate below covers every script the transport can send."""
    assert set(SAMPLE_ARGS) == set(ScriptName)


@pytest.mark.parametrize("name", list(ScriptName), ids=str)
def test_script_parses_clean_with_allowed_commands(name: ScriptName) -> None:
    """Each composed script parses with no ERROR/MISSING node and only allow-listed commands."""
    problems, commands, dynamic = gate(compose(name, SAMPLE_ARGS[name]))
    assert problems == []
    assert commands <= ALLOWED_COMMANDS, commands - ALLOWED_COMMANDS
    assert dynamic == set()


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_parses_clean_with_allowed_commands(name: str) -> None:
    """prelude, worker and beacon parse clean; the worker's only dynamic call is the
    operator's pre/post-update script."""
    problems, commands, dynamic = gate(template(name))
    assert problems == []
    assert commands <= ALLOWED_COMMANDS, commands - ALLOWED_COMMANDS
    assert dynamic == ALLOWED_DYNAMIC.get(name, set())


def test_the_largest_scripts_fit_a_command_line() -> None:
    """install-worker carrying the packed worker.ps1, and start-work with the run-lock
    library, stay under CreateProcess' limit with room to grow; the packed worker unpacks to
    the worker, and its hash names it."""
    worker_args = {"Node": "node1", "Worker": worker_payload(), "Hash": worker_hash()}
    for name, args in (
        (ScriptName.INSTALL_WORKER, worker_args),
        (ScriptName.START_WORK, SAMPLE_ARGS[ScriptName.START_WORK]),
    ):
        _, arguments = encode_command_line(compose(name, args))
        assert len(" ".join(arguments)) < MAX_COMMAND_LINE * 0.8, name
    unpacked = gzip.decompress(base64.b64decode(worker_payload())).decode("utf-8")
    assert unpacked == worker_source()
    assert worker_payload() == worker_payload()  # deterministic bytes (gzip mtime 0)
    assert worker_hash() == hashlib.sha256(unpacked.encode("utf-8")).hexdigest()[:16]


@settings(max_examples=60, deadline=None)
@given(node=HOSTILE, vm=HOSTILE, volume=HOSTILE)
def test_hostile_names_in_arguments_never_change_the_script(
    node: str, vm: str, volume: str
) -> None:
    """Hostile names travel in $PycauArgs: the script still parses clean, same commands, and
    the twin reads back exactly the names sent."""
    for name in (ScriptName.SUSPEND_NODE, ScriptName.START_WORK, ScriptName.NODE_FACTS):
        args = {**SAMPLE_ARGS[name], "Node": node, "Script": f"C:\\{vm}\\{volume}.ps1"}
        script = compose(name, args)
        problems, commands, dynamic = gate(script)
        assert problems == []
        assert commands <= ALLOWED_COMMANDS
        assert dynamic == set()
        command, arguments = encode_command_line(script)
        decoded = decode_command_line(command, " ".join(arguments))
        assert read_script(decoded) == (name, args)


def _powershell_value(literal: str) -> str:
    """What PowerShell's tokenizer makes of a single-quoted literal: any single-quote
    character followed by another stands for the second one; nothing else is special."""
    assert literal[0] in SINGLE_QUOTES
    assert literal[-1] in SINGLE_QUOTES
    out, i, body = [], 0, literal[1:-1]
    while i < len(body):
        ch = body[i]
        if ch in SINGLE_QUOTES:
            assert i + 1 < len(body), "literal ends early"
            assert body[i + 1] in SINGLE_QUOTES, "a lone quote would end the literal"
            out.append(body[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(value=HOSTILE)
def test_quoting_helper_keeps_hostile_text_one_inert_literal(value: str) -> None:
    """ps_quote gives one literal PowerShell reads back as the value, and no command leaks out."""
    literal = ps_quote(value)
    assert _powershell_value(literal) == value
    problems, commands, dynamic = gate(f"Get-ClusterNode -Name {literal}\n")
    assert problems == []
    assert commands == {"Get-ClusterNode"}
    assert dynamic == set()


def test_quoting_helper_closes_typographic_quote_injection() -> None:
    """A name closing the string with ’ (which PowerShell honours) stays inside the literal."""
    literal = ps_quote("n1\u2019; Remove-ClusterNode n2; #")
    assert literal == "'n1\u2019\u2019; Remove-ClusterNode n2; #'"
    assert _powershell_value(literal) == "n1\u2019; Remove-ClusterNode n2; #"


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_quoting_helper_refuses_what_cannot_be_carried(bad: str) -> None:
    """NUL and lone surrogates are refused rather than silently mangled."""
    with pytest.raises(ValueError):
        ps_quote(bad)


def test_injection_is_caught_by_the_command_allow_list() -> None:
    """The gate itself catches a pasted (unquoted) injection that parses clean, and a
    dynamic invocation of whatever a variable holds."""
    problems, commands, _ = gate("Get-ClusterNode -Name 'n1'; Remove-ClusterNode n2; #'\n")
    assert problems == []
    assert not commands <= ALLOWED_COMMANDS
    assert gate("& $command\n")[2] == {"$command"}
    assert gate("Get-Thing -Name 'a\n")[0] != []  # an unclosed literal is a syntax problem


def test_every_resource_is_a_script_or_a_payload() -> None:
    """No .ps1 under runner/winrm/scripts escapes the gate above."""
    folder = Path(runner.winrm.__file__).parent / "scripts"
    shipped = {path.stem for path in folder.glob("*.ps1")}
    assert shipped == {name.value for name in ScriptName} | set(PAYLOADS)


def test_worker_scan_reports_a_pending_restart_from_the_registry() -> None:
    """The scan sets RestartRequired from Windows Update's and CBS's pending-restart keys, so a
    re-scan after a restart (Storage Replica, 21H2) makes the runner restart the node again."""
    source = worker_source()
    assert "WindowsUpdate\\Auto Update\\RebootRequired" in source
    assert "Component Based Servicing\\RebootPending" in source
    assert "$status.RestartRequired = Test-PycauRestartPending" in source


def test_worker_scan_reports_a_preview_channel_awaiting_its_restart() -> None:
    """The scan reports ChannelRestartPending when flight signing is on in the boot
    configuration (Set-PreviewChannel) but was not among the options the node booted with."""
    source = worker_source()
    assert "bcdedit.exe /enum '{current}'" in source
    assert "SystemStartOptions" in source
    assert "$status.ChannelRestartPending = ($boot -match 'flightsigning" in source


def test_restart_is_refused_where_the_firewall_blocks_remote_shutdown() -> None:
    """restart-node.ps1 checks the Domain firewall profile and the Remote Shutdown rule group
    before shutdown.exe, refusing as CAU's restart fails; enable-firewall.ps1 enables that
    group and reads back what is in effect."""
    restart = template("restart-node")
    assert restart.index("'@firewallapi.dll,-36751'") < restart.index("shutdown.exe /r")
    assert "Get-NetFirewallProfile -Name 'Domain'" in restart
    enable = template("enable-firewall")
    assert "Set-NetFirewallRule -Group $group -Profile 'Domain' -Enabled 'True'" in enable
    assert "-PolicyStore 'ActiveStore'" in enable
    assert "-ForceDrain" in template("force-drain-node")
