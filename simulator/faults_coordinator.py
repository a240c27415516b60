"""The faults that strike coordinators rather than the cluster (issue 12).

Owns: ``CoordinatorHostCrash`` (``coordinator-host-crash`` {at_step, down_minutes}) and
``AgentsDown`` (``agents-down`` {at_step, minutes}), registered in
``simulator.faults.FAULT_TYPES`` when this module is imported (``simulator.world`` imports
it, so every world knows them). Like ``coordinator-crash``, nothing happens in the world at
build time: the composition root (``runner.rehearsal.roles``) strikes after checkpoint
``at_step`` — crashing the role's host through the world's ``crash``, or keeping every
coordinator away for ``minutes`` — and counts the fault as fired.

Must not: change world state (the composition root does, through the world's operations).
"""

from __future__ import annotations

from simulator.faults import FAULT_TYPES, CoordinatorCrash

__all__ = ["AgentsDown", "CoordinatorHostCrash"]


class CoordinatorHostCrash(CoordinatorCrash):
    """The node hosting the self-updating role crashes after checkpoint ``at_step``."""

    type_name = "coordinator-host-crash"


class AgentsDown(CoordinatorCrash):
    """Every coordinator is away from checkpoint ``at_step`` for ``params.minutes``."""

    type_name = "agents-down"

    def validate(self) -> None:
        super().validate()
        minutes = self.spec.params.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
            raise self.invalid("minutes", "must be a positive number")


for _cls in (CoordinatorHostCrash, AgentsDown):
    FAULT_TYPES[_cls.type_name] = _cls
