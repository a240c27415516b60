"""Answering pycau's scripts from a simulated cluster: the twin's ``Answerer``.

Owns: ``TwinAnswers`` — decodes each command line (``runner.remote_protocol``), runs the
ONE call of the world's ``ClusterTransport`` the script stands for, and writes the answer
the real script would write on Windows PowerShell 5.1 (``simulator.twin.encode``,
``simulator.twin.ps_output``). Also the state a real cluster keeps outside the world: the
published run record (the cluster parameter PycauRun, which is the run lock) and the
LastBootUpTime of each boot id seen.

Theory of operation: every world-changing script maps to exactly the transport call the
runner would have made directly, and the ``clock`` script to the world's clock, so a run
through WinRM drives the SimPy world through the same calls at the same simulated times
as ``pycau simulate``: same decisions, same outcome, same oracle verdict. Failures travel as
Windows shows them: a node that is away cuts the connection of a script meant to run on it
(as a rebooting node does); other runner errors become the prelude's error document. A
restart removes the shell it ran in, as a reboot does.

Must not: touch the world except through its transport and clock; run two scripts at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from runner.errors import NodeUnreachable, RunLocked, RunnerError
from runner.plugins import DEFAULT_PLUGINS, read_plugin_document
from runner.remote_protocol import (
    FENCED_SCRIPTS,
    TWIN_MARKER,
    ScriptName,
    ScriptProtocolError,
    decode_command_line,
    read_holder,
    read_script,
)
from runner.transport import Clock, ClusterTransport
from runner.types import BootType, FailbackMode, LockHolder, WorkHandle, WorkKind
from simulator.transport import SimTransport
from simulator.twin.answers_capacity import capacity_facts_answer
from simulator.twin.answers_history import RunHistory
from simulator.twin.answers_offline import OFFLINE_ANSWERS
from simulator.twin.answers_options import OptionAnswers
from simulator.twin.answers_plugins import install_hotfix_library, install_worker
from simulator.twin.answers_post import PostAnswers
from simulator.twin.answers_snapshot import snapshot_handlers
from simulator.twin.answers_stop import stop_field, stop_request_answer
from simulator.twin.encode import (
    error_document,
    handle_document,
    observe_document,
    progress_document,
)
from simulator.twin.ps_output import dumps
from simulator.twin.shells import ScriptOutput

__all__ = ["NODE_LOCAL", "TwinAnswers"]

# Scripts that run on the node they name (they check $env:COMPUTERNAME first).
NODE_LOCAL = frozenset(
    {
        ScriptName.START_WORK,
        ScriptName.POLL_WORK,
        ScriptName.RESTART_NODE,
        ScriptName.INSTALL_BEACON,
        ScriptName.NODE_FACTS,
        ScriptName.GET_CREDSSP,
        ScriptName.SET_CREDSSP,
        ScriptName.INSTALL_HOTFIX_LIBRARY,
        ScriptName.INSTALL_WORKER,
        ScriptName.OBSERVE_HOST,
        ScriptName.SET_CLUSTER_SERVICE,
        ScriptName.START_CLUSTER,
        ScriptName.OFFLINE_CLAIM,
        ScriptName.ENABLE_FIREWALL,
        ScriptName.SNAPSHOT_NODE,
    }
)
# Simulated boots get LastBootUpTime on the simulated calendar of pycau's rehearsals.
_EPOCH_MS = int(datetime(2026, 1, 13, 2, 0, tzinfo=UTC).timestamp() * 1000)
_FAILBACK = {mode.cau_name: mode for mode in FailbackMode}

Handler = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], bool]]


class TwinAnswers:
    """``Answerer`` of the twin: pycau's scripts answered from ``transport`` and ``clock``."""

    def __init__(
        self,
        transport: ClusterTransport,
        clock: Clock,
        *,
        cluster: str,
        scenario: str = "",
        seed: int = 0,
        on_run_record: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._transport = transport
        self._clock = clock
        self._cluster = cluster
        self._scenario = scenario
        self._seed = seed
        self._on_run_record = on_run_record
        self._lock = threading.Lock()
        self._boot_ms: dict[str, int] = {}
        self._run_record = ""
        self.scripts: dict[str, int] = {}  # how many of each script were answered
        self.dropped = 0  # connections cut because the node a script was for was away
        options = OptionAnswers(transport)  # run options (issue 9) and node facts
        self.history = RunHistory()  # the cluster's run history (pycau history)
        post = PostAnswers(transport)  # post-installation steps of a feature update
        self._handlers: dict[ScriptName, Handler] = {
            ScriptName.PROBE: self._probe,
            ScriptName.OBSERVE: self._observe,
            ScriptName.START_WORK: self._start_work,
            ScriptName.POLL_WORK: self._poll_work,
            ScriptName.SUSPEND_NODE: self._suspend,
            ScriptName.RESUME_NODE: self._resume,
            ScriptName.RESTART_NODE: self._restart,
            ScriptName.INSTALL_BEACON: self._beacon,
            ScriptName.NODE_FACTS: options.facts,
            ScriptName.GET_RUN: self._get_run,
            ScriptName.PUBLISH_RUN: self._publish_run,
            ScriptName.CLOCK: self._clock_script,
            ScriptName.VALIDATION_REPORT: self._validation_report,
            ScriptName.SET_CREDSSP: self._set_credssp,
            ScriptName.GET_CREDSSP: self._get_credssp,
            ScriptName.LOCK_CREATE: self._lock_create,
            ScriptName.LOCK_TAKEOVER: self._lock_takeover,
            ScriptName.LOCK_RENEW: self._lock_renew,
            ScriptName.LOCK_RELEASE: self._lock_release,
            ScriptName.LOCK_READ: self._lock_read,
            ScriptName.INSTALL_HOTFIX_LIBRARY: install_hotfix_library,
            ScriptName.INSTALL_WORKER: install_worker,
            ScriptName.OBSERVE_HOST: self._offline(ScriptName.OBSERVE_HOST),
            ScriptName.OBSERVE_STORAGE: self._offline(ScriptName.OBSERVE_STORAGE),
            ScriptName.SAVE_VMS: self._offline(ScriptName.SAVE_VMS),
            ScriptName.START_VMS: self._offline(ScriptName.START_VMS),
            ScriptName.SET_VIRTUAL_DISKS: self._offline(ScriptName.SET_VIRTUAL_DISKS),
            ScriptName.STOP_CLUSTER: self._offline(ScriptName.STOP_CLUSTER),
            ScriptName.SET_CLUSTER_SERVICE: self._offline(ScriptName.SET_CLUSTER_SERVICE),
            ScriptName.START_CLUSTER: self._offline(ScriptName.START_CLUSTER),
            ScriptName.OFFLINE_CLAIM: self._offline(ScriptName.OFFLINE_CLAIM),
            ScriptName.FORCE_DRAIN_NODE: options.force_drain,
            ScriptName.ENABLE_FIREWALL: options.enable_firewall,
            ScriptName.NODE_SITES: options.node_sites,
            ScriptName.STOP_REQUEST: stop_request_answer(transport, self._holder_doc),
            ScriptName.GET_RUN_HISTORY: self.history.answer,
            ScriptName.UPDATE_FUNCTIONAL_LEVEL: post.functional_level,
            ScriptName.UPDATE_STORAGE_POOL: post.storage_pool,
            ScriptName.VM_VERSIONS: post.vm_versions,
            ScriptName.VM_VERSION: post.vm_version,
            ScriptName.CAPACITY_FACTS: capacity_facts_answer(transport),
            **snapshot_handlers(transport),  # pycau snapshot (simulator.twin.answers_snapshot)
        }
        if isinstance(transport, SimTransport):  # over WinRM the lock scripts fail while the
            transport.route_window_lock = False  # cluster is stopped: claims are asked for
        # Commands each script carried a fence for, by run id (what each coordinator did).
        self.fenced_commands: dict[str, int] = {}

    def __call__(self, command: str, arguments: str) -> ScriptOutput:
        try:
            name, args = read_script(decode_command_line(command, arguments))
        except ScriptProtocolError as exc:
            return ScriptOutput(stderr=f"pycau twin: {exc}".encode(), exit_code=1)
        with self._lock:
            self.scripts[name.value] = self.scripts.get(name.value, 0) + 1
            try:
                if name in FENCED_SCRIPTS:
                    self._fence(args)
                document, close_shell = self._handlers[name](args)
            except NodeUnreachable as exc:
                if name in NODE_LOCAL:
                    self.dropped += 1
                    return ScriptOutput(drop=True)  # the node is away: its connection dies
                return self._output(error_document(exc), exit_code=1)
            except RunnerError as exc:
                return self._output(error_document(exc), exit_code=1)
            except Exception as exc:  # a twin bug: answer as a crashed script, keep serving
                text = f"pycau twin failed on {name.value}: {type(exc).__name__}: {exc}"
                return ScriptOutput(stderr=text.encode("utf-8"), exit_code=1)
            return self._output(document, close_shell=close_shell)

    def _offline(self, name: ScriptName) -> Handler:
        """The offline update's answer to ``name`` (``simulator.twin.answers_offline``)."""
        answer = OFFLINE_ANSWERS[name.value]
        return lambda args: answer(self._transport, args, self._boot)

    def _output(self, document: Mapping[str, Any], **kwargs: Any) -> ScriptOutput:
        """The document as the prelude writes it: stamped with the endpoint's Now."""
        stamped = {**document, "Now": self._clock.now()}
        return ScriptOutput(stdout=dumps(stamped).encode("utf-8"), **kwargs)

    def _fence(self, args: Mapping[str, Any]) -> None:
        """A fenced script acts only for the coordinator holding the run lock (lock.ps1's
        Assert-PycauFence, checked within the script's own round trip)."""
        try:
            fence = read_holder(args.get("Fence"))
        except ScriptProtocolError:
            fence = None
        if isinstance(self._transport, SimTransport):
            self._transport.fence = fence
            try:  # a take-over while the cluster was stopped: whom it replaced
                self._transport.superseded = read_holder(args.get("Supersedes"))
            except ScriptProtocolError:
                self._transport.superseded = None
        if fence is not None:
            self.fenced_commands[fence.run_id] = self.fenced_commands.get(fence.run_id, 0) + 1

    # -- the world ------------------------------------------------------------------------
    def _boot(self, boot_id: str) -> int | None:
        """The LastBootUpTime (ms) of ``boot_id``: when the twin first saw it."""
        if not boot_id:
            return None
        if boot_id not in self._boot_ms:
            ms = _EPOCH_MS + round(self._clock.now() * 1000)
            taken = set(self._boot_ms.values())
            while ms in taken:
                ms += 1
            self._boot_ms[boot_id] = ms
        return self._boot_ms[boot_id]

    def _observe(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        view = self._transport.observe()
        return observe_document(view, boot_ms=self._boot), False

    def _start_work(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        node, kind = str(args["Node"]), WorkKind(str(args["Kind"]))
        plugins = tuple(read_plugin_document(d) for d in args.get("Plugins") or ())
        if kind is WorkKind.SCAN:
            handle = self._transport.start_scan(
                node, plugins or DEFAULT_PLUGINS, serially=bool(args.get("Serially")),
                stop_on_failure=bool(args.get("StopOnFailure")),
            )  # fmt: skip
        elif kind is WorkKind.VALIDATION:
            handle = self._transport.start_validation()
        elif kind is WorkKind.INSTALL:
            ids = tuple(args.get("UpdateIds") or ())
            handle = self._transport.start_install(node, ids, *plugins[:1])
        else:
            handle = self._transport.start_script(node, str(args.get("Script", "")))
        return handle_document(handle), False

    def _poll_work(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        handle = WorkHandle(
            id=str(args["Id"]), node=str(args["Node"]), kind=WorkKind(str(args["Kind"]))
        )
        return progress_document(self._transport.poll_work(handle)), False

    def _validation_report(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        report = self._transport.read_validation_report()
        if report is None:
            return {"Report": None}, False
        document = {"Passed": report.passed, "Path": report.path, "Summary": report.summary}
        return {"Report": document}, False

    def _set_credssp(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        enabled = bool(args["Enabled"])
        self._transport.set_credssp(str(args["Node"]), enabled)
        return {"Node": args.get("Node"), "Enabled": enabled}, False

    def _get_credssp(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        enabled = self._transport.credssp_enabled(str(args["Node"]))
        return {"Node": args.get("Node"), "Enabled": enabled}, False

    # -- the run lock: the world's cluster group pycau-run-lock ---------------------------
    @staticmethod
    def _holder(args: Mapping[str, Any], key: str) -> LockHolder:
        holder = read_holder(args.get(key))
        if holder is None:
            raise ScriptProtocolError(f"{key} is missing")
        return holder

    @staticmethod
    def _holder_doc(holder: LockHolder | None) -> Mapping[str, Any] | None:
        if holder is None:
            return None
        return {
            "RunId": holder.run_id,
            "Coordinator": holder.coordinator,
            "Pid": holder.pid,
            "StartedAt": holder.started_at,
            "AgeSeconds": holder.heartbeat_age_seconds,
        }

    def _lock_create(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        current = self._transport.create_run_lock(self._holder(args, "Holder"))
        return {"Created": current is None, "Holder": self._holder_doc(current)}, False

    def _lock_takeover(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        holder, previous = self._holder(args, "Holder"), self._holder(args, "Previous")
        current = self._transport.take_over_run_lock(holder, previous)
        return {"TakenOver": current is None, "Holder": self._holder_doc(current)}, False

    def _lock_renew(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        order = self._transport.renew_run_lock(self._holder(args, "Holder"))
        return {"Renewed": True, "Stop": stop_field(order)}, False

    def _lock_release(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        self._transport.release_run_lock(self._holder(args, "Holder"))
        return {"Released": True}, False

    def _lock_read(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        return {"Holder": self._holder_doc(self._transport.read_run_lock())}, False

    def _suspend(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        self._transport.suspend_node(str(args["Node"]))
        return {"Node": args["Node"], "State": 2, "DrainStatus": 1}, False

    def _resume(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        self._transport.resume_node(str(args["Node"]), _FAILBACK[str(args["Failback"])])
        return {"Node": args["Node"], "State": 0, "DrainStatus": 0}, False

    def _restart(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        boot = self._transport.restart_node(str(args["Node"]), soft=bool(args.get("Soft")))
        return {"Node": args["Node"], "LastBootUpTime": None, "Soft": boot is BootType.SOFT}, True

    def _clock_script(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        seconds = float(args.get("Seconds") or 0.0)
        if seconds > 0:
            self._clock.sleep(seconds)
        return {"Slept": seconds}, False

    # -- outside the world: what a real cluster keeps anyway ---------------------------------
    def _probe(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        return {
            "ComputerName": str(args.get("Node") or self._cluster).upper(),
            "PSVersion": "5.1.20348.2031",
            "OSCaption": "Microsoft Windows Server 2022 Datacenter (pycau twin)",
            "OSBuild": "20348",
            "Cluster": self._cluster,
            TWIN_MARKER: {"Scenario": self._scenario, "Seed": self._seed, "Clock": "simulated"},
        }, False

    def _beacon(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        return {"Node": args["Node"], "Installed": True}, False

    def _get_run(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        return {"Run": self._run_record}, False

    def _publish_run(self, args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        raw = args.get("Run")
        record: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        run_id = record.get("RunId")
        holder = (
            self._transport.lock_holder() if isinstance(self._transport, SimTransport) else None
        )
        if holder is not None and holder.run_id != run_id:  # only the lock's holder publishes
            raise RunLocked(holder.run_id, f"the cluster is locked by {holder.describe()}")
        self._run_record = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
        self.history.fold(args)
        if self._on_run_record is not None:
            self._on_run_record(record)
        return {"RunId": run_id, "Published": True}, False
