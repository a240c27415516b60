"""Fuzz: mutated bundled scenarios and profiles never crash, hang or write a bad report.

Every input is run as ``pycau simulate FILE --report R`` in process. It must exit 0, 1 or
2 — never an uncaught exception or a traceback — within the hang-detection deadline of
``fuzz_support.DEADLINE_SECONDS``; exit 2 is one ``error:`` line and leaves no report; exit 0
or 1 leaves a report that matches the report schema. A mutated profile is also read on its
own as a profile file (``load_profile`` and ``Profile.resolved``, what ``pycau run
--profile`` does): a ``Profile`` or an ``InputError``, nothing else.

The default suite tries a fixed (derandomized) set of inputs over the small bundled
scenarios in a few seconds; ``-m slow`` tries many more over every bundled scenario. Each
test prints how many inputs it tried and their exit codes (visible with ``pytest -s``).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fuzz_support
import pytest
from fuzz_support import (
    SCENARIOS,
    FuzzInput,
    InputHung,
    fuzz_inputs,
    invoke_with_deadline,
    load_seed,
)
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from runner.cli.output import load_report_schema
from runner.errors import InputError
from runner.validation import load_profile

# Small, quick seeds for the default suite (each simulates in well under 0.1 s).
FAST = ("four-node-rolling", "two-node-cloud-witness", "fault-install-failure",
        "fault-node-crash", "fault-coordinator-crash", "max-failed-nodes")  # fmt: skip
HOST = "four-node-rolling"  # the scenario a fuzzed profile is run in
RICH_PROFILE: dict[str, Any] = {
    "max_failed_nodes": 1, "max_retries_per_node": 3, "require_all_nodes_online": True,
    "node_order": ["node2", "node1", "node3", "node4"], "reboot_timeout_minutes": 15,
    "failback_mode": "policy", "pre_update_script": "C:\\ClusterStorage\\cau\\pre.ps1",
    "post_update_script": "C:\\ClusterStorage\\cau\\post.ps1", "warn_after_minutes": 300,
    "stop_after_minutes": 600, "soft_reboot": True, "wait_for_storage_repair_timeout_minutes": 60,
    "drain_timeout_minutes": 30, "validate_cluster": True, "validation_timeout_minutes": 30,
    "enable_credssp": True, "install_timeout_minutes": 120, "script_timeout_minutes": 30,
    "policy": "classic", "max_nodes_out": 1,
}  # fmt: skip
ALL = {path.stem: load_seed(path) for path in SCENARIOS}
DONORS = list(ALL.values())
REPORT = Draft202012Validator(load_report_schema())


def _profiles() -> dict[str, Any]:
    seeds: dict[str, Any] = {"rich": RICH_PROFILE}
    for name, scenario in ALL.items():
        if scenario.get("profile"):
            seeds[name] = scenario["profile"]
    return seeds


def _settings(examples: int, *, derandomize: bool) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,  # hang detection is the harness's deadline, not Hypothesis's
        derandomize=derandomize,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def check_simulate(fuzz: FuzzInput, directory: Path, codes: Counter[int]) -> None:
    """Run ``pycau simulate`` on one input and assert the exit-code contract."""
    scenario, report = directory / "scenario.yaml", directory / "report.json"
    scenario.write_bytes(fuzz.text)
    try:
        result = invoke_with_deadline(["simulate", "-q", str(scenario), "--report", str(report)])
    except InputHung as hung:
        raise AssertionError(f"hang: {hung}; input {fuzz.describe()}") from None
    codes[result.exit_code] += 1
    where = f"input {fuzz.describe()}\noutput:\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}; {where}"
    )
    assert result.exit_code in (0, 1, 2), where
    assert "Traceback" not in result.output, where
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, where
        assert lines[0].startswith("error: "), where
        assert not report.exists(), where
    else:
        errors = list(REPORT.iter_errors(json.loads(report.read_text(encoding="utf-8"))))
        assert errors == [], f"report does not match its schema ({errors[0].message}); {where}"


def check_profile_file(fuzz: FuzzInput, directory: Path, codes: Counter[str]) -> None:
    """Read one mutated profile as a file: a Profile or an InputError, nothing else."""
    path = directory / "profile.yaml"
    path.write_bytes(fuzz.text)
    try:
        load_profile(path).resolved(("node1", "node2", "node3", "node4"), str(path))
        codes["valid"] += 1
    except InputError:
        codes["InputError"] += 1


def run_fuzz(
    record_property: Callable[[str, object], None],
    what: str,
    test: Callable[[FuzzInput, Path], None],
    strategy: Any,
    examples: int,
    *,
    derandomize: bool,
    codes: Counter[Any],
) -> int:
    """Run ``test`` on up to ``examples`` inputs (``codes`` counts their outcomes); print
    and record how many were tried, and return it."""

    @_settings(examples, derandomize=derandomize)
    @given(fuzz=strategy)
    def one(fuzz: FuzzInput) -> None:
        with tempfile.TemporaryDirectory(prefix="pycau-fuzz-") as directory:
            test(fuzz, Path(directory))

    one()
    tried = sum(codes.values())
    print(f"\nfuzz {what}: {tried} inputs tried; exit codes {dict(sorted(codes.items()))}")
    record_property(f"fuzz_{what}_inputs", tried)
    return tried


def _scenario_fuzz(record_property: Any, seeds: dict[str, Any], examples: int, fixed: bool) -> None:
    codes: Counter[int] = Counter()

    def test(fuzz: FuzzInput, directory: Path) -> None:
        check_simulate(fuzz, directory, codes)

    tried = run_fuzz(record_property, "scenarios", test, fuzz_inputs(seeds, DONORS), examples,
                     derandomize=fixed, codes=codes)  # fmt: skip
    assert tried >= examples // 2
    assert codes[2] > 0, codes  # the mutations reach the validation …
    assert codes[0] + codes[1] > 0, codes  # … and past it, into simulated runs


def _profile_fuzz(record_property: Any, examples: int, fixed: bool) -> None:
    codes: Counter[int] = Counter()
    files: Counter[str] = Counter()
    host = ALL[HOST]

    def test(fuzz: FuzzInput, directory: Path) -> None:
        check_profile_file(fuzz, directory, files)
        profile_text = fuzz.text.decode("utf-8", "replace")
        scenario_text = (
            "\n".join(f"{k}: {json.dumps(v)}" for k, v in host.items() if k != "profile")
            + "\nprofile:\n"
            + "".join(f"  {line}\n" for line in profile_text.splitlines())
        )
        as_scenario = FuzzInput(seed=fuzz.seed, text=scenario_text.encode(), steps=fuzz.steps)
        check_simulate(as_scenario, directory, codes)

    run_fuzz(record_property, "profiles", test, fuzz_inputs(_profiles(), DONORS), examples,
             derandomize=fixed, codes=codes)  # fmt: skip
    print(f"fuzz profiles read as profile files: {dict(sorted(files.items()))}")
    assert files["InputError"] > 0, files
    assert files["valid"] > 0, files


def test_hang_detection_interrupts_a_run_past_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The harness's deadline stops a run that takes too long with InputHung (a failing
    test), instead of letting it hang the suite."""
    monkeypatch.setattr(fuzz_support, "DEADLINE_SECONDS", 0.05)
    slow = str(next(path for path in SCENARIOS if path.stem == "sixty-four-node-san"))
    with pytest.raises(InputHung):
        invoke_with_deadline(["simulate", "-q", slow])


def test_fuzzed_scenarios_exit_0_1_or_2(record_property: Any) -> None:
    """Mutated small bundled scenarios: exit 0, 1 or 2, no traceback, no hang (fixed set)."""
    _scenario_fuzz(record_property, {name: ALL[name] for name in FAST}, 80, fixed=True)


def test_fuzzed_profiles_exit_0_1_or_2(record_property: Any) -> None:
    """Mutated profiles: as a file a Profile or an InputError; in a scenario exit 0, 1 or 2."""
    _profile_fuzz(record_property, 40, fixed=True)


@pytest.mark.slow
def test_fuzzed_scenarios_many(record_property: Any) -> None:
    """Many more mutated inputs over every bundled scenario (random each run)."""
    _scenario_fuzz(record_property, ALL, 3000, fixed=False)


@pytest.mark.slow
def test_fuzzed_profiles_many(record_property: Any) -> None:
    """Many more mutated profiles (random each run)."""
    _profile_fuzz(record_property, 1000, fixed=False)
