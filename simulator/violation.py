"""One safety-invariant violation the oracle records (``simulator.oracle``).

Owns: ``Violation`` — which invariant, when (simulated seconds) and what happened — shared
by the oracle and the subsystems that judge a part of a run themselves
(``simulator.post_upgrade``).

Must not: import anything of the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Violation"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    invariant: str
    time: float
    detail: str
