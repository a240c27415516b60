"""CredSSP for the run: enabled before the first node is touched, always disabled at the end.

Owns: ``credssp_for_run`` — with the profile's ``enable_credssp``, the context around the
run's loop that enables the CredSSP server role on the nodes (Enable-WSManCredSSP -Role
Server; e.g. for update scripts needing a second hop) and disables it again however the loop
ends (Succeeded, Failed, Canceled, StopAfter, MaxFailedNodes, an exception), retrying a
refused or unanswered disable ``DISABLE_ATTEMPTS`` times. The seed guide asks to disable
CredSSP as soon as the updates are installed (known issue credssp-left-enabled).

Theory of operation: an enable whose outcome is unknown may still have taken effect, so the
disable is tried whenever the enable was attempted. Only a crash of the coordinator itself
skips it (nothing runs then); the warning names the known issue when every try failed.

Must not: decide the run's fate (a CredSSP failure is a warning, never a failed node), wait
without a bound, or call ``time`` (the injected clock only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from runner.errors import TransportError
from runner.profile import Profile
from runner.recorder import Recorder
from runner.transport import Clock, ClusterTransport

__all__ = ["DISABLE_ATTEMPTS", "DISABLE_RETRY_SECONDS", "ISSUE", "credssp_for_run"]

ISSUE = "credssp-left-enabled"
DISABLE_ATTEMPTS = 3
DISABLE_RETRY_SECONDS = 15.0  # between tries: a busy WinRM service answers again soon


@contextmanager
def credssp_for_run(
    transport: ClusterTransport, clock: Clock, rec: Recorder, profile: Profile
) -> Iterator[None]:
    """Enable CredSSP around the body when ``profile.enable_credssp``; always disable it."""
    if not profile.enable_credssp:
        yield
        return
    try:
        transport.set_credssp(True)
        rec.emit("credssp-enabled", None, "CredSSP server role enabled on the nodes")
    except TransportError as exc:
        rec.warning(f"CredSSP could not be enabled for the run: {exc}")
    try:
        yield
    except BaseException as exc:
        # A simulated coordinator death (``process_death``) must leave CredSSP as a real
        # crash would: enabled, for the resumed run to disable. Anything else: disable.
        if not getattr(exc, "process_death", False):
            disable_credssp(transport, clock, rec)
        raise
    disable_credssp(transport, clock, rec)


def disable_credssp(transport: ClusterTransport, clock: Clock, rec: Recorder) -> bool:
    """Disable CredSSP, trying ``DISABLE_ATTEMPTS`` times; True once it is disabled."""
    error = ""
    for attempt in range(1, DISABLE_ATTEMPTS + 1):
        if attempt > 1:
            clock.sleep(DISABLE_RETRY_SECONDS)
        try:
            transport.set_credssp(False)
        except TransportError as exc:  # refused (no effect) or unknown: try again
            error = str(exc)
            continue
        rec.emit("credssp-disabled", None, f"CredSSP server role disabled (attempt {attempt})")
        return True
    rec.warning(
        f"CredSSP is still enabled after {DISABLE_ATTEMPTS} tries ({error}); known issue "
        f"{ISSUE}: run Disable-WSManCredSSP -Role Server on every node"
    )
    return False
