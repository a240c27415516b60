"""The run's report: events as they happen, node results, and the JSON-ready dictionary.

Owns: ``RunEvent`` (what the engine tells its listener and what the report lists),
``NodeReport`` and ``RunReport`` with ``to_dict()`` in the key order of DESIGN.md /
``runner/schemas/report.schema.json``, the CAU event ids and their kinds, the phase names,
and ``profile_dict`` (the resolved profile as the report shows it).

Times are seconds since run start, rounded to 3 decimals; ``started_at``/``finished_at``
are ISO-8601 UTC with a ``Z``. Nothing here reads a clock: the engine passes the instants.

Must not: decide anything about the run or do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from runner.cluster_report import ClusterReport
from runner.plugins import PluginName
from runner.profile import Profile
from runner.types import BootType, SummaryStatus, UpdateResult

__all__ = [
    "EVENT_KINDS",
    "PHASES",
    "FollowUpReport",
    "NodeReport",
    "RunEvent",
    "RunReport",
    "iso_utc",
    "profile_dict",
]

SCHEMA_VERSION = 1

# Node phases in pipeline order (reference §3.1 step 4); timing dicts keep this order.
PHASES = (
    "pre_script",
    "stage",
    "storage_wait",
    "drain",
    "install",
    "reboot",
    "resume",
    "resync",
    "post_script",
)

# CAU event ids (reference §4.5) and the kind names the engine emits for them.
EVENT_KINDS: dict[int, str] = {
    1001: "warn-after",
    1002: "stop-after",
    1003: "run-started",
    1004: "run-succeeded",
    1005: "run-canceled",
    1006: "run-partially-failed",
    1007: "run-failed",
    1008: "node-maintenance-entered",
    1009: "node-maintenance-exited",
    1010: "node-restarting",
    1011: "node-restarted",
    1012: "node-restart-failed",
    1013: "node-failed",
    1014: "run-recovering",
    1015: "run-locked",
    1016: "enter-maintenance-failed",
    1017: "resume-failed",
    1018: "quorum-at-risk",
    1019: "max-failed-nodes",
    1020: "nodes-offline",
    1021: "run-canceled-by-user",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RunEvent:
    """One thing that happened: ``kind`` is a CAU event kind (with ``event_id``),
    ``phase-start``/``phase-end`` (with ``phase``), ``node-status`` (detail = status),
    ``scan`` or ``warning``.

    ``detail`` is for people; what a program reads is in the structured fields: a node's
    phase events carry ``attempt`` (the node's attempt the phase belongs to, 1 = first) and
    an install's ``phase-end`` carries ``installed`` (updates installed on the node so far
    in the run, as its report's ``updates`` will count them). The live view reads those,
    never the text."""

    time: float
    kind: str
    node: str | None = None
    detail: str = ""
    event_id: int | None = None
    phase: str | None = None
    attempt: int | None = None
    installed: int | None = None
    # A ``storage-progress`` event (told to the listener only, never in the report:
    # ``runner.resync_progress``) carries the resync's whole percent.
    percent: int | None = None

    def to_dict(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "time": round(self.time, 3),
            "kind": self.kind,
            "node": self.node,
            "detail": self.detail,
            "event_id": self.event_id,
        }
        if self.phase is not None:  # phase-start/phase-end: the report alone tells which phase
            event["phase"] = self.phase
        if self.attempt is not None:
            event["attempt"] = self.attempt
        if self.installed is not None:
            event["installed"] = self.installed
        return event


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeReport:
    """CAU's NodeResult for one node; ``timing`` holds the last attempt's phases."""

    name: str
    status: SummaryStatus
    attempts: int = 0
    restarts: int = 0
    boot_type: BootType | None = None
    updates: tuple[UpdateResult, ...] = ()
    error: str | None = None
    timing: tuple[tuple[str, float, float], ...] = ()
    version: tuple[str, str] | None = None  # feature-update runs: OS version before, after

    def to_dict(self, *, plugins: bool = False) -> dict[str, Any]:
        """The node as the report lists it; ``plugins``: each update names the plug-in that
        installed it (a run with other plug-ins than Windows Update alone)."""
        order = {phase: index for index, phase in enumerate(PHASES)}
        spans = sorted(self.timing, key=lambda span: order.get(span[0], len(order)))
        updates = []
        for u in self.updates:
            update: dict[str, Any] = {
                "id": u.id,
                "title": u.title,
                "result": "Succeeded" if u.result == "Succeeded" else "Failed",
                "hresult": u.hresult or None,
            }
            if plugins:
                update["plugin"] = u.plugin.value
            updates.append(update)
        version = {} if self.version is None else {
            "version": {"before": self.version[0] or None, "after": self.version[1] or None}
        }  # fmt: skip
        return {
            "name": self.name,
            "status": self.status.value,
            **version,
            "attempts": self.attempts,
            "restarts": self.restarts,
            "boot_type": self.boot_type.value if self.boot_type is not None else None,
            "updates": updates,
            "error": self.error,
            "timing": {phase: [round(start, 3), round(end, 3)] for phase, start, end in spans},
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUpReport:
    """A feature-update run's follow-up quality pass (``runner.follow_up``): its plug-in,
    whether it ran and why not, its status and its nodes (each update names its plug-in)."""

    plugin: PluginName = PluginName.WINDOWS_UPDATE
    ran: bool
    reason: str = ""  # why it did not run
    status: SummaryStatus | None = None
    nodes: tuple[NodeReport, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin.value,
            "ran": self.ran,
            "reason": self.reason or None,
            "status": None if self.status is None else self.status.value,
            "nodes": [node.to_dict(plugins=True) for node in self.nodes],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RunReport:
    """CAU's ClusterResult: one updating run, its nodes in run order and its events."""

    run_id: str
    cluster: str
    profile: Profile
    started_at: datetime
    finished_at: datetime
    duration_seconds: float
    status: SummaryStatus
    error_id: str | None = None
    error: str | None = None
    nodes: tuple[NodeReport, ...] = ()
    events: tuple[RunEvent, ...] = ()
    mode: str = "rolling"
    # The offline update's cluster-wide sections (``runner.offline_lifecycle``); ``None``
    # (omitted from the JSON) in rolling runs.
    cluster_timing: Mapping[str, Any] | None = None
    offline: Mapping[str, Any] | None = None
    follow_up: FollowUpReport | None = None  # feature-update runs only
    # runs with a feature update or post steps only (``cluster`` is the cluster's name)
    cluster_versions: ClusterReport | None = None
    # The fast policy's waves (``runner.fast_engine``): planned and run; ``None`` (omitted)
    # with the classic policy.
    waves: Mapping[str, Any] | None = None

    @property
    def policy(self) -> str:
        return self.profile.policy

    def node(self, name: str) -> NodeReport:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report without ``simulation``, keys in the schema's order."""
        plugins = self.profile.plugin != (PluginName.WINDOWS_UPDATE,)
        head: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "cluster": self.cluster,
            "mode": self.mode,
            "policy": self.policy,
            "profile": profile_dict(self.profile),
            "started_at": iso_utc(self.started_at),
            "finished_at": iso_utc(self.finished_at),
            "duration_seconds": round(self.duration_seconds, 3),
            "status": self.status.value,
            "error_id": self.error_id,
            "error": self.error,
        }
        if self.cluster_timing is not None:
            head["cluster_timing"] = dict(self.cluster_timing)
        if self.offline is not None:
            head["offline"] = dict(self.offline)
        if self.waves is not None:
            head["waves"] = dict(self.waves)
        return {
            **head,
            "nodes": [node.to_dict(plugins=plugins) for node in self.nodes],
            **({} if self.follow_up is None else {"follow_up": self.follow_up.to_dict()}),
            **(
                {}
                if self.cluster_versions is None
                else {"cluster_versions": self.cluster_versions.to_dict()}
            ),
            "events": [event.to_dict() for event in self.events],
        }


