"""The one exception tree of pycau.

Owns every exception the runner, its transports and its file loaders raise::

    RunnerError
    ├── InputError                 bad user input (file, JSON path, expectation); CLI exit 2
    ├── ProtocolError              a message broke pycau's script wire format (a bug or a
    │   │                          foreign endpoint; the transport maps it, never the engine)
    │   ├── ScriptProtocolError    a script or command line is not in pycau's format
    │   └── MalformedOutput        a script's answer is not the JSON document expected
    ├── IllegalTransition          a node lifecycle move not in the table: a bug; no effect
    ├── TransportError             talking to the cluster went wrong
    │   ├── ClusterUnreachable     no management connection at all     (effect unknown)
    │   ├── NodeUnreachable        one node does not answer            (effect unknown)
    │   ├── AuthenticationFailed   credentials refused                 (no effect)
    │   ├── OperationTimedOut      no answer within the deadline       (effect unknown)
    │   └── RemoteCommandFailed    the cluster refused or failed a command (no effect)
    │       ├── StorageDegraded    Suspend-ClusterNode refused: ERROR_CLUSTER_SPACE_DEGRADED
    │       └── DrainFailed        a role could not be moved; the node is left Paused
    ├── RunLocked                  another coordinator holds the cluster's run lock
    ├── NoRunToTakeOver            no run whose published state a coordinator could take
    │                              over (runner.takeover): nothing was touched
    └── BackendUnavailable         a sweep's compute backend (a Dask scheduler, its
                                   workers) cannot be reached or used; CLI exit 3

"effect unknown" means: observe again before deciding anything. A run that ends early is
not an exception: it ends with a report (``error_id``: StopAfterExceeded, UserCanceled,
RunLockLost …); only a refusal before anything was touched raises (``RunLocked``). Every
exception keeps all its constructor arguments in ``args`` so ``type(e)(*e.args)`` rebuilds
it (SimPy re-raises copies that way). Messages never carry secrets: transports must not put
credentials in them.

Must not: import anything but the standard library.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "BackendUnavailable",
    "ClusterUnreachable",
    "DrainFailed",
    "IllegalTransition",
    "InputError",
    "MalformedOutput",
    "NoRunToTakeOver",
    "NodeUnreachable",
    "OperationTimedOut",
    "ProtocolError",
    "RemoteCommandFailed",
    "RunLocked",
    "RunnerError",
    "ScriptProtocolError",
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


class ProtocolError(RunnerError):
    """A message broke pycau's script wire format. ``str()`` is the one-line reason."""


class ScriptProtocolError(ProtocolError):
    """A script or command line does not follow ``runner.remote_protocol``'s format."""


class MalformedOutput(ProtocolError):
    """A script's output is not the JSON document its parser expects. The WinRM transport
    maps it, in one place, to ``RemoteCommandFailed`` (the command's answer is unusable)."""


class IllegalTransition(RunnerError):
    """A lifecycle move not in ``runner.lifecycle.TRANSITIONS``; raising it changes nothing.

    ``step`` and ``outcome`` are the lifecycle's enums (kept as given; this module imports
    nothing of the runner)."""

    def __init__(self, step: object, outcome: object) -> None:
        super().__init__(step, outcome)
        self.step = step
        self.outcome = outcome

    def __str__(self) -> str:
        step = getattr(self.step, "value", self.step)
        outcome = getattr(self.outcome, "value", self.outcome)
        return f"no transition from {step} on {outcome}"


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


class NoRunToTakeOver(RunnerError):
    """No run can be taken over from the cluster's published state (``runner.takeover``):
    the cluster is not locked, or the run holding its lock published no state. ``message``
    says which; the lock and the nodes are as they were."""

    def __init__(self, cluster: str, message: str) -> None:
        super().__init__(cluster, message)
        self.cluster = cluster
        self.message = message

    def __str__(self) -> str:
        return self.message


class BackendUnavailable(RunnerError):
    """The compute backend of a sweep cannot be used: the Dask scheduler at ``address``
    does not answer, has no workers, lost them, or its workers cannot run this pycau.
    ``message`` is the one-paragraph sentence the CLI prints (exit 3)."""

    def __init__(self, address: str, message: str) -> None:
        super().__init__(address, message)
        self.address = address
        self.message = message

    def __str__(self) -> str:
        return self.message
