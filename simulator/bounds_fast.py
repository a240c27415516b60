"""The fast policy's own lower bound, computed from the scenario alone (no simulation).

Owns: ``staged_spans`` (per node: the install done before its drain, and its span out of
service after it) and ``fast_lower_bound_seconds``.

Theory of operation: the fast policy takes at most ``k`` nodes out at once, ``k`` the most
that keep a margin of one node (``simulator.margin_rule``; a numeric ``max_nodes_out`` may
lower it), and installs quality updates while the node still runs its VMs (staged: the
first pass, when it holds only quality updates and no firmware). So a node is out for its
drain, its boots and any later pass (``simulator.bounds.node_out_seconds`` minus the staged
install; nothing at all when no update owes a restart: no drain), and that span follows its
staged install. The run lasts at least the shortest staged install plus the spans at ``k``
at once (``simulator.bounds.slots_bound``), and at least each node's install plus its span.
With Storage Spaces Direct the world refuses a suspend while storage is degraded, so spans
follow one another, each but the last followed by its node's resync: the data written to
every volume while the node's drives were away (from suspend to resume in storage
maintenance mode, else while it was down, and only its boots count then), at the pool's
repair rate, plus the scenario's ``space_settle_minutes``. Scans, command latency and the
storage wait's polling are not counted.

Must not: touch a SimPy environment or world state.
"""

from __future__ import annotations

from runner.profile import Profile
from simulator.bounds import node_out_seconds, slots_bound, update_passes
from simulator.margin_rule import safe_nodes_out
from simulator.model import Scenario
from simulator.storage_maintenance import maintenance_on_pause

__all__ = ["fast_lower_bound_seconds", "staged_spans"]


def staged_spans(scenario: Scenario, profile: Profile) -> dict[str, tuple[float, float]]:
    """Per node with updates: (its staged install, its span out after it) — see above."""
    spans: dict[str, tuple[float, float]] = {}
    for name, (drain, own) in node_out_seconds(scenario, profile).items():
        passes = update_passes(scenario, name)
        first = passes[0]
        if not all(u.kind == "quality" and not u.firmware for u in first):
            spans[name] = (0.0, drain + own)
            continue
        stage = sum(u.install_minutes_for(name) * 60.0 for u in first)
        restarts = any(u.restart for batch in passes for u in batch)
        spans[name] = (stage, drain + own - stage if restarts else 0.0)
    return spans


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
    if not staged:
        parts = {name: (0.0, stage + span) for name, (stage, span) in parts.items()}
    if not parts:
        return 0.0, k
    spans = {name: span for name, (_, span) in parts.items()}
    resyncs = _resync_seconds(scenario, profile, spans)
    first = min(stage for stage, _ in parts.values())
    if scenario.cluster.storage is not None:  # one after another, each resynced
        out = sum(spans.values()) + sum(resyncs) - max(resyncs, default=0.0)
    else:
        out = slots_bound(list(spans.values()), k)
    return max(first + out, max(stage + span for stage, span in parts.values())), k
