"""Every bundled scenario's report stays byte-identical unless it is changed on purpose.

``golden_report_digests.json`` holds, per bundled scenario, the SHA-256 of its report as
``pycau simulate NAME --report`` writes it, without ``simulation.wall`` (wall-clock figures)
and ``simulation.counters.events`` (a measure of the simulator's work, not of the run).
A change of behaviour that changes a report on purpose updates the file:

    python tests/sim/test_sim_golden_reports.py --update

(``benchmarks/compare_reports.py`` compares whole reports and timelines, seeds included.)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden_report_digests.json")
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def report_digest(report: dict[str, Any]) -> str:
    """SHA-256 of the report's canonical JSON, without the wall figures and the event count."""
    simulation = dict(report["simulation"])
    simulation.pop("wall", None)
    simulation["counters"] = {k: v for k, v in simulation["counters"].items() if k != "events"}
    text = json.dumps({**report, "simulation": simulation}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rehearsed_digest(path: Path) -> str:
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import load_scenario

    return report_digest(rehearse(load_scenario(path)).to_dict())


def _golden() -> dict[str, str]:
    digests: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return digests


def test_every_bundled_scenario_has_a_golden_digest() -> None:
    """The golden file lists exactly the bundled scenarios (a new one is added on purpose)."""
    assert sorted(_golden()) == sorted(path.stem for path in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_report_is_byte_identical_to_its_golden_digest(path: Path) -> None:
    """The scenario's report (without wall figures and event count) is the golden one."""
    expected = _golden().get(path.stem)
    assert rehearsed_digest(path) == expected, (
        f"the report of {path.stem} changed; if on purpose, run "
        "`python tests/sim/test_sim_golden_reports.py --update` and say why in the commit"
    )


def test_digest_ignores_only_the_wall_figures_and_the_event_count() -> None:
    """Changing wall figures or the event count keeps the digest; any other field changes it."""
    report: dict[str, Any] = {
        "status": "Succeeded",
        "simulation": {"wall": {"seconds": 1.0}, "counters": {"events": 5, "observations": 3}},
    }
    same = json.loads(json.dumps(report))
    same["simulation"]["wall"]["seconds"] = 2.0
    same["simulation"]["counters"]["events"] = 9
    other = json.loads(json.dumps(report))
    other["simulation"]["counters"]["observations"] = 4
    assert report_digest(same) == report_digest(report) != report_digest(other)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python tests/sim/test_sim_golden_reports.py --update")
    sys.path.insert(0, str(ROOT))
    digests = {path.stem: rehearsed_digest(path) for path in SCENARIOS}
    GOLDEN.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(digests)} digests to {GOLDEN.relative_to(ROOT)}")
