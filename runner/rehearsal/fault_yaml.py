"""A fault as a scenario file writes it: the flat ``faults:`` entry of one ``FaultSpec``.

Owns: ``fault_to_yaml`` — used by reproducer files (``runner.rehearsal.shrink``) and by the
sweep report's list of each seed's faults (``runner.rehearsal.sweep``), so both read as a
scenario's ``faults:`` block does.

Must not: import ``simulator`` at run time (the spec is only read), print, or write files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.model import FaultSpec

__all__ = ["fault_to_yaml"]


def fault_to_yaml(spec: FaultSpec) -> dict[str, Any]:
    """A scenario-file ``faults:`` entry that loads back into ``spec``."""
    entry: dict[str, Any] = {"type": spec.type}
    if spec.node is not None:
        entry["node"] = spec.node
    if spec.type == "script-failure":
        entry["script"] = spec.script
    if spec.type in ("install-failure", "script-failure", "drain-failure", "resync-stall") or (
        spec.type == "update-rollback" and spec.attempts != 1
    ):
        entry["attempts"] = "all" if spec.attempts is None else spec.attempts
    if spec.type == "install-failure":
        entry["hresult"] = spec.hresult
    if spec.at_minute is not None:
        entry["at_minute"] = spec.at_minute
    if spec.down_minutes is not None or spec.type == "node-crash":
        entry["down_minutes"] = spec.down_minutes
    for key, value in spec.params.items():  # later types' fields are flat in the file
        entry[key] = value
    return entry
