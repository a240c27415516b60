"""The WinRM transport over real HTTP: shells, long-polls, deadlines, and faults at the wire.

Each fault is produced by the loopback endpoint on the wire (nothing is patched) and must
surface as the error contract of ``runner.transport`` says: "no effect" errors
(``AuthenticationFailed``, ``RemoteCommandFailed``) or "effect unknown" ones
(``NodeUnreachable``, ``ClusterUnreachable``, ``OperationTimedOut``), chained to the
library exception, without the password in any message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from spnego.exceptions import SpnegoError
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm_support import PASSWORD, answer_json, script_of

from runner.errors import (
    AuthenticationFailed,
    ClusterUnreachable,
    NodeUnreachable,
    OperationTimedOut,
    RemoteCommandFailed,
    StorageDegraded,
    TransportError,
)
from runner.transport import ClusterTransport
from runner.types import WorkHandle, WorkKind, WorkState
from runner.winrm.connection import AuthMethod
from runner.winrm.transport import Deadlines, WinRMTransport
from simulator.twin import FaultKind, ScriptOutput, WireFault, WsmanEndpoint

PROBE = {"ComputerName": "NODE1", "PSVersion": "5.1.20348.2031", "Cluster": "hci01"}
STATUS = {"Id": "w1", "Node": "node1", "Kind": "install", "State": "Running", "Percent": 10}
HANDLE = WorkHandle(id="w1", node="node1", kind=WorkKind.INSTALL)


def probe_answer(command: str, arguments: str) -> ScriptOutput:
    script_of(command, arguments)  # a pycau script, or this raises
    return answer_json(PROBE)


def status_answer(command: str, arguments: str) -> ScriptOutput:
    return answer_json(STATUS)


def assert_clean(error: BaseException) -> None:
    """No password in the message or in any chained message."""
    cursor: BaseException | None = error
    while cursor is not None:
        assert PASSWORD not in str(cursor)
        assert PASSWORD not in repr(cursor.args)
        cursor = cursor.__cause__ or cursor.__context__


def test_transport_conforms_to_the_contract(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """WinRMTransport is a ClusterTransport (typed assignment and runtime check)."""
    transport: ClusterTransport = transport_factory(endpoint_factory(probe_answer))
    assert isinstance(transport, ClusterTransport)


@pytest.mark.parametrize("auth", [AuthMethod.NTLM, AuthMethod.BASIC])
def test_one_shell_reused_for_every_script(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> None:
    """Five scripts open one shell; each is Command, Receive, Signal (NTLM is encrypted)."""
    endpoint = endpoint_factory(probe_answer)
    transport = transport_factory(endpoint, auth=auth)
    for _ in range(5):
        assert transport.probe()["ComputerName"] == "NODE1"
    assert endpoint.actions.count("Create") == 1
    assert endpoint.actions[1:4] == ["Command", "Receive", "Signal"]
    assert transport.stats.total().scripts == 5
    transport.close()
    assert endpoint.actions[-1] == "Delete"


def test_command_options_skip_cmd_and_use_utf8(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """The shell asks for UTF-8 (codepage 65001) and no profile; commands skip cmd.exe;
    non-ASCII output survives."""
    endpoint = endpoint_factory(lambda c, a: answer_json({"ComputerName": "NÖDE‘1’"}))
    assert transport_factory(endpoint).probe()["ComputerName"] == "NÖDE‘1’"
    assert endpoint.options["Create"] == {"WINRS_NOPROFILE": "TRUE", "WINRS_CODEPAGE": "65001"}
    assert endpoint.options["Command"]["WINRS_SKIP_CMD_SHELL"] == "TRUE"


def test_receive_long_poll_continues_after_timed_out_faults(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A running command answers w:TimedOut faults; the loop keeps polling until Done."""
    endpoint = endpoint_factory(lambda c, a: answer_json(PROBE, delay_s=0.3))
    assert transport_factory(endpoint).probe() == PROBE
    assert endpoint.actions.count("Receive") >= 3


