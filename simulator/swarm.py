"""Swarm fault generation: one seed → one scenario with a random set of injected faults.

Owns: ``swarm_scenario`` (the scenario with generated ``faults``), ``swarm_types`` (the
fault types the swarm can generate, read from the registry ``simulator.faults.FAULT_TYPES``)
and ``GENERATORS`` (how each type's fields are drawn).

Theory of operation (swarm testing): rather than enabling every fault type in every run —
where faults mask each other — each seed first picks a random *subset* of the fault types
(each with probability ½, at least one), then fires one or two faults of each picked type
at random nodes and random minutes within the run's expected span. All draws come from ONE
``random.Random(seed)`` in a fixed order over the registry's (insertion-ordered) types, so a
scenario and a seed always give the same fault tuple. A type added to the registry later is
picked up when its class offers ``swarm_spec(rng, scenario, horizon_minutes)`` (a
classmethod returning a ``FaultSpec``) or a generator is listed in ``GENERATORS``; a type
with neither is left out (``swarm_types`` says which are in).

``script-failure`` needs the profile's scripts: when a seed picks it and the scenario's
profile sets no pre/post script, the generated scenario sets one (``SWARM_SCRIPTS``).

Faults at a rate (``pycau rehearse --faults RATE``): ``rate_faults`` draws a Poisson number
of faults with mean RATE per run, each of a type chosen evenly among ``swarm_types`` and
with that type's generated fields, from its own ``random.Random`` seeded with the text
``pycau-rate-faults/<seed>`` (so it never shares draws with the swarm's); ``rate_scenario``
adds them to the scenario's own faults.

Must not: run SimPy, read the wall clock, or use any randomness but the seed's ``Random``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from runner.profile import Profile
from simulator.bounds_fast import policy_lower_bound_seconds
from simulator.faults import FAULT_TYPES
from simulator.model import FaultSpec, Scenario

__all__ = [
    "GENERATORS",
    "SWARM_SCRIPTS",
    "rate_faults",
    "rate_scenario",
    "swarm_faults",
    "swarm_scenario",
    "swarm_types",
]

# Distinct paths: the world tells a pre- from a post-update script by its path.
SWARM_SCRIPTS: Mapping[str, str] = MappingProxyType(
    {"pre": "C:\\pycau\\swarm-pre.ps1", "post": "C:\\pycau\\swarm-post.ps1"}
)
_HRESULTS = ("0x80240022", "0x8024001E", "0x80070005", "0x800F0922")

Generator = Callable[[random.Random, Scenario, float], FaultSpec]


def _node(rng: random.Random, scenario: Scenario) -> str:
    return rng.choice(scenario.cluster.node_names)


def _minute(rng: random.Random, horizon: float) -> float:
    """A firing minute in (0, horizon], rounded so reproducer files stay readable."""
    return round(rng.uniform(0.5, max(1.0, horizon)), 1)


def _attempts(rng: random.Random) -> int:
    """Mostly a retry recovers (1 failing attempt); sometimes the node exhausts its budget."""
    return rng.choices((1, 2, 3, 4), weights=(6, 2, 1, 1))[0]


def _install_failure(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    updates = [u.id for u in scenario.updates]
    params: Mapping[str, Any] = {}
    if updates and rng.random() < 0.3:
        params = MappingProxyType({"update": rng.choice(updates)})
    return FaultSpec(
        type="install-failure",
        node=_node(rng, scenario),
        attempts=_attempts(rng),
        hresult=rng.choice(_HRESULTS),
        params=params,
    )


def _boot_hang(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    return FaultSpec(type="boot-hang", node=_node(rng, scenario))


def _drain_failure(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    return FaultSpec(type="drain-failure", node=_node(rng, scenario), attempts=_attempts(rng))


def _node_crash(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    down = None if rng.random() < 0.1 else round(rng.uniform(2.0, 45.0), 1)
    return FaultSpec(
        type="node-crash",
        node=_node(rng, scenario),
        at_minute=_minute(rng, horizon),
        down_minutes=down,
    )


def _script_failure(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    return FaultSpec(
        type="script-failure",
        node=_node(rng, scenario),
        script=rng.choice(("pre", "post")),
        attempts=_attempts(rng),
    )


def _timed(type_name: str, low: float, high: float) -> Generator:
    def generate(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
        return FaultSpec(
            type=type_name,
            at_minute=_minute(rng, horizon),
            params=MappingProxyType({"minutes": round(rng.uniform(low, high), 1)}),
        )

    return generate


def _slow_migration(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    factor = round(rng.uniform(1.5, 8.0), 1)
    return FaultSpec(type="slow-migration", params=MappingProxyType({"factor": factor}))


def _resync_stall(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    params: dict[str, Any] = {"minutes": round(rng.uniform(5.0, 60.0), 1)}
    storage = scenario.cluster.storage
    if storage is not None and storage.volumes and rng.random() < 0.5:
        params["volume"] = rng.choice([v.name for v in storage.volumes])
    return FaultSpec(
        type="resync-stall", attempts=rng.randint(1, 3), params=MappingProxyType(params)
    )


def _update_rollback(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    params: Mapping[str, Any] = {}
    restarting = [u.id for u in scenario.updates if u.restart]
    if restarting and rng.random() < 0.5:
        params = MappingProxyType({"update": rng.choice(restarting)})
    return FaultSpec(type="update-rollback", node=_node(rng, scenario), attempts=1, params=params)


def _disk_failure(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    return FaultSpec(
        type="disk-failure", node=_node(rng, scenario), at_minute=_minute(rng, horizon)
    )


def _coordinator_crash(rng: random.Random, scenario: Scenario, horizon: float) -> FaultSpec:
    return FaultSpec(
        type="coordinator-crash", params=MappingProxyType({"at_step": rng.randint(1, 40)})
    )


GENERATORS: Mapping[str, Generator] = MappingProxyType(
    {
        "install-failure": _install_failure,
        "boot-hang": _boot_hang,
        "drain-failure": _drain_failure,
        "node-crash": _node_crash,
        "script-failure": _script_failure,
        "management-disconnect": _timed("management-disconnect", 1.0, 30.0),
        "witness-offline": _timed("witness-offline", 1.0, 60.0),
        "slow-migration": _slow_migration,
        "resync-stall": _resync_stall,
        "update-rollback": _update_rollback,
        "disk-failure": _disk_failure,
        "coordinator-crash": _coordinator_crash,
    }
)


def _generator(type_name: str) -> Generator | None:
    cls = FAULT_TYPES.get(type_name)
    own = getattr(cls, "swarm_spec", None)
    if callable(own):
        return own  # type: ignore[no-any-return]
    return GENERATORS.get(type_name)


def swarm_types() -> tuple[str, ...]:
    """The registry's fault types the swarm generates, in registry order."""
    return tuple(name for name in FAULT_TYPES if _generator(name) is not None)


