"""Swarm sweeps of the fast policy (slow): on the eight-node three-way mirror and the
64-node SAN cluster, every seed's run ends with a final status and no invariant — the
redundancy margin included — is violated.

The figures for 1,000 seeds of each were run by hand (``pycau sweep … --seeds 1000``, see
CHANGELOG.md); this test runs fewer to stay within the slow suite's time."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.rehearsal.backends import Processes
from runner.rehearsal.pools import open_pool
from runner.rehearsal.sweep import ScenarioSource, SeedOutcome, run_seeds

ROOT = Path(__file__).resolve().parents[2]
FAST = "profile:\n  policy: fast\n  max_nodes_out: auto\nexpect:\n"


def fast_source(name: str) -> ScenarioSource:
    """A bundled scenario with the fast policy and ``max_nodes_out: auto`` (as data)."""
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
    if "policy: fast" not in text:
        assert "\nprofile:" not in text, "the scenario has a profile block of its own"
        text = text.replace("expect:\n", FAST, 1)
    return ScenarioSource(source=f"{name} (fast)", text=text)


def sweep(name: str, seeds: int) -> list[SeedOutcome]:
    with open_pool(Processes(jobs=2)) as pool:
        return run_seeds(fast_source(name), list(range(seeds)), pool)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "seeds"), [("eight-node-three-way-mirror", 300), ("fast-sixty-four-node-san", 40)]
)
def test_fast_sweep_finishes_every_run_without_a_violation(name: str, seeds: int) -> None:
    """Every seed (swarm faults) ends with a final status; no invariant is violated."""
    outcomes = sweep(name, seeds)
    assert len(outcomes) == seeds
    assert [o.seed for o in outcomes if not o.finished] == []
    violated = [(o.seed, v.invariant, v.detail) for o in outcomes for v in o.violations]
    assert violated == []
    assert any(o.fired.get("node-crash") for o in outcomes)
