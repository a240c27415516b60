"""The nodes as ``observe`` shows them: one cached ``NodeView`` per node, rebuilt on change.

Owns: ``NodeViews`` — the tuple of ``runner.types.NodeView`` a ``ClusterView`` carries, in
node order, built from the nodes' ground truth (``simulator.nodes.SimNode``) and their
dynamic weights (``simulator.membership.ClusterQuorum``).

Theory of operation: observing must not rebuild every node's view after each change (a
64-node run observes thousands of times). The world says which node changed (``changed``)
and when quorum may have moved votes (``weights_moved``: a node left or joined, the witness
went or came back); only those nodes' views are rebuilt — for ``weights_moved``, those whose
dynamic weight differs from their view's. Between changes ``views`` returns the same tuple.

Must not: change nodes or quorum, or iterate sets (the nodes waiting for a rebuild are the
keys of a dict, in the order they changed).
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.types import NodeView
from simulator.membership import ClusterQuorum
from simulator.nodes import SimNode

__all__ = ["NodeViews"]


class NodeViews:
    """Cached per-node views of ``nodes``; weights from ``quorum``."""

    def __init__(self, nodes: Mapping[str, SimNode], quorum: ClusterQuorum) -> None:
        self._nodes = nodes
        self._quorum = quorum
        self._views: dict[str, NodeView] = {}
        self._stale: dict[str, None] = dict.fromkeys(nodes)
        self._weights_moved = False
        self._tuple: tuple[NodeView, ...] | None = None

    def changed(self, node: str) -> None:
        """``node``'s state, drain status, boot or build changed."""
        self._stale[node] = None
        self._tuple = None

    def weights_moved(self) -> None:
        """Quorum may have changed any node's dynamic weight."""
        self._weights_moved = True
        self._tuple = None

    def views(self) -> tuple[NodeView, ...]:
        if self._tuple is None:
            dynamic = self._quorum.dynamic
            if self._weights_moved:
                for name, view in self._views.items():
                    if view.dynamic_weight != dynamic[name]:
                        self._stale[name] = None
                self._weights_moved = False
            for name in self._stale:
                node = self._nodes[name]
                self._views[name] = NodeView(
                    name=node.name,
                    state=node.state,
                    drain_status=node.drain_status,
                    node_weight=node.spec.vote,
                    dynamic_weight=dynamic[name],
                    boot_id=node.boot_id,
                    os_build=node.os_build,
                    reachable=node.up,
                    version=node.version,
                    storage_maintenance=node.storage_maintenance,
                )
            self._stale.clear()
            # Filled in node order at the first call; a rebuilt view keeps its place.
            self._tuple = tuple(self._views.values())
        return self._tuple
