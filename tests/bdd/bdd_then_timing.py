"""Then-steps about order and timing: maintenance windows, phases, resync, comparisons.

Owns: the assertions that read ``nodes[].timing`` and the 1008/1009 maintenance events —
one node out at a time, update order, phase order, scripts around maintenance, storage
resync — and those comparing the run with "the same run with" one option changed.

Must not: read the simulator's internals; ``test_features.py`` star-imports this module
so its step fixtures are visible to the scenarios.
"""

from __future__ import annotations

from bdd_checks import (
    MINUTE,
    STATUS,
    Doc,
    Report,
    assert_invariant_holds,
    events,
    maintenance_intervals,
    node,
    out_of_service_intervals,
    overlaps,
    phase,
    same_run_with,
    span,
    suspended_nodes,
    update_order,
    with_profile,
)
from pytest_bdd import parsers, then

# --- maintenance, order and timing ------------------------------------------------------


def never_suspended(report: Report, name: str) -> None:
    """Neither a drain phase nor a 1008 event for the node."""
    assert name not in suspended_nodes(report), suspended_nodes(report)
    assert node(report, name)["restarts"] == 0


@then(parsers.re(r"(?P<name>\w+) was never suspended"))
def node_never_suspended(report: Report, name: str) -> None:
    """The run never put the node into maintenance."""
    never_suspended(report, name)


@then("no node was suspended")
def no_node_suspended(report: Report) -> None:
    """The run touched no node, and the report still lists every node (as never operated on)."""
    assert report["nodes"], "the report lists no node"
    assert suspended_nodes(report) == []
    assert all(n["restarts"] == 0 for n in report["nodes"])


@then("no two nodes were out of service at once")
def one_node_at_a_time(report: Report) -> None:
    """Drain-to-resume intervals (timing and events) never overlap; max-nodes-out holds."""
    spans = out_of_service_intervals(report)
    assert len(spans) >= 2, f"fewer than two nodes were taken out: {spans}"
    assert not overlaps(spans), overlaps(spans)
    assert not overlaps(maintenance_intervals(report)), overlaps(maintenance_intervals(report))
    assert_invariant_holds(report, "max-nodes-out")


@then(parsers.re(r"the nodes were updated in the order (?P<names>[\w, ]+)"))
def updated_in_order(report: Report, names: str) -> None:
    """Drain start times give the order; the report lists nodes in run order too."""
    expected = [n.strip() for n in names.split(",")]
    assert update_order(report) == expected
    assert [n["name"] for n in report["nodes"]] == expected


@then(parsers.re(r"every updated node went through (?P<names>[\w, ]+) in that order"))
def phases_in_order(report: Report, names: str) -> None:
    """Each phase of a node starts after the previous one ended."""
    wanted = [n.strip() for n in names.split(",")]
    drained = update_order(report)
    assert drained
    for name in drained:
        spans = [span(report, name, w) for w in wanted]
        for i in range(len(wanted) - 1):
            before, after = spans[i], spans[i + 1]
            assert before[0] <= before[1] <= after[0] + 1e-6, (name, wanted[i], spans)


@then("every node entered maintenance before it was restarted and left it afterwards")
def maintenance_around_restart(report: Report) -> None:
    """Per node: 1008 entered maintenance < 1010 restarting < 1011 restarted < 1009 exited."""
    for entry in report["nodes"]:
        name = entry["name"]
        times = [events(report, event_id=i, node_name=name) for i in (1008, 1010, 1011, 1009)]
        assert all(times), (name, [len(t) for t in times])
        firsts = [t[0]["time"] for t in times]
        assert firsts == sorted(firsts), (name, firsts)


@then("every node is Up at the end")
def every_node_up(report: Report) -> None:
    """Every node the run suspended was resumed after its last suspension; nodes-resumed holds."""
    for name, _start, end in maintenance_intervals(report):
        exits = events(report, event_id=1009, node_name=name)
        assert exits, f"{name} never left maintenance"
        assert exits[-1]["time"] >= end - 1e-6, f"{name} was left in maintenance"
    assert maintenance_intervals(report), "no node was ever suspended"
    assert_invariant_holds(report, "nodes-resumed")


@then(parsers.re(r"(?P<name>\w+) was suspended only after every repair job had finished"))
def suspended_after_resync(report: Report, name: str) -> None:
    """Storage wait ended before the drain; the previous node's resync ended before it too."""
    assert report["simulation"]["counters"]["repair_jobs"] > 0, "no repair job ever ran"
    drain = span(report, name, "drain")
    wait = span(report, name, "storage_wait")
    assert wait[1] <= drain[0] + 1e-6, (wait, drain)
    order = update_order(report)
    earlier = order[: order.index(name)]
    for previous in earlier:
        resync = span(report, previous, "resync")
        assert resync[1] <= drain[0] + 1e-6, (previous, resync, name, drain)
    assert_invariant_holds(report, "resync-before-next")


@then(parsers.re(r"(?P<name>\w+) was not suspended before minute (?P<minute>[\d.]+)"))
def not_suspended_before(report: Report, name: str, minute: str) -> None:
    """The node's drain began no earlier than the given minute."""
    drain = span(report, name, "drain")
    assert drain[0] >= float(minute) * MINUTE, drain


@then(parsers.re(r"(?P<name>\w+) started its last install after minute (?P<minute>[\d.]+)"))
def install_after(report: Report, name: str, minute: str) -> None:
    """The last attempt's install began after the given minute."""
    install = span(report, name, "install")
    assert install[0] >= float(minute) * MINUTE, install


