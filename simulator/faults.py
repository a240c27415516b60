"""Fault injection: every scenario fault becomes one armed ``Fault`` through one registry.

Owns: ``FAULT_TYPES`` (type name → class), the fault classes of the foundation and
``FaultBook``, which the world's subsystems query at the moments a fault may fire
("does install attempt 2 on node2 fail?") and which counts what fired.

Semantics: ``attempts: N`` = the first N attempts of that kind on the node fail (install
attempts, drain attempts, pre- or post-script runs); ``attempts: all`` (``None``) = every
one. ``node: None`` on an attempt-counted fault means every node. ``boot-hang``: the node's
next restart by the runner never completes (stays Down). ``node-crash``: the node fails at
``at_minute`` (0 or None = already down when the run starts: quorum treats that earlier loss
as sequential) and boots again after ``down_minutes`` (None = stays down).
Later types: ``management-disconnect`` {at_minute, minutes} (every transport call raises
ClusterUnreachable; work on the nodes goes on), ``witness-offline`` {at_minute, minutes},
``slow-migration`` {params.factor}, ``resync-stall`` {params.volume?, minutes, attempts},
``update-rollback`` {node?, params.update?, attempts}, ``disk-failure`` {node, at_minute}
(a capacity drive of the node fails: every S2D volume degrades and a rebuild job runs;
nothing happens on a SAN-backed cluster); ``minutes`` is ``params.minutes`` or
``down_minutes``.
To add a type: subclass ``Fault``, set ``type_name``, implement ``validate``/``arm`` and any
query the world needs, and add it to ``FAULT_TYPES``. Unknown types raise ``InputError``.

Must not: change world state except through what ``simulator.world_port.FaultTargets``
offers: the world's operations (``crash``, ``set_witness_online``) and its documented knobs
(``transport.management_down``, ``workloads.migration_factor``, ``storage.drive_failed``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

from runner.errors import InputError
from simulator.model import FaultSpec
from simulator.world_port import FaultTargets

__all__ = [
    "FAULT_TYPES",
    "BootHang",
    "CoordinatorCrash",
    "DiskFailure",
    "DrainFailure",
    "Fault",
    "FaultBook",
    "InstallFailure",
    "ManagementDisconnect",
    "NodeCrash",
    "ResyncStall",
    "ScriptFailure",
    "SlowMigration",
    "TimedFault",
    "UpdateRollback",
    "WitnessOffline",
]


class Fault:
    """One armed fault of a scenario, in ``book``; ``where`` is its JSON path for errors."""

    type_name: ClassVar[str] = ""
    needs_node: ClassVar[bool] = True

    def __init__(self, book: FaultBook, spec: FaultSpec, where: str) -> None:
        self.book = book
        self.world = book.world
        self.spec = spec
        self.where = where
        self.validate()

    def invalid(self, field: str, message: str) -> InputError:
        return InputError(self.world.scenario.source, f"{self.where}.{field}", message)

    def validate(self) -> None:
        node = self.spec.node
        if node is None and self.needs_node:
            raise self.invalid("node", f"a {self.type_name} fault needs a node")
        if node is not None and node not in self.world.nodes:
            raise self.invalid("node", f"names a node not in the cluster: {node}")
        if self.spec.attempts is not None and self.spec.attempts < 1:
            raise self.invalid("attempts", "must be at least 1")

    def arm(self) -> None:
        """Schedule anything time-driven (called once, at world build)."""

    def on(self, node: str) -> bool:
        return self.spec.node is None or self.spec.node == node

    def covers(self, node: str, attempt: int) -> bool:
        return self.on(node) and self.spec.fails_attempt(attempt)


class InstallFailure(Fault):
    type_name = "install-failure"
    needs_node = False


class DrainFailure(Fault):
    type_name = "drain-failure"
    needs_node = False


class ScriptFailure(Fault):
    type_name = "script-failure"
    needs_node = False

    def validate(self) -> None:
        super().validate()
        if self.spec.script not in ("pre", "post"):
            raise self.invalid("script", "must be pre or post")


class BootHang(Fault):
    type_name = "boot-hang"

    def __init__(self, book: FaultBook, spec: FaultSpec, where: str) -> None:
        super().__init__(book, spec, where)
        self.spent = False


class NodeCrash(Fault):
    type_name = "node-crash"

    def validate(self) -> None:
        super().validate()
        if self.spec.at_minute is not None and self.spec.at_minute < 0:
            raise self.invalid("at_minute", "must not be negative")
        if self.spec.down_minutes is not None and self.spec.down_minutes < 0:
            raise self.invalid("down_minutes", "must not be negative")

    def arm(self) -> None:
        at = float(self.spec.at_minute or 0) * 60.0
        if at <= 0:
            self.fire(at_start=True)
        else:
            self.world.env.process(self._later(at))

    def _later(self, at: float) -> Generator[Any, Any, None]:
        yield self.world.env.timeout(at)
        self.fire(at_start=False)

    def fire(self, *, at_start: bool) -> None:
        assert self.spec.node is not None
        down = self.spec.down_minutes
        seconds = None if down is None else float(down) * 60.0
        if self.world.crash(self.spec.node, seconds, at_start=at_start):
            self.book.fired_one(self)


class TimedFault(Fault):
    """A condition that starts at ``at_minute`` (default 0) and lasts ``params.minutes``."""

    needs_node = False

    def number(self, key: str, default: float | None = None) -> float:
        value = self.spec.params.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.invalid(
                f"params.{key}" if key != "minutes" else key, "must be a positive number"
            )
        return float(value)

    def validate(self) -> None:
        super().validate()
        if self.spec.at_minute is not None and self.spec.at_minute < 0:
            raise self.invalid("at_minute", "must not be negative")
        self.minutes = self.number("minutes", self.spec.down_minutes)

    def arm(self) -> None:
        self.world.env.process(self._run(float(self.spec.at_minute or 0) * 60.0))

    def _run(self, at: float) -> Generator[Any, Any, None]:
        if at > 0:
            yield self.world.env.timeout(at)
        self.book.fired_one(self, f"for {self.minutes:g} min")
        self.begin()
        yield self.world.env.timeout(self.minutes * 60.0)
        self.end()

    def begin(self) -> None: ...

    def end(self) -> None: ...


class ManagementDisconnect(TimedFault):
    """The runner's transport cannot reach the cluster; work on the nodes goes on."""

    type_name = "management-disconnect"

    def begin(self) -> None:
        self.world.transport.management_down = True

    def end(self) -> None:
        self.world.transport.management_down = False
        self.world.record("management-restored", None, "")


