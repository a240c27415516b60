"""The updating-run profile: CAU's Invoke-CauRun options in snake_case, with CAU's defaults.

Owns: the ``Profile`` value type, its defaults (reference cau.md §1.1) and the checks that
need the node count (``resolved``). Shape validation of profile files is done once, at the
edge, by the JSON Schema ``runner/schemas/profile.schema.json`` (see ``runner.validation``).

Must not: read files or know the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from runner.errors import InputError
from runner.fast_profile import (
    AUTO,
    MAX_NODES_OUT_REFUSAL,
    refuse_fast_options,
    refuse_more_than_cluster,
)
from runner.plugins import PluginArguments, PluginName, PluginSpec, plugin_specs
from runner.run_option_types import RebootMode
from runner.types import FailbackMode

__all__ = [
    "AUTO",
    "MAX_NODES_OUT_REFUSAL",
    "MODES",
    "POLICIES",
    "REPORTED_WHEN_SET",
    "Mode",
    "Policy",
    "Profile",
    "ResolvedProfile",
]


# CAU runs its scripts around each node's maintenance; an offline update has none.
_OFFLINE_SCRIPT = (
    "is for rolling runs (CAU runs it around each node's maintenance); the offline update "
    "takes every node down at once and runs no update scripts: remove it or use mode rolling"
)

# Rolling-only run options: what each does that the offline update has no place for.
_OFFLINE_REFUSED = {
    "force_pause_and_drain": "drains one node at a time",
    "force_pause_drain_and_reboot": "drains one node at a time",
    "site_aware_updating_order": "orders the nodes' turns",
    "skip_update_checks": "leaves the scan to each node's turn",
}


class Policy:
    """Run policies: ``classic`` reproduces CAU's order of operations faithfully."""

    CLASSIC = "classic"
    FAST = "fast"


POLICIES = (Policy.CLASSIC, Policy.FAST)  # every policy name a profile or option may give

# Field metadata of options the report's ``profile`` lists only when a run sets them to
# something other than their default (``runner.report.profile_dict``): the options added
# after the report format settled, so the report of a run that leaves them alone is as it was.
REPORTED_WHEN_SET: Mapping[str, bool] = MappingProxyType({"reported_when_set": True})

# Why each run option that cannot work is refused at load time (one sentence each).
NO_DRAIN_REFUSAL = (
    "force_pause_no_drain pauses a node without moving its clustered roles, so its restart "
    "would take them down, and pycau never restarts a node with clustered roles online in a "
    "rolling run; use force_pause_and_drain (a forced drain) instead"
)
PLUGIN_REBOOT_REFUSAL = (
    "plugin-custom leaves the restart to the plug-in, and pycau's Windows Update plug-in "
    "does not restart a node itself; use orchestrator-default, full, soft or cluster-property"
)


class Mode:
    """Updating modes: ``rolling`` is CAU's run, one node at a time; ``offline`` the guide's
    fast, offline update of all servers at once (consented downtime)."""

    ROLLING = "rolling"
    OFFLINE = "offline"


