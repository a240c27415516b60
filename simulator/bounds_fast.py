"""The fast policy's own lower bound, computed from the scenario alone (no simulation).

Owns: ``staged_spans`` (per node: what it does before its drain, and its span out of
service after it), ``fast_lower_bound_seconds`` and ``policy_lower_bound_seconds`` (the
bound of the run the profile's policy makes: the report's ``lower_bound_seconds``).

Theory of operation — each term, and why no run of the fast policy can beat it:

- ``k``: the fast policy takes at most ``k`` nodes out at once, ``k`` the most that keep a
  margin of one node (``simulator.margin_rule``; a numeric ``max_nodes_out`` may lower it).
- Before the drain (``staged_spans``' first element): every node scans first (SCAN comes
  before any drain, ``runner.lifecycle``): its ``scan_minutes``; and when its first pass
  holds only quality updates and no firmware the fast policy installs them there, while
  the node still runs its VMs (staged): their install minutes.
- Out of service (its second element): the drain with every migration slot busy, its boots
  and any later pass (``simulator.bounds.node_out_seconds`` minus the staged install), and
  one re-scan: a drained node resumes only after the RESCAN that follows its last restart
  (or install), so at least one ``scan_minutes`` of it is spent out. A node none of whose
  updates owes a restart is never drained: no span at all. Without staging (a pre-update
  script) the installs move into the span, the scan stays before it.
- The run lasts at least the shortest time before a drain plus the spans at ``k`` at once
  (``simulator.bounds.slots_bound``; no span can start before some node has scanned and
  staged), and at least each node's time before plus its span (one node's own chain).
- With Storage Spaces Direct the world refuses a suspend while storage is degraded, so
  spans follow one another, each but the last followed by its node's resync: the data
  written to every volume while the node's drives were away (from suspend to resume in
  storage maintenance mode, else while it was down, and only its boots count then), at the
  pool's repair rate, plus the scenario's ``space_settle_minutes``. With rack or chassis
  fault domains (``cluster.fault_domains``) a domain's nodes may be out together (the world
  lets a node go while only its own domain's are away): the domains follow one another, each
  lasting at least its longest node span, each but the last followed by its resync — a node
  away owes its share (``1/n`` of its domain's ``n`` nodes) of the data written meanwhile.

Not counted (so the bound stays below every run): command latency, polling cadence, the
storage wait's polling, the serial turns of the coordinator, and migrations that queue at
busy destinations. Scan, boot, install and drain times are the scenario's own (nominal)
figures.

Must not: touch a SimPy environment or world state.
"""

from __future__ import annotations

from runner.profile import AUTO, Profile
from simulator.bounds import lower_bound_seconds, node_out_seconds, slots_bound, update_passes
from simulator.margin_rule import safe_nodes_out
from simulator.model import Scenario
from simulator.storage_maintenance import maintenance_on_pause

__all__ = ["fast_lower_bound_seconds", "policy_lower_bound_seconds", "staged_spans"]


def staged_spans(scenario: Scenario, profile: Profile) -> dict[str, tuple[float, float]]:
    """Per node with updates: (its scan and staged install, its span out after them,
    re-scan included) — see above."""
    scans = _scan_seconds(scenario)
    spans: dict[str, tuple[float, float]] = {}
    for name, (drain, own) in node_out_seconds(scenario, profile).items():
        scan = scans[name]
        passes = update_passes(scenario, name)
        first = passes[0]
        if not all(u.kind == "quality" and not u.firmware for u in first):
            spans[name] = (scan, drain + own + scan)
            continue
        stage = sum(u.install_minutes_for(name) * 60.0 for u in first)
        restarts = any(u.restart for batch in passes for u in batch)
        spans[name] = (scan + stage, drain + own - stage + scan if restarts else 0.0)
    return spans


def _scan_seconds(scenario: Scenario) -> dict[str, float]:
    """Per node: one Windows Update scan (its ``scan_minutes``)."""
    return {node.name: node.scan_minutes * 60.0 for node in scenario.cluster.nodes}


