"""Windows Update and scripts on simulated nodes: scans, installs, multi-pass offers.

Owns: per-node update state (``NodeUpdates``: installed, staged for the next boot, attempt
counters), detached work items (``Work``) behind ``WorkHandle``s, and what ``poll_work``
reports. Work runs as SimPy processes on the node: it goes on while the management network
is down and is interrupted (reported Failed once the node answers again) if the node goes
down under it.

Theory of operation:
- A node is offered the scenario's updates that target it (``nodes`` None = all), are not
  installed or staged, and whose ``after`` KB is *in effect* on it. An update needing a
  restart is staged when its install succeeds and takes effect at the node's next boot; one
  without takes effect at once. So ``after: X`` appears only after X installed and — if X
  needed one — the node restarted (multi-pass, as CAU's re-scan finds).
- An install attempt installs the requested updates one after another, each
  ``install_minutes`` (as drawn for that node: ``UpdateSpec.install_minutes_for``). An
  ``install-failure`` fault covering the attempt makes its updates
  (or only ``params.update``) fail with the fault's HRESULT. Requesting an update already
  installed or staged reports Succeeded at once (never installed twice); one not applicable
  yet fails with WU_E_NOT_APPLICABLE. A scan takes the node's ``scan_minutes`` (default
  ``SCAN_SECONDS``); it reports a restart
  pending only for the ``storage-replica-second-restart`` known issue (after a feature
  update took effect, until the next boot).
- A feature update (``to_version``) is offered only to nodes below that version, and not to
  a node that opted into a preview channel and has not restarted since; an update ``after``
  a feature update is offered to a node once it runs that version, however it got there.
- Scripts take the scenario's ``pre_minutes``/``post_minutes`` (pre vs post is told by the
  path matching the profile's pre/post-update script; an unknown path counts as pre) and
  exit 1 when a ``script-failure`` fault covers the attempt.

Must not: touch node power, VMs or storage; the world calls ``node_down``/``node_booted``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from runner.errors import NodeUnreachable, RemoteCommandFailed
from runner.plugins import DEFAULT_PLUGIN, DEFAULT_PLUGINS, PluginName, PluginSpec
from runner.types import UpdateInfo, UpdateResult, WorkHandle, WorkKind, WorkProgress, WorkState
from runner.versions import is_newer
from simulator.hotfix_share import ERROR_TIMEOUT, HotfixRun, hotfix_install
from simulator.model import UpdateSpec
from simulator.plugin_offers import installable_by, scan_plugins, update_info
from simulator.world_port import WorldPort

__all__ = ["SCAN_SECONDS", "NodeUpdates", "WindowsUpdate", "Work", "update_info"]

SCAN_SECONDS = 60.0  # a scan with the default scan_minutes (1)
WU_E_NOT_APPLICABLE = "0x80240017"
WU_E_INSTALL_NOT_ALLOWED = "0x80240016"


@dataclass(slots=True)
class Work:
    handle: WorkHandle
    started: float
    seconds: float
    state: WorkState = WorkState.RUNNING
    offered: tuple[UpdateInfo, ...] = ()
    results: list[UpdateResult] = field(default_factory=list)
    restart_required: bool = False
    exit_code: int | None = None
    error: str = ""
    hresult: str = ""
    channel_restart_pending: bool = False


@dataclass(slots=True)
class NodeUpdates:
    installed: list[str] = field(default_factory=list)
    staged: list[str] = field(default_factory=list)
    install_attempts: int = 0
    script_attempts: dict[str, int] = field(default_factory=lambda: {"pre": 0, "post": 0})
    install_counts: dict[str, int] = field(default_factory=dict)
    running: list[Work] = field(default_factory=list)
    new_build: str | None = None  # the build an update that took effect brings (os_build)
    second_restart: bool = False  # known issue: Storage Replica after a feature update
    reboot_owed: bool = False  # a hotfix ended Fail_RebootRequired: restart, nothing staged


Proc = Generator[Any, Any, None]


class WindowsUpdate:
    def __init__(self, world: WorldPort) -> None:
        self.world = world
        self.env = world.env
        self.specs = {u.id: u for u in world.scenario.updates}
        self.nodes = {n: NodeUpdates() for n in world.scenario.cluster.node_names}
        self.scan_seconds = {
            n.name: float(n.scan_minutes) * 60.0 for n in world.scenario.cluster.nodes
        }
        self.work: dict[str, Work] = {}
        self._seq = 0

    # -- offers ----------------------------------------------------------------------------
    def applicable(self, node: str) -> list[UpdateSpec]:
        st = self.nodes[node]
        return [
            u
            for u in self.specs.values()
            if (u.nodes is None or node in u.nodes)
            and u.id not in st.installed
            and u.id not in st.staged
            and (u.after is None or u.after in st.installed or self._beyond(node, u.after))
            and (u.kind != "feature" or self._wants_feature(node, u))
        ]

    def offered_to(self, node: str, plugins: tuple[PluginName, ...]) -> list[UpdateSpec]:
        """What ``plugins`` (a pass's; with the profile's arguments) would offer ``node`` now
        (report-truth's "still offered": a hotfix no rule installs, or a recommended update
        Windows Update does not select, is not waiting to be installed)."""
        given = {spec.name: spec for spec in self.world.profile.plugins}
        specs = tuple(given.get(name, PluginSpec(name=name)) for name in plugins)
        scans = scan_plugins(
            specs, node, self.applicable(node), update_info,
            share=self.world.scenario.hotfix_share,
        )  # fmt: skip
        ids = {u.id for _, offer in scans if not isinstance(offer, str) for u in offer}
        return [u for u in self.applicable(node) if u.id in ids]

    def _beyond(self, node: str, update: str) -> bool:
        """A node already at a feature update's version (or newer) needs nothing before the
        updates that come ``after`` it: they are offered as if it were installed."""
        target = self.specs[update].to_version
        return target is not None and not is_newer(target, self.world.nodes[node].version)

    def _wants_feature(self, node: str, update: UpdateSpec) -> bool:
        """A feature update is offered to a node below its version whose preview channel, if
        it opted into one, is in effect (no restart pending after Set-PreviewChannel)."""
        sim = self.world.nodes[node]
        if sim.channel_restart_pending:
            return False
        return update.to_version is None or is_newer(update.to_version, sim.version)

    def restart_pending(self, node: str) -> bool:
        st = self.nodes[node]
        return st.reboot_owed or any(self.specs[i].restart for i in st.staged)

    def firmware_pending(self, node: str) -> bool:
        return any(update_info(self.specs[i]).firmware for i in self.nodes[node].staged)

    # -- starting work ---------------------------------------------------------------------
    def _new(self, node: str, kind: WorkKind, seconds: float) -> Work:
        self.world.truth.work_started(node, kind.value, seconds)
        self._seq += 1
        handle = WorkHandle(id=f"{kind.value}-{node}-{self._seq}", node=node, kind=kind)
        work = Work(handle=handle, started=float(self.env.now), seconds=seconds)
        self.work[handle.id] = work
        self.nodes[node].running.append(work)
        return work

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS,
        serially: bool = False,
        stop_on_failure: bool = False,
    ) -> WorkHandle:
        """A scan with ``plugins``: all at once (the node's scan time), or serially (one
        each, the later ones skipped after a failure with ``stop_on_failure``)."""
        scans = scan_plugins(
            plugins, node, self.applicable(node), update_info,
            share=self.world.scenario.hotfix_share, stop_on_failure=serially and stop_on_failure,
        )  # fmt: skip
        seconds = self.scan_seconds[node] * (len(scans) if serially else 1)
        work = self._new(node, WorkKind.SCAN, seconds)
        self.world.truth.act(node, "scan")
        self.env.process(self._scan(node, work, plugins, serially and stop_on_failure))
        return work.handle

    def _scan(
        self, node: str, work: Work, plugins: tuple[PluginSpec, ...], stop_on_failure: bool
    ) -> Proc:
        yield self.env.timeout(work.seconds)
        if work.state is WorkState.RUNNING:
            scans = scan_plugins(
                plugins, node, self.applicable(node), update_info,
                share=self.world.scenario.hotfix_share, stop_on_failure=stop_on_failure,
            )  # fmt: skip
            work.offered = tuple(
                u for _, offer in scans if not isinstance(offer, str) for u in offer
            )
            # The registry's RebootRequired/RebootPending: staged installs, or Storage Replica.
            work.restart_required = self.nodes[node].second_restart or self.restart_pending(node)
            work.channel_restart_pending = self.world.nodes[node].channel_restart_pending
            errors = [f"{name.value}: {offer}" for name, offer in scans if isinstance(offer, str)]
            if errors:
                work.error = "; ".join(errors)
                self.world.truth.trouble(node, "scan-failed", work.error)
            self._done(node, work, WorkState.FAILED if errors else WorkState.SUCCEEDED)

    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec = DEFAULT_PLUGIN
    ) -> WorkHandle:
        unknown = [i for i in update_ids if i not in self.specs]
        if unknown:
            self.world.truth.trouble(node, "install-refused", f"unknown update {unknown[0]}")
            raise RemoteCommandFailed("Install-WindowsUpdate", f"unknown update {unknown[0]}")
        try:
            installable_by(plugin, [self.specs[i] for i in update_ids], node)
        except RemoteCommandFailed as exc:
            self.world.truth.trouble(node, "install-refused", str(exc))
            raise
        st = self.nodes[node]
        if any(w.handle.kind is WorkKind.INSTALL for w in st.running):
            self.world.truth.trouble(node, "install-refused", "another install is running")
            raise RemoteCommandFailed(
                "Install-WindowsUpdate", "another installation is in progress on the node"
            )
        st.install_attempts += 1
        specs = [self.specs[i] for i in update_ids]
        seconds = sum(float(u.install_minutes_for(node)) * 60.0 for u in specs)
        work = self._new(node, WorkKind.INSTALL, seconds)
        self.world.truth.act(node, "install")
        failure = self.world.faults.install_failure(node, st.install_attempts)
        self.world.record(
            "install-started", node, f"attempt {st.install_attempts}: " + ", ".join(update_ids)
        )
        self.env.process(self._install(node, work, specs, failure, plugin))
        return work.handle

    def _install(
        self,
        node: str,
        work: Work,
        specs: list[UpdateSpec],
        failure: tuple[str, str | None] | None,
        by: PluginSpec,
    ) -> Proc:
        st = self.nodes[node]
        plugin = by.name
        for spec in specs:
            if spec.id in st.installed or spec.id in st.staged:
                restart = spec.id in st.staged
                work.results.append(self._result(spec, "Succeeded", restart=restart, by=plugin))
                continue
            if spec not in self.applicable(node):
                work.results.append(
                    self._result(spec, "Failed", hresult=WU_E_NOT_APPLICABLE, by=plugin)
                )
                continue
            hotfix = None
            if plugin is PluginName.HOTFIX:  # the installer its rule names, bounded in time
                hotfix = hotfix_install(self.world.scenario.hotfix_share, by, spec, node)
            yield self.env.timeout(
                hotfix.seconds
                if hotfix is not None
                else float(spec.install_minutes_for(node)) * 60.0
            )
            if work.state is not WorkState.RUNNING:
                return
            if failure is not None and failure[1] in (None, spec.id):
                work.results.append(self._result(spec, "Failed", hresult=failure[0], by=plugin))
                continue
            if hotfix is not None:
                work.results.append(self._hotfix_ended(node, spec, hotfix))
                continue
            st.install_counts[spec.id] = st.install_counts.get(spec.id, 0) + 1
            (st.staged if spec.restart else st.installed).append(spec.id)
            work.results.append(self._result(spec, "Succeeded", restart=spec.restart, by=plugin))
        work.restart_required = self.restart_pending(node)
        failed = [r for r in work.results if r.result != "Succeeded"]
        if failed:
            work.hresult = failed[0].hresult
            work.error = f"{len(failed)} update(s) failed to install"
            self.world.truth.trouble(node, "install-failed", work.error)
        self.world.record(
            "install-finished",
            node,
            ", ".join(
                f"{r.id} {r.result}{' ' + r.hresult if r.hresult else ''}" for r in work.results
            ),
        )
        self._done(node, work, WorkState.FAILED if failed else WorkState.SUCCEEDED)

    def _hotfix_ended(self, node: str, spec: UpdateSpec, run: HotfixRun) -> UpdateResult:
        """A hotfix installer's end, by its exit condition: in effect (staged when the node
        must restart), or failed (owing a restart on Fail_RebootRequired)."""
        st, by = self.nodes[node], PluginName.HOTFIX
        code = f"0x{run.exit_code & 0xFFFFFFFF:08X}"
        if run.condition is None:
            self.world.truth.trouble(node, "hotfix-timeout", spec.id)
            return self._result(spec, "Failed", hresult=ERROR_TIMEOUT, by=by)
        if not run.condition.succeeded:
            st.reboot_owed = st.reboot_owed or run.condition.restart
            return self._result(spec, "Failed", hresult=code, restart=run.condition.restart, by=by)
        st.install_counts[spec.id] = st.install_counts.get(spec.id, 0) + 1
        (st.staged if run.condition.restart else st.installed).append(spec.id)
        return self._result(spec, "Succeeded", restart=run.condition.restart, by=by)

    @staticmethod
    def _result(
        spec: UpdateSpec,
        result: str,
        *,
        hresult: str = "",
        restart: bool = False,
        by: PluginName = PluginName.WINDOWS_UPDATE,
    ) -> UpdateResult:
        return UpdateResult(
            id=spec.id,
            title=spec.title,
            result=result,
            hresult=hresult,
            restart_required=restart,
            plugin=by,
        )

    def start_script(self, node: str, path: str) -> WorkHandle:
        profile = self.world.profile
        kind = (
            "post"
            if (path == profile.post_update_script and path != profile.pre_update_script)
            else "pre"
        )
        scripts = self.world.scenario.scripts
        minutes = scripts.post_minutes if kind == "post" else scripts.pre_minutes
        st = self.nodes[node]
        st.script_attempts[kind] += 1
        fails = self.world.faults.script_failure(node, kind, st.script_attempts[kind])
        work = self._new(node, WorkKind.SCRIPT, float(minutes) * 60.0)
        self.world.truth.act(node, f"{kind}-script")
        self.world.script_started(node, kind)
        self.env.process(self._script(node, work, fails))
        return work.handle

    def _script(self, node: str, work: Work, fails: bool) -> Proc:
        yield self.env.timeout(work.seconds)
        if work.state is WorkState.RUNNING:
            work.exit_code = 1 if fails else 0
            if fails:
                work.error = "the script exited with code 1"
                self.world.truth.trouble(node, "script-failed", work.error)
            self._done(node, work, WorkState.FAILED if fails else WorkState.SUCCEEDED)

    def _done(self, node: str, work: Work, state: WorkState) -> None:
        work.state = state
        running = self.nodes[node].running
        if work in running:
            running.remove(work)

    # -- polling ---------------------------------------------------------------------------
    def poll(self, handle: WorkHandle) -> WorkProgress:
        work = self.work.get(handle.id)
        if work is None:
            raise RemoteCommandFailed("Get-WorkStatus", f"no such work {handle.id}")
        if not self.world.nodes[handle.node].up:
            self.world.truth.trouble(handle.node, "unreachable", "Get-WorkStatus")
            raise NodeUnreachable(handle.node)
        percent = 100
        if work.state is WorkState.RUNNING:
            elapsed = float(self.env.now) - work.started
            percent = min(99, int(100 * elapsed / work.seconds)) if work.seconds > 0 else 99
        return WorkProgress(
            handle=handle,
            state=work.state,
            percent=percent,
            offered=work.offered,
            results=tuple(work.results),
            restart_required=work.restart_required,
            exit_code=work.exit_code,
            error=work.error,
            hresult=work.hresult,
            channel_restart_pending=work.channel_restart_pending,
        )

    # -- power events ----------------------------------------------------------------------
    def node_down(self, node: str) -> None:
        """The node went down: whatever ran on it is interrupted."""
        st = self.nodes[node]
        for work in list(st.running):
            work.error = "interrupted: the node went down"
            self.world.truth.trouble(node, "work-interrupted", work.handle.kind.value)
            if work.handle.kind is WorkKind.INSTALL:
                work.restart_required = self.restart_pending(node)
            self._done(node, work, WorkState.FAILED)

    def node_booted(self, node: str) -> int:
        """Staged updates take effect (unless an update-rollback fault undoes one: it is
        then offered again); returns how many took effect."""
        st = self.nodes[node]
        staged, st.staged, st.reboot_owed = st.staged, [], False
        kept = [u for u in staged if not self.world.faults.update_rollback(node, u)]
        for update in staged:
            if update not in kept:
                self.world.truth.trouble(node, "update-rolled-back", update)
        st.installed.extend(kept)
        builds = [b for b in (self.specs[u].os_build for u in kept) if b is not None]
        st.new_build = builds[-1] if builds else None
        # With Storage Replica a feature update needs a second restart; scans report it
        # pending until the node boots again.
        st.second_restart = (
            "storage-replica-second-restart" in self.world.scenario.known_issues
            and any(self.specs[u].kind == "feature" for u in kept)
        )
        return len(kept)
