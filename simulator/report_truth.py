"""The ``report-truth`` invariant: the runner's report held against what the world saw.

Owns: ``TruthLedger`` — the ground truth the world records for this check as things happen
(what the runner did to each node and when, each runner restart with the boot it really
did, boots, drains, detached work, storage readiness, and *trouble*: world-side evidence
that something on a node, or cluster-wide, went wrong) — and ``TruthLedger.check``, which
holds a report against it at the end. The oracle (``simulator.oracle``) calls ``check``.

What is checked, per node the report lists (a key the report does not carry is not
checked — the twin's run record carries status, attempts, restarts and boot type, not
update results). "Its window" runs from when the node before it became final to when it
did (``node-status`` events; one node at a time); a cluster-wide trouble counts for a node
only when it lasted into its window, the node's own troubles whenever they came before the
end of its window.
- **Succeeded**: nothing the world offers the node through the plug-ins of its pass is left
  uninstalled (updates that became applicable in later passes included), nothing is staged
  waiting for a boot (it booted after its last install that needed one), and it is Up and
  not Paused at the end — unless a fault crashed it after it was reported final.
- **restarts** equal the runner's restarts the world performed on the node (a restart
  command that never reached the node is no restart); **boot_type** is the boot type of
  the last of them (``null`` when there was none), or ``Unknown``, which claims nothing (a
  soft restart whose answer was lost).
- **updates** reported Succeeded were installed on that node by the world.
- **attempts**: an attempt (``runner.lifecycle``: it starts when the node enters the
  pre-update script step) is seen by the world through the first thing it does to the
  node. With a pre-update script: that script's start (once per attempt). Without one: a
  scan of the node while it is not Paused (every retry re-scans after the runner resumed
  the node) — a re-scan right after an install that went well and left no restart owed,
  or after an install command that never reached the node, excluded (the fast policy
  installs before or without a drain and re-scans in the same attempt) — preflight scans
  excluded (the node's first scan, and any scan made before
  the run's first other act while another node's scan ran — a preflight scans every Up
  node at once), plus one when the runner acted on the node (suspend, install, script,
  restart, resume) before the first such scan: the first attempt uses the preflight's
  offer. The report must show at least that many (``seen``) and at most ``seen`` plus the
  attempts that may have ended before touching the node, which the world bounds by what it
  saw in the node's window: one for the run stopping (StopAfter) or a quorum risk
  cancelling it (witness offline, another node Down, quorum lost) or the node itself Down
  at its turn, or — without a pre-update script — storage not ready for a whole storage
  wait; plus one per start of work (scan, script) the node refused because it was Down;
  plus one per management outage. With none of these, attempts equal ``seen`` exactly.
  An offline update is one window for every node: seen is 1 when the runner did anything
  but scan on the node (its cluster service set, an install, a restart), else 0.
- **Failed / PartiallyFailed**: the world holds evidence against the node. Its own: a
  failed install result, a refused install, work interrupted by the node going down, a
  failed script, a failed drain, a refused suspend, a call refused because it was Down,
  a crash, a boot hang, being Down since before the run, an update rolled back, detached
  work or a drain lasting its whole profile timeout, a restart it did not come back from
  within ``reboot_timeout_minutes``. Cluster-wide: a management outage, the witness
  offline, quorum lost, another node crashed or hung, storage not ready for a whole
  ``wait_for_storage_repair_timeout_minutes``, the StopAfter time passed, more nodes ended
  Failed than ``max_failed_nodes`` allows (the run cancels; nodes in flight stop). A node's
  window for cluster-wide trouble begins when the node before it became final — with
  several nodes at a time (policy fast), no later than the runner's first act on it.

Must not: read the runner's view or events (only the report it is handed), change the
world, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.plugins import PluginName
from runner.types import BootType, SummaryStatus
from simulator.nodes import DownCause
from simulator.truth_windows import budget_exceeded_at, first_touch, rescan
from simulator.world_port import GroundTruth

__all__ = ["EPSILON", "TruthLedger"]

# Seconds of slack when comparing world times with report times (rounded to 3 decimals)
# and with the runner's deadlines (its view is one observe round trip old).
EPSILON = 2.0
# Storage readiness gaps shorter than one runner poll (15 s) are invisible to the runner.
READINESS_GAP = 20.0
_FAILED = (SummaryStatus.FAILED.value, SummaryStatus.PARTIALLY_FAILED.value)
# Trouble that can end one attempt before it touches the node (see the docstring): the run
# stops or is canceled (a quorum risk), the node is Down at its turn, or — without a
# pre-update script, whose start is an attempt's first act — the wait for storage times out.
_FIRST_ATTEMPT = (
    "stop-after",
    "witness-offline",
    "node-down",
    "quorum-lost",
    "crashed",
    "offline",
    "suspend-refused",  # 5987 until the suspend retries were over: the run moved on
)
_STORAGE = ("storage-not-ready",)
# Work starts an attempt may open with; each one refused (node Down) may hide an attempt.
_START_COMMANDS = ("Start-WindowsUpdateScan", "Invoke-Command")
_OPENING_ACTS = ("suspend", "install", "pre-script", "post-script", "restart", "resume")


@dataclass(slots=True)
class _Span:
    start: float
    end: float | None = None


@dataclass(slots=True)
class _Trouble:
    time: float
    node: str | None  # None: cluster-wide
    kind: str
    detail: str = ""
    end: float | None = None  # a lasting condition (outage, node down) ends here; None: open

    def reaches(self, since: float, now: float) -> bool:
        """Whether the trouble lasted into the window starting at ``since``."""
        return (now if self.end is None else self.end) >= since - EPSILON


def _at(trouble: _Trouble) -> float:
    return trouble.time


class TruthLedger:
    """What the world saw, recorded through the hooks below as it happened."""

    def __init__(self, world: GroundTruth) -> None:
        self.world = world
        self.acts: dict[str, list[tuple[float, str, bool]]] = {n: [] for n in world.nodes}
        self.owing: set[tuple[str, float]] = set()  # scans made while the node owed a restart
        self.first_act: float | None = None  # the run's first act other than a scan
        self.restarts: dict[str, list[tuple[float, BootType]]] = {n: [] for n in world.nodes}
        self.boots: dict[str, list[float]] = {n: [] for n in world.nodes}
        self.drains: dict[str, list[_Span]] = {n: [] for n in world.nodes}
        self.work: list[tuple[str, str, float, float]] = []  # node, kind, start, seconds
        self.unready: list[_Span] = []
        self.troubles: list[_Trouble] = []
        # The plug-ins of the pass checked (``simulator.report_passes``): the run's.
        self.plugins: tuple[PluginName, ...] = tuple(world.profile.plugin)

    def _now(self) -> float:
        return float(self.world.env.now)

    # -- hooks -------------------------------------------------------------------------------
    def act(self, node: str, kind: str) -> None:
        """The runner did ``kind`` (scan, install, pre-script, post-script, suspend, resume,
        restart) to ``node``, and it reached the node."""
        now = self._now()
        self.acts[node].append((now, kind, self.world.nodes[node].paused))
        if kind == "scan" and self.world.updates.nodes[node].staged:
            self.owing.add((node, now))  # a restart is owed: no re-scan of a no-drain install
        if kind != "scan" and self.first_act is None:
            self.first_act = now

    def restarted(self, node: str, boot: BootType) -> None:
        self.restarts[node].append((self._now(), boot))

    def booted(self, node: str) -> None:
        self.boots[node].append(self._now())
        for kind in ("offline", "crashed", "boot-hang"):
            self.over(node, kind)

    def drain(self, node: str, *, started: bool) -> None:
        spans = self.drains[node]
        if started:
            spans.append(_Span(self._now()))
        elif spans and spans[-1].end is None:
            spans[-1].end = self._now()

    def work_started(self, node: str, kind: str, seconds: float) -> None:
        self.work.append((node, kind, self._now(), seconds))

    def storage_ready(self, ready: bool) -> None:
        open_span = bool(self.unready) and self.unready[-1].end is None
        if not ready and not open_span:
            self.unready.append(_Span(self._now()))
        elif ready and open_span:
            self.unready[-1].end = self._now()

    def trouble(
        self, node: str | None, kind: str, detail: str = "", *, lasting: bool = False
    ) -> None:
        """Evidence against ``node`` (None: cluster-wide); ``lasting`` until ``over``."""
        now = self._now()
        self.troubles.append(_Trouble(now, node, kind, detail, None if lasting else now))

    def over(self, node: str | None, kind: str) -> None:
        """The lasting trouble ``kind`` of ``node`` ended."""
        for item in self.troubles:
            if item.node == node and item.kind == kind and item.end is None:
                item.end = self._now()

    # -- derived evidence --------------------------------------------------------------------
    def _derived(self) -> list[_Trouble]:
        """Timeouts the world can see: work, drains, boots and storage outlasting the profile."""
        profile = self.world.profile
        now = self._now()
        found: list[_Trouble] = []
        limits = {
            "scan": profile.install_timeout_minutes,
            "install": profile.install_timeout_minutes,
            "script": profile.script_timeout_minutes,
        }
        for node, kind, start, seconds in self.work:
            limit = limits[kind] * 60.0
            if seconds >= limit - EPSILON:
                found.append(_Trouble(start + limit, node, "slow-work", f"{kind} {seconds:g} s"))
        drain = profile.drain_timeout_minutes * 60.0
        for node, spans in self.drains.items():
            for span in spans:
                end = now if span.end is None else span.end
                if end - span.start >= drain - EPSILON:
                    found.append(_Trouble(span.start + drain, node, "slow-drain"))
        reboot = profile.reboot_timeout_minutes * 60.0
        for node, restarts in self.restarts.items():
            for at, _ in restarts:
                back = [t for t in self.boots[node] if t >= at]
                if not back or back[0] - at >= reboot - 2 * EPSILON:
                    found.append(_Trouble(at + reboot - 2 * EPSILON, node, "slow-boot"))
        wait = profile.wait_for_storage_repair_timeout_minutes * 60.0
        for start, end in self._unready_stretches(now):
            if end - start >= wait - EPSILON:
                # A wait may begin anywhere in the stretch: the trouble lasts to its end.
                found.append(_Trouble(start + wait - EPSILON, None, "storage-not-ready", end=end))
        if profile.stop_after_minutes is not None and now >= profile.stop_after_minutes * 60:
            found.append(_Trouble(profile.stop_after_minutes * 60.0, None, "stop-after", end=now))
        return found

    def _unready_stretches(self, now: float) -> list[tuple[float, float]]:
        stretches: list[tuple[float, float]] = []
        for span in self.unready:
            end = now if span.end is None else span.end
            if stretches and span.start - stretches[-1][1] < READINESS_GAP:
                stretches[-1] = (stretches[-1][0], end)
            else:
                stretches.append((span.start, end))
        return stretches

    def _against(
        self, node: str, since: float, until: float, known: list[_Trouble]
    ) -> list[tuple[str, _Trouble]]:
        """(kind, trouble) against ``node`` by ``until``: its own troubles, and cluster-wide
        ones lasting into its window (from ``since``, when the node before it became final).
        Another node crashing or hanging is cluster-wide trouble (``node-down``).
        ``known``: every trouble, recorded and derived, by time (``_known``)."""
        now = self._now()
        found: list[tuple[str, _Trouble]] = []
        for item in known:
            if item.time > until + EPSILON:
                break
            if item.node == node:
                found.append((item.kind, item))
            elif item.reaches(since, now):
                if item.node is None:
                    found.append((item.kind, item))
                elif item.kind in ("crashed", "boot-hang"):
                    found.append(("node-down", item))
        return found

    def _known(self) -> list[_Trouble]:
        """Every trouble, recorded and derived, by time: built once per check, not per node."""
        return sorted(self.troubles + self._derived(), key=lambda t: t.time)

    # -- attempts ----------------------------------------------------------------------------
    def attempts_seen(self, node: str) -> int:
        """Attempts the world saw begin on ``node`` (see the module docstring)."""
        acts = self.acts[node]
        if self.world.profile.mode == "offline":  # one window: touched at all is one attempt
            return int(any(kind != "scan" for _, kind, _ in acts))
        if self.world.profile.pre_update_script:
            return sum(1 for _, kind, _ in acts if kind == "pre-script")
        scans = [t for t, kind, _ in acts if kind == "scan"]
        ahead = 0 if self.world.profile.skip_update_checks else 1  # no scan before the run
        preflight = set(scans[:ahead]) | {t for t in scans if self._preflight_round(node, t)}
        openings = [
            t
            for i, (t, kind, paused) in enumerate(acts)
            if kind == "scan"
            and not paused
            and t not in preflight
            and not rescan(acts, self.troubles, node, i, owing=self.owing)
        ]
        first = openings[0] if openings else None
        lead = any(kind in _OPENING_ACTS and (first is None or t < first) for t, kind, _ in acts)
        return len(openings) + int(lead)

    def _preflight_round(self, node: str, at: float) -> bool:
        """A scan of ``node`` at ``at`` belongs to a preflight (every Up node scanned at once,
        again when a coordinator that died before its first checkpoint starts over): it
        began before the run's first other act while another node's scan ran. One node at a
        time, an attempt's scan never overlaps another node's."""
        if self.first_act is not None and at >= self.first_act:
            return False
        return any(
            other != node and kind == "scan" and start <= at < start + seconds
            for other, kind, start, seconds in self.work
        )

    def attempts_unseen(self, against: list[tuple[str, _Trouble]]) -> int:
        """At most how many attempts may have ended before touching the node (docstring)."""
        first = _FIRST_ATTEMPT + (() if self.world.profile.pre_update_script else _STORAGE)
        starts = sum(
            1 for kind, t in against if kind == "unreachable" and t.detail in _START_COMMANDS
        )
        outages = sum(1 for kind, _ in against if kind == "management-disconnect")
        return int(any(kind in first for kind, _ in against)) + starts + outages

    # -- the check ---------------------------------------------------------------------------
    def check(
        self, report: Mapping[str, Any], final_at: Mapping[str, float]
    ) -> list[tuple[float, str]]:
        """Violations (time, detail) of ``report-truth``; ``final_at``: when each node the
        report lists became final (its ``node-status`` event)."""
        now = self._now()
        found: list[tuple[float, str]] = []
        known = self._known()
        exceeded = budget_exceeded_at(report, final_at, now)  # the run cancels: nodes stop
        if exceeded is not None:
            known = sorted([*known, _Trouble(exceeded, None, "over-budget", end=now)], key=_at)
        for entry in report.get("nodes", []) or []:
            name = str(entry.get("name"))
            if name not in self.world.nodes:
                found.append((now, f"the report lists {name}, which is not in the cluster"))
                continue
            final = final_at.get(name, now)
            # One node at a time: the node's work began after the node before it was final;
            # several at a time (policy fast): no later than the runner's first act on it.
            since = max((t for n, t in final_at.items() if n != name and t < final), default=0.0)
            since = min(since, first_touch(self.acts[name], self.first_act, final))
            against = self._against(name, since, final, known)
            status = entry.get("status")
            found += [(final, f"{name} {d}") for d in self._node_truth(name, entry, against)]
            if status == SummaryStatus.SUCCEEDED.value:
                found += [
                    (final, f"{name} reported Succeeded but {d}") for d in self._done(name, final)
                ]
            if status in _FAILED and not against:
                why = "the world saw no failed attempt, timeout or refusal on it"
                found.append((final, f"{name} reported {status} but {why}"))
        return found

    def _node_truth(
        self, name: str, entry: Mapping[str, Any], against: list[tuple[str, _Trouble]]
    ) -> list[str]:
        out: list[str] = []
        restarts = self.restarts[name]
        if "restarts" in entry and int(entry.get("restarts") or 0) != len(restarts):
            out.append(f"reports {entry.get('restarts')} restart(s), the world saw {len(restarts)}")
        if "boot_type" in entry and entry.get("boot_type") != BootType.UNKNOWN.value:
            # "Unknown" claims nothing (a soft restart whose answer was lost); any other
            # value must be what the node did.
            did = restarts[-1][1].value if restarts else None
            if entry.get("boot_type") != did:
                out.append(f"reports boot type {entry.get('boot_type')}, the node did {did}")
        installed = self.world.updates.nodes[name].install_counts
        for update in entry.get("updates", []) or []:
            if update.get("result") == "Succeeded" and not installed.get(str(update.get("id"))):
                out.append(f"reports {update.get('id')} Succeeded, the world never installed it")
        if "attempts" in entry:
            reported = int(entry.get("attempts") or 0)
            seen = self.attempts_seen(name)
            unseen = self.attempts_unseen(against)
            if not seen <= reported <= seen + unseen:
                hidden = f" (and at most {unseen} that never touched it)" if unseen else ""
                out.append(f"reports {reported} attempt(s), the world saw {seen}{hidden}")
        return out

    def _done(self, name: str, final: float) -> list[str]:
        """Why ``name`` is not updated in the world (empty when it is)."""
        world = self.world
        sim = world.nodes[name]
        out: list[str] = []
        left = [u.id for u in world.updates.offered_to(name, self.plugins)]
        if left:
            out.append(f"{', '.join(left)} still offered")
        staged = world.updates.nodes[name].staged
        if staged:
            out.append(f"{', '.join(staged)} installed but not in effect (no boot since)")
        # A fault may crash a node after it was reported final: that is no lie of the report.
        crashed_later = sim.down_cause == DownCause.CRASH and (sim.down_since or 0.0) >= final
        if not sim.up and not crashed_later:
            out.append("it is Down at the end")
        if sim.paused:
            out.append("it is Paused at the end")
        return out
