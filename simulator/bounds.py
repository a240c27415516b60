"""Time bounds of a run computed from the scenario alone (no simulation).

Owns: ``update_passes`` (what each install/restart pass on a node would install, following
the multi-pass ``after:`` rule), ``lower_bound_seconds`` (a simple lower bound of a rolling
run: per node with updates, the drain with all migration slots busy + every install + every
boot; of an offline update, where every node installs and restarts at once, the slowest
node's installs and boots) and ``termination_bound_seconds`` (a generous upper bound used
by the oracle's ``termination`` check when the profile sets no StopAfter).

Must not: touch a SimPy environment or world state.
"""

from __future__ import annotations

from runner.profile import Profile
from runner.run_option_types import soft_restart_asked
from simulator.model import Scenario, UpdateSpec

__all__ = ["lower_bound_seconds", "termination_bound_seconds", "update_passes"]


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


def lower_bound_seconds(scenario: Scenario, profile: Profile) -> float:
    cluster = scenario.cluster
    slots = max(1, cluster.max_parallel_migrations)
    # Each node's migrations in VM order, grouped in one pass (not a VM scan per node).
    migrations: dict[str, list[float]] = {node.name: [] for node in cluster.nodes}
    for vm in cluster.vms:
        rate = vm.migration_mb_s or cluster.migration_mb_s
        migrations.setdefault(vm.owner, []).append(vm.memory_gb * 1024.0 / rate)
    total = 0.0
    slowest = 0.0  # the offline update: every node at once
    for node in cluster.nodes:
        passes = update_passes(scenario, node.name)
        if not passes:
            continue
        moves = migrations[node.name]
        total += max(max(moves, default=0.0), sum(moves) / slots)
        own = 0.0
        for batch in passes:
            own += sum(u.install_minutes_for(node.name) * 60.0 for u in batch)
            if any(u.restart for u in batch):
                firmware = any(u.firmware or u.kind == "firmware" for u in batch)
                asked = soft_restart_asked(
                    profile.reboot_mode,
                    profile.soft_reboot_switch,
                    scenario.cluster.cau_enable_soft_reboot,
                )
                soft = asked and not firmware
                own += (node.soft_boot_minutes if soft else node.boot_minutes) * 60.0
        total += own
        slowest = max(slowest, own)
    return slowest if profile.mode == "offline" else total


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
