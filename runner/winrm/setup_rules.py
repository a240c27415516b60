"""Readiness rules modelled on CAU's Test-CauSetup (reference cau.md §3.4), judged remotely.

Owns: ``judge`` — turns what ``pycau test-setup`` gathered (one observation of the
cluster, node-facts.ps1's answer per node or the error that node gave, the profile and the
connection) into one ``RuleResult`` per rule: Pass, Warn, Fail or Skip, with the evidence
and a remedy. CAU's numbering is kept where a rule is CAU's; pycau's own checks have none.

Rules 11–14 and 16 concern the CAU clustered role of self-updating mode and are reported
as Skip: pycau coordinates remotely.

Must not: talk to the cluster (the CLI gathers the facts) or print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from runner.profile import Profile
from runner.types import ClusterView, NodeState

__all__ = ["RuleResult", "Verdict", "judge"]

# Windows Server 2019 (17763) is the oldest build pycau's scripts are written for.
MIN_BUILD = 17763
MIN_DOTNET_RELEASE = 393295  # .NET Framework 4.6
SERVICE_RUNNING = 4  # ServiceControllerStatus.Running
AU_AUTO_INSTALL = 4  # AUOptions 4: download and schedule the install
MIN_FREE_GB = 5.0  # Windows Admin Center's pre-update check


class Verdict(StrEnum):
    PASS = "Pass"
    WARN = "Warn"
    FAIL = "Fail"
    SKIP = "Skip"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    number: int | None  # CAU's BPA rule number, None for pycau's own checks
    rule: str
    verdict: Verdict
    evidence: str
    remedy: str = ""


def _rule(
    number: int | None, rule: str, problems: Sequence[str], ok: str, remedy: str, bad: Verdict
) -> RuleResult:
    if problems:
        return RuleResult(
            number=number, rule=rule, verdict=bad, evidence="; ".join(problems), remedy=remedy
        )
    return RuleResult(number=number, rule=rule, verdict=Verdict.PASS, evidence=ok)


def _major_build(build: str) -> int:
    head = build.split(".")[0]
    return int(head) if head.isdigit() else 0


def judge(
    view: ClusterView,
    facts: Mapping[str, Mapping[str, Any] | str],
    profile: Profile,
    *,
    https: bool,
    profile_problem: str | None = None,
) -> list[RuleResult]:
    """One result per rule; ``facts`` maps node → node-facts answer, or the error text."""
    answered = {n: f for n, f in facts.items() if not isinstance(f, str)}
    silent = {n: f for n, f in facts.items() if isinstance(f, str)}
    names = ", ".join(n.name for n in view.nodes)
    up = [n.name for n in view.nodes if n.state in (NodeState.UP, NodeState.PAUSED)]
    out = [
        _rule(1, "The failover cluster must be available",
              [] if view.has_quorum else ["the cluster has no quorum"],
              f"cluster {view.cluster} answered with {len(view.nodes)} node(s): {names}",
              "Start the cluster service on a majority of nodes", Verdict.FAIL),
        _rule(2, "Nodes must be enabled for remote management",
              [f"{n}: {e}" for n, e in silent.items()],
              f"{len(answered)} node(s) answered over WinRM",
              "On each node: Enable-PSRemoting -Force; add an HTTPS listener "
              "(winrm quickconfig -transport:https) and allow TCP 5986 in the firewall",
              Verdict.FAIL),
        _rule(3, "PowerShell remoting should be enabled on each node",
              [f"{n}: no answer" for n in silent], "every answering node ran PowerShell remotely",
              "Enable-PSRemoting -Force", Verdict.FAIL),
        _rule(4, "Failover cluster version supported",
              [f"{n.name}: build {n.os_build}" for n in view.nodes
               if n.os_build and _major_build(n.os_build) < MIN_BUILD],
              "every node runs Windows Server 2019 (17763) or later",
              "Upgrade the nodes to Windows Server 2019 or later", Verdict.FAIL),
        _rule(5, "Required .NET Framework and PowerShell versions installed on all nodes",
              [f"{n}: PowerShell {f.get('PSVersion')}, .NET release {f.get('DotNetRelease')}"
               for n, f in answered.items()
               if not str(f.get("PSVersion", "")).startswith(("5.1", "6", "7"))
               or int(f.get("DotNetRelease") or 0) < MIN_DOTNET_RELEASE],
              "PowerShell 5.1 and .NET Framework 4.6 or later on every node",
              "Install Windows Management Framework 5.1 and .NET Framework 4.6+", Verdict.FAIL),
        _rule(6, "Cluster service should be running on all nodes",
              [f"{n.name}: {n.state.value}" for n in view.nodes if n.state is NodeState.DOWN]
              + [f"{n}: ClusSvc status {f.get('ClusterServiceStatus')}"
                 for n, f in answered.items()
                 if int(f.get("ClusterServiceStatus") or 0) != SERVICE_RUNNING],
              "every node is a running cluster member", "Start-Service ClusSvc on the node",
              Verdict.FAIL),
        _rule(7, "Automatic Updates must not be configured to automatically install updates",
              [f"{n}: AUOptions {f.get('AUOptions')}" for n, f in answered.items()
               if int(f.get("AUOptions") or 0) == AU_AUTO_INSTALL
               and int(f.get("NoAutoUpdate") or 0) != 1],
              "no node installs updates on its own",
              "Set the Automatic Updates policy to notify only (AUOptions 2) or disable it",
              Verdict.FAIL),
        _update_source(answered),
        _remote_shutdown(answered, profile),
        _proxy(answered),
    ]  # fmt: skip
    for number, rule in (
        (11, "The CAU clustered role should be installed to enable self-updating mode"),
        (12, "The CAU clustered role should be enabled to enable self-updating mode"),
        (13, "The configured CAU plug-in for self-updating must be registered on all nodes"),
        (14, "All nodes should have the same set of registered CAU plug-ins"),
        (16, "At least two nodes must be owners of the CAU clustered role"),
    ):
        evidence = "pycau coordinates remotely, not as a clustered role"
        out.append(RuleResult(number=number, rule=rule, verdict=Verdict.SKIP, evidence=evidence))
    out.append(
        _rule(15, "The configured Updating Run options must be valid",
              [profile_problem] if profile_problem else [], "the profile is valid for this cluster",
              "Fix the profile option named in the evidence", Verdict.FAIL)
    )  # fmt: skip
    out += _scripts(profile, answered)
    out.append(
        _rule(19, "WarnAfter should be less than StopAfter",
              [] if profile.warn_after_minutes is None or profile.stop_after_minutes is None
              or profile.warn_after_minutes < profile.stop_after_minutes
              else [f"warn_after {profile.warn_after_minutes} ≥ stop_after "
                    f"{profile.stop_after_minutes}"],
              "WarnAfter and StopAfter are consistent", "Make warn_after_minutes smaller",
              Verdict.FAIL)
    )  # fmt: skip
    out.sort(key=lambda r: r.number or 0)
    return out + _own_checks(view, answered, profile, https=https, up=up)


def _proxy(answered: Mapping[str, Mapping[str, Any]]) -> RuleResult:
    """Rule 10 is advice (a local proxy for LocalSystem in branch offices): show the setting."""
    settings: dict[str, list[str]] = {}
    for node, facts in answered.items():
        text = " ".join(str(facts.get("WinHttpProxy", "")).split())
        settings.setdefault(text.removeprefix("Current WinHTTP proxy settings: "), []).append(node)
    if len(settings) == 1:
        evidence = f"every node: {next(iter(settings))}"
    else:
        evidence = "; ".join(f"{', '.join(nodes)}: {text}" for text, nodes in settings.items())
    return RuleResult(
        number=10,
        rule="The machine proxy server setting on each node should be set to a local proxy",
        verdict=Verdict.PASS,
        evidence=evidence or "no node answered",
    )


def _remote_shutdown(answered: Mapping[str, Mapping[str, Any]], profile: Profile) -> RuleResult:
    """Rule 9: a node whose Remote Shutdown rules are all disabled cannot be restarted (its
    restart is refused, as CAU's is) — a failure, or a warning when the profile's
    enable_firewall_rules enables them at the start of the run."""
    problems = [
        f"{n}: {f.get('RemoteShutdownRulesEnabled')}/{f.get('RemoteShutdownRules')} rules enabled"
        for n, f in answered.items()
        if int(f.get("RemoteShutdownRulesEnabled") or 0) == 0
    ]
    if problems and profile.enable_firewall_rules:
        problems.append("the run enables them first (enable_firewall_rules) unless a Group "
                        "Policy keeps them disabled")  # fmt: skip
    return _rule(
        9,
        "A firewall rule that allows remote shutdown should be enabled on each node",
        problems,
        "the Remote Shutdown rules are enabled (a restart needs them, as under CAU)",
        "Set-NetFirewallRule -Group '@firewallapi.dll,-36751' -Profile Domain -Enabled true, "
        "or set enable_firewall_rules in the profile",
        Verdict.WARN if profile.enable_firewall_rules else Verdict.FAIL,
    )


def _update_source(answered: Mapping[str, Mapping[str, Any]]) -> RuleResult:
    sources = {
        n: (str(f.get("WUServer") or "Windows Update") if int(f.get("UseWUServer") or 0) else
            "Windows Update")
        for n, f in answered.items()
    }  # fmt: skip
    distinct = sorted(set(sources.values()))
    return _rule(
        8,
        "Nodes should use the same update source",
        [f"{n}: {s}" for n, s in sources.items()] if len(distinct) > 1 else [],
        f"every node uses {distinct[0] if distinct else 'an unknown source'}",
        "Point every node at the same WSUS server or at Windows Update",
        Verdict.WARN,
    )


def _scripts(profile: Profile, answered: Mapping[str, Mapping[str, Any]]) -> list[RuleResult]:
    paths = [p for p in (profile.pre_update_script, profile.post_update_script) if p]
    if not paths:
        evidence = "no pre/post-update script configured"
        return [
            RuleResult(number=17, rule="All nodes must be able to access the PowerShell scripts",
                       verdict=Verdict.PASS, evidence=evidence),
            RuleResult(number=18, rule="All nodes should use identical PowerShell scripts",
                       verdict=Verdict.PASS, evidence=evidence),
        ]  # fmt: skip
    missing: list[str] = []
    hashes: dict[str, set[str]] = {}
    for node, facts in answered.items():
        for script in facts.get("Scripts") or []:
            if not script.get("Exists"):
                missing.append(f"{node}: {script.get('Path')} not found")
            hashes.setdefault(str(script.get("Path")), set()).add(str(script.get("Sha256")))
    differing = [f"{path} differs between nodes" for path, h in hashes.items() if len(h) > 1]
    return [
        _rule(17, "All nodes must be able to access the PowerShell scripts", missing,
              f"{', '.join(paths)} readable on every answering node",
              "Put the scripts on a share or cluster storage every node can read", Verdict.FAIL),
        _rule(18, "All nodes should use identical PowerShell scripts", differing,
              "the scripts are identical on every node (SHA-256)",
              "Keep one copy of each script where every node reads it", Verdict.WARN),
    ]  # fmt: skip


def _own_checks(
    view: ClusterView,
    answered: Mapping[str, Mapping[str, Any]],
    profile: Profile,
    *,
    https: bool,
    up: Sequence[str],
) -> list[RuleResult]:
    down = [n.name for n in view.nodes if n.name not in up]
    return [
        _rule(None, "WinRM runs over HTTPS", [] if https else ["connected over plain HTTP"],
              "HTTPS with certificate validation",
              "Create an HTTPS listener on every node and drop --insecure-http", Verdict.WARN),
        _rule(None, "Every node is online", [f"{n} is not Up" for n in down],
              "every node is Up or Paused", "Bring the node back or remove it from the cluster",
              Verdict.FAIL if profile.require_all_nodes_online else Verdict.WARN),
        _rule(None, "Storage is healthy and no repair job runs",
              [] if view.storage_healthy else ["a volume is not Healthy/OK or a repair job runs"],
              "every volume Healthy/OK, Get-StorageJob empty",
              "Wait for the storage jobs to finish before the run", Verdict.WARN),
        _rule(None, "At least 5 GB free on each system drive",
              [f"{n}: {f.get('SystemDriveFreeGB')} GB" for n, f in answered.items()
               if float(f.get("SystemDriveFreeGB") or 0) < MIN_FREE_GB],
              "enough room for the updates", "Free space on the system drive", Verdict.FAIL),
        _rule(None, "No restart is already pending",
              [n for n, f in answered.items() if f.get("RestartPending")],
              "no node waits for a restart", "Restart the node (drained) before the run",
              Verdict.WARN),
        _rule(None, "Boot beacon installed (confirms restarts by boot time)",
              [n for n, f in answered.items() if not f.get("BeaconInstalled")],
              "every node publishes its boot time", "pycau run installs it before updating",
              Verdict.WARN),
    ]  # fmt: skip
