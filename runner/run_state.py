"""The state of one updating run between two engine steps: what a checkpoint holds.

Owns: ``RunState`` — one immutable value that says everything a coordinator knows of its run
(the resolved profile, node order, every node's ``NodeProgress``, the ``RunProgress`` around
them, why it ends early, the phase timing, seconds since it started) — and its JSON form for
the run journal (``encode_state`` / ``decode_state``).

Theory of operation: the engine keeps its working state in a few fields it replaces as it
goes (immutable snapshots, so a step is cheap); ``Engine.state`` assembles them into a
``RunState`` and ``Engine.restore`` puts a ``RunState`` back, as a whole. The journal
checkpoints that value after every step and a resumed coordinator restores it: no other
code reads or writes the engine's fields. The events of a run are not part of its state but
its log: the journal appends them.

Must not: do I/O, read a clock, or decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from runner.journal_codec import decode_as, encode
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.report import NodeReport

__all__ = ["RunState", "decode_state", "encode_state"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunState:
    """One run as its coordinator knows it after a step (see module docstring).

    ``nodes`` are in run order; ``progress.current`` is the node in flight (its snapshot may
    be newer than its entry in ``nodes`` while a step is under way); ``timing`` is the
    recorder's phase timing as JSON data; ``elapsed`` counts seconds of the run itself, so a
    resumed coordinator goes on from there (its downtime is not part of the run).
    """

    cluster: str
    profile: ResolvedProfile
    order: tuple[str, ...]
    s2d: bool
    nodes: tuple[NodeProgress, ...]
    progress: RunProgress
    error_id: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    timing: dict[str, Any]
    # A mode's own progress as JSON data (the offline update's ``OfflineProgress``); None
    # for CAU's rolling run.
    mode_state: dict[str, Any] | None = None
    # A feature-update run in its follow-up pass: the feature-update pass's node reports.
    feature_pass: tuple[NodeReport, ...] = ()

    def node(self, name: str) -> NodeProgress:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)


def encode_state(state: RunState, cache: dict[str, tuple[NodeProgress, Any]]) -> dict[str, Any]:
    """``state`` as JSON data. ``cache`` keeps each node's last encoding by identity: a node
    whose snapshot did not change since the last checkpoint is not encoded again, which
    keeps a checkpoint per poll cheap."""
    nodes: dict[str, Any] = {}
    for node in state.nodes:
        cached = cache.get(node.name)
        if cached is None or cached[0] is not node:
            cached = cache[node.name] = (node, encode(node))
        nodes[node.name] = cached[1]
    progress = state.progress
    data: dict[str, Any] = {
        "elapsed": state.elapsed,
        "cluster": state.cluster,
        "order": list(state.order),
        "profile": encode(state.profile),
        "s2d": state.s2d,
        "error_id": state.error_id,
        "error": state.error,
        "progress": encode(replace(progress, current=None)),
        "nodes": nodes,
        "timing": state.timing,
    }
    if state.mode_state is not None:
        data["mode_state"] = state.mode_state
    if state.feature_pass:
        data["feature_pass"] = [encode(report) for report in state.feature_pass]
    current = progress.current
    if current is not None:
        cached = cache.get(current.name)
        same = cached is not None and cached[0] is current
        data["current"] = current.name if same else encode(current)
    return data


def decode_state(data: dict[str, Any]) -> RunState:
    """The ``RunState`` that ``encode_state`` wrote."""
    nodes = {name: decode_as(NodeProgress, item) for name, item in data["nodes"].items()}
    order = tuple(data["order"])
    progress = decode_as(RunProgress, data["progress"])
    current = data.get("current")
    if isinstance(current, str):
        progress = replace(progress, current=nodes[current])
    elif current is not None:
        progress = replace(progress, current=decode_as(NodeProgress, current))
    return RunState(
        cluster=data["cluster"],
        profile=decode_as(ResolvedProfile, data["profile"]),
        order=order,
        s2d=bool(data["s2d"]),
        nodes=tuple(nodes[name] for name in order),
        progress=progress,
        error_id=data["error_id"],
        error=data["error"],
        elapsed=float(data["elapsed"]),
        timing=data["timing"],
        mode_state=data.get("mode_state"),
        feature_pass=tuple(decode_as(NodeReport, r) for r in data.get("feature_pass", ())),
    )
