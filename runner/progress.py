"""Run progress: what the engine knows about its own run, as immutable snapshots.

Owns: ``NodeProgress`` (one node's place in the lifecycle and what happened to it) and
``RunProgress`` (the run around it). The engine replaces them (``dataclasses.replace``)
after every act; ``decisions.decide`` reads them. Times are seconds since run start, taken
from the injected clock by the engine — never read here.

A later journal (issue 3) persists exactly these snapshots, so a resumed coordinator knows
what it had started (a restart issued, the boot id before it) and never repeats it.

Must not: do I/O, read a clock, or hold anything per role or per poll (64 nodes × thousands
of polls must stay cheap).
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.lifecycle import NodeStep
from runner.post_types import ClusterFacts, PostStepResult
from runner.types import BootType, UpdateInfo, UpdateResult, WorkHandle, WorkProgress

__all__ = ["NodeProgress", "RunProgress", "WaveProgress"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeProgress:
    """One node of the run. Per-step fields reset when the node enters a new step;
    per-attempt fields reset when an attempt starts (PRE_SCRIPT); results, restarts and an
    owed restart (``restart_pending``) outlive attempts."""

    name: str
    step: NodeStep = NodeStep.WAITING
    attempt: int = 0  # attempts started so far (CAU's retries count these)
    # the current step
    entered_at: float = 0.0
    deadline: float | None = None
    handle: WorkHandle | None = None
    work: WorkProgress | None = None
    # fast: when the engine last served the node (polled its work or acted on it): the
    # fairness of ``runner.fast_decisions`` (overdue polls, the most neglected node first)
    polled_at: float = 0.0
    start_errors: int = 0  # effect-unknown errors starting work or a command
    command_failures: int = 0  # commands the cluster refused (no effect)
    install_unknown: bool = False  # start_install's effect unknown: re-scan before retrying
    # updates
    initial_offer: tuple[UpdateInfo, ...] | None = None  # preflight scan; None = not scanned
    version_before: str = ""  # the OS version the node ran when the run began (feature runs)
    offered: tuple[UpdateInfo, ...] = ()  # what the current install pass installs
    results: tuple[UpdateResult, ...] = ()  # latest result per update id, all attempts
    attempt_tried: tuple[str, ...] = ()  # update ids installed in this attempt
    attempt_failed: bool = False  # an update failed in this attempt
    passes: int = 0  # install passes in this attempt
    restart_pending: bool = False  # installed updates owe a restart (kept across attempts)
    updated: bool = False  # installs done and the node resumed (only resync/post-script left)
    firmware_pending: bool = False  # a pending update needs firmware init: no soft reboot
    # maintenance
    suspend_attempted: bool = False  # effect unknown: look at the node before re-issuing
    suspend_issued: bool = False
    paused_by_us: bool = False
    drain_failed: bool = False
    storage_refusals: int = 0  # Suspend-ClusterNode refused with 5987 in this attempt
    suspend_refused_at: float | None = None  # the attempt's first 5987 refusal
    last_refusal: str = ""
    resume_issued: bool = False
    # restart
    restart_issued: bool = False
    restart_at: float = 0.0
    boot_id_before: str = ""
    restarts: int = 0  # restarts the node is known to have done (the report's ``restarts``)
    boot_type: BootType | None = None
    # A restart command whose effect is unknown (its call failed): counted, with this boot
    # type, only once a changed boot id confirms it — never reported on faith.
    unconfirmed_boot: BootType | None = None
    error: str = ""

    @property
    def terminal(self) -> bool:
        return self.step in (NodeStep.DONE, NodeStep.FAILED, NodeStep.STOPPED, NodeStep.CANCELED)

    @property
    def succeeded_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.results if r.result == "Succeeded")


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveProgress:
    """One wave of the fast policy: its nodes (run order), why it was not larger
    (``runner.capacity``; ``""``: every node left fitted), when it began and ended."""

    number: int
    nodes: tuple[str, ...]
    limited_by: str = ""
    started_at: float = 0.0
    finished_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunProgress:
    """The run: the node being updated, the nodes still to do, counters and flags. With the
    fast policy ``in_flight`` names every node of the wave under way (``current`` is then
    only the node being acted on, during the act) and ``waves`` the waves begun."""

    now: float = 0.0
    current: NodeProgress | None = None
    remaining: tuple[str, ...] = ()
    failed_nodes: int = 0
    warned: bool = False
    stopping: bool = False
    cancel_error_id: str | None = None
    stale: bool = False  # the last observation failed: the view may be out of date
    view_at: float = 0.0  # when the view was taken (seconds since run start)
    unreachable_since: float | None = None
    credssp_enabled_on: tuple[str, ...] = ()  # nodes this run enabled CredSSP on (to undo)
    credssp_found_on: tuple[str, ...] = ()  # nodes found with CredSSP on (left as found)
    # A feature-update run's follow-up quality pass is running (``runner.follow_up``): its
    # scans and installs use the Windows Update plug-in.
    follow_up: bool = False
    # The report's cluster_versions section (``runner.post_run``): the cluster as the run found it,
    # and the post-installation steps' results once they ran (``None``: not yet).
    cluster_before: ClusterFacts | None = None
    post_steps: tuple[PostStepResult, ...] | None = None
    in_flight: tuple[str, ...] = ()
    staged: tuple[str, ...] = ()  # fast: nodes begun ahead of their wave (still in remaining)
    waves: tuple[WaveProgress, ...] = ()
    planned_waves: tuple[tuple[str, ...], ...] = ()  # the plan made at the start (fast)
    fault_domains: tuple[tuple[str, str], ...] = ()  # fast: (node, its rack/chassis), facts'
