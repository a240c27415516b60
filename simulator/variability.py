"""Seeded variability: a scenario with distributions, realized for one seed.

Owns: ``realize`` — a scenario and a seed → the same scenario with every duration and rate
that is drawn (a distribution the file gives, or a plain number ``variability.spread``
widens) replaced by its draw.

Theory of operation: ``simulator.world`` builds every world from ``realize(scenario, seed)``,
so the rest of the simulator (nodes, Windows Update, workloads, storage, the bounds, the
known-issue switches) only ever sees constants, and the run's lower bound uses the very
values the run used. What is drawn, and how often:

- ``boot_minutes``, ``soft_boot_minutes``, ``scan_minutes``: once per node and run
  (stream ``boot_minutes/node3``); every boot or scan of that node in the run takes it;
- ``install_minutes``: once per update and node it is offered to
  (``install_minutes/KB5031364/node3``); a retry on that node takes the same time;
- ``migration_mb_s``: once per VM (``migration_mb_s/vm07``), for each of its migrations;
- ``repair_mb_s``: once per run (``repair_mb_s``); ``write_mb_s``: once per volume
  (``write_mb_s/vol01``).

Each stream is ``simulator.distributions.unit_draw(seed, key)``: adding a node or a VM
never shifts another's draw. Draws are rounded to 4 decimal places (and kept above 0 for
durations and the rates the simulator divides by). A scenario with no distribution and no
spread is returned unchanged — the same object — so its runs stay exactly as before.

Must not: run SimPy, read the wall clock, or use any randomness but ``unit_draw``.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from simulator.distributions import Distribution, LogNormal, unit_draw
from simulator.model import Scenario

__all__ = ["realize"]

_SMALLEST = 0.0001  # the least positive draw: a duration or a divisor is never 0


def _varies(scenario: Scenario) -> bool:
    spread = scenario.variability
    return bool(scenario.distributions) or (spread is not None and spread.spread != 1.0)


class _Draws:
    """The draws of one scenario and seed, each computed when first asked for."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed

    def distribution(self, kind: str, owner: str, value: float) -> Distribution | None:
        given = self.scenario.distributions
        found = given.get(f"{kind}/{owner}" if owner else kind)
        if found is not None:
            return found
        widen = self.scenario.variability
        if widen is not None and widen.widens(kind) and value > 0:
            return LogNormal(median=value, p95=value * widen.spread)
        return None

    def value(
        self, kind: str, owner: str, value: float, stream: str = "", *, positive: bool = True
    ) -> float:
        """The drawn ``kind`` of ``owner`` (stream ``kind/stream``, default the owner), or
        ``value`` when it is a constant."""
        distribution = self.distribution(kind, owner, value)
        if distribution is None:
            return value
        key = "/".join(part for part in (kind, stream or owner) if part)
        drawn = round(distribution.quantile(unit_draw(self.seed, key)), 4)
        return max(drawn, _SMALLEST) if positive else max(drawn, 0.0)


def realize(scenario: Scenario, seed: int) -> Scenario:
    """``scenario`` with every drawn duration and rate replaced by its draw for ``seed``."""
    if not _varies(scenario):
        return scenario
    draws = _Draws(scenario, seed)
    cluster = scenario.cluster
    nodes = tuple(
        replace(
            n,
            boot_minutes=draws.value("boot_minutes", n.name, n.boot_minutes),
            soft_boot_minutes=draws.value("soft_boot_minutes", n.name, n.soft_boot_minutes),
            scan_minutes=draws.value("scan_minutes", n.name, n.scan_minutes),
        )
        for n in cluster.nodes
    )
    names = cluster.node_names
    updates = tuple(
        replace(
            u,
            install_minutes_on=MappingProxyType(
                {
                    node: draws.value("install_minutes", u.id, u.install_minutes, f"{u.id}/{node}")
                    for node in (names if u.nodes is None else u.nodes)
                }
            ),
        )
        for u in scenario.updates
    )
    vms = tuple(
        replace(
            vm,
            migration_mb_s=draws.value(
                "migration_mb_s", "", float(cluster.migration_mb_s), vm.name
            ),
        )
        for vm in cluster.vms
    )
    storage = cluster.storage
    if storage is not None:
        volumes = tuple(
            replace(v, write_mb_s=draws.value("write_mb_s", v.name, v.write_mb_s, positive=False))
            for v in storage.volumes
        )
        repair = draws.value("repair_mb_s", "", float(storage.repair_mb_s))
        storage = replace(storage, repair_mb_s=repair, volumes=volumes)
    realized = replace(cluster, nodes=nodes, vms=vms, storage=storage)
    return replace(
        scenario,
        cluster=realized,
        updates=updates,
        distributions=MappingProxyType({}),
        variability=None,
    )