def test_output_delivered_in_chunks_is_reassembled(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Output split over many Receives arrives whole."""
    big = {**PROBE, "Padding": "x" * 5000}
    endpoint = endpoint_factory(lambda c, a: answer_json(big), chunk_size=700)
    assert transport_factory(endpoint).probe() == big
    assert endpoint.actions.count("Receive") >= 8


def test_deadline_terminates_the_command_effect_unknown(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A script past its deadline is signalled to terminate and raises OperationTimedOut."""
    endpoint = endpoint_factory(lambda c, a: answer_json(PROBE, delay_s=30))
    transport = transport_factory(endpoint, deadlines=Deadlines(read=0.3))
    with pytest.raises(OperationTimedOut, match="deadline"):
        transport.probe()
    assert endpoint.actions[-1] == "Signal"


def test_cancel_stops_waiting(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Setting the cancel event ends a long wait between two polls (effect unknown)."""
    endpoint = endpoint_factory(lambda c, a: answer_json(PROBE, delay_s=30))
    transport = transport_factory(endpoint)
    threading.Timer(0.3, transport.cancel.set).start()
    with pytest.raises(OperationTimedOut, match="canceled"):
        transport.probe()


def test_shell_gone_after_restart_is_reopened(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """The restart script kills its node's shell; the next script opens a new one."""

    def answer(command: str, arguments: str) -> ScriptOutput:
        name, args = script_of(command, arguments)
        if name.value == "restart-node":
            return answer_json({"Node": args["Node"], "Soft": False}, close_shell=True)
        return status_answer(command, arguments)

    endpoint = endpoint_factory(answer)
    transport = transport_factory(endpoint)
    transport.restart_node("node1")
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    assert endpoint.actions.count("Create") == 2


def test_soap_fault_at_command_is_no_effect(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """HTTP 500 with a WSManFault refusing the Command: RemoteCommandFailed, code kept."""
    endpoint = endpoint_factory(probe_answer)
    endpoint.inject(WireFault(action="Command", kind=FaultKind.SOAP_FAULT, code=2150858752))
    with pytest.raises(RemoteCommandFailed) as caught:
        transport_factory(endpoint).suspend_node("node2")
    assert caught.value.code == 2150858752
    assert isinstance(caught.value.__cause__, WSManFaultError)
    assert_clean(caught.value)


def test_soap_fault_at_receive_is_effect_unknown(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A fault while receiving: the command ran, its answer is lost — node unreachable."""
    endpoint = endpoint_factory(status_answer)
    endpoint.inject(WireFault(action="Receive", kind=FaultKind.SOAP_FAULT))
    with pytest.raises(NodeUnreachable) as caught:
        transport_factory(endpoint).poll_work(HANDLE)
    assert caught.value.node == "node1"
    assert isinstance(caught.value.__cause__, WSManFaultError)


@pytest.mark.parametrize(
    ("call", "expected"),
    [("observe", ClusterUnreachable), ("poll", NodeUnreachable)],
)
def test_non_xml_500_is_unreachable(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    call: str,
    expected: type[TransportError],
) -> None:
    """An HTML 500 (no WS-Management reply): the cluster or the node is unreachable."""
    endpoint = endpoint_factory(status_answer)
    endpoint.inject(WireFault(action="*", kind=FaultKind.HTTP_500))
    transport = transport_factory(endpoint)
    with pytest.raises(expected) as caught:
        transport.observe() if call == "observe" else transport.poll_work(HANDLE)
    assert isinstance(caught.value.__cause__, WinRMTransportError)
    assert "HTTP 500" in str(caught.value)


@pytest.mark.parametrize("auth", [AuthMethod.NTLM, AuthMethod.BASIC])
def test_wrong_password_is_authentication_failed(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> None:
    """A refused account (NTLM or Basic) raises AuthenticationFailed without the password."""
    wrong = "wrong-" + PASSWORD
    transport = transport_factory(endpoint_factory(probe_answer), auth=auth, password=wrong)
    with pytest.raises(AuthenticationFailed) as caught:
        transport.probe()
    assert isinstance(caught.value.__cause__, InvalidCredentialsError)
    assert wrong not in str(caught.value)
    assert_clean(caught.value)


def test_401_mid_session_is_authentication_failed(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A 401 on a later request that its repeat in a new session gets too (credentials
    revoked) is AuthenticationFailed, no effect (test_winrm_session_expiry: one 401 is not)."""
    endpoint = endpoint_factory(probe_answer)
    transport = transport_factory(endpoint, auth=AuthMethod.BASIC)
    transport.probe()
    endpoint.inject(*[WireFault(action="Command", kind=FaultKind.UNAUTHORIZED)] * 2)
    with pytest.raises(AuthenticationFailed):
        transport.probe()


def test_read_timeout_is_operation_timed_out(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """No HTTP answer within the read timeout: OperationTimedOut (effect unknown)."""
    endpoint = endpoint_factory(status_answer)
    endpoint.inject(WireFault(action="Receive", kind=FaultKind.DELAY, seconds=3))
    with pytest.raises(OperationTimedOut) as caught:
        transport_factory(endpoint).poll_work(HANDLE)
    assert isinstance(caught.value.__cause__, requests.exceptions.ReadTimeout)


def test_refused_connection_while_node_restarts(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Nobody listening (the node is restarting): NodeUnreachable / ClusterUnreachable."""
    endpoint = endpoint_factory(status_answer)
    transport = transport_factory(endpoint)
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    endpoint.stop()
    with pytest.raises(NodeUnreachable) as caught:
        transport.poll_work(HANDLE)
    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)
    with pytest.raises(ClusterUnreachable):
        transport.observe()


@pytest.mark.parametrize("auth", [AuthMethod.NTLM, AuthMethod.BASIC])
def test_connection_dropped_mid_command_then_recovers(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> None:
    """A connection cut while receiving is effect unknown; the next call works again
    (for NTLM a new connection needs a new handshake and a new sealing context)."""
    endpoint = endpoint_factory(status_answer)
    transport = transport_factory(endpoint, auth=auth)
    transport.poll_work(HANDLE)
    endpoint.inject(WireFault(action="Receive", kind=FaultKind.DROP))
    with pytest.raises(NodeUnreachable) as caught:
        transport.poll_work(HANDLE)
    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)
    assert transport.poll_work(HANDLE).percent == 10


def test_read_retried_once_after_dropped_command_but_not_a_command(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A read whose Command hit a dead connection is sent again; a suspend is not."""
    endpoint = endpoint_factory(status_answer)
    transport = transport_factory(endpoint)
    endpoint.inject(WireFault(action="Command", kind=FaultKind.DROP))
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    endpoint.inject(WireFault(action="Command", kind=FaultKind.DROP))
    with pytest.raises(ClusterUnreachable):
        transport.suspend_node("node2")


def test_script_error_document_maps_to_storage_degraded(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Suspend refused with 5987 in the script's error document raises StorageDegraded."""
    error: dict[str, Any] = {
        "Error": {"Kind": "RemoteCommandFailed", "Command": "Suspend-ClusterNode",
                  "Message": "a clustered space is in a degraded condition",
                  "HResult": -2147018909, "Win32Code": 5987}
    }  # fmt: skip
    endpoint = endpoint_factory(lambda c, a: answer_json(error, exit_code=1))
    with pytest.raises(StorageDegraded) as caught:
        transport_factory(endpoint).suspend_node("node2")
    assert caught.value.code == 5987


def test_non_json_failure_is_remote_command_failed(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A script dying without its JSON answer reports exit code and stderr, secret-free."""
    stderr = f"boom: could not log on with {PASSWORD}".encode()
    endpoint = endpoint_factory(lambda c, a: ScriptOutput(stderr=stderr, exit_code=3))
    with pytest.raises(RemoteCommandFailed, match="exited with 3") as caught:
        transport_factory(endpoint).probe()
    assert_clean(caught.value)


def test_broken_seal_is_effect_unknown_and_the_session_recovers(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """An NTLM reply whose seal does not verify (the context went out of step, as after a
    request cut off by a signal) is effect unknown, not a traceback; the next call logs on
    afresh and works."""
    endpoint = endpoint_factory(status_answer)
    transport = transport_factory(endpoint, auth=AuthMethod.NTLM)
    transport.poll_work(HANDLE)
    endpoint.inject(WireFault(action="Receive", kind=FaultKind.BAD_SEAL))
    with pytest.raises(NodeUnreachable) as caught:
        transport.poll_work(HANDLE)
    assert isinstance(caught.value.__cause__, SpnegoError)
    assert "message security lost" in str(caught.value)
    assert_clean(caught.value)
    assert transport.poll_work(HANDLE).percent == 10
