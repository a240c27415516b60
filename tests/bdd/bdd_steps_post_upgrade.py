"""Then steps of ``features/post_upgrade.feature``: the post-installation steps of a feature
update as the report's ``cluster_versions`` section and events show them, and the VM
downtime the oracle consented to.

Owns: the Then steps that read ``cluster_versions`` (the steps and their results, the
versions before and after, rollback_possible) and count the VMs off at once from the
``vm-stopped``/``vm-started`` events.

Must not: rehearse except through the conftest When steps or reach into the simulator's
world; ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

from bdd_checks import Report, events
from pytest_bdd import parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _steps(report: Report) -> list[dict[str, str]]:
    steps: list[dict[str, str]] = report["cluster_versions"]["post_steps"]
    return steps


@then(parsers.re(r"the post-installation steps were (?P<listed>.+)"))
def steps_were(report: Report, listed: str) -> None:
    """The section's steps, in order, with their results ("step result, step result")."""
    expected = [tuple(item.strip().split(" ")) for item in listed.split(",")]
    assert [(s["step"], s["result"]) for s in _steps(report)] == expected


@then("the post-installation steps began after every node of both passes was final")
def steps_after_nodes(report: Report) -> None:
    """The first post-step event comes after the last node-status event of the run."""
    first = min(e["time"] for e in events(report, kind="post-step"))
    assert max(e["time"] for e in events(report, kind="node-status")) <= first


@then(
    parsers.re(
        r"the cluster went from (?P<old>\w+) to (?P<new>\w+) with the functional level and the "
        r"pool version from (?P<low>\d+) to (?P<high>\d+)"
    )
)
def levels_rose(report: Report, old: str, new: str, low: str, high: str) -> None:
    """version, functional_level and storage_pool_version before and after."""
    section = report["cluster_versions"]
    assert section["version"] == {"before": old, "after": new}
    rose = {"before": int(low), "after": int(high)}
    assert section["functional_level"] == rose
    assert section["storage_pool_version"] == rose


@then(parsers.re(r"every VM went from configuration version (?P<old>[\d.]+) to (?P<new>[\d.]+)"))
def vms_upgraded(report: Report, old: str, new: str) -> None:
    """Each VM's configuration version before and after."""
    vms = report["cluster_versions"]["vm_config_versions"]
    assert vms
    assert {(v["before"], v["after"]) for v in vms} == {(old, new)}


@then(parsers.re(r"a rollback is (?P<state>no longer|still) possible"))
def rollback(report: Report, state: str) -> None:
    """rollback_possible: false once the functional level was raised."""
    assert report["cluster_versions"]["rollback_possible"] is (state == "still")


@then(parsers.re(r"at most (?P<count>\d+) VMs were off at once, and every VM runs again"))
def vms_off_at_once(report: Report, count: str) -> None:
    """The most VMs stopped and not yet started again, from the events; none left off."""
    off, most = 0, 0
    for event in report["events"]:
        off += {"vm-stopped": 1, "vm-started": -1}.get(event["kind"], 0)
        most = max(most, off)
    assert (most, off) == (int(count), 0)


@then(
    parsers.re(
        r"the oracle lists (?P<count>\d+) VMs stopped for Update-VMVersion as consented downtime"
    )
)
def consented_stops(report: Report, count: str) -> None:
    """workload-availability's consented list holds one entry per VM stopped for the upgrade."""
    consented = report["simulation"]["invariants"]["workload-availability"]["consented"]
    stops = [c for c in consented if c["detail"].endswith("stopped for Update-VMVersion")]
    assert len(stops) == int(count)


@then(parsers.re(r'the functional-level step says "(?P<text>[^"]+)"'))
def level_step_says(report: Report, text: str) -> None:
    """The functional-level step's detail names why it did not run."""
    step = next(s for s in _steps(report) if s["step"] == "functional-level")
    assert text in step["detail"]
