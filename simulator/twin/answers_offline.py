"""The twin's answers to the offline update's scripts, from a simulated cluster.

Owns: one function per script of ``runner/winrm/offline_ops.py`` — observe-host,
observe-storage, save-vms, start-vms, set-virtual-disks, stop-cluster, set-cluster-service,
start-cluster, offline-claim — each ``(transport, args, boot_ms) -> (document, close
shell)``: the ONE call of the world's ``SimTransport`` the script stands for, and the
document the real script writes on Windows PowerShell 5.1. ``simulator.twin.answers``
registers them in ``TwinAnswers``' table.

Theory of operation: as ``simulator.twin.answers``. The claims of the run lock take no
simulated time of their own (``SimTransport.window_claim``), and neither does reading a
node's service back after a change, so a run over WinRM spends the same simulated time as
``pycau simulate``: the lock script that finds the cluster stopped has spent it.

Must not: touch the world except through its transport; run two scripts at once (the
caller holds the twin's lock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.offline_types import HostView, ServiceStartup
from runner.remote_protocol import read_holder
from runner.transport import ClusterTransport
from runner.types import HealthStatus, LockHolder
from simulator.transport import SimTransport
from simulator.twin.ps_output import PsDate

__all__ = ["OFFLINE_ANSWERS", "Answer"]

Answer = tuple[Mapping[str, Any], bool]
Args = Mapping[str, Any]
BootMs = Callable[[str], int | None]
_HEALTH = {HealthStatus.HEALTHY: 0, HealthStatus.WARNING: 1, HealthStatus.UNHEALTHY: 2}
_ACTIONS = {"Read": "read", "Write": "write", "TakeOver": "take-over", "Renew": "renew"}


def _sim(transport: ClusterTransport) -> SimTransport:
    if not isinstance(transport, SimTransport):
        raise RemoteCommandFailed("offline update", "the twin serves a simulated cluster only")
    return transport


def _host_document(view: HostView, boot_ms: BootMs) -> dict[str, Any]:
    boot = boot_ms(view.boot_id)
    return {
        "Node": view.name,
        "LastBootUpTime": None if boot is None else PsDate(boot),
        "BuildNumber": view.os_build,
        "ServiceStatus": view.service_state.code,
        "ServiceStartType": view.service_startup.code,
    }


def observe_host(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    view = _sim(transport).observe_host(str(args["Node"]))
    return _host_document(view, boot_ms), False


def observe_storage(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    view = transport.observe_storage()
    pool = {
        "FriendlyName": "S2D on cluster",
        "HealthStatus": _HEALTH.get(view.pool_health, 5),
        "IsReadOnly": view.pool_read_only,
    }
    volumes = [
        {"FileSystemLabel": v.name, "HealthStatus": _HEALTH.get(v.health, 5)} for v in view.volumes
    ]
    return {"Pool": pool, "Volumes": volumes}, False


def save_vms(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    vms = tuple(str(vm) for vm in args.get("Vms") or ())
    transport.save_vms(vms)
    return {"Saved": list(vms)}, False


def start_vms(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    vms = tuple(str(vm) for vm in args.get("Vms") or ())
    transport.start_vms(vms)
    return {"Started": list(vms)}, False


def set_virtual_disks(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    online = bool(args.get("Online"))
    transport.set_virtual_disks_online(online)
    return {"Online": online, "Disks": []}, False


def stop_cluster(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    transport.stop_cluster()
    return {"Cluster": "", "Stopped": True}, False


def set_cluster_service(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    node = str(args["Node"])
    sim = _sim(transport)
    sim.set_cluster_service(node, ServiceStartup(str(args["StartupType"])))
    view = sim.world.offline.host_view(node)
    return _host_document(view, boot_ms), False


def start_cluster(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    sim = _sim(transport)
    stopped = sim.world.offline.stopped
    sim.start_cluster(str(args["Node"]))
    return {"Node": args["Node"], "Started": stopped and not sim.world.offline.stopped}, False


def _holder(raw: Any) -> LockHolder | None:
    return read_holder(raw)


def offline_claim(transport: ClusterTransport, args: Args, boot_ms: BootMs) -> Answer:
    """offline-claim.ps1: the node's claim after the action."""
    sim, node = _sim(transport), str(args["Node"])
    action = str(args.get("Action", "Read"))
    holder, previous = _holder(args.get("Holder")), _holder(args.get("Previous"))
    if action == "Clear":
        sim.window_claim(node, "clear", holder, None)
    elif action in _ACTIONS:
        sim.window_claim(node, _ACTIONS[action], holder, previous)
    kept = sim.window_claim(node, "read", None, None)
    document = None
    if kept is not None:
        document = {
            "RunId": kept.run_id,
            "Coordinator": kept.coordinator,
            "Pid": kept.pid,
            "StartedAt": kept.started_at,
            "AgeSeconds": kept.heartbeat_age_seconds,
        }
    return {"Node": node, "Holder": document, "Changed": action != "Read"}, False


OFFLINE_ANSWERS: Mapping[str, Callable[[ClusterTransport, Args, BootMs], Answer]] = {
    "observe-host": observe_host,
    "observe-storage": observe_storage,
    "save-vms": save_vms,
    "start-vms": start_vms,
    "set-virtual-disks": set_virtual_disks,
    "stop-cluster": stop_cluster,
    "set-cluster-service": set_cluster_service,
    "start-cluster": start_cluster,
    "offline-claim": offline_claim,
}
