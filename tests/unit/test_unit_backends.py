"""Sweep backends: the `--dask` value, the worker cap, chunks, and the local pool's map
(results in seed order, progress counted up to every seed)."""

from __future__ import annotations

import threading

import pytest

from runner.rehearsal import backends
from runner.rehearsal.backends import (
    DaskLocal,
    DaskScheduler,
    Processes,
    capped_workers,
    chunked,
    parse_dask,
    run_chunk,
)
from runner.rehearsal.pools import open_pool


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("local:1", DaskLocal(workers=1)),
        ("local:16", DaskLocal(workers=16)),
        ("tcp://127.0.0.1:8786", DaskScheduler(address="tcp://127.0.0.1:8786")),
        ("10.0.0.5:8786", DaskScheduler(address="tcp://10.0.0.5:8786")),
        ("tcp://sched.example.org:1", DaskScheduler(address="tcp://sched.example.org:1")),
        ("tcp://[::1]:8786", DaskScheduler(address="tcp://[::1]:8786")),
    ],
)
def test_dask_values_parse(value: str, expected: object) -> None:
    """local:N and scheduler addresses (tcp:// or bare HOST:PORT) name their backend."""
    assert parse_dask(value) == expected


@pytest.mark.parametrize(
    "value",
    ["local:0", "local:", "local:-1", "local:x", "", "x", "tcp://h", "tcp://h:0", "h:99999",
     "tls://h:8786", "tcp://h:87a6", "tcp://-h:1", "tcp://a b:1", "inproc://x"],
)  # fmt: skip
def test_bad_dask_values_are_refused_in_one_sentence(value: str) -> None:
    """Anything else is a ValueError whose message names the value and the forms expected."""
    with pytest.raises(ValueError) as caught:
        parse_dask(value)
    message = str(caught.value)
    assert repr(value) in message
    assert "local:" in message
    assert "\n" not in message


def test_workers_are_capped_at_the_seeds_and_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """500 requested for 5 seeds on 2 CPUs gives 2; the default is the CPU count."""
    monkeypatch.setattr(backends, "cpu_count", lambda: 2)
    assert capped_workers(500, 5) == 2
    assert capped_workers(500, 1) == 1
    assert capped_workers(None, 100) == 2
    assert capped_workers(1, 100) == 1
    monkeypatch.setattr(backends, "cpu_count", lambda: 64)
    assert capped_workers(500, 5) == 5
    assert capped_workers(None, 3) == 3


def test_chunks_cover_the_seeds_in_order() -> None:
    """Chunks are consecutive, cover every seed once, about four per worker, ≤ 32 seeds."""
    seeds = list(range(7, 1007))
    chunks = chunked(seeds, 2)
    assert [s for c in chunks for s in c] == seeds
    assert max(len(c) for c in chunks) <= 32
    assert chunked([3], 8) == [[3]]
    assert len(chunked(list(range(16)), 2)) == 8


def square_plus(offset: int, seed: int) -> int:
    """A picklable seed function for the pool tests."""
    return seed * seed + offset


def test_run_chunk_applies_the_function_to_each_seed() -> None:
    """run_chunk is function(context, seed) over the chunk, in order."""
    assert run_chunk(square_plus, 1, [3, 1, 2]) == [10, 2, 5]


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_pool_maps_in_seed_order_with_progress(jobs: int) -> None:
    """One process or a pool of two: results in seed order, progress rises to every seed."""
    seeds = list(range(40, 0, -1))
    seen: list[int] = []
    with open_pool(Processes(jobs=jobs)) as pool:
        assert pool.workers == jobs
        assert pool.label == ("1 local process" if jobs == 1 else "2 local processes")
        results = pool.map(square_plus, 5, seeds, seen.append)
    assert results == [s * s + 5 for s in seeds]
    assert seen == sorted(seen)
    assert seen[-1] == len(seeds)


def test_run_chunk_runs_one_seed_at_a_time_per_process() -> None:
    """Chunks run from several threads (a Dask worker's) never overlap in one process."""
    inside: list[int] = []
    overlaps: list[int] = []

    def record(_: None, seed: int) -> int:
        inside.append(seed)
        if len(inside) > 1:
            overlaps.append(seed)
        for _ in range(2000):  # long enough for the other thread to try to enter
            pass
        inside.pop()
        return seed

    threads = [
        threading.Thread(target=run_chunk, args=(record, None, list(range(k, k + 50))))
        for k in (0, 100, 200)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