def _resync_seconds(scenario: Scenario, profile: Profile, spans: dict[str, float]) -> list[float]:
    """Per node out: the resync after its span (Storage Spaces Direct; see above)."""
    storage = scenario.cluster.storage
    if storage is None:
        return []
    written = sum(v.write_mb_s for v in storage.volumes)  # MB/s while a domain is away
    parts = node_out_seconds(scenario, profile)
    found: list[float] = []
    for node in scenario.cluster.nodes:
        span = spans.get(node.name, 0.0)
        if span <= 0:
            continue
        installs = sum(
            u.install_minutes_for(node.name) * 60.0
            for batch in update_passes(scenario, node.name)
            for u in batch
        )
        held = maintenance_on_pause(storage.maintenance_mode, node.os_build)
        away = span if held else parts[node.name][1] - installs  # the whole span, or boots
        found.append(written * away / storage.repair_mb_s + storage.space_settle_minutes * 60.0)
    return found


def _domains_out(scenario: Scenario, spans: dict[str, float], resyncs: list[float]) -> float:
    """Storage Spaces Direct with fault domains: each domain's longest span, one domain after
    another, each but the last followed by its resync (its nodes' shares; see above)."""
    cluster = scenario.cluster
    longest: dict[str, float] = {}
    owed: dict[str, float] = {}
    out_nodes = [n.name for n in cluster.nodes if spans.get(n.name, 0.0) > 0]
    for name, resync in zip(out_nodes, resyncs, strict=True):
        domain = cluster.fault_domain(name)
        share = len(cluster.domain_mates(name)) or 1
        longest[domain] = max(longest.get(domain, 0.0), spans[name])
        owed[domain] = owed.get(domain, 0.0) + resync / share
    return sum(longest.values()) + sum(owed.values()) - max(owed.values(), default=0.0)


def fast_lower_bound_seconds(
    scenario: Scenario, profile: Profile, limit: int | None = None, *, staged: bool = True
) -> tuple[float, int]:
    """The fast policy's own lower bound (see above) and ``k``. ``limit``: a numeric
    ``max_nodes_out`` (None: ``auto``); ``staged``: whether quality updates install before
    the drain (the fast policy's default; not with a pre-update script)."""
    k = max(1, safe_nodes_out(scenario).nodes)
    if limit is not None:
        k = max(1, min(k, limit))
    parts = staged_spans(scenario, profile)
    if not staged:  # the installs move into the span; the scan stays before the drain
        scans = _scan_seconds(scenario)
        parts = {
            name: (scans[name], before - scans[name] + span)
            for name, (before, span) in parts.items()
        }
    if not parts:
        return 0.0, k
    spans = {name: span for name, (_, span) in parts.items()}
    resyncs = _resync_seconds(scenario, profile, spans)
    first = min(stage for stage, _ in parts.values())
    if scenario.cluster.storage is not None and scenario.cluster.fault_domains is not None:
        out = _domains_out(scenario, spans, resyncs)
    elif scenario.cluster.storage is not None:  # one after another, each resynced
        out = sum(spans.values()) + sum(resyncs) - max(resyncs, default=0.0)
    else:
        out = slots_bound(list(spans.values()), k)
    return max(first + out, max(stage + span for stage, span in parts.values())), k


def policy_lower_bound_seconds(scenario: Scenario, profile: Profile) -> float:
    """The lower bound of the run ``profile``'s policy makes: fast's own with ``policy:
    fast`` (a fast run beats the one-at-a-time bound), else ``bounds.lower_bound_seconds``."""
    if not profile.fast:
        return lower_bound_seconds(scenario, profile)
    limit = None if profile.max_nodes_out == AUTO else int(profile.max_nodes_out)
    staged = not profile.pre_update_script  # a pre-update script keeps installs in the span
    return fast_lower_bound_seconds(scenario, profile, limit, staged=staged)[0]
