"""The production ``ClusterTransport``: a Windows failover cluster over WinRM.

Owns: ``WinRMTransport`` — each contract method is one script (``runner/winrm/scripts``)
run in the shell of the right endpoint, its answer parsed into the contract's value types,
its failures mapped to ``runner.errors``. The plumbing is ``runner.winrm.endpoints``; the
run lock (``runner.winrm.lock_ops``), the CLI's extra operations
(``runner.winrm.record_ops``), the run options (``runner.winrm.options_ops``) and the
Hotfix plug-in's library (``runner.winrm.hotfix_ops``) are operation families mixed in.

Theory of operation:
- ``observe`` is ONE script on the cluster endpoint returning the whole ``ClusterView``.
  If the cluster endpoint does not answer, the other nodes that were Up in the last view
  are tried in turn (observe and the run record are reads, safe to repeat anywhere).
- Cluster commands (suspend, resume, run record) run on the cluster endpoint; node-local
  work (Windows Update, scripts, restart, facts, beacon) runs on the node's own endpoint,
  and each of those scripts first checks it landed on the node it was meant for.

Error contract: as ``runner.transport``; additionally every method may raise
``AuthenticationFailed`` (credentials or TLS trust refused; no effect) — not for a session
that merely expired: ``runner.winrm.shell`` re-authenticates and repeats the refused request.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

from typing import Any

from runner.errors import RunnerError
from runner.plugins import (
    DEFAULT_PLUGIN,
    DEFAULT_PLUGINS,
    PluginName,
    PluginSpec,
    plugin_document,
)
from runner.remote_protocol import ScriptName
from runner.types import (
    BootType,
    ClusterView,
    FailbackMode,
    NodeState,
    ValidationReport,
    WorkHandle,
    WorkKind,
    WorkProgress,
)
from runner.winrm.capacity_ops import CapacityOps
from runner.winrm.endpoints import CLUSTER, DEFAULT_CRITERIA, Deadlines
from runner.winrm.history_ops import HistoryOps
from runner.winrm.hotfix_ops import HotfixOps
from runner.winrm.offline_ops import OfflineOps
from runner.winrm.options_ops import OptionOps
from runner.winrm.parse import (
    parse_boot_type,
    parse_cluster_view,
    parse_credssp,
    parse_validation_report,
    parse_work_handle,
    parse_work_progress,
)
from runner.winrm.post_ops import PostOps
from runner.winrm.record_ops import RecordOps
from runner.winrm.scripts import worker_hash, worker_payload
from runner.winrm.snapshot_ops import SnapshotOps
from runner.winrm.stop_ops import StopOps

__all__ = ["CLUSTER", "DEFAULT_CRITERIA", "Deadlines", "WinRMTransport"]


class WinRMTransport(
    OfflineOps,
    RecordOps,
    OptionOps,
    HotfixOps,
    PostOps,
    SnapshotOps,
    StopOps,
    HistoryOps,
    CapacityOps,
):
    """``ClusterTransport`` over pywinrm; one shell per endpoint, reused."""

    _worker_nodes: set[str]  # nodes this transport installed the worker on

    def observe(self) -> ClusterView:
        args = {"WinRMPort": self.options.effective_port, "VmMemory": self._vm_memory}
        document = self._read_cluster(ScriptName.OBSERVE, args)
        now = self.clock.now()
        view = self._parsed(
            ScriptName.OBSERVE, lambda doc: parse_cluster_view(doc, taken_at=now), document
        )
        self._fallback_nodes = tuple(
            n.name for n in view.nodes if n.state in (NodeState.UP, NodeState.PAUSED)
        )
        return view

    def _start(self, node: str, kind: WorkKind, **args: Any) -> WorkHandle:
        installed: set[str] | None = getattr(self, "_worker_nodes", None)
        if installed is None:  # the first work of this transport
            installed = self._worker_nodes = set()
        if node not in installed:  # once per node and run (start-work copies it)
            self._on_node(node, ScriptName.INSTALL_WORKER, _worker_args(node),
                          deadline=self.deadlines.start)  # fmt: skip
            installed.add(node)
        payload: dict[str, Any] = {
            "Kind": kind.value,
            "Criteria": self._criteria,
            "UpdateIds": [],
            "Script": "",
            "Plugins": [],
            **args,
            "WorkerHash": worker_hash(),
        }
        try:
            document = self._on_node(
                node, ScriptName.START_WORK, payload, deadline=self.deadlines.start
            )
        except RunnerError:
            installed.discard(node)  # the retry installs the worker again
            raise
        return self._parsed(ScriptName.START_WORK, parse_work_handle, document)

    def _criteria_of(self, plugins: tuple[PluginSpec, ...]) -> str:
        """The Windows Update search: the plug-in's QueryString when the profile gave one."""
        for spec in plugins:
            given = dict(spec.arguments).get("query_string")
            if spec.name is PluginName.WINDOWS_UPDATE and given is not None:
                return str(given)
        return self._criteria

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS,
        *,
        serially: bool = False,
        stop_on_failure: bool = False,
    ) -> WorkHandle:
        """The worker scans with each plug-in (``Plugins``, in order), serially or not."""
        self._hotfix_library(node, plugins)
        return self._start(
            node, WorkKind.SCAN, Criteria=self._criteria_of(plugins),
            Plugins=[plugin_document(spec) for spec in plugins], Serially=serially,
            StopOnFailure=stop_on_failure,
        )  # fmt: skip

    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec = DEFAULT_PLUGIN
    ) -> WorkHandle:
        """The worker installs through ``plugin`` (its one ``Plugins`` entry)."""
        self._hotfix_library(node, (plugin,))
        return self._start(
            node, WorkKind.INSTALL, UpdateIds=list(update_ids),
            Criteria=self._criteria_of((plugin,)), Plugins=[plugin_document(plugin)],
        )  # fmt: skip

    def start_script(self, node: str, script: str) -> WorkHandle:
        return self._start(node, WorkKind.SCRIPT, Script=script)

    def start_validation(self) -> WorkHandle:
        """Test-Cluster in the detached worker on the node holding the cluster endpoint."""
        payload = {"Node": "", "Kind": WorkKind.VALIDATION.value, "Criteria": "",
                   "UpdateIds": [], "Script": "", "WorkerHash": worker_hash()}  # fmt: skip
        # Whichever node answers the cluster endpoint gets the worker first, each time.
        self._on_cluster(ScriptName.INSTALL_WORKER, _worker_args(""),
                         deadline=self.deadlines.start, about=None)  # fmt: skip
        document = self._on_cluster(
            ScriptName.START_WORK, payload, deadline=self.deadlines.start, about=None
        )
        return self._parsed(ScriptName.START_WORK, parse_work_handle, document)

    def read_validation_report(self) -> ValidationReport | None:
        document = self._read_cluster(ScriptName.VALIDATION_REPORT, {})
        return self._parsed(ScriptName.VALIDATION_REPORT, parse_validation_report, document)

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        args = {"Id": handle.id, "Kind": handle.kind.value}
        if handle.kind is WorkKind.VALIDATION:  # on the cluster endpoint, where it started
            document = self._read_cluster(ScriptName.POLL_WORK, {**args, "Node": ""})
        else:
            document = self._on_node(
                handle.node, ScriptName.POLL_WORK, args, deadline=self.deadlines.read,
                idempotent=True,
            )  # fmt: skip
        return self._parsed(
            ScriptName.POLL_WORK, lambda doc: parse_work_progress(doc, handle), document
        )

    def suspend_node(self, node: str) -> None:
        self._on_cluster(
            ScriptName.SUSPEND_NODE, {"Node": node}, deadline=self.deadlines.command, about=node
        )

    def resume_node(self, node: str, failback: FailbackMode) -> None:
        args = {"Node": node, "Failback": failback.cau_name}
        self._on_cluster(ScriptName.RESUME_NODE, args, deadline=self.deadlines.command, about=node)

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        document = self._on_node(
            node, ScriptName.RESTART_NODE, {"Soft": soft}, deadline=self.deadlines.command
        )
        return self._parsed(ScriptName.RESTART_NODE, parse_boot_type, document)

    def credssp_enabled(self, node: str) -> bool:
        """get-credssp.ps1 on the node's own endpoint (WSMan:\\localhost\\Service\\Auth)."""
        document = self._on_node(
            node, ScriptName.GET_CREDSSP, {}, deadline=self.deadlines.read, idempotent=True
        )
        return self._parsed(ScriptName.GET_CREDSSP, parse_credssp, document)

    def set_credssp(self, node: str, enabled: bool) -> None:
        """set-credssp.ps1 on the node's own endpoint: not one Invoke-Command fan-out from the
        cluster endpoint, since reaching the other nodes from there is the second hop
        CredSSP is about."""
        args = {"Enabled": enabled}
        self._on_node(node, ScriptName.SET_CREDSSP, args, deadline=self.deadlines.command)


def _worker_args(node: str) -> dict[str, Any]:
    """``install-worker``'s arguments: the packed worker and its hash (``node`` "" = the
    computer that answers)."""
    return {"Node": node, "Worker": worker_payload(), "Hash": worker_hash()}
