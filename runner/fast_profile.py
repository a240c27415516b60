"""The profile rules of the fast policy: ``max_nodes_out``, ``memory_reserve_percent``.

Owns: ``AUTO`` (``max_nodes_out: auto``), the load-time refusals of the fast policy's options
(``refuse_fast_options``: a ``max_nodes_out`` other than 1 without ``policy: fast``, fast with
the offline mode, a reserve outside 0–100 %) and the check against the cluster's node count
(``refuse_more_than_cluster``) — each one sentence for an ``InputError``.

Must not: read files, know the simulator, or import ``runner.profile`` (which calls these).
"""

from __future__ import annotations

from runner.errors import InputError

__all__ = ["AUTO", "MAX_NODES_OUT_REFUSAL", "refuse_fast_options", "refuse_more_than_cluster"]

AUTO = "auto"  # max_nodes_out auto: the largest number safe when each wave begins
FAST = "fast"
OFFLINE = "offline"

# Only the fast policy (``runner.fast_engine``) takes several nodes out at once; the classic
# policy is CAU's one node at a time, so anything else is refused with it.
MAX_NODES_OUT_REFUSAL = (
    "must be 1 with the classic policy, which updates one node at a time (CAU's run); more "
    "nodes out at once, or auto, needs policy: fast"
)


def refuse_fast_options(
    source: str, *, policy: str, mode: str, max_nodes_out: int | str, reserve: float
) -> None:
    """``InputError`` for fast-policy options that cannot apply (see module docstring)."""
    if isinstance(max_nodes_out, int) and max_nodes_out < 1:
        raise InputError(source, "$.max_nodes_out", "must be at least 1 (or auto)")
    if max_nodes_out != 1 and policy != FAST:
        raise InputError(source, "$.max_nodes_out", MAX_NODES_OUT_REFUSAL)
    if policy == FAST and mode == OFFLINE:
        raise InputError(
            source,
            "$.policy",
            "policy fast takes nodes out in waves of a rolling run; the offline update takes "
            "every node down at once: use one of them",
        )
    if not 0 <= reserve < 100:
        raise InputError(source, "$.memory_reserve_percent", "must be at least 0 and below 100")


def refuse_more_than_cluster(source: str, max_nodes_out: int | str, nodes: int) -> None:
    """``InputError`` when ``max_nodes_out`` is a number larger than the cluster's nodes."""
    if max_nodes_out != AUTO and int(max_nodes_out) > nodes:
        raise InputError(
            source,
            "$.max_nodes_out",
            f"is {max_nodes_out}, larger than the cluster's {nodes} node(s); give at most "
            f"{nodes} or auto",
        )