def _horizon_minutes(scenario: Scenario) -> float:
    """Minutes over which timed faults fire: the run's fault-free lower bound, plus a third
    (with the fast policy its own, waves', bound: the faults must strike within its run)."""
    names = scenario.cluster.node_names
    profile = Profile.from_mapping(scenario.profile, source=scenario.source)
    seconds = policy_lower_bound_seconds(scenario, profile.resolved(names, source=scenario.source))
    return max(10.0, seconds / 60.0 * 4.0 / 3.0)


def swarm_faults(scenario: Scenario, seed: int) -> tuple[FaultSpec, ...]:
    """The faults of ``seed``: a random subset of types, one or two faults of each."""
    rng = random.Random(seed)
    types = swarm_types()
    picked = [name for name in types if rng.random() < 0.5]
    if not picked and types:
        picked = [rng.choice(types)]
    horizon = _horizon_minutes(scenario)
    faults: list[FaultSpec] = []
    for name in picked:
        generate = _generator(name)
        assert generate is not None
        faults += [generate(rng, scenario, horizon) for _ in range(rng.randint(1, 2))]
    return tuple(faults)


def swarm_scenario(scenario: Scenario, seed: int) -> Scenario:
    """``scenario`` with ``seed`` and the swarm's faults for it (the scenario's own faults
    are replaced); sets the profile's scripts a generated ``script-failure`` needs."""
    return _with_faults(scenario, seed, swarm_faults(scenario, seed))


def rate_faults(scenario: Scenario, seed: int, rate: float) -> tuple[FaultSpec, ...]:
    """The faults of ``seed`` at ``rate`` faults per run on average (see module docstring)."""
    rng = random.Random(f"pycau-rate-faults/{seed}")
    types = swarm_types()
    count, threshold, product = 0, math.exp(-rate), rng.random()
    while product > threshold:  # Knuth's Poisson draw: count uniforms until their product
        count += 1  # falls below e^-rate
        product *= rng.random()
    horizon = _horizon_minutes(scenario)
    faults = []
    for _ in range(count if types else 0):
        generate = _generator(rng.choice(types))
        assert generate is not None
        faults.append(generate(rng, scenario, horizon))
    return tuple(faults)


def rate_scenario(scenario: Scenario, seed: int, rate: float) -> Scenario:
    """``scenario`` with ``seed``, its own faults and ``rate_faults`` for the seed added;
    sets the profile's scripts a generated ``script-failure`` needs."""
    drawn = rate_faults(scenario, seed, rate)
    return _with_faults(scenario, seed, (*scenario.faults, *drawn))


def _with_faults(scenario: Scenario, seed: int, faults: tuple[FaultSpec, ...]) -> Scenario:
    profile = dict(scenario.profile)
    for fault in faults:
        if fault.type == "script-failure":
            option = f"{fault.script}_update_script"
            if not profile.get(option):
                profile[option] = SWARM_SCRIPTS[str(fault.script)]
    return replace(scenario, seed=seed, faults=faults, profile=MappingProxyType(profile))
