"""The seed guide's known issues of updating Azure Stack HCI clusters, as executable data.

Owns: ``Handling`` (what pycau really does about an issue), ``KnownIssue`` (one entry: id,
affected versions, symptom, how pycau detects it, what it does about it, its ``handling``,
and for a refusal the run's error id and the guidance its message gives) and
``KNOWN_ISSUES``, the issues of the guide's notes, warnings and "Known issues" section.
Each id is also a simulator switch (a scenario's ``known_issues: [id, …]``) that reproduces
the issue, and ``features/known_issues.feature`` proves the handling claimed here by its
behaviour, never by the constant:
- ``MITIGATED_AUTOMATICALLY``: with the issue active the run succeeds and the mitigation's
  events and effects are in the report;
- ``REFUSED_WITH_GUIDANCE``: the run is refused before any node is touched, with
  ``error_id`` and the ``guidance`` text in its error;
- ``DETECTED_AND_REPORTED``: the report carries the detection, for the admin to act on.
An entry with an ``error_id`` but another handling refuses in some cases only (its
``mitigation`` says when); a scenario proves that refusal too. ``tests/unit/
test_unit_known_issue_catalog.py`` fails when an entry's handling (or refusal) has no
scenario in the feature. To add an entry: fill every field, add its simulator switch, and
a scenario ending with ``the known issue "<id>" is <handling>``.

Must not: hold behaviour. The checks live where the run makes them (``runner.readiness``
before any node is touched, ``runner.maintenance_steps``/``runner.work_steps`` per node,
``runner.credssp`` around the run, ``runner.winrm.shell`` on the wire); this module names
them so reports, docs and tests can refer to one id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from runner.versions import version_of_build

__all__ = [
    "KNOWN_ISSUES",
    "PREREQUISITE_KB",
    "Handling",
    "KnownIssue",
    "known_issue",
    "os_version_label",
]

# The May 20, 2021 preview update: needed on every node (and on the machine that runs
# Invoke-CauRun) before a RollingUpgrade scan offers one feature update to all of them.
PREREQUISITE_KB = "KB5003237"


class Handling(StrEnum):
    """What pycau really does about a known issue (see the module docstring)."""

    MITIGATED_AUTOMATICALLY = "mitigated automatically"
    REFUSED_WITH_GUIDANCE = "refused with guidance"
    DETECTED_AND_REPORTED = "detected and reported"


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownIssue:
    id: str
    title: str
    affected_versions: tuple[str, ...]
    symptom: str
    detection: str
    mitigation: str
    handling: Handling
    error_id: str | None = None  # the run's error_id when pycau refuses because of it
    guidance: str = ""  # with error_id: what the refusal's message tells the admin to do


KNOWN_ISSUES: tuple[KnownIssue, ...] = (
    KnownIssue(
        id="lost-management-connectivity",
        title="Couldn't install updates / couldn't check for updates / couldn't get status",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "The management tool loses connectivity to the servers during the run and reports "
            "a failure although the updates are being installed."
        ),
        detection=(
            "Every transport call fails (ClusterUnreachable) while detached work goes on; the "
            "run marks itself blind instead of failing the node."
        ),
        mitigation=(
            "Wait without concluding any failure from a deadline that passed unseen (up to "
            "60 minutes), then observe and poll again: the install's true result is read, "
            "nothing is installed or restarted twice."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="mixed-patch-levels",
        title="RollingUpgrade scan offers several feature updates",
        affected_versions=("20H2",),
        symptom=(
            "Servers at mixed patch levels make Invoke-CauScan with the RollingUpgrade plugin "
            "return more than one feature update ('Couldn't check for updates')."
        ),
        detection=(
            "Readiness before any node is touched: a node offered more than one feature "
            "update, or two nodes offered different ones."
        ),
        mitigation=(
            f"Refuse the run (MixedFeatureUpdateOffers) naming each node's offers; install "
            f"{PREREQUISITE_KB} on every server, then run again."
        ),
        handling=Handling.REFUSED_WITH_GUIDANCE,
        error_id="MixedFeatureUpdateOffers",
        guidance=f"install {PREREQUISITE_KB} on every node, then run again",
    ),
    KnownIssue(
        id="readiness-check-never-completes",
        title="Cluster readiness check (Test-Cluster) stays 'Checking'",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "The readiness check never finishes, mostly on non-English clusters, although "
            "Test-Cluster has completed on the servers."
        ),
        detection=(
            "With the profile's validate_cluster, Test-Cluster runs before any node is touched "
            "and its poll is still Running after validation_timeout_minutes."
        ),
        mitigation=(
            "Wait at most validation_timeout_minutes, then read the newest validation report "
            "from the cluster (C:\\Windows\\Cluster\\Reports): passed — go on with a warning "
            "naming the report; failed or missing — refuse the run "
            "(ClusterValidationIncomplete) with no node touched."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
        error_id="ClusterValidationIncomplete",
        guidance="run Test-Cluster and read its report before updating",
    ),
    KnownIssue(
        id="storage-replica-second-restart",
        title="Storage Replica clusters need a second restart after the feature update",
        affected_versions=("21H2",),
        symptom=(
            "With Storage Replica, each server must be restarted a second time after the 21H2 "
            "feature update before the post-installation steps."
        ),
        detection=(
            "The re-scan after the restart reports a restart still pending: the simulator's "
            "scan says so, and over WinRM the scan worker tests the RebootRequired (Windows "
            "Update) and RebootPending (Component Based Servicing) registry keys."
        ),
        mitigation=(
            "pycau restarts the node again before resuming it and before its post-update "
            "script (at most 10 restarts), so every node is restarted twice before "
            "Update-ClusterFunctionalLevel."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="storage-needs-sync",
        title="Storage needs to sync after a server restarts",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "After a restart, storage 'isn't complete or up-to-date, so we need to sync it'; "
            "no drive may be removed and no server restarted until the sync completes."
        ),
        detection=(
            "Repair jobs listed or a volume not Healthy/OK in the observation "
            "(Get-StorageJob, Get-VirtualDisk)."
        ),
        mitigation=(
            "The updated node waits in resync and the next node is not suspended (storage "
            "wait) until every repair job is gone and every volume is Healthy."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="os-version-naming-mismatch",
        title="Naming mismatch on operating system versions",
        affected_versions=("21H2", "22H2"),
        symptom=(
            "The update header says Azure Stack HCI 22H2, but a cluster outside the preview "
            "channel receives the publicly offered 21H2 update."
        ),
        detection=(
            "The report keeps each update's offered id and title verbatim, and each confirmed "
            "restart (event 1011) states the OS build the node runs and its version."
        ),
        mitigation=(
            "Report both as they are, never rename either: compare the offered title with "
            "the 'runs OS build … (version …)' of the node's restart event."
        ),
        handling=Handling.DETECTED_AND_REPORTED,
    ),
    KnownIssue(
        id="credssp-left-enabled",
        title="CredSSP enabled for the run stays enabled",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "Windows Admin Center's CAU needs CredSSP and explicit credentials; the guide asks "
            "to disable CredSSP as soon as the updates are installed."
        ),
        detection=(
            "pycau enables CredSSP only with the profile's enable_credssp (NTLM or Kerberos "
            "otherwise; work runs detached on the node, so no delegation is needed), and "
            "knows it must be disabled again; a refused or unanswered disable is retried."
        ),
        mitigation=(
            "With enable_credssp, Enable-WSManCredSSP -Role Server on every node after the "
            "readiness checks, and Disable-WSManCredSSP -Role Server at the end of the run "
            "whatever its outcome (up to 3 tries, events credssp-enabled/credssp-disabled); "
            "a warning naming this issue asks the admin to disable it if every try failed."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="vmm-2019-managed",
        title="A cluster managed by VMM 2019 must not take the 21H2 feature update",
        affected_versions=("20H2",),
        symptom=(
            "Upgrading a cluster managed by System Center Virtual Machine Manager 2019 to 21H2 "
            "breaks its management; System Center 2022 is needed first."
        ),
        detection=(
            "Readiness before any node is touched: a feature update is offered and the "
            "cluster view says it is managed by Virtual Machine Manager 2019 (on a real "
            "cluster observe.ps1 reads the SCVMMAgent service and its 10.19.* version)."
        ),
        mitigation=(
            "Refuse the run (UnsupportedManagement); upgrade to System Center 2022 first or "
            "install quality updates only."
        ),
        handling=Handling.REFUSED_WITH_GUIDANCE,
        error_id="UnsupportedManagement",
        guidance="upgrade to System Center 2022 first, or install quality updates only",
    ),
    KnownIssue(
        id="session-expiry",
        title="Multiple prompts for login credentials",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "The management tool asks for the credentials again, several times, during an "
            "updating run: its session with the servers expired mid-run."
        ),
        detection=(
            "Over WinRM: HTTP 401 from an endpoint that already accepted the same "
            "credentials (its session or NTLM connection expired), or the WSManFault 'shell "
            "not found' (2150858843) when the WinRS shell expired."
        ),
        mitigation=(
            "The password is asked once per run (PYCAU_PASSWORD, the OS keyring or one "
            "prompt) and kept in memory only; pycau re-authenticates silently with it in a "
            "new session, or opens a new shell, and repeats the refused request once (a "
            "refused request had no effect). A refusal of that repeat is a real "
            "AuthenticationFailed, and that endpoint gets no further logon attempt in the run."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="credssp-already-enabled",
        title="'You can't use Cluster Aware Updating without enabling CredSSP' when it is on",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "Older Windows Admin Center versions claim CredSSP must be enabled and explicit "
            "credentials given although both were done."
        ),
        detection=(
            "With the profile's enable_credssp, pycau reads the CredSSP server role of every "
            "node (Get-WSManCredSSP's setting, WSMan:\\localhost\\Service\\Auth\\CredSSP) "
            "before the run: the state is read, never assumed."
        ),
        mitigation=(
            "A node found enabled is used as it is (event credssp-already-enabled) and left "
            "enabled at the end, as found, with a warning; pycau enables and later disables "
            "the role only on the nodes where it was off."
        ),
        handling=Handling.MITIGATED_AUTOMATICALLY,
    ),
    KnownIssue(
        id="credssp-delegation-refused",
        title="Couldn't enable CredSSP delegation. Connecting to the remote server failed",
        affected_versions=("20H2", "21H2"),
        symptom=(
            "Enabling CredSSP for the run fails for an account that lacks the permission "
            "(in Windows Admin Center: a user outside its CredSSP administrators group)."
        ),
        detection=(
            "Enable-WSManCredSSP -Role Server is refused on a node (access denied, or the "
            "node does not answer)."
        ),
        mitigation=(
            "Refuse the run (CredSSPEnableFailed) before any node is touched, naming the node "
            "and the permission that is missing; the nodes already enabled are disabled "
            "again, so nothing is left half enabled."
        ),
        handling=Handling.REFUSED_WITH_GUIDANCE,
        error_id="CredSSPEnableFailed",
        guidance="must be a member of the local Administrators group",
    ),
)


def os_version_label(build: str) -> str:
    """``"20348.288 (version 21H2)"``; the build alone when its version is not known (the
    version is what the build really is, whatever an update's header said:
    os-version-naming-mismatch; ``runner.versions`` holds the builds)."""
    version = version_of_build(build)
    return f"{build} (version {version})" if version else build


def known_issue(issue_id: str) -> KnownIssue:
    """The entry with this id; ``KeyError`` if there is none."""
    for issue in KNOWN_ISSUES:
        if issue.id == issue_id:
            return issue
    raise KeyError(issue_id)