class WitnessOffline(TimedFault):
    type_name = "witness-offline"

    def begin(self) -> None:
        self.world.set_witness_online(False)

    def end(self) -> None:
        self.world.set_witness_online(True)


class SlowMigration(Fault):
    """Every live migration takes ``params.factor`` times as long, from the start."""

    type_name = "slow-migration"
    needs_node = False

    def validate(self) -> None:
        super().validate()
        factor = self.spec.params.get("factor")
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            raise self.invalid("params.factor", "must be a positive number")
        self.factor = float(factor)

    def arm(self) -> None:
        self.world.workloads.migration_factor = self.factor
        self.book.fired_one(self, f"x{self.factor:g}")


class ResyncStall(Fault):
    """The first ``attempts`` repair jobs (of ``params.volume``, else any) stall for
    ``params.minutes`` when they appear."""

    type_name = "resync-stall"
    needs_node = False

    def validate(self) -> None:
        super().validate()
        minutes = self.spec.params.get("minutes", self.spec.down_minutes)
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
            raise self.invalid("minutes", "must be a positive number")
        self.minutes = float(minutes)
        self.used = 0


class UpdateRollback(Fault):
    """An update installed on the node (``params.update``, else any) is rolled back at the
    next boot — reported installed, then offered again — for the first ``attempts`` boots."""

    type_name = "update-rollback"
    needs_node = False

    def __init__(self, book: FaultBook, spec: FaultSpec, where: str) -> None:
        super().__init__(book, spec, where)
        self.used: dict[str, int] = {}


class DiskFailure(Fault):
    """A capacity drive of ``node`` fails at ``at_minute`` (0: when the run starts)."""

    type_name = "disk-failure"

    def validate(self) -> None:
        super().validate()
        if self.spec.at_minute is not None and self.spec.at_minute < 0:
            raise self.invalid("at_minute", "must not be negative")

    def arm(self) -> None:
        self.world.env.process(self._run(float(self.spec.at_minute or 0) * 60.0))

    def _run(self, at: float) -> Generator[Any, Any, None]:
        if at > 0:
            yield self.world.env.timeout(at)
        assert self.spec.node is not None
        storage = self.world.storage
        jobs = storage.drive_failed(self.spec.node) if storage is not None else 0
        self.book.fired_one(self, f"a drive of {self.spec.node} failed; {jobs} rebuild(s)")


