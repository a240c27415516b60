"""The one exception tree of pycau.

Owns every exception the runner, its transports and its file loaders raise::

    RunnerError
    ├── InputError                 bad user input (file, JSON path, expectation); CLI exit 2
    ├── TransportError             talking to the cluster went wrong
    │   ├── ClusterUnreachable     no management connection at all     (effect unknown)
    │   ├── NodeUnreachable        one node does not answer            (effect unknown)
    │   ├── AuthenticationFailed   credentials refused                 (no effect)
    │   ├── OperationTimedOut      no answer within the deadline       (effect unknown)
    │   └── RemoteCommandFailed    the cluster refused or failed a command (no effect)
    │       ├── StorageDegraded    Suspend-ClusterNode refused: ERROR_CLUSTER_SPACE_DEGRADED
    │       └── DrainFailed        a role could not be moved; the node is left Paused
    ├── RunLocked                  another coordinator holds the cluster's run lock
    └── RunCanceled                the run was stopped (StopAfter, Stop-CauRun)

"effect unknown" means: observe again before deciding anything. Every exception keeps all
its constructor arguments in ``args`` so ``type(e)(*e.args)`` rebuilds it (SimPy re-raises
copies that way). Messages never carry secrets: transports must not put credentials in them.

Must not: import anything but the standard library.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "ClusterUnreachable",
    "DrainFailed",
    "InputError",
    "NodeUnreachable",
    "OperationTimedOut",
    "RemoteCommandFailed",
    "RunCanceled",
    "RunLocked",
    "RunnerError",
    "StorageDegraded",
    "TransportError",
]

ERROR_CLUSTER_SPACE_DEGRADED = 5987


class RunnerError(Exception):
    """Root of every pycau error."""


class InputError(RunnerError):
    """A file or value a user gave is invalid.

    ``source`` names the file (or "profile", "--seed"), ``path`` the JSON path inside it,
    ``message`` what was expected. ``str()`` is the one-paragraph message the CLI prints.
    """

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(source, path, message)
        self.source = source
        self.path = path
        self.message = message

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path and self.path != "$" else ""
        return f"{self.source}{where}: {self.message}"


class TransportError(RunnerError):
    """Talking to the cluster failed. ``detail`` is safe to show (no secrets)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail or type(self).__name__


class ClusterUnreachable(TransportError):
    """No management connection to the cluster; work on the nodes may go on. Effect unknown."""


class NodeUnreachable(TransportError):
    """One node does not answer (restarting, crashed, network). Effect unknown."""

    def __init__(self, node: str, detail: str = "") -> None:
        Exception.__init__(self, node, detail)
        self.node = node
        self.detail = detail or f"node {node} is unreachable"


class AuthenticationFailed(TransportError):
    """The credentials were refused. No effect."""


class OperationTimedOut(TransportError):
    """No answer within the deadline. Effect unknown."""


class RemoteCommandFailed(TransportError):
    """The cluster refused or failed a command. No effect unless the subclass says otherwise."""

    def __init__(self, command: str, detail: str = "", code: int = 0) -> None:
        Exception.__init__(self, command, detail, code)
        self.command = command
        self.detail = detail or f"{command} failed"
        self.code = code


class StorageDegraded(RemoteCommandFailed):
    """Suspend-ClusterNode refused because a clustered space is degraded (5987). No effect."""

    def __init__(self, command: str, detail: str = "", code: int = ERROR_CLUSTER_SPACE_DEGRADED):
        super().__init__(command, detail or "a clustered space is in a degraded condition", code)


class DrainFailed(RemoteCommandFailed):
    """The drain could not move every role; the node is Paused with DrainStatus Failed."""


class RunLocked(RunnerError):
    """Another coordinator holds the run lock (CAU event 1015); -ForceRecovery overrides."""

    def __init__(self, owner: str, detail: str = "") -> None:
        super().__init__(owner, detail)
        self.owner = owner
        self.detail = detail

    def __str__(self) -> str:
        return self.detail or f"the cluster is locked by another run ({self.owner})"


class RunCanceled(RunnerError):
    """The run was canceled; ``error_id`` is CAU's reason (e.g. StopAfterExceeded)."""

    def __init__(self, error_id: str, detail: str = "") -> None:
        super().__init__(error_id, detail)
        self.error_id = error_id
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.error_id}: {self.detail}" if self.detail else self.error_id