MODES = (Mode.ROLLING, Mode.OFFLINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Options of one updating run. ``None`` means "CAU chooses" (see ``resolved``)."""

    max_failed_nodes: int | None = None  # default floor(N/3), valid 0..N-1
    max_retries_per_node: int = 3  # 1..64
    require_all_nodes_online: bool = False
    node_order: tuple[str, ...] = ()  # default: fewest clustered roles first
    reboot_timeout_minutes: float = 15
    failback_mode: FailbackMode = FailbackMode.IMMEDIATE
    pre_update_script: str = ""
    post_update_script: str = ""
    warn_after_minutes: float | None = None
    stop_after_minutes: float | None = None
    soft_reboot: bool = False
    # How long to keep retrying Suspend-ClusterNode refused with 5987 (storage degraded /
    # repair running). CAU leaves it undocumented; Azure Local samples wait ~20 min; we
    # default to 60 so a normal resync fits, and never wait forever.
    wait_for_storage_repair_timeout_minutes: float = 60
    drain_timeout_minutes: float = 30
    install_timeout_minutes: float = 120
    script_timeout_minutes: float = 30
    policy: str = Policy.CLASSIC
    mode: str = Mode.ROLLING  # rolling (CAU's run) | offline (all nodes at once, downtime)
    # The most nodes out for updating at once: 1 (classic), or with policy fast a number or
    # ``auto`` (the largest number ``runner.capacity`` finds safe when each wave begins).
    max_nodes_out: int | str = 1
    # Run Test-Cluster before touching any node; its poll may never complete (known issue
    # readiness-check-never-completes), so the wait is bounded and the report file decides.
    validate_cluster: bool = False
    validation_timeout_minutes: float = 30
    # CredSSP server role on the nodes for the run (e.g. update scripts needing a second
    # hop); always disabled again at the end (known issue credssp-left-enabled).
    enable_credssp: bool = False
    # When self-updating runs fire (Add-CauClusterRole's schedule; ``runner.schedule``), as
    # given, checked at load time. Not a run option: a run ignores it.
    schedule: Mapping[str, Any] | None = None
    # -- Invoke-CauRun's remaining options (issue 9; see README "Profile options") --------
    # Suspend-ClusterNode refused with ERROR_CLUSTER_SPACE_DEGRADED (5987): how long (from
    # the first refusal) and how often it is retried before the run moves on to the next
    # node. CAU documents neither default; Azure Local's CAU role shows 5 retries.
    suspend_cluster_node_timeout_minutes: float = field(default=60, metadata=REPORTED_WHEN_SET)
    suspend_retries_per_node: int = field(default=5, metadata=REPORTED_WHEN_SET)
    # Forced pause variants: a forced drain stops a role that cannot live-migrate and moves
    # it as a failed role (consented downtime); no_drain is refused (NO_DRAIN_REFUSAL).
    force_pause_no_drain: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    force_pause_and_drain: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    force_pause_drain_and_reboot: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    # No update scan of every node before the run: each node is scanned at its turn.
    skip_update_checks: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    site_aware_updating_order: tuple[str, ...] = field(default=(), metadata=REPORTED_WHEN_SET)
    # CAU's -AttemptSoftReboot; ``soft_reboot`` is pycau's earlier name of the same switch.
    attempt_soft_reboot: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    reboot_mode: RebootMode | None = field(default=None, metadata=REPORTED_WHEN_SET)
    enable_firewall_rules: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    # CauPluginName / CauPluginArguments (runner.plugins): the plug-ins in install order and
    # one argument set per plug-in (empty: no arguments given for any). Checked by
    # ``plugin_specs`` whenever the profile is built or resolved.
    plugin: tuple[PluginName, ...] = field(
        default=(PluginName.WINDOWS_UPDATE,), metadata=REPORTED_WHEN_SET
    )
    plugin_arguments: tuple[PluginArguments, ...] = field(default=(), metadata=REPORTED_WHEN_SET)
    # Several plug-ins in one run (CAU warns when they are given with one plug-in).
    run_plugins_serially: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    stop_on_plugin_failure: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    separate_reboots: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    # A feature-update run (the rolling-upgrade plug-in): after the last node, scan again with
    # the Windows Update plug-in and install what it offers (the guide's "check for any
    # further updates and install them"), in the same run (``runner.follow_up``).
    follow_up_quality_pass: bool = field(default=True, metadata=REPORTED_WHEN_SET)
    # The guide's post-installation steps after the last node (``runner.post_steps``):
    # Update-ClusterFunctionalLevel then Update-StoragePool (WAC's checkbox; both
    # irreversible), and Update-VMVersion one VM at a time (at most max_vms_down VMs off).
    update_functional_level: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    update_vm_version: bool = field(default=False, metadata=REPORTED_WHEN_SET)
    max_vms_down: int = field(default=1, metadata=REPORTED_WHEN_SET)
    # The fast policy (``runner.capacity``): the share of the memory of the nodes that stay in
    # service kept free when a wave's VMs are drained onto them.
    memory_reserve_percent: float = field(default=10, metadata=REPORTED_WHEN_SET)

    @property
    def plugins(self) -> tuple[PluginSpec, ...]:
        """The run's plug-ins, each with the arguments the profile gave it."""
        if not self.plugin_arguments:
            return tuple(PluginSpec(name=name) for name in self.plugin)
        return tuple(
            PluginSpec(name=name, arguments=arguments)
            for name, arguments in zip(self.plugin, self.plugin_arguments, strict=True)
        )

    @property
    def fast(self) -> bool:
        """The fast policy: nodes go out in waves (``runner.fast_engine``)."""
        return self.policy == Policy.FAST

    def nodes_out_limit(self, nodes: int) -> int:
        """The most nodes out at once on ``nodes`` nodes (auto: all; ``runner.capacity`` judges)."""
        return nodes if self.max_nodes_out == AUTO else int(self.max_nodes_out)

    @property
    def soft_reboot_switch(self) -> bool:
        """AttemptSoftReboot, under either of its names."""
        return self.soft_reboot or self.attempt_soft_reboot

    @property
    def forced_drain(self) -> bool:
        """A forced drain (Suspend-ClusterNode -ForceDrain) takes nodes out of service."""
        return self.force_pause_and_drain or self.force_pause_drain_and_reboot

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "profile") -> Profile:
        """Build from an already schema-validated mapping (snake_case keys)."""
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise InputError(source, f"$.{key}", "unknown profile option")
            if key in ("node_order", "site_aware_updating_order"):
                value = tuple(value)
            elif key == "failback_mode":
                value = FailbackMode(value)
            elif key == "schedule":  # imported here: only a profile with a schedule loads it
                from runner.schedule import parse_schedule

                parse_schedule(value, source)  # InputError now, not at the first firing
                value = dict(value)
            elif key == "reboot_mode":
                value = RebootMode(value)
            elif key == "max_nodes_out" and value != AUTO and not isinstance(value, int):
                raise InputError(source, "$.max_nodes_out", "must be a whole number or auto")
            kwargs[key] = value
        if "plugin" in data or "plugin_arguments" in data:
            specs = plugin_specs(data.get("plugin"), data.get("plugin_arguments"), source)
            kwargs["plugin"] = tuple(spec.name for spec in specs)
            given = data.get("plugin_arguments") is not None
            kwargs["plugin_arguments"] = tuple(spec.arguments for spec in specs) if given else ()
        profile = cls(**kwargs)
        # An explicit "no" to the switch contradicts reboot_mode soft, and the switch's two
        # names must agree (only the file tells an explicit false from the default).
        switch = [data[k] for k in ("attempt_soft_reboot", "soft_reboot") if k in data]
        if len(set(switch)) > 1:
            raise InputError(
                source,
                "$.attempt_soft_reboot",
                "attempt_soft_reboot and soft_reboot are two names of one switch and disagree; "
                "keep one of them",
            )
        if profile.reboot_mode is RebootMode.SOFT and False in switch:
            raise InputError(
                source,
                "$.reboot_mode",
                "reboot_mode soft asks for soft restarts but attempt_soft_reboot is false; "
                "keep one of them",
            )
        profile.refuse_unbuilt(source)  # at load time, before any cluster is contacted
        return profile

    def refuse_unbuilt(self, source: str = "profile") -> None:
        """``InputError`` for options only the fast policy uses (``max_nodes_out``), and for
        run options that cannot work or contradict each other (one sentence)."""
        refuse_fast_options(
            source, policy=self.policy, mode=self.mode, max_nodes_out=self.max_nodes_out,
            reserve=self.memory_reserve_percent,
        )  # fmt: skip
        if self.force_pause_no_drain:
            raise InputError(source, "$.force_pause_no_drain", NO_DRAIN_REFUSAL)
        if self.force_pause_and_drain and self.force_pause_drain_and_reboot:
            raise InputError(
                source,
                "$.force_pause_drain_and_reboot",
                "force_pause_and_drain and force_pause_drain_and_reboot are two variants of "
                "the forced pause; set one of them",
            )
        mode = self.reboot_mode
        if mode is RebootMode.PLUGIN_CUSTOM:
            raise InputError(source, "$.reboot_mode", PLUGIN_REBOOT_REFUSAL)
        if self.soft_reboot_switch and mode in (RebootMode.FULL, RebootMode.CLUSTER_PROPERTY):
            raise InputError(
                source,
                "$.reboot_mode",
                f"reboot_mode {mode.value} decides the restart without attempt_soft_reboot, "
                "which is set; keep one of them",
            )
        if self.node_order and self.site_aware_updating_order:
            raise InputError(
                source,
                "$.site_aware_updating_order",
                "node_order and site_aware_updating_order both set the order of the nodes; "
                "give one of them",
            )
        if not 1 <= self.max_vms_down <= 64:
            raise InputError(source, "$.max_vms_down", "must be between 1 and 64")
        if not 0 <= self.suspend_retries_per_node <= 64:
            raise InputError(source, "$.suspend_retries_per_node", "must be between 0 and 64")

    def check_plugins(self, source: str = "profile") -> None:
        """``InputError`` for plug-ins or arguments ``plugin_specs`` refuses (a profile built
        in code, not from a file, gets the same checks when it is resolved)."""
        arguments = [dict(a) for a in self.plugin_arguments] if self.plugin_arguments else None
        plugin_specs([p.value for p in self.plugin], arguments, source)

    def resolved(self, node_names: tuple[str, ...], source: str = "profile") -> ResolvedProfile:
        """The profile of a run on these nodes: CAU's node-count default filled in
        (MaxFailedNodes ⌊N/3⌋ — the one place it is computed), cross-field rules checked
        (``InputError``), and every duration also in seconds — the one place minutes become
        seconds. The runner reads only this value."""
        n = len(node_names)
        prof = self
        if prof.max_failed_nodes is None:
            prof = replace(prof, max_failed_nodes=n // 3)
        assert prof.max_failed_nodes is not None
        if not 0 <= prof.max_failed_nodes <= max(n - 1, 0):
            raise InputError(source, "$.max_failed_nodes", f"must be between 0 and {n - 1}")
        if not 1 <= prof.max_retries_per_node <= 64:
            raise InputError(source, "$.max_retries_per_node", "must be between 1 and 64")
        prof.refuse_unbuilt(source)
        prof.check_plugins(source)
        refuse_more_than_cluster(source, prof.max_nodes_out, n)
        if prof.mode == Mode.OFFLINE:
            for script in ("pre_update_script", "post_update_script"):
                if getattr(prof, script):
                    raise InputError(source, f"$.{script}", f"{script} {_OFFLINE_SCRIPT}")
            for name, does in _OFFLINE_REFUSED.items():
                if getattr(prof, name):
                    raise InputError(
                        source,
                        f"$.{name}",
                        f"{name} {does} in a rolling run; the offline update saves every VM and "
                        "updates every node at once, after one scan that plans its downtime: "
                        "remove it or use mode rolling",
                    )
        unknown = [name for name in prof.node_order if name not in node_names]
        if unknown:
            raise InputError(
                source, "$.node_order", f"names nodes not in the cluster: {', '.join(unknown)}"
            )
        if len(set(prof.node_order)) != len(prof.node_order):
            raise InputError(source, "$.node_order", "names a node more than once")
        if (
            prof.warn_after_minutes is not None
            and prof.stop_after_minutes is not None
            and prof.warn_after_minutes >= prof.stop_after_minutes
        ):
            raise InputError(source, "$.warn_after_minutes", "must be less than stop_after_minutes")
        return ResolvedProfile.of(prof)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedProfile(Profile):
    """The profile of one run (``Profile.resolved``): the file's options as given (the report
    shows those, in the file's units), MaxFailedNodes as an integer, and each duration in
    seconds — the properties below are the one place minutes become seconds, and what the
    runner's decisions and waits read. A ``dataclasses.replace`` keeps them consistent.
    """

    max_failed_nodes: int = 0

    @classmethod
    def of(cls, options: Profile) -> ResolvedProfile:
        """``options`` (already checked, MaxFailedNodes filled in) as a resolved profile."""
        if options.max_failed_nodes is None:
            raise ValueError("max_failed_nodes must be filled in before resolving")
        return cls(**{f.name: getattr(options, f.name) for f in fields(Profile)})

    @property
    def reboot_timeout_s(self) -> float:
        """RebootTimeoutMinutes in seconds."""
        return self.reboot_timeout_minutes * 60.0

    @property
    def warn_after_s(self) -> float | None:
        """WarnAfter in seconds (``None``: never warn)."""
        return None if self.warn_after_minutes is None else self.warn_after_minutes * 60.0

    @property
    def stop_after_s(self) -> float | None:
        """StopAfter in seconds (``None``: never stop)."""
        return None if self.stop_after_minutes is None else self.stop_after_minutes * 60.0

    @property
    def wait_for_storage_repair_timeout_s(self) -> float:
        """How long a node waits for storage repair before its attempt fails, in seconds."""
        return self.wait_for_storage_repair_timeout_minutes * 60.0

    @property
    def suspend_cluster_node_timeout_s(self) -> float:
        """SuspendClusterNodeTimeoutMinutes in seconds (from the first 5987 refusal)."""
        return self.suspend_cluster_node_timeout_minutes * 60.0

    @property
    def drain_timeout_s(self) -> float:
        """How long a drain (or resume) may take, in seconds."""
        return self.drain_timeout_minutes * 60.0

    @property
    def install_timeout_s(self) -> float:
        """How long a scan or install may run, in seconds."""
        return self.install_timeout_minutes * 60.0

    @property
    def script_timeout_s(self) -> float:
        """How long a pre-/post-update script may run, in seconds."""
        return self.script_timeout_minutes * 60.0

    @property
    def validation_timeout_s(self) -> float:
        """How long cluster validation (Test-Cluster) is waited for, in seconds."""
        return self.validation_timeout_minutes * 60.0
