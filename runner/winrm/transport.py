"""The production ``ClusterTransport``: a Windows failover cluster over WinRM.

Owns: ``WinRMTransport`` — each contract method is one script (``runner/winrm/scripts``)
run in the shell of the right endpoint, its answer parsed into the contract's value types,
its failures mapped to ``runner.errors`` — plus the operations the CLI needs beyond the
contract (probe, readiness facts, boot beacon, run record, the endpoint's clock).

Theory of operation:
- ``observe`` is ONE script on the cluster endpoint returning the whole ``ClusterView``.
  If the cluster endpoint does not answer, the other nodes that were Up in the last view
  are tried in turn (observe and the run record are reads, safe to repeat anywhere).
- Cluster commands (suspend, resume, run record) run on the cluster endpoint; node-local
  work (Windows Update, scripts, restart, facts, beacon) runs on the node's own endpoint,
  and each of those scripts first checks it landed on the node it was meant for.
- A script answers one JSON document; ``{"Error": …}`` with exit code 1 is mapped by
  ``runner.winrm.error_map.error_from_document``.
- ``round_trip_hooks`` run after every script: the endpoint clock uses it to know that
  simulated time may have moved.

Error contract: as ``runner.transport``; additionally every method may raise
``AuthenticationFailed`` (credentials or TLS trust refused; no effect) — not for a session
that merely expired: ``runner.winrm.shell`` re-authenticates and repeats the refused request.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from runner.clock import SystemClock
from runner.errors import ClusterUnreachable, RemoteCommandFailed
from runner.remote_protocol import FENCED_SCRIPTS, ScriptName, holder_document
from runner.transport import Clock
from runner.types import (
    BootType,
    ClusterView,
    FailbackMode,
    LockHolder,
    NodeState,
    ValidationReport,
    WorkHandle,
    WorkKind,
    WorkProgress,
)
from runner.winrm.connection import ConnectionOptions, Credentials
from runner.winrm.error_map import error_from_document, safe_text
from runner.winrm.parse import (
    parse_boot_type,
    parse_cluster_view,
    parse_credssp,
    parse_lock_answer,
    parse_validation_report,
    parse_work_handle,
    parse_work_progress,
)
from runner.winrm.psjson import MalformedOutput, load_document
from runner.winrm.scripts import beacon_source, command_line, worker_payload
from runner.winrm.shell import RemoteShell, WireStats

__all__ = ["CLUSTER", "DEFAULT_CRITERIA", "Deadlines", "WinRMTransport"]

CLUSTER = "cluster"
T = TypeVar("T")
# Invoke-CauScan's default Windows Update search (reference cau.md §2.1).
DEFAULT_CRITERIA = "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadlines:
    """Wall-clock seconds each kind of script may take before it counts as timed out."""

    read: float = 120.0  # observe, poll, facts, run record, probe
    start: float = 180.0  # writing the worker and registering its scheduled task
    command: float = 300.0  # suspend, resume (failback), restart, beacon


class WinRMTransport:
    """``ClusterTransport`` over pywinrm; one shell per endpoint, reused."""

    def __init__(
        self,
        options: ConnectionOptions,
        credentials: Credentials,
        *,
        clock: Clock | None = None,
        deadlines: Deadlines | None = None,
        vm_memory: bool = False,
        criteria: str = DEFAULT_CRITERIA,
    ) -> None:
        options.check_credentials(credentials)
        self.options = options
        self._credentials = credentials
        self.clock: Clock = clock or SystemClock()
        self.deadlines = deadlines or Deadlines()
        self._vm_memory = vm_memory
        self._criteria = criteria
        self.stats = WireStats()
        self.cancel = threading.Event()
        # Called after every script with the endpoint's "Now" when it reported one.
        self.round_trip_hooks: list[Callable[[float | None], None]] = []
        self._shells: dict[str, RemoteShell] = {}
        self._refused_endpoints: set[str] = set()  # see RemoteShell: never logged on again
        self._fallback_nodes: tuple[str, ...] = ()
        self._fence: LockHolder | None = None  # the run lock this transport's commands hold

    # -- plumbing ---------------------------------------------------------------------

    def _shell(self, label: str, host: str, node: str | None) -> RemoteShell:
        key = f"{label}@{host}"
        shell = self._shells.get(key)
        if shell is None:
            shell = RemoteShell(
                endpoint=self.options.endpoint(host),
                node=node,
                protocol_kwargs=self.options.protocol_kwargs(host, self._credentials),
                secret=self._credentials.password or None,
                stats=self.stats.of(label),
                cancel=self.cancel,
                refused_endpoints=self._refused_endpoints,
            )
            self._shells[key] = shell
        return shell

    def _run(
        self,
        shell: RemoteShell,
        name: ScriptName,
        args: Mapping[str, Any],
        *,
        deadline: float,
        idempotent: bool,
        node: str | None,
    ) -> Any:
        if name in FENCED_SCRIPTS and self._fence is not None:
            args = {**args, "Fence": holder_document(self._fence)}
        executable, arguments = command_line(name, args)
        try:
            result = shell.run(
                name.value, executable, arguments, deadline_s=deadline, idempotent=idempotent
            )
        except BaseException:
            self._after_round_trip(None)
            raise
        secret = self._credentials.password or None
        try:
            document = load_document(result.stdout)
        except MalformedOutput as exc:
            detail = f"unexpected answer to {name.value}: {exc}"
            if result.exit_code != 0:
                stderr = safe_text(result.stderr.decode("utf-8", "replace"), secret)
                detail = f"{name.value} exited with {result.exit_code}: {stderr}"
            self._after_round_trip(None)
            raise RemoteCommandFailed(name.value, detail) from exc
        now = document.get("Now") if isinstance(document, Mapping) else None
        self._after_round_trip(float(now) if isinstance(now, int | float) else None)
        if isinstance(document, Mapping) and isinstance(document.get("Error"), Mapping):
            raise error_from_document(document, script=name.value, node=node, secret=secret)
        return document

    @staticmethod
    def _parsed(name: ScriptName, parse: Callable[[Any], T], document: Any) -> T:
        """``parse(document)``; an answer that does not parse is a failed command (the one
        place ``MalformedOutput`` becomes ``RemoteCommandFailed``)."""
        try:
            return parse(document)
        except MalformedOutput as exc:
            raise RemoteCommandFailed(
                name.value, f"unexpected answer to {name.value}: {exc}"
            ) from exc

    def _after_round_trip(self, endpoint_now: float | None) -> None:
        for hook in self.round_trip_hooks:
            hook(endpoint_now)

    def _on_cluster(
        self, name: ScriptName, args: Mapping[str, Any], *, deadline: float, about: str | None
    ) -> Any:
        shell = self._shell(CLUSTER, self.options.host, None)
        return self._run(shell, name, args, deadline=deadline, idempotent=False, node=about)

    def _read_cluster(self, name: ScriptName, args: Mapping[str, Any]) -> Any:
        """A read on the cluster endpoint, falling back to nodes seen Up when it is away."""
        hosts = [self.options.host]
        if not self.options.single_endpoint:
            hosts += [self.options.node_host(n) for n in self._fallback_nodes]
        last: ClusterUnreachable | None = None
        for host in dict.fromkeys(hosts):
            shell = self._shell(CLUSTER, host, None)
            try:
                return self._run(
                    shell, name, args, deadline=self.deadlines.read, idempotent=True, node=None
                )
            except ClusterUnreachable as exc:
                last = exc
        assert last is not None
        raise last

    def _on_node(
        self,
        node: str,
        name: ScriptName,
        args: Mapping[str, Any],
        *,
        deadline: float,
        idempotent: bool = False,
    ) -> Any:
        shell = self._shell(node, self.options.node_host(node), node)
        payload = {"Node": node, **args}
        return self._run(shell, name, payload, deadline=deadline, idempotent=idempotent, node=node)

    # -- the contract -----------------------------------------------------------------

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
        payload: dict[str, Any] = {
            "Kind": kind.value,
            "Criteria": self._criteria,
            "UpdateIds": [],
            "Script": "",
            **args,
            "Worker": worker_payload(),
        }
        document = self._on_node(
            node, ScriptName.START_WORK, payload, deadline=self.deadlines.start
        )
        return self._parsed(ScriptName.START_WORK, parse_work_handle, document)

    def start_scan(self, node: str) -> WorkHandle:
        return self._start(node, WorkKind.SCAN)

    def start_install(self, node: str, update_ids: tuple[str, ...]) -> WorkHandle:
        return self._start(node, WorkKind.INSTALL, UpdateIds=list(update_ids))

    def start_script(self, node: str, script: str) -> WorkHandle:
        return self._start(node, WorkKind.SCRIPT, Script=script)

    def start_validation(self) -> WorkHandle:
        """Test-Cluster in the detached worker on the node holding the cluster endpoint."""
        payload = {"Node": "", "Kind": WorkKind.VALIDATION.value, "Criteria": "",
                   "UpdateIds": [], "Script": "", "Worker": worker_payload()}  # fmt: skip
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

    # -- the run lock (scripts/lock*.ps1) ---------------------------------------------------

    def _lock(self, name: ScriptName, args: Mapping[str, Any]) -> LockHolder | None:
        document = self._on_cluster(name, args, deadline=self.deadlines.read, about=None)
        return self._parsed(name, parse_lock_answer, document)

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        current = self._lock(ScriptName.LOCK_CREATE, {"Holder": holder_document(holder)})
        if current is None:
            self._fence = holder
        return current

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        args = {"Holder": holder_document(holder), "Previous": holder_document(previous)}
        current = self._lock(ScriptName.LOCK_TAKEOVER, args)
        if current is None:
            self._fence = holder
        return current

    def renew_run_lock(self, holder: LockHolder) -> None:
        self._lock(ScriptName.LOCK_RENEW, {"Holder": holder_document(holder)})

    def release_run_lock(self, holder: LockHolder) -> None:
        self._lock(ScriptName.LOCK_RELEASE, {"Holder": holder_document(holder)})

    def read_run_lock(self) -> LockHolder | None:
        document = self._read_cluster(ScriptName.LOCK_READ, {})
        return self._parsed(ScriptName.LOCK_READ, parse_lock_answer, document)

    # -- beyond the contract (CLI) --------------------------------------------------------

    def probe(self, node: str | None = None) -> Mapping[str, Any]:
        """Who answers on the cluster endpoint (or on ``node``'s own endpoint)."""
        if node is None:
            return dict(self._read_cluster(ScriptName.PROBE, {}))
        return dict(self._on_node(node, ScriptName.PROBE, {}, deadline=self.deadlines.read))

    def node_facts(self, node: str, scripts: Sequence[str]) -> Mapping[str, Any]:
        """Readiness facts of ``node`` (versions, policies, firewall, scripts)."""
        args = {"Scripts": list(scripts)}
        return dict(self._on_node(node, ScriptName.NODE_FACTS, args, deadline=self.deadlines.read))

    def install_beacon(self, node: str) -> None:
        """Install the startup task that publishes ``node``'s boot id in the cluster."""
        args = {"Beacon": beacon_source()}
        self._on_node(node, ScriptName.INSTALL_BEACON, args, deadline=self.deadlines.command)

    def get_run(self) -> Mapping[str, Any] | None:
        """The published run record, or None when no run was ever published."""
        text = self._read_cluster(ScriptName.GET_RUN, {}).get("Run") or ""
        try:
            record = json.loads(text) if text else None
        except json.JSONDecodeError as exc:
            raise RemoteCommandFailed("get-run", "the run record is not JSON") from exc
        return record if isinstance(record, Mapping) else None

    def publish_run(self, record: Mapping[str, Any]) -> None:
        """Publish the run record (it carries ``RunId``); ``RunLocked`` when another run
        holds the run lock (only the holder publishes while the cluster is locked)."""
        args = {"Run": dict(record)}
        self._on_cluster(ScriptName.PUBLISH_RUN, args, deadline=self.deadlines.read, about=None)

    def endpoint_clock(self, seconds: float) -> float:
        """Wait ``seconds`` on the cluster endpoint; its monotonic seconds afterwards."""
        args = {"Seconds": seconds}
        document = self._on_cluster(
            ScriptName.CLOCK, args, deadline=self.deadlines.read + seconds, about=None
        )
        now = document.get("Now") if isinstance(document, Mapping) else None
        if not isinstance(now, int | float):
            raise RemoteCommandFailed("clock", "the endpoint reported no time")
        return float(now)

    def close(self) -> None:
        """Delete every shell (best effort)."""
        for shell in self._shells.values():
            shell.close()
        self._shells.clear()