class CoordinatorCrash(Fault):
    """The runner process dies after journal step ``params.at_step``: nothing happens in the
    world; the composition root (``runner.rehearsal.compose``) kills and resumes the coordinator."""

    type_name = "coordinator-crash"
    needs_node = False

    def validate(self) -> None:
        super().validate()
        at_step = self.spec.params.get("at_step")
        if not isinstance(at_step, int) or at_step < 1:
            raise self.invalid("at_step", "must be an integer of at least 1")


FAULT_TYPES: dict[str, type[Fault]] = {
    cls.type_name: cls
    for cls in (
        InstallFailure,
        BootHang,
        DrainFailure,
        NodeCrash,
        ScriptFailure,
        ManagementDisconnect,
        WitnessOffline,
        SlowMigration,
        ResyncStall,
        UpdateRollback,
        DiskFailure,
        CoordinatorCrash,
    )
}


class FaultBook:
    """The scenario's faults, armed; the world asks it whether an attempt fails."""

    def __init__(self, world: FaultTargets, specs: tuple[FaultSpec, ...]) -> None:
        self.world = world
        self.faults: list[Fault] = []
        self.fired: dict[str, int] = {}
        for index, spec in enumerate(specs):
            cls = FAULT_TYPES.get(spec.type)
            if cls is None:
                known = ", ".join(sorted(FAULT_TYPES))
                raise InputError(
                    world.scenario.source,
                    f"$.faults[{index}].type",
                    f"unknown fault type {spec.type!r} (known: {known})",
                )
            self.faults.append(cls(self, spec, f"$.faults[{index}]"))

    def arm(self) -> None:
        for fault in self.faults:
            fault.arm()

    def of_type(self, type_name: str) -> list[Fault]:
        return [f for f in self.faults if f.type_name == type_name]

    def fired_one(self, fault: Fault, detail: str = "") -> None:
        self.fired[fault.type_name] = self.fired.get(fault.type_name, 0) + 1
        self.world.record("fault", fault.spec.node, f"{fault.type_name} {detail}".strip())

    # -- queries (each fires the first covering fault) -------------------------------------
    def install_failure(self, node: str, attempt: int) -> tuple[str, str | None] | None:
        """(hresult, only-this-update or None) when install ``attempt`` on ``node`` fails."""
        for fault in self.of_type("install-failure"):
            if fault.covers(node, attempt):
                self.fired_one(fault, f"install attempt {attempt} on {node}")
                update = fault.spec.params.get("update")
                return fault.spec.hresult, (str(update) if update is not None else None)
        return None

    def drain_failure(self, node: str, attempt: int) -> bool:
        for fault in self.of_type("drain-failure"):
            if fault.covers(node, attempt):
                self.fired_one(fault, f"drain attempt {attempt} on {node}")
                return True
        return False

    def script_failure(self, node: str, script: str, attempt: int) -> bool:
        for fault in self.of_type("script-failure"):
            if fault.spec.script == script and fault.covers(node, attempt):
                self.fired_one(fault, f"{script}-update script attempt {attempt} on {node}")
                return True
        return False

    def resync_stall(self, volume: str) -> float:
        """Minutes a repair job of ``volume`` that just appeared stalls (0: none)."""
        for fault in self.of_type("resync-stall"):
            if not isinstance(fault, ResyncStall):
                continue
            if fault.spec.params.get("volume") in (None, volume) and fault.spec.fails_attempt(
                fault.used + 1
            ):
                fault.used += 1
                self.fired_one(fault, f"{volume}-Repair stalls {fault.minutes:g} min")
                return fault.minutes
        return 0.0

    def update_rollback(self, node: str, update: str) -> bool:
        """Whether ``update``, staged on ``node``, is rolled back at this boot."""
        for fault in self.of_type("update-rollback"):
            wanted = fault.spec.params.get("update")
            if isinstance(fault, UpdateRollback) and fault.on(node) and wanted in (None, update):
                key = f"{node}/{update}"
                if fault.spec.fails_attempt(fault.used.get(key, 0) + 1):
                    fault.used[key] = fault.used.get(key, 0) + 1
                    self.fired_one(fault, f"{update} rolled back on {node}")
                    return True
        return False

    def boot_hang(self, node: str) -> bool:
        for fault in self.of_type("boot-hang"):
            if isinstance(fault, BootHang) and fault.on(node) and not fault.spent:
                fault.spent = True
                self.fired_one(fault, f"{node} hangs at boot")
                return True
        return False
