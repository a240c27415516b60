"""The waves of a fast run in its plan (``pycau run`` and ``pycau run --what-if``).

Owns: ``render_waves`` — the waves ``runner.capacity.plan_waves`` makes of the run order on
the cluster as observed now, with the capacity facts the cluster answers: ``wave 1: node1,
node5 …`` and why each wave is not larger — the plan the run follows wave by wave (each wave
is sized again on the view of the moment it begins, never larger than the rule allows).

Must not: change the cluster (the plan is also ``--what-if``'s) or decide anything itself.
"""

from __future__ import annotations

from rich.console import Console

from runner.capacity import plan_waves
from runner.profile import Profile
from runner.transport import ClusterTransport
from runner.types import ClusterView

__all__ = ["render_waves"]


def render_waves(
    console: Console,
    transport: ClusterTransport,
    view: ClusterView,
    profile: Profile,
    order: tuple[str, ...],
) -> None:
    """Print the planned waves (see module docstring)."""
    waves = plan_waves(view, profile, transport.read_capacity_facts(), order)
    console.print(
        f"waves (policy fast, max_nodes_out {profile.max_nodes_out}): {len(waves)} wave(s); "
        "each wave's nodes go out together, the next begins when all are done",
        highlight=False,
    )
    for number, wave in enumerate(waves, start=1):
        why = f"  (limited by {wave.limited_by})" if wave.limited_by else ""
        console.print(f"  wave {number}: {', '.join(wave.nodes)}{why}", highlight=False)
