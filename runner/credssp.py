"""CredSSP for the run: read on every node, enabled where needed, disabled again at the end.

Owns, for a run with the profile's ``enable_credssp``: ``enable_credssp`` — READ the CredSSP
server role of every node first (Get-WSManCredSSP, known issue credssp-already-enabled: the
state is read, never assumed) and enable it on the nodes where it is off
(Enable-WSManCredSSP -Role Server; e.g. for update scripts needing a second hop);
``disable_credssp`` — at the end, on exactly those nodes, however the run ends (Succeeded,
Failed, Canceled, StopAfter, MaxFailedNodes, an exception), retrying a refused or
unanswered disable ``DISABLE_ATTEMPTS`` times (known issue credssp-left-enabled); and
``leave_as_found`` — the warning for nodes an administrator had enabled before the run.
The engine keeps both node lists in its journaled ``RunProgress``, so a resumed run undoes
what a dead coordinator enabled; before the first enable the nodes about to be enabled are
announced (``intent``: journaled and published as the preflight's ``credssp-enabling``
actions), so a coordinator that died in its preflight leaves them to its successor
(``inherited``), which counts them as its own even though it reads them enabled.

An enable that the cluster refuses (known issue credssp-delegation-refused) refuses the
whole run before any node is touched: what pycau enabled so far is disabled again (nothing
is left half enabled), and the refusal names the node and, for "access denied", the missing
permission.

Theory of operation: an enable whose outcome is unknown may still have taken effect, so such
a node counts as enabled by pycau (it will be disabled) and the run is refused like a
refusal. Only a crash of the coordinator itself skips the final disable (nothing runs then),
and a run that may not act any more (its lock was taken over, or the cluster refuses its
credentials) leaves CredSSP to whoever can.

Must not: wait without a bound, or call ``time`` (the injected clock only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from runner.errors import RemoteCommandFailed, TransportError
from runner.recorder import Recorder
from runner.transport import Clock, ClusterTransport

__all__ = [
    "ACCESS_DENIED",
    "DISABLE_ATTEMPTS",
    "DISABLE_RETRY_SECONDS",
    "ENABLE_FAILED",
    "ISSUE",
    "CredsspForRun",
    "disable_credssp",
    "enable_credssp",
    "leave_as_found",
]

ISSUE = "credssp-left-enabled"
ENABLE_FAILED = "CredSSPEnableFailed"  # the run's error id when enabling is refused
ACCESS_DENIED = 5  # ERROR_ACCESS_DENIED, as the transport reports a refused command's code
DISABLE_ATTEMPTS = 3
DISABLE_RETRY_SECONDS = 15.0  # between tries: a busy WinRM service answers again soon


@dataclass(slots=True)
class CredsspForRun:
    """What the run did with CredSSP: where it enabled it, where it found it on, and why
    the run is refused (``refusal``) when enabling failed."""

    enabled_by_us: list[str] = field(default_factory=list)
    found_enabled: list[str] = field(default_factory=list)
    refusal: str | None = None


def enable_credssp(
    transport: ClusterTransport,
    clock: Clock,
    rec: Recorder,
    nodes: Sequence[str],
    *,
    inherited: Sequence[str] = (),
    intent: Callable[[list[str]], None] | None = None,
) -> CredsspForRun:
    """Read the role on ``nodes``, enable it where it is off; on a refusal, undo what was
    enabled and say why in ``refusal`` (the run is then refused, no node touched).
    ``inherited``: nodes an earlier coordinator of this run announced it enabled the role
    on (it died in its preflight): this run's, found on or not, undone at the end.
    ``intent`` hears the nodes about to be enabled before the first is (to publish them)."""
    state = CredsspForRun(enabled_by_us=[n for n in inherited if n not in nodes])
    for node in nodes:
        try:
            if node in inherited:
                state.enabled_by_us.append(node)  # ours, whether the enable took effect
            elif transport.credssp_enabled(node):
                state.found_enabled.append(node)
        except TransportError:
            pass  # unknown: enabling it is harmless, and it is then disabled at the end
    if intent is not None and (todo := [n for n in nodes if n not in state.found_enabled]):
        intent(todo)
    if state.found_enabled:
        listed = ", ".join(state.found_enabled)
        rec.emit(
            "credssp-already-enabled",
            None,
            f"CredSSP server role already enabled on {listed} (read, not assumed); "
            "left as found at the end",
        )
    for node in nodes:
        if node in state.found_enabled:
            continue
        ours = node in state.enabled_by_us  # inherited: undone at the end whatever happens
        try:
            transport.set_credssp(node, True)
        except TransportError as exc:
            if not isinstance(exc, RemoteCommandFailed) and not ours:
                state.enabled_by_us.append(node)  # effect unknown: may be on; undo it too
            state.refusal = _refusal(node, exc)
            break
        if not ours:
            state.enabled_by_us.append(node)
    if state.refusal is not None:
        undone = disable_credssp(transport, clock, rec, state.enabled_by_us)
        tail = (
            f" CredSSP was disabled again on {', '.join(state.enabled_by_us)}; nothing is "
            "left half enabled."
            if undone and state.enabled_by_us
            else ""
        )
        state.refusal += tail + " No node was updated."
        state.enabled_by_us = [] if undone else state.enabled_by_us
        return state
    if state.enabled_by_us:
        listed = ", ".join(state.enabled_by_us)
        rec.emit("credssp-enabled", None, f"CredSSP server role enabled on {listed}")
    return state


def _refusal(node: str, exc: TransportError) -> str:
    """One sentence saying what was refused and, where known, which permission is missing."""
    head = f"CredSSP could not be enabled on {node} (Enable-WSManCredSSP -Role Server: {exc})."
    if isinstance(exc, RemoteCommandFailed) and (
        exc.code == ACCESS_DENIED or "access is denied" in exc.detail.lower()
    ):
        return (
            f"{head} The account running pycau lacks the permission to change {node}'s WSMan "
            f"configuration: it must be a member of the local Administrators group on {node} "
            "(known issue credssp-delegation-refused)."
        )
    if not isinstance(exc, RemoteCommandFailed):
        return f"{head} Connecting to {node} failed, so its state is unknown."
    return head


def leave_as_found(rec: Recorder, nodes: Sequence[str]) -> None:
    """The nodes found with the role on are left so, and the admin is told."""
    if nodes:
        rec.warning(
            f"CredSSP is left enabled on {', '.join(nodes)}, as it was before the run; the "
            "update guide advises disabling it when updating is done "
            "(Disable-WSManCredSSP -Role Server)"
        )


def disable_credssp(
    transport: ClusterTransport, clock: Clock, rec: Recorder, nodes: Sequence[str]
) -> bool:
    """Disable CredSSP on ``nodes``, trying ``DISABLE_ATTEMPTS`` times; True once every node
    is disabled (a warning naming the known issue lists the nodes left enabled)."""
    left = list(nodes)
    error = ""
    for attempt in range(1, DISABLE_ATTEMPTS + 1):
        if not left:
            break
        if attempt > 1:
            clock.sleep(DISABLE_RETRY_SECONDS)
        for node in list(left):
            try:
                transport.set_credssp(node, False)
            except TransportError as exc:  # refused (no effect) or unknown: try again
                error = str(exc)
                continue
            left.remove(node)
        if not left:
            done = ", ".join(nodes)
            rec.emit("credssp-disabled", None, f"CredSSP server role disabled on {done} "
                     f"(attempt {attempt})")  # fmt: skip
            return True
    if not left:
        return True
    rec.warning(
        f"CredSSP is still enabled on {', '.join(left)} after {DISABLE_ATTEMPTS} tries "
        f"({error}); known issue {ISSUE}: run Disable-WSManCredSSP -Role Server there"
    )
    return False