@then("on every node the pre-update script finished before the node was suspended")
def pre_script_before_drain(report: Report) -> None:
    """PreUpdateScript runs before maintenance mode."""
    for entry in report["nodes"]:
        pre, drain = (
            span(report, entry["name"], "pre_script"),
            span(report, entry["name"], "drain"),
        )
        assert pre[1] <= drain[0] + 1e-6, (entry["name"], pre, drain)


@then("on every node the post-update script started after the node was resumed")
def post_script_after_resume(report: Report) -> None:
    """PostUpdateScript runs after the node left maintenance (timing of one attempt)."""
    for entry in report["nodes"]:
        resume = span(report, entry["name"], "resume")
        post = span(report, entry["name"], "post_script")
        assert resume[1] <= post[0] + 1e-6, (entry["name"], resume, post)


@then(parsers.re(r"(?P<name>\w+) was resumed before its post-update script ran"))
def post_after_resume(report: Report, name: str) -> None:
    """The node left maintenance (1009) before its (last) post-update script started.

    Events, not timing: a retry that only re-runs the script has no resume phase of its own.
    """
    post = span(report, name, "post_script")
    exits = [e["time"] for e in events(report, event_id=1009, node_name=name)]
    assert exits, f"{name} never left maintenance"
    assert exits[0] <= post[0] + 1e-6, (exits, post)
    entries = [e["time"] for e in events(report, event_id=1008, node_name=name)]
    assert entries, f"{name} never entered maintenance"
    assert max(entries) <= max(t for t in exits if t <= post[0] + 1e-6), (entries, exits, post)


@then(
    parsers.re(
        rf"the run ends {STATUS} with (?P<error_id>\w+) and (?P<name>\w+) was never suspended"
    )
)
def run_ends_with_unsuspended(report: Report, status: str, error_id: str, name: str) -> None:
    """Status, error id, and a node the run never put into maintenance."""
    assert (report["status"], report["error_id"]) == (status, error_id), report["error"]
    never_suspended(report, name)


# --- storage ----------------------------------------------------------------------------


@then(parsers.parse("at least {count:d} repair jobs ran"))
def repair_jobs_ran(report: Report, count: int) -> None:
    """The simulator counted the repair jobs started when nodes returned."""
    assert report["simulation"]["counters"]["repair_jobs"] >= count, report["simulation"]


@then("no repair job ran")
def no_repair_job(report: Report) -> None:
    """Without S2D nothing is resynchronised."""
    assert report["simulation"]["counters"]["repair_jobs"] == 0


@then(parsers.parse("every updated node spent at least {minutes:d} simulated minute in resync"))
def resync_took(report: Report, minutes: int) -> None:
    """Each returning node waited for its repair jobs."""
    for name in update_order(report):
        resync = span(report, name, "resync")
        assert resync[1] - resync[0] >= minutes * MINUTE, (name, resync)


@then("no node spent any time in resync")
def no_resync(report: Report) -> None:
    """No resync phase, or an empty one."""
    for entry in report["nodes"]:
        resync = phase(report, entry["name"], "resync")
        assert resync is None or resync[1] - resync[0] < 1.0, (entry["name"], resync)


@then(
    parsers.re(
        r"(?P<name>\w+)'s resync took longer than in the same run with (?P<volume>\w+) "
        r"written at (?P<rate>[\d.]+) MB/s"
    )
)
def resync_longer(
    report: Report,
    scenario_doc: Doc,
    scenario_source: dict[str, str],
    name: str,
    volume: str,
    rate: str,
) -> None:
    """Resync time grows with the data written while the node was away."""

    def slower(doc: Doc) -> None:
        for spec in doc["cluster"]["storage"]["volumes"]:
            if spec["name"] == volume:
                spec["write_mb_s"] = float(rate)

    other = same_run_with(report, scenario_doc, scenario_source, slower)
    mine, theirs = span(report, name, "resync"), span(other, name, "resync")
    assert mine[1] - mine[0] > theirs[1] - theirs[0], (mine, theirs)


# --- comparisons with the same run, one option changed ----------------------------------


@then(parsers.re(r"the run was shorter than the same run with (?P<option>\w+) (?P<value>\S+)"))
def shorter_than(
    report: Report, scenario_doc: Doc, scenario_source: dict[str, str], option: str, value: str
) -> None:
    """The option under test shortened the simulated run."""
    other = same_run_with(report, scenario_doc, scenario_source, with_profile(option, value))
    assert report["duration_seconds"] < other["duration_seconds"], (
        report["duration_seconds"],
        other["duration_seconds"],
    )


@then(
    parsers.re(
        r"(?P<cmp>more|fewer|as many) VMs were live-migrated (?:than|as) in the same run with "
        r"(?P<option>\w+) (?P<value>\S+)"
    )
)
def live_migrations_compared(
    report: Report,
    scenario_doc: Doc,
    scenario_source: dict[str, str],
    cmp: str,
    option: str,
    value: str,
) -> None:
    """Failback mode changes how many live migrations the run causes."""
    other = same_run_with(report, scenario_doc, scenario_source, with_profile(option, value))
    mine = report["simulation"]["counters"]["live_migrations"]
    theirs = other["simulation"]["counters"]["live_migrations"]
    assert mine > 0, "no VM was live-migrated at all"
    expected = {"more": mine > theirs, "fewer": mine < theirs, "as many": mine == theirs}
    assert expected[cmp], (cmp, mine, theirs)
