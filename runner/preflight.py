"""Preflight of an updating run: reach the cluster, and scan every Up node at once.

Owns: ``first_view`` (the first observation, retried with backoff for a bounded time),
``scan_all`` (Invoke-CauScan on every Up node in parallel, polled until done or the
deadline; a node not scanned here is scanned when its turn comes), ``backoff`` and
``validate_cluster`` (Test-Cluster, waited for with a bound, then its report file decides).

Must not: decide the run's fate (the engine does, from what these return), or wait without
a bound.
"""

from __future__ import annotations

from collections.abc import Callable

from runner.actions import StartScan
from runner.errors import TransportError
from runner.profile import ResolvedProfile
from runner.readiness import Refusal, readiness_refusal  # re-exported: the last check
from runner.recorder import Recorder
from runner.timing import POLL_ACTIVE_SECONDS, in_minutes
from runner.transport import Clock, ClusterTransport
from runner.types import ClusterView, NodeState, UpdateInfo, WorkHandle, WorkState

__all__ = [
    "PREFLIGHT_UNREACHABLE_SECONDS",
    "VALIDATION_FAILED",
    "VALIDATION_INCOMPLETE",
    "backoff",
    "first_view",
    "readiness_refusal",
    "scan_all",
    "validate_cluster",
]

NEVER_COMPLETES = "readiness-check-never-completes"
VALIDATION_FAILED = "ClusterValidationFailed"
VALIDATION_INCOMPLETE = "ClusterValidationIncomplete"
PREFLIGHT_UNREACHABLE_SECONDS = 5 * 60.0  # the cluster must answer before anything starts


def backoff(errors: int) -> float:
    """15 s, 30 s, 60 s, then 120 s between retries after transport errors."""
    return float(min(POLL_ACTIVE_SECONDS * 2.0 ** max(errors - 1, 0), 120.0))


def first_view(
    transport: ClusterTransport, clock: Clock, elapsed: Callable[[], float]
) -> ClusterView | None:
    """The first observation, or ``None`` when the cluster never answered in time."""
    errors = 0
    while True:
        try:
            return transport.observe()
        except TransportError:
            errors += 1
            if elapsed() >= PREFLIGHT_UNREACHABLE_SECONDS:
                return None
            clock.sleep(backoff(errors))


def scan_all(
    transport: ClusterTransport,
    clock: Clock,
    rec: Recorder,
    view: ClusterView,
    names: tuple[str, ...],
    elapsed: Callable[[], float],
    deadline: float,
    scan: StartScan | None = None,
    channel_pending: list[str] | None = None,
) -> dict[str, tuple[UpdateInfo, ...]]:
    """Offers per node of ``names`` that is Up; ``deadline`` in seconds since run start;
    ``scan``: the plug-ins to scan with (its node is ignored; default: Windows Update);
    ``channel_pending`` collects the nodes whose scan says a preview channel awaits its
    restart."""
    wanted = set(names)
    how = scan or StartScan(node="")
    handles: dict[str, WorkHandle] = {}
    for node in view.nodes:
        if node.state is NodeState.UP and node.reachable and node.name in wanted:
            try:
                handles[node.name] = transport.start_scan(
                    node.name, how.plugins, serially=how.serially,
                    stop_on_failure=how.stop_on_failure,
                )  # fmt: skip
            except TransportError as exc:
                rec.warning(f"scan could not start: {exc}", node.name)
    offers: dict[str, tuple[UpdateInfo, ...]] = {}
    while handles and elapsed() < deadline:
        clock.sleep(POLL_ACTIVE_SECONDS)
        silent: list[str] = []
        for name in list(handles):
            try:
                work = transport.poll_work(handles[name])
            except TransportError:
                silent.append(name)
                continue
            if work.state is WorkState.RUNNING:
                continue
            del handles[name]
            if work.state is WorkState.SUCCEEDED:
                offers[name] = work.offered
                if work.channel_restart_pending and channel_pending is not None:
                    channel_pending.append(name)  # Set-PreviewChannel awaits its restart
                ids = ", ".join(u.id for u in work.offered)
                rec.emit("scan", name, f"{len(work.offered)} update(s) offered {ids}".strip())
            else:
                rec.warning(f"scan failed: {work.error or work.hresult}", name)
        _drop_lost(transport, rec, handles, silent)
    for name in handles:
        rec.warning("scan did not finish in time; scanning again at its turn", name)
    return offers


