"""The nodes' WSMan configuration in the simulated cluster: the CredSSP server role.

Owns: ``WsmanConfig`` — per node, whether the CredSSP server role is enabled
(Get-WSManCredSSP / Enable- / Disable-WSManCredSSP -Role Server), and the three known issues
of the seed guide about it (switches of ``simulator.issue_switches``):

- ``credssp-left-enabled``: the first Disable-WSManCredSSP of a run is refused (no effect),
  so CredSSP stays enabled unless the runner tries again;
- ``credssp-already-enabled`` ("You can't use Cluster Aware Updating without enabling
  CredSSP" when it is enabled): an administrator enabled the role on every node before the
  run — a tool that assumes it is off is wrong;
- ``credssp-delegation-refused`` ("Couldn't enable CredSSP delegation"): enabling the role
  is refused with access denied (5) on the last node, as for an account without the right
  to change that node's WSMan configuration.

Must not: advance time (the transport spends each call's round trip) or decide anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from runner.errors import RemoteCommandFailed

__all__ = ["ACCESS_DENIED", "WsmanConfig"]

ACCESS_DENIED = 5  # ERROR_ACCESS_DENIED


class WsmanConfig:
    """CredSSP server role per node; ``record`` is the world's timeline."""

    def __init__(
        self,
        nodes: Sequence[str],
        known_issues: Sequence[str],
        record: Callable[[str, str | None, str], None],
    ) -> None:
        already = "credssp-already-enabled" in known_issues
        self.enabled = dict.fromkeys(nodes, already)
        self.enabled_before_run = already
        self.refusals = int("credssp-left-enabled" in known_issues)
        self.denied = (nodes[-1],) if nodes and "credssp-delegation-refused" in known_issues else ()
        self._record = record

    def read(self, node: str) -> bool:
        return self.enabled[node]

    def set(self, node: str, enabled: bool) -> None:
        command = "Enable-WSManCredSSP" if enabled else "Disable-WSManCredSSP"
        if enabled and node in self.denied:
            self._record("credssp", node, "enable refused: access denied")
            raise RemoteCommandFailed(command, "Access is denied.", ACCESS_DENIED)
        if not enabled and self.refusals > 0:
            self.refusals -= 1
            self._record("credssp", node, "disable refused")
            raise RemoteCommandFailed(command, "the WinRM service refused")
        self.enabled[node] = enabled
        self._record("credssp", node, "enabled" if enabled else "disabled")

    def section(self, changes: int) -> dict[str, object]:
        """The report's ``simulation.credssp``: whether the run left it enabled (and whether
        it was enabled before the run), only when the run changed it at all."""
        if not changes and not self.enabled_before_run:
            return {}
        left = any(self.enabled.values())
        found = {"enabled_before_run": True} if self.enabled_before_run else {}
        return {"credssp": {"enabled_at_end": left, "calls": changes, **found}}
