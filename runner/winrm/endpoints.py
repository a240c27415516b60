"""The plumbing every WinRM operation of pycau shares: one reused shell per endpoint, a
script run with its deadline and fence, its JSON answer loaded and its errors mapped.

Owns: ``WinRMEndpoints`` — the base class of ``WinRMTransport`` and of its operation
families (``runner.winrm.lock_ops``, ``runner.winrm.record_ops``, and each capability's own
``*_ops`` module): ``_on_cluster`` (a command on the cluster endpoint), ``_read_cluster`` (a
read, falling back to nodes seen Up when the cluster endpoint is away), ``_on_node`` (a
script on the node's own endpoint, which checks it landed there), ``_parsed`` (the one
place ``MalformedOutput`` becomes ``RemoteCommandFailed``), ``close``.

Theory of operation: a script answers one JSON document; ``{"Error": …}`` with exit code 1
is mapped by ``runner.winrm.error_map.error_from_document``. ``round_trip_hooks`` run after
every script: the endpoint clock uses it to know that simulated time may have moved. A new
operation family is a subclass of ``WinRMEndpoints`` in a module of its own, added to
``WinRMTransport``'s bases — so no module grows past a few hundred lines.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from runner.clock import SystemClock
from runner.errors import ClusterUnreachable, RemoteCommandFailed
from runner.remote_protocol import FENCED_SCRIPTS, ScriptName, holder_document
from runner.transport import Clock
from runner.types import LockHolder
from runner.winrm.connection import ConnectionOptions, Credentials
from runner.winrm.error_map import error_from_document, safe_text
from runner.winrm.psjson import MalformedOutput, load_document
from runner.winrm.scripts import command_line
from runner.winrm.shell import RemoteShell, WireStats

__all__ = ["CLUSTER", "DEFAULT_CRITERIA", "Deadlines", "WinRMEndpoints"]

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


class WinRMEndpoints:
    """Shells to the cluster's endpoints, reused, and scripts run in them."""

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
        # Whom a take-over replaced while the cluster was stopped: a node's claim of it is
        # this coordinator's (the node was away during the take-over).
        self._superseded: LockHolder | None = None

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
            if self._superseded is not None:
                args["Supersedes"] = holder_document(self._superseded)
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

    def close(self) -> None:
        """Delete every shell (best effort)."""
        for shell in self._shells.values():
            shell.close()
        self._shells.clear()