def _drop_lost(
    transport: ClusterTransport, rec: Recorder, handles: dict[str, WorkHandle], silent: list[str]
) -> None:
    """Stop waiting for scans on nodes that went away (they are scanned at their turn)."""
    if not silent:
        return
    try:
        view = transport.observe()
    except TransportError:
        return  # the cluster is silent, not the nodes: keep waiting until the deadline
    states = {n.name: n for n in view.nodes}
    for name in silent:
        node = states.get(name)
        if node is None or node.state is not NodeState.UP or not node.reachable:
            del handles[name]
            state = node.state.value if node is not None else "missing"
            rec.warning(f"went {state} during the scan; scanning again at its turn", name)


def validate_cluster(
    transport: ClusterTransport, clock: Clock, rec: Recorder, profile: ResolvedProfile
) -> Refusal | None:
    """Test-Cluster before any node is touched (``validate_cluster``), waited for at most
    the profile's validation timeout; ``None`` when the run may go on.

    The seed's known issue readiness-check-never-completes: the check may stay Checking
    forever although Test-Cluster finished, so after the bound its report file decides.
    """
    if not profile.validate_cluster:
        return None
    deadline = clock.now() + profile.validation_timeout_s
    try:
        handle = transport.start_validation()
    except TransportError as exc:
        return Refusal(
            error_id=VALIDATION_INCOMPLETE,
            detail=f"cluster validation could not start: {exc}",
            known_issue=NEVER_COMPLETES,
        )
    rec.emit("validation", None, "cluster validation (Test-Cluster) started")
    while clock.now() < deadline:
        clock.sleep(min(POLL_ACTIVE_SECONDS, max(deadline - clock.now(), 0.0)))
        try:
            work = transport.poll_work(handle)
        except TransportError:
            continue  # the deadline bounds the wait; the report decides afterwards
        if work.state is WorkState.RUNNING:
            continue
        if work.exit_code == 0 and work.state is WorkState.SUCCEEDED:
            rec.emit("validation", None, "cluster validation passed")
            return None
        reason = work.error or f"exit code {work.exit_code}"
        return Refusal(
            error_id=VALIDATION_FAILED,
            detail=f"cluster validation (Test-Cluster) failed ({reason}); no node was touched",
            known_issue=NEVER_COMPLETES,
        )
    return _decide_by_report(transport, rec, profile.validation_timeout_s)


def _decide_by_report(
    transport: ClusterTransport, rec: Recorder, waited_s: float
) -> Refusal | None:
    try:
        report = transport.read_validation_report()
    except TransportError as exc:
        report, why = None, f"its report could not be read ({exc})"
    else:
        why = "no validation report was found" if report is None else ""
    waited = f"the readiness check did not complete within {in_minutes(waited_s)} minutes"
    if report is not None and report.passed:
        rec.warning(
            "the readiness check never completed (known issue readiness-check-never-completes);"
            f" Test-Cluster's report at {report.path} says it passed"
        )
        return None
    if report is not None:
        why = f"Test-Cluster's report at {report.path} says it failed: {report.summary}"
    return Refusal(
        error_id=VALIDATION_INCOMPLETE,
        detail=f"{waited} (known issue readiness-check-never-completes) and {why}; "
        "no node was touched — run Test-Cluster and read its report before updating",
        known_issue=NEVER_COMPLETES,
    )
