"""What one turn of a rolling run decides and performs — the seam between the engine's loop
and its policy.

Owns: ``RunTurns`` — the engine's base between its lifecycle (``runner.engine``) and the
layers below (``runner.post_run`` …): ``_decide`` (the classic policy: ``decisions.decide``
for the one node in flight), ``_act`` (the handler ``runner.acts.ACTS`` names) and
``waves_section`` (the report's ``waves``; ``None``, omitted, for classic). The fast policy
(``runner.fast_engine``) overrides all three.

Must not: hold run state of its own or decide anything itself.
"""

from __future__ import annotations

from typing import Any

from runner.acts import ACTS
from runner.decisions import decide
from runner.post_run import PostRun

__all__ = ["RunTurns"]


class RunTurns(PostRun):
    """The classic turn (see module docstring)."""

    def _decide(self) -> Any:
        """The next action: the classic core's, for the one node in flight."""
        assert self.view is not None
        return decide(self.view, self.progress, self.step_profile)

    def _act(self, action: Any) -> None:
        """Perform ``action`` through its handler."""
        getattr(self, ACTS[type(action)])(action)

    def waves_section(self) -> dict[str, Any] | None:
        """The report's ``waves``: none in a classic run."""
        return None