def iso_utc(instant: datetime) -> str:
    """ISO-8601 UTC with a ``Z`` and millisecond precision when there are fractions.

    A naive ``instant`` is taken as UTC (callers pass aware datetimes; this keeps reports
    well-formed either way).
    """
    aware = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    spec = "milliseconds" if aware.microsecond else "seconds"
    return aware.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def profile_dict(profile: Profile) -> dict[str, Any]:
    """The resolved profile as plain JSON values (enums as their file spelling). An option
    marked ``REPORTED_WHEN_SET`` (``runner.profile``) is listed only when it differs from its
    default, so reports of runs that leave the newer options alone keep their shape; plug-ins
    appear as a profile file gives them (one name, or a list)."""
    out: dict[str, Any] = {}
    for f in fields(profile):
        value = getattr(profile, f.name)
        if f.name == "mode" and value == "rolling":
            continue  # the report's own ``mode`` says it; rolling reports keep their shape
        if f.name == "schedule":
            if value is not None:  # an agent's option, shown only when the profile has one
                out[f.name] = dict(value)
            continue
        if f.metadata.get("reported_when_set") and value == f.default:
            continue
        if f.name == "plugin":
            names = [str(name) for name in value]
            value = names[0] if len(names) == 1 else names
        elif f.name == "plugin_arguments":
            sets = [dict(arguments) for arguments in value]
            value = sets[0] if len(sets) == 1 else sets
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Enum):
            value = str(value)
        out[f.name] = value
    return out
