"""The contract between the runner and a cluster: ``ClusterTransport`` and ``Clock``.

Owns: the two protocols every world implements — the SimPy simulator (``simulator/``) and
real nodes over WinRM (``runner/winrm/``). The runner cannot tell them apart.

Theory of operation:
- **observe** returns one ``ClusterView`` snapshot in one round trip (never one per object).
- **long work is start + poll**: ``start_scan``/``start_install``/``start_script`` return a
  ``WorkHandle`` at once; ``poll_work`` reports progress. Work runs detached on the node
  (Windows Update refuses plain network logons), so a management disconnect does not stop it.
- **commands** (``suspend_node``, ``resume_node``, ``restart_node``) return when the cluster
  accepted them; their effect is seen in later observations (drain status, boot id).
- A restart is confirmed only by a **changed boot id** in a later observation, never by a
  dropped connection.
- Time passes only through ``Clock``. A call that takes time in the real world takes
  simulated time too.

Error contract (see ``runner.errors``): every method may raise ``ClusterUnreachable``,
``NodeUnreachable`` or ``OperationTimedOut`` — effect unknown, observe again before deciding.
``RemoteCommandFailed`` and its subclasses mean the command had no effect, except
``DrainFailed`` (node left Paused). ``AuthenticationFailed`` means no effect.

Must not: import anything outside the standard library and ``runner.types``/``runner.errors``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runner.types import ClusterView, FailbackMode, ValidationReport, WorkHandle, WorkProgress

__all__ = ["Clock", "ClusterTransport"]


@runtime_checkable
class Clock(Protocol):
    """Time for the runner: monotonic seconds since an arbitrary origin, and waiting."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (0 returns at once). In the simulator, the world advances."""
        ...


@runtime_checkable
class ClusterTransport(Protocol):
    """Everything the runner may ask of a cluster."""

    def observe(self) -> ClusterView:
        """One snapshot of nodes, witness, quorum, roles, virtual disks and storage jobs.

        Raises ``ClusterUnreachable`` when no node answers. No effect.
        """
        ...

    def start_scan(self, node: str) -> WorkHandle:
        """Start a Windows Update scan on ``node`` (Invoke-CauScan for one node).

        Poll until done; ``WorkProgress.offered`` lists the applicable updates.
        """
        ...

    def start_install(self, node: str, update_ids: tuple[str, ...]) -> WorkHandle:
        """Start installing ``update_ids`` on ``node``; results arrive through ``poll_work``.

        Raises ``NodeUnreachable``: effect unknown — the install may have started; poll or
        re-scan before starting it again (an update is never installed twice without need).
        """
        ...

    def start_script(self, node: str, script: str) -> WorkHandle:
        """Run a pre- or post-update script (a .ps1 path) on ``node``; exit_code 0 = success."""
        ...

    def start_validation(self) -> WorkHandle:
        """Start Test-Cluster (cluster validation); exit_code 0 through ``poll_work`` = passed.

        Known issue readiness-check-never-completes: the poll may stay Running although
        Test-Cluster finished; ``read_validation_report`` then tells the outcome.
        """
        ...

    def read_validation_report(self) -> ValidationReport | None:
        """The newest Test-Cluster report file, or ``None`` when there is none yet. No effect."""
        ...

    def poll_work(self, handle: WorkHandle) -> WorkProgress:
        """Progress of detached work. Raises ``NodeUnreachable`` while the node is away."""
        ...

    def suspend_node(self, node: str) -> None:
        """Suspend-ClusterNode -Drain without -Wait: the node goes Paused and drains.

        Raises ``StorageDegraded`` (5987, no effect) while any clustered space is degraded or
        a repair job runs. Drain progress is seen as ``NodeView.drain_status``.
        """
        ...

    def resume_node(self, node: str, failback: FailbackMode) -> None:
        """Resume-ClusterNode -Failback <mode>; the node goes Up."""
        ...

    def restart_node(self, node: str, *, soft: bool = False) -> None:
        """Restart ``node`` (Kernel Soft Reboot when ``soft``). Returns once initiated.

        Completion is seen only as a changed ``NodeView.boot_id`` with state back to
        Paused/Up. Effect unknown on any transport error: observe the boot id.
        """
        ...

    def set_credssp(self, enabled: bool) -> None:
        """Enable-WSManCredSSP -Role Server (or Disable-) on the cluster's nodes.

        ``RemoteCommandFailed``: refused, no effect. Known issue credssp-left-enabled: the
        runner disables it again at the end of every run it enabled it for, and retries.
        """
        ...
