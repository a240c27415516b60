"""Memory-aware placement on the simulated nodes: which active node has the most room.

Owns: ``Placement`` — each node's memory capacity and use (migrations in flight reserve
memory on their target), and ``best``: among the active nodes other than the VM's source,
the one with the most free memory, if the VM fits there; ties go to node order. Also
``Hosts``, the VMs of each node by their index, so that a node's VMs are found without a
scan of the whole cluster.

Theory of operation: placing a VM must not scan every node (the drains of a 64-node
cluster move thousands of VMs). ``Placement`` keeps a heap of (−free memory, node order)
entries; each change of a node's use pushes a fresh entry and bumps the node's version, so
an entry whose version is old is stale and dropped when it reaches the top. A query sets
aside the current entries of inactive or excluded nodes and pushes them back. The heap is
rebuilt when stale entries outnumber the nodes four to one. Free memory is the same
``capacity - used`` difference a scan would compute, so the choice is the scan's, bit for
bit.

Must not: decide which nodes are active (the caller says), move VMs or schedule anything.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

__all__ = ["Hosts", "Placement", "in_index_order"]

_Item = TypeVar("_Item")


class Placement:
    """Memory capacity and use per node, and the best node for a VM of some size."""

    def __init__(self, capacity: Mapping[str, float]) -> None:
        self.capacity = dict(capacity)
        self.used = dict.fromkeys(self.capacity, 0.0)
        self._order = {name: index for index, name in enumerate(self.capacity)}
        self._version = dict.fromkeys(self.capacity, 0)
        self._heap: list[tuple[float, int, int, str]] = []
        self._rebuild()

    def free(self, node: str) -> float:
        return self.capacity[node] - self.used[node]

    def take(self, node: str, memory: float) -> None:
        """``memory`` GB more is used (or reserved) on ``node``."""
        self.used[node] += memory
        self._push(node)

    def release(self, node: str, memory: float) -> None:
        """``memory`` GB of ``node`` is free again."""
        self.used[node] -= memory
        self._push(node)

    def best(self, memory: float, exclude: str | None, active: Callable[[str], bool]) -> str | None:
        """The active node (not ``exclude``) with the most free memory, if ``memory`` fits."""
        heap, version = self._heap, self._version
        aside: list[tuple[float, int, int, str]] = []
        found: str | None = None
        while heap:
            entry = heap[0]
            name = entry[3]
            if entry[2] != version[name]:
                heapq.heappop(heap)  # stale: the node's use changed since
            elif name == exclude or not active(name):
                aside.append(heapq.heappop(heap))
            else:
                if -entry[0] >= memory:
                    found = name
                break
        for entry in aside:
            heapq.heappush(heap, entry)
        return found

    def _push(self, node: str) -> None:
        self._version[node] += 1
        entry = (-self.free(node), self._order[node], self._version[node], node)
        heapq.heappush(self._heap, entry)
        if len(self._heap) > 4 * len(self._order) + 64:
            self._rebuild()

    def _rebuild(self) -> None:
        self._heap = [
            (-self.free(name), order, self._version[name], name)
            for name, order in self._order.items()
        ]
        heapq.heapify(self._heap)


class Hosts(Generic[_Item]):
    """Items (VMs) filed under at most one node each, keyed by their index."""

    def __init__(self, nodes: Iterable[str]) -> None:
        self._by_node: dict[str, dict[int, _Item]] = {name: {} for name in nodes}

    def file(self, index: int, item: _Item, node: str | None, *, was: str | None) -> None:
        """Move ``item`` from under ``was`` to under ``node`` (either may be None)."""
        if was is not None:
            self._by_node[was].pop(index, None)
        if node is not None:
            self._by_node[node][index] = item

    def under(self, node: str) -> Mapping[int, _Item]:
        """The items under ``node`` by index (a live view: copy before changing them)."""
        return self._by_node[node]


def in_index_order(*groups: Mapping[int, _Item]) -> list[_Item]:
    """The items of ``groups``, each once, in index order (the order of a full scan)."""
    found: dict[int, _Item] = {}
    for group in groups:
        found.update(group)
    return [found[index] for index in sorted(found)]
