"""Time bounds of a run computed from the scenario alone (no simulation).

Owns: ``update_passes`` (what each install/restart pass on a node would install, following
the multi-pass ``after:`` rule), ``node_out_seconds`` (per node with updates: the drain with
all migration slots busy, and every install + every boot), ``lower_bound_seconds`` (a
simple lower bound of a rolling run, one node at a time: the sum of those; of an offline
update, where every node installs and restarts at once, the slowest node's installs and
boots), ``wave_lower_bound_seconds`` (of a run with at most k nodes out at once),
``slots_bound`` (the least time spans take at most k at once) and
``termination_bound_seconds`` (a generous upper bound used by the oracle's ``termination``
check when the profile sets no StopAfter). These bounds assume a node's installs run while
it is out of service, as the classic policy does them, and count no scan, resync wait or
command latency; the fast policy's own bound is ``simulator.bounds_fast``'s.

Must not: touch a SimPy environment or world state.
"""

from __future__ import annotations

from runner.profile import Profile
from runner.run_option_types import soft_restart_asked
from simulator.model import Scenario, UpdateSpec

__all__ = [
    "lower_bound_seconds",
    "node_out_seconds",
    "slots_bound",
    "termination_bound_seconds",
    "update_passes",
    "wave_lower_bound_seconds",
]


def update_passes(scenario: Scenario, node: str) -> list[list[UpdateSpec]]:
    """The batches a node installs: each pass ends when a restart is needed or none is left."""
    installed: list[str] = []
    passes: list[list[UpdateSpec]] = []
    current: list[UpdateSpec] = []
    staged: list[str] = []
    while True:
        offered = [
            u
            for u in scenario.updates
            if (u.nodes is None or node in u.nodes)
            and u.id not in installed
            and u.id not in staged
            and (u.after is None or u.after in installed)
        ]
        if not offered:
            if staged:  # a restart makes the staged ones effective and may offer more
                installed += staged
                staged = []
                passes.append(current)
                current = []
                continue
            break
        for update in offered:
            current.append(update)
            (staged if update.restart else installed).append(update.id)
    if current:
        passes.append(current)
    return passes


def node_out_seconds(scenario: Scenario, profile: Profile) -> dict[str, tuple[float, float]]:
    """Per node with updates: (its drain with every migration slot busy, its installs and
    boots) — the least time it is out of service in a rolling run."""
    cluster = scenario.cluster
    slots = max(1, cluster.max_parallel_migrations)
    # Each node's migrations in VM order, grouped in one pass (not a VM scan per node).
    migrations: dict[str, list[float]] = {node.name: [] for node in cluster.nodes}
    for vm in cluster.vms:
        rate = vm.migration_mb_s or cluster.migration_mb_s
        migrations.setdefault(vm.owner, []).append(vm.memory_gb * 1024.0 / rate)
    soft_asked = soft_restart_asked(
        profile.reboot_mode, profile.soft_reboot_switch, cluster.cau_enable_soft_reboot
    )
    parts: dict[str, tuple[float, float]] = {}
    for node in cluster.nodes:
        passes = update_passes(scenario, node.name)
        if not passes:
            continue
        moves = migrations[node.name]
        own = 0.0
        for batch in passes:
            own += sum(u.install_minutes_for(node.name) * 60.0 for u in batch)
            if any(u.restart for u in batch):
                firmware = any(u.firmware or u.kind == "firmware" for u in batch)
                soft = soft_asked and not firmware
                own += (node.soft_boot_minutes if soft else node.boot_minutes) * 60.0
        parts[node.name] = (max(max(moves, default=0.0), sum(moves) / slots), own)
    return parts


def lower_bound_seconds(scenario: Scenario, profile: Profile) -> float:
    total = 0.0
    slowest = 0.0  # the offline update: every node at once
    for drain, own in node_out_seconds(scenario, profile).values():
        total += drain
        total += own
        slowest = max(slowest, own)
    return slowest if profile.mode == "offline" else total


def slots_bound(spans: list[float], nodes_out: int) -> float:
    """The least time ``spans`` take, each in one stretch, at most ``nodes_out`` at once."""
    k = max(1, nodes_out)
    spans = sorted(spans, reverse=True)
    bound = sum(spans) / k
    for j, first in enumerate(range(0, len(spans), k)):
        bound = max(bound, (j + 1) * spans[first])
    return bound


def wave_lower_bound_seconds(scenario: Scenario, profile: Profile, nodes_out: int) -> float:
    """A lower bound of any rolling run that has at most ``nodes_out`` nodes out at once
    (in waves or as places free up): each node is out for its ``node_out_seconds`` in one
    stretch, so the run lasts at least the total over ``nodes_out``, and — as among the
    ``j·nodes_out + 1`` longest nodes some ``j + 1`` are out one after another — at least
    ``(j + 1)`` times the ``(j·nodes_out + 1)``-th longest (``ceil(n / k)`` waves of equal
    nodes). Equal to ``lower_bound_seconds`` for ``nodes_out`` 1 (rolling)."""
    spans = [sum(p) for p in node_out_seconds(scenario, profile).values()]
    return slots_bound(spans, nodes_out)


def termination_bound_seconds(scenario: Scenario, profile: Profile) -> float:
    """Every node, every retry, every pass hitting every timeout — twice, plus an hour."""
    per_pass = (profile.install_timeout_minutes + profile.reboot_timeout_minutes) * 60.0
    total = 3600.0
    for node in scenario.cluster.nodes:
        passes = max(1, len(update_passes(scenario, node.name)))
        attempt = (
            2 * profile.script_timeout_minutes
            + profile.wait_for_storage_repair_timeout_minutes
            + profile.suspend_cluster_node_timeout_minutes
            + profile.drain_timeout_minutes
            + 60.0
        ) * 60.0 + passes * per_pass
        total += attempt * profile.max_retries_per_node
    return 2.0 * total
