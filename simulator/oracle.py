"""The oracle: watches the world's ground truth and records safety-invariant violations.

Owns: ``INVARIANTS`` (the ten stable names of DESIGN.md) and ``Oracle`` (``Violation``:
``simulator.violation``). The world calls the oracle's hooks as things happen (runner
suspends, restarts, resumes; quorum or a volume lost); checks needing the report run in
``finish``.

What counts (the runner is blamed only for its own actions; a fault's crash is not one):
- ``quorum``: the cluster or the S2D pool loses quorum in an event the runner caused.
- ``storage-redundancy``: a volume goes offline (more fault domains away than it tolerates,
  or pool lost) and the runner caused it. Attribution rule: the loss is the runner's when it
  begins at a runner action (a restart takes the domain down: ``by_runner``), or when any
  node the runner took down and that is still away was taken down while another fault
  domain was already unavailable (the runner acted while a fault — or its own earlier
  outage — was in effect, which ``Suspend-ClusterNode`` and CAU's resync wait forbid). A
  loss that begins at an injected fault (crash, drive, pool) while every runner-held node
  went down on healthy storage is the fault's: it is recorded in ``fault_losses`` (the
  report's ``simulation.fault_losses``), not as a violation. Cluster-quorum losses a fault
  caused are recorded there too.
- Race: a restart command takes ``COMMAND_SECONDS`` to reach the node. When all that degrades
  storage then is fault domains away or repair jobs (a drive's rebuild) begun *after* the
  command was issued, the runner decided on a healthy view it could not have refreshed: that
  ``resync-before-next`` (and any volume loss of the restart) is a fault loss.
- ``resync-before-next``: the runner restarts a node while a repair job or an unavailable
  fault domain owed to *another* domain exists (a node's own, or its rack/chassis mates',
  does not forbid it: one domain away; Suspend-ClusterNode refuses while storage is degraded).
- ``workload-availability``: the runner restarts a node still hosting running VMs. VMs a
  forced drain (force_pause_and_drain) stops are consented downtime: ``consented``.
- ``max-nodes-out``: more than ``max_nodes_out`` nodes out of service because of the runner
  (from its suspend or restart until resumed / back Up unpaused). Checked at finish, where a
  node the report lists as Failed or PartiallyFailed stops counting from its ``node-status``
  event (or the runner's last action on it): a failed node may be left paused on purpose.
- ``nodes-resumed``: at finish a node paused by the runner is still paused and the report
  does not list it as Failed or PartiallyFailed.
- ``failure-budget``: at finish — reported attempts ≤ max_retries_per_node; attempts seen
  by the world (pre-script runs, or suspends that paused the node) ≤ that budget and ≤ the
  reported count; once failed nodes exceed max_failed_nodes no node is suspended or
  restarted any more and the run is not Succeeded.
- ``termination``: the report has a final status and the run ended within StopAfter plus
  ``STOP_GRACE`` (else within ``termination_bound`` of the scenario).
- ``mixed-mode-migration`` (only for runs in which the cluster ran more than one OS version,
  and listed only then): no drain or failback of the runner's asked for a live migration the
  mixed-version cluster refused (``simulator.mixed_mode``).
- ``vm-version-downtime`` and the ``cluster_versions`` report-truth: ``simulator.post_upgrade``.
- ``report-truth``: the report states only what the world saw (Succeeded nodes updated,
  booted after install, Up and not paused; attempts, restarts, boot types; Failed nodes
  with evidence): ``self.truth``, rules in ``simulator.report_truth``.
- ``redundancy-margin``: each suspend or restart of the runner's leaves the cluster able to
  lose one more node (``simulator.oracle_margin``, which says when it does not apply).
Offline runs get ``simulator.oracle_offline``'s invariants; the rolling ones they waive
are reported ``not_applicable`` with the reason.

Must not: read the runner's view, change the world, or depend on dict/set iteration order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.types import SummaryStatus
from simulator.oracle_margin import MARGIN_INVARIANT, MarginJudge
from simulator.oracle_offline import NOT_APPLICABLE
from simulator.report_passes import Pass, ledger_within, report_passes
from simulator.report_truth import TruthLedger
from simulator.transport import COMMAND_SECONDS
from simulator.violation import Violation
from simulator.world_port import GroundTruth

__all__ = ["FAILED_STATUSES", "INVARIANTS", "STOP_GRACE", "Oracle", "Violation"]

INVARIANTS = (
    "quorum",
    "storage-redundancy",
    "resync-before-next",
    "workload-availability",
    "max-nodes-out",
    "nodes-resumed",
    "failure-budget",
    "termination",
    "report-truth",
    MARGIN_INVARIANT,
)
STOP_GRACE = 600.0
# A node that ended Failed or PartiallyFailed did not complete: it may be left paused, it
# stops counting as "out" once final, and it counts against MaxFailedNodes.
FAILED_STATUSES = (SummaryStatus.FAILED.value, SummaryStatus.PARTIALLY_FAILED.value)


class Oracle:
    def __init__(self, world: GroundTruth, margin: MarginJudge) -> None:
        self.world, self.margin = world, margin  # margin: redundancy-margin's judge
        self._offline = world.profile.mode == "offline"  # its own invariants: oracle_offline
        self.live: list[Violation] = []
        self.violations: list[Violation] = []
        self.out_since: dict[str, float] = {}
        self.out_intervals: list[tuple[str, float, float]] = []
        self.paused_by_runner: dict[str, bool] = {}
        self.suspends: dict[str, list[float]] = {}  # per node: when it was newly paused
        self.pre_scripts: dict[str, list[float]] = {}  # per node: when a pre-script began
        self.last_action: dict[str, float] = {}
        self.disruptions: list[tuple[float, str, str]] = []
        self.away_at_restart: dict[str, list[str]] = {}  # other domains away at its restart
        self.fault_losses: list[Violation] = []
        self.restart_raced = False  # the restart being made raced a fault (see _raced)
        self.consented: list[dict[str, Any]] = []  # VMs a forced drain stopped (the profile's)
        self.truth = TruthLedger(world)  # report-truth's ground truth (its own module)

    def _now(self) -> float:
        return float(self.world.env.now)

    def violate(self, invariant: str, detail: str, time: float | None = None) -> None:
        when = self._now() if time is None else time
        self.live.append(Violation(invariant=invariant, time=when, detail=detail))
        self.violations = list(self.live)
        self.world.record("violation", None, f"{invariant}: {detail}")

    # -- hooks the world calls ---------------------------------------------------------------
    def touched(self, node: str) -> None:
        self.last_action[node] = self._now()

    def script_started(self, node: str, kind: str) -> None:
        if kind == "pre":
            self.pre_scripts.setdefault(node, []).append(self._now())

    def suspended(self, node: str, *, newly_paused: bool) -> None:
        self.disruptions.append((self._now(), node, "suspended"))
        self.paused_by_runner[node] = True
        if newly_paused:
            self.suspends.setdefault(node, []).append(self._now())
        if node not in self.out_since:
            self._margin(node, [])
        self._out(node)

    def restarting(self, node: str, running_vms: list[str], degraded: list[str]) -> None:
        self.disruptions.append((self._now(), node, "restarted"))
        raced = self._raced(node, degraded)
        self.restart_raced = bool(raced)
        storage = self.world.storage
        mates = self.world.scenario.cluster.domain_mates(node)  # its rack/chassis, or itself
        away = [n for n in storage.away if n not in mates] if storage is not None else []
        self.away_at_restart[node] = [] if raced else away
        if raced:
            self._fault_loss(
                "resync-before-next",
                f"{node} restart was in flight when storage degraded: {', '.join(raced)}",
            )
            degraded = []
        self._margin(node, raced)
        if running_vms and self._offline:
            self.world.offline.judge.hard_stop(f"{node} restarted", running_vms)
        if running_vms:
            shown = ", ".join(running_vms[:5]) + (" …" if len(running_vms) > 5 else "")
            self.violate(
                "workload-availability",
                f"{node} restarted while hosting {len(running_vms)} running VM(s): {shown}",
            )
        if degraded:
            self.violate(
                "resync-before-next",
                f"{node} restarted while storage was not healthy: {'; '.join(degraded)}",
            )
        self._out(node)

    def forced_failover(self, node: str, vms: list[str]) -> None:
        """A forced drain stopped ``vms``: consented downtime (``consented``, no violation)."""
        shown = ", ".join(vms[:5]) + (" …" if len(vms) > 5 else "")
        detail = f"forced drain of {node} stopped {len(vms)} VM(s), failed over: {shown}"
        if vms:
            self.consented.append({"time": round(self._now(), 3), "detail": detail})

    def resumed(self, node: str) -> None:
        self.paused_by_runner[node] = False
        self._back(node)

    def back_up(self, node: str, *, paused: bool) -> None:
        if not paused:
            self._back(node)

    def quorum_lost(self, what: str, node: str, *, by_runner: bool) -> None:
        if by_runner:
            self.violate("quorum", f"{what} lost quorum when the runner took {node} down")
        else:
            self._fault_loss("quorum", f"{what} lost quorum when a fault took {node} down")

    def volume_offline(self, volume: str, why: str, *, by_runner: bool = True) -> None:
        """A volume went offline; blame the runner per the attribution rule above."""
        detail = f"volume {volume} went offline: {why}"
        culprits = self._runner_held_unsafely()
        if by_runner and self.restart_raced:
            self._fault_loss("storage-redundancy", detail + " (a fault hit during the restart)")
        elif by_runner or culprits:
            if culprits and not by_runner:
                detail += f" (the runner took {', '.join(culprits)} down on degraded storage)"
            self.violate("storage-redundancy", detail)
        else:
            self._fault_loss("storage-redundancy", detail)

    def _raced(self, node: str, degraded: list[str]) -> list[str]:
        """Domains away or repair jobs begun since ``node``'s restart was issued (the race)."""
        storage = self.world.storage
        if storage is None or not degraded:
            return []
        issued = self._now() - COMMAND_SECONDS
        mates = self.world.scenario.cluster.domain_mates(node)
        others = [n for n in storage.away if n not in mates]
        only_away = len(degraded) == len(others)
        if others and only_away and all(storage.away[n] > issued for n in others):
            return others
        fresh = {f"{j.name} running" for j in storage.jobs.values() if j.since > issued}
        return sorted(fresh) if not others and set(degraded) <= fresh else []

    def _runner_held_unsafely(self) -> list[str]:
        """Nodes still away because the runner restarted them while another domain was away."""
        storage = self.world.storage
        if storage is None:
            return []
        return [
            name
            for name in storage.away
            if self.world.nodes[name].restart_by_runner
            and not self.world.nodes[name].up
            and self.away_at_restart.get(name)
        ]

    def _fault_loss(self, invariant: str, detail: str) -> None:
        self.fault_losses.append(Violation(invariant=invariant, time=self._now(), detail=detail))
        self.world.record("fault-loss", None, f"{invariant}: {detail}")

    def _margin(self, node: str, raced: list[str]) -> None:
        found = None if self._offline else self.margin.taken_out(node, [*self.out_since], raced)
        if found is not None:
            self.violate(MARGIN_INVARIANT, found)

    def _out(self, node: str) -> None:
        self.out_since.setdefault(node, self._now())

    def _back(self, node: str) -> None:
        since = self.out_since.pop(node, None)
        if since is not None:
            self.out_intervals.append((node, since, self._now()))

    # -- at the end --------------------------------------------------------------------------
    def fault_loss_section(self) -> list[dict[str, Any]]:
        """Losses injected faults caused while the runner acted legitimately (not violations)."""
        return [
            {"invariant": v.invariant, "time": round(v.time, 3), "detail": v.detail}
            for v in self.fault_losses
        ]

    def finish(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """Run the report-dependent checks and return the invariants section."""
        final: list[Violation] = []
        passes = report_passes(report, tuple(self.world.profile.plugin))
        nodes = {str(n.get("name")): n for p in passes for n in p.report.get("nodes", []) or []}
        final += self._check_max_out(self._failed_times(report, nodes))
        final += self._check_resumed(nodes)  # a node's latest pass says how it ended
        final += self._check_termination(report) + self.world.post.truth(report)
        for one in passes:  # per-node entries against the world, pass by pass
            mine = {str(n.get("name")): n for n in one.report.get("nodes", []) or []}
            failed_at = self._failed_times(one.report, mine)
            final += self._check_budget(one.report, mine, failed_at, one)
            truth = ledger_within(self.truth, one).check(one.report, self._final_times(one.report))
            final += [Violation(invariant="report-truth", time=t, detail=d) for t, d in truth]
        waived = NOT_APPLICABLE if self._offline else {}  # reported by the judge's verdicts
        kept = [v for v in self.live + final if v.invariant not in waived]
        self.violations = sorted(kept, key=lambda v: v.time)
        section: dict[str, Any] = {
            name: {
                "holds": not [v for v in self.violations if v.invariant == name],
                "violations": [
                    {"time": round(v.time, 3), "detail": v.detail}
                    for v in self.violations
                    if v.invariant == name
                ],
            }
            for name in INVARIANTS
        }
        section[MARGIN_INVARIANT].update(self.margin.waiver())  # where it cannot apply
        if self.consented:  # only runs with a forced drain (force_pause_and_drain) have it
            section["workload-availability"]["consented"] = self.consented
        if self._offline:  # the waived rolling invariants say why, then the offline ones
            section.update(self.world.offline.judge.verdicts(report))
        return section | self.world.mixed.section() | self.world.post.section()  # if they apply

    @staticmethod
    def _final_times(report: Mapping[str, Any]) -> dict[str, float]:
        """When each node became final: its last ``node-status`` event."""
        times: dict[str, float] = {}
        for event in report.get("events", []) or []:
            if event.get("kind") == "node-status" and event.get("node"):
                times[str(event["node"])] = float(event.get("time", 0.0))
        return times

    def _failed_times(
        self, report: Mapping[str, Any], nodes: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, float]:
        """When each node the report lists as Failed became final."""
        times: dict[str, float] = {}
        for event in report.get("events", []) or []:
            node = event.get("node")
            failed = event.get("detail") in FAILED_STATUSES
            if event.get("kind") == "node-status" and failed and node:
                times.setdefault(str(node), float(event.get("time", 0.0)))
        for name, node in nodes.items():
            if node.get("status") in FAILED_STATUSES and name not in times:
                times[name] = self.last_action.get(name, self._now())
        return times

    def _check_max_out(self, failed_at: Mapping[str, float]) -> list[Violation]:
        limit = self.world.profile.nodes_out_limit(len(self.world.nodes))  # auto: every node
        now = self._now()
        spans = self.out_intervals + [(n, s, now) for n, s in self.out_since.items()]
        edges: list[tuple[float, int, str]] = []
        for node, start, end in spans:
            end = min(end, failed_at.get(node, end))
            if end > start:
                edges += [(start, 1, node), (end, -1, node)]
        edges.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same instant
        out: list[str] = []
        found: list[Violation] = []
        for time, delta, node in edges:
            if delta < 0:
                out.remove(node)
                continue
            out.append(node)
            if len(out) > limit:
                found.append(
                    Violation(
                        invariant="max-nodes-out",
                        time=time,
                        detail=f"{len(out)} nodes out of service (limit {limit}): "
                        + ", ".join(out),
                    )
                )
        return found

    def _check_resumed(self, nodes: Mapping[str, Mapping[str, Any]]) -> list[Violation]:
        found, now = [], self._now()
        for name, sim in self.world.nodes.items():
            if sim.paused and self.paused_by_runner.get(name):
                status = nodes.get(name, {}).get("status")
                if status not in FAILED_STATUSES:
                    detail = f"{name} left Paused by the runner (reported {status})"
                    found.append(Violation(invariant="nodes-resumed", time=now, detail=detail))
        return found

    def _check_budget(
        self,
        report: Mapping[str, Any],
        nodes: Mapping[str, Mapping[str, Any]],
        failed_at: Mapping[str, float],
        window: Pass,
    ) -> list[Violation]:
        profile = self.world.profile

        def within(times: list[float]) -> int:
            return sum(1 for t in times if window.start <= t < window.end)

        budget = profile.max_retries_per_node
        now = self._now()
        found: list[Violation] = []

        def add(detail: str, time: float = now) -> None:
            found.append(Violation(invariant="failure-budget", time=time, detail=detail))

        for name in self.world.nodes:
            reported = int((nodes.get(name) or {}).get("attempts", 0) or 0)
            seen = within(self.suspends.get(name, []))
            if profile.pre_update_script:
                seen = max(seen, within(self.pre_scripts.get(name, [])))
            if reported > budget:
                add(f"{name} reports {reported} attempts, max_retries_per_node is {budget}")
            if seen > budget:
                add(f"{name} was attempted {seen} times, max_retries_per_node is {budget}")
            if seen > reported:
                add(f"{name} reports {reported} attempts but the world saw {seen}")
        limit = profile.max_failed_nodes if profile.max_failed_nodes is not None else 0
        order = sorted(failed_at.items(), key=lambda item: (item[1], item[0]))
        if len(order) > limit:
            exceeded = order[limit][1]
            for time, node, what in self.disruptions:
                if exceeded < time < window.end and not self._offline:
                    add(f"{node} {what} after failed nodes exceeded {limit}", time)
            if report.get("status") == SummaryStatus.SUCCEEDED.value:
                add(f"{len(order)} nodes failed (max {limit}) but the run reports Succeeded")
        return found

    def _check_termination(self, report: Mapping[str, Any]) -> list[Violation]:
        now = self._now()
        status = report.get("status")
        if status not in {s.value for s in SummaryStatus}:
            detail = f"the run has no final status ({status!r})"
            return [Violation(invariant="termination", time=now, detail=detail)]
        stop = self.world.profile.stop_after_minutes
        bound = stop * 60.0 + STOP_GRACE if stop is not None else self.world.termination_bound()
        if now > bound:
            detail = f"the run ended at {now:.0f} s, bound {bound:.0f} s"
            return [Violation(invariant="termination", time=now, detail=detail)]
        return []
