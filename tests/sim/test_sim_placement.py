"""Placement without a scan: the heap picks what a scan of every node would, bit for bit."""

from __future__ import annotations

import random

import pytest

from simulator.placement import Hosts, Placement, in_index_order


def _scan(placement: Placement, memory: float, exclude: str | None, active: set[str]) -> str | None:
    """The placement rule as a scan in node order: most free memory that fits, first wins."""
    best, best_free = None, -1.0
    for name in placement.capacity:
        if name == exclude or name not in active:
            continue
        room = placement.free(name)
        if room >= memory and room > best_free:
            best, best_free = name, room
    return best


@pytest.mark.parametrize("seed", range(10))
def test_best_is_what_a_scan_of_every_node_picks(seed: int) -> None:
    """Through thousands of seeded takes, releases and pauses, best() equals the scan."""
    rng = random.Random(seed)
    names = [f"node{i}" for i in range(rng.randint(2, 12))]
    placement = Placement({n: rng.choice((64.0, 96.0, 128.0)) for n in names})
    active = set(names)
    taken: list[tuple[str, float]] = []
    for _ in range(3000):
        roll = rng.random()
        if roll < 0.4:
            node, memory = rng.choice(names), rng.choice((0.5, 1.0, 4.0, 8.0, 0.1))
            placement.take(node, memory)
            taken.append((node, memory))
        elif roll < 0.7 and taken:
            placement.release(*taken.pop(rng.randrange(len(taken))))
        elif roll < 0.8:
            active ^= {rng.choice(names)}
        memory = rng.choice((0.5, 4.0, 8.0, 16.0, 64.0))
        exclude = rng.choice([None, *names])
        expected = _scan(placement, memory, exclude, active)
        assert placement.best(memory, exclude, active.__contains__) == expected


def test_ties_go_to_node_order_and_nothing_fits_gives_none() -> None:
    """Equal room: the first node in order; the source and inactive nodes are never chosen."""
    placement = Placement({"a": 32.0, "b": 64.0, "c": 64.0})
    assert placement.best(8.0, None, lambda _: True) == "b"
    assert placement.best(8.0, "b", lambda _: True) == "c"
    assert placement.best(8.0, None, lambda name: name != "b") == "c"
    assert placement.best(65.0, None, lambda _: True) is None
    placement.take("b", 40.0)
    assert placement.best(8.0, None, lambda _: True) == "c"
    assert placement.free("b") == 24.0


def test_hosts_file_items_under_one_node_and_list_them_in_index_order() -> None:
    """Moving an item re-files it; a union of groups lists each item once, by index."""
    hosts: Hosts[str] = Hosts(["a", "b"])
    hosts.file(2, "vm2", "a", was=None)
    hosts.file(0, "vm0", "a", was=None)
    hosts.file(1, "vm1", "b", was=None)
    assert in_index_order(hosts.under("a")) == ["vm0", "vm2"]
    hosts.file(2, "vm2", "b", was="a")
    hosts.file(0, "vm0", None, was="a")
    assert in_index_order(hosts.under("a")) == []
    assert in_index_order(hosts.under("b"), {1: "vm1"}) == ["vm1", "vm2"]
