"""Given/Then steps of ``features/storage_maintenance.feature``: the OS version and the
scenario switch that choose the storage model, and the resync arithmetic read from the report.

Owns: the Given steps that set ``cluster.version`` and ``cluster.storage.maintenance_mode`` in
the scenario mapping, and the Then steps that compare each updated node's resync with
``Σ write_mb_s × paused seconds / repair_mb_s`` (the pause read from the report: the DRAIN
phase starts right after the suspend, the RESYNC phase right after the resume; within one
poll) or with the same run on another version.

Must not: rehearse except through the conftest's When steps (``same_run_with`` for the
comparison), or reach into the simulator's world. ``test_features.py`` star-imports it.
"""

from __future__ import annotations

from bdd_checks import Doc, Report, same_run_with, span, update_order
from pytest_bdd import given, parsers, then

from runner.timing import POLL_ACTIVE_SECONDS

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

SLACK = 3.0  # command and observe latencies around the suspend and the resume (seconds)


@given(parsers.re(r"the cluster runs Azure Stack HCI version (?P<version>\w+)"))
def cluster_version(scenario_doc: Doc, version: str) -> None:
    """``cluster.version``: every node runs that version's build."""
    scenario_doc["cluster"]["version"] = version


@given(parsers.re(r"storage maintenance mode is switched (?P<switch>on|off)"))
def maintenance_switch(scenario_doc: Doc, switch: str) -> None:
    """``cluster.storage.maintenance_mode``: forces the model whatever the nodes run."""
    scenario_doc["cluster"]["storage"]["maintenance_mode"] = switch == "on"


def _expected(doc: Doc, report: Report, name: str) -> tuple[float, float]:
    """(expected resync by the maintenance-mode arithmetic, reported resync) of ``name``."""
    storage = doc["cluster"]["storage"]
    paused = span(report, name, "resync")[0] - span(report, name, "drain")[0]
    written = sum(float(v["write_mb_s"]) for v in storage["volumes"]) * paused
    resync = span(report, name, "resync")
    return written / float(storage["repair_mb_s"]), resync[1] - resync[0]


@then(
    parsers.re(
        r"every updated node's resync (?P<took>took|never took) the write rate times its "
        r"pause over the repair rate"
    )
)
def resync_arithmetic(report: Report, scenario_doc: Doc, took: str) -> None:
    """Maintenance mode: resync = Σ write × paused / repair, within one poll; the older
    model repairs less (only the power-off), so its resync falls short of that figure."""
    names = update_order(report)
    assert names, "no node was updated"
    for name in names:
        expected, resync = _expected(scenario_doc, report, name)
        if took == "took":
            assert expected - SLACK <= resync <= expected + POLL_ACTIVE_SECONDS + SLACK, (
                name,
                expected,
                resync,
            )
        else:
            assert resync < expected - POLL_ACTIVE_SECONDS, (name, expected, resync)


@then(
    parsers.re(
        r"every updated node's resync was shorter than in the same run on version (?P<v>\w+)"
    )
)
def resync_shorter(
    report: Report, scenario_doc: Doc, scenario_source: dict[str, str], v: str
) -> None:
    """The older model repairs only the power-off: less than the whole pause would."""

    def on_version(doc: Doc) -> None:
        doc["cluster"]["version"] = v

    other = same_run_with(report, scenario_doc, scenario_source, on_version)
    for name in update_order(report):
        mine, theirs = span(report, name, "resync"), span(other, name, "resync")
        assert mine[1] - mine[0] < theirs[1] - theirs[0], (name, mine, theirs)
