"""Known issue "multiple prompts for login credentials" (session-expiry) over real WinRM.

The loopback endpoint expires every session on an injected clock (``SessionExpiry``): the
next request on an NTLM connection gets HTTP 401 and idle WinRS shells are gone. pycau's
transport re-authenticates with the credentials it holds, opens new shells, repeats only
requests that were refused (no effect) — and reports a refusal of the repeat as a real
``AuthenticationFailed``. A whole bundled run through the twin with expiry on, connected as
``pycau run`` connects, is the run ``pycau simulate`` makes, and reads the password source
once (``features/credentials.feature`` runs the ``pycau run`` command itself).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from winrm_support import PASSWORD, USERNAME, answer_json, script_of

from runner.cli.remote_session import connect
from runner.errors import AuthenticationFailed, ClusterUnreachable
from runner.lease import RunLease
from runner.profile import Profile
from runner.rehearsal.compose import (
    SIMULATED_STARTED_AT,
    rehearsal_holder,
    rehearse,
    simulated_run_id,
)
from runner.rehearsal.twin import TwinServer
from runner.types import WorkHandle, WorkKind, WorkState
from runner.updating_run import run_updating_run
from runner.winrm.connection import AuthMethod
from runner.winrm.error_map import WSMAN_SHELL_NOT_FOUND
from runner.winrm.transport import WinRMTransport
from simulator.issue_switches import SESSION_LIFETIME_MINUTES
from simulator.scenario import load_scenario
from simulator.twin import Account, FaultKind, ScriptOutput, WireFault, WsmanEndpoint
from simulator.twin.expiry import SessionExpiry
from simulator.twin.tls import make_certificates

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "known-issue-session-expiry.yaml"
STATUS = {"Id": "w1", "Node": "node1", "Kind": "install", "State": "Running", "Percent": 10}
HANDLE = WorkHandle(id="w1", node="node1", kind=WorkKind.INSTALL)
AUTHS = [AuthMethod.NTLM, AuthMethod.BASIC]


class Answers:
    """Answers every script with ``STATUS`` and remembers which scripts really ran."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def __call__(self, command: str, arguments: str) -> ScriptOutput:
        name, _ = script_of(command, arguments)
        self.ran.append(name.value)
        return answer_json(STATUS)


@pytest.fixture
def clock() -> list[float]:
    """The expiry's clock: tests move it by hand."""
    return [0.0]


@pytest.fixture
def expiring(
    endpoint_factory: Callable[..., WsmanEndpoint], clock: list[float]
) -> tuple[WsmanEndpoint, SessionExpiry, Answers]:
    """An endpoint whose sessions all expire each 60 s of ``clock``."""
    expiry = SessionExpiry(every_s=60.0, now=lambda: clock[0])
    answers = Answers()
    return endpoint_factory(answers, session_expiry=expiry), expiry, answers


@pytest.mark.parametrize("auth", AUTHS)
def test_expired_session_is_reauthenticated_and_the_script_runs_once(
    expiring: tuple[WsmanEndpoint, SessionExpiry, Answers],
    transport_factory: Callable[..., WinRMTransport],
    clock: list[float],
    auth: AuthMethod,
) -> None:
    """After an expiry the next script still answers: NTLM gets a 401 and re-authenticates
    once, both reopen the expired shell; the refused Command never ran on the server."""
    endpoint, expiry, answers = expiring
    transport = transport_factory(endpoint, auth=auth)
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    clock[0] = 61.0
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    ntlm = auth is AuthMethod.NTLM
    assert (expiry.expiries, expiry.refused, expiry.shells_ended) == (1, int(ntlm), 1)
    assert transport.stats.total().reauthentications == int(ntlm)
    assert answers.ran == ["poll-work", "poll-work"]
    assert endpoint.actions.count("Create") == 2


def test_over_https_ntlm_answers_the_expiry_challenge_on_its_own(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    clock: list[float],
    tmp_path: Path,
) -> None:
    """Over HTTPS nothing is sealed per message: requests-ntlm answers the 401's challenge
    on the same connection with the password it holds and replays the request; pycau needs
    no new session, and the script still runs once."""
    certificates = make_certificates()
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificates.ca_pem)
    expiry = SessionExpiry(every_s=60.0, now=lambda: clock[0])
    answers = Answers()
    endpoint = endpoint_factory(answers, session_expiry=expiry, tls=certificates)
    transport = transport_factory(
        endpoint, insecure_http=False, ca_cert=str(ca), auth=AuthMethod.NTLM
    )
    transport.poll_work(HANDLE)
    clock[0] = 61.0
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    assert (expiry.expiries, expiry.refused) == (1, 1)
    assert transport.stats.total().reauthentications == 0
    assert answers.ran == ["poll-work", "poll-work"]


@pytest.mark.parametrize("auth", AUTHS)
def test_refused_receive_is_repeated_in_a_new_session(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> None:
    """A 401 on Receive handed out nothing: the same Receive in a new session gets the
    answer of the command, which ran once (suspend is not idempotent)."""
    answers = Answers()
    endpoint = endpoint_factory(answers)
    transport = transport_factory(endpoint, auth=auth)
    transport.probe()
    endpoint.inject(WireFault(action="Receive", kind=FaultKind.UNAUTHORIZED))
    transport.suspend_node("node2")
    assert answers.ran == ["probe", "suspend-node"]
    assert transport.stats.total().reauthentications == 1
    assert endpoint.actions.count("Create") == 1  # the shell outlived the session


@pytest.mark.parametrize("auth", AUTHS)
def test_second_refusal_in_a_row_is_authentication_failed_and_the_last(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> None:
    """The repeat refused too (credentials revoked): AuthenticationFailed, nothing ran, and
    that endpoint gets no further logon attempt (an account lockout policy stays calm)."""
    answers = Answers()
    endpoint = endpoint_factory(answers)
    transport = transport_factory(endpoint, auth=auth)
    transport.probe()
    endpoint.inject(*[WireFault(action="Command", kind=FaultKind.UNAUTHORIZED)] * 2)
    with pytest.raises(AuthenticationFailed) as caught:
        transport.suspend_node("node2")
    assert "again after pycau re-authenticated" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    sent = transport.stats.total().requests
    with pytest.raises(AuthenticationFailed):
        transport.observe()
    with pytest.raises(AuthenticationFailed):
        transport.poll_work(HANDLE)  # node1's shell, on the same (single) endpoint
    assert transport.stats.total().requests == sent
    assert answers.ran == ["probe"]


def test_wrong_password_is_refused_on_the_first_try_only(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A refusal before the endpoint ever accepted the credentials is not repeated: one
    failed logon per attempt, never a re-authentication."""
    endpoint = endpoint_factory(Answers())
    transport = transport_factory(endpoint, auth=AuthMethod.BASIC, password="wrong")
    with pytest.raises(AuthenticationFailed):
        transport.probe()
    assert transport.stats.total().requests == 1
    assert transport.stats.total().reauthentications == 0


def test_shell_lost_before_the_answer_reruns_a_read_but_never_a_command(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Shell gone at Receive: an idempotent read runs again in a new shell; a suspend that
    may have run is reported effect unknown (ClusterUnreachable), never sent twice."""
    answers = Answers()
    endpoint = endpoint_factory(answers)
    transport = transport_factory(endpoint)
    gone = WireFault(action="Receive", kind=FaultKind.SOAP_FAULT, code=WSMAN_SHELL_NOT_FOUND)
    endpoint.inject(gone)
    assert transport.poll_work(HANDLE).state is WorkState.RUNNING
    assert answers.ran == ["poll-work", "poll-work"]
    endpoint.inject(gone)
    with pytest.raises(ClusterUnreachable):
        transport.suspend_node("node2")
    assert answers.ran == ["poll-work", "poll-work", "suspend-node"]


@pytest.fixture
def keyring_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No PYCAU_PASSWORD: the CLI's password source is the OS keyring, a stand-in here that
    records every read."""
    reads: list[str] = []

    def get_password(service: str, entry: str) -> str:
        reads.append(f"{service}:{entry}")
        return PASSWORD

    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=get_password))
    monkeypatch.delenv("PYCAU_PASSWORD", raising=False)
    return reads


@pytest.mark.parametrize("auth", AUTHS)
def test_bundled_run_with_expiring_sessions_is_the_simulated_run(
    keyring_reads: list[str], auth: AuthMethod
) -> None:
    """known-issue-session-expiry through the twin, connected as `pycau run` connects: the
    sessions expired each 20 simulated minutes, yet the report is pycau simulate's; every
    NTLM 401 cost one re-authentication and the password source was read once."""
    scenario = load_scenario(SCENARIO)
    simulated = rehearse(scenario, scenario.seed).to_dict()
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    cluster = f"127.0.0.1:{twin.endpoint.port}"
    params = {"cluster": cluster, "insecure_http": True, "auth": auth.value, "username": USERNAME}
    session = connect(params)
    try:
        profile = Profile.from_mapping(scenario.profile, source=scenario.source)
        run_id = simulated_run_id(scenario.name, scenario.seed)
        lease = RunLease.acquire(
            session.transport,
            session.clock,
            rehearsal_holder(run_id),
            cluster=scenario.cluster.name,
        )
        report = run_updating_run(
            session.transport,
            session.clock,
            profile.resolved(scenario.cluster.node_names),
            run_id=run_id,
            started_at=SIMULATED_STARTED_AT,
            lease=lease,
        ).to_dict()
        assert twin.expiry is not None
        refused = twin.expiry.refused  # close() may meet one more: its Delete is not repeated
    finally:
        session.transport.close()
        twin.stop()
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert keyring_reads == [f"pycau:{USERNAME}@{cluster}"]
    expiry = twin.expiry
    assert expiry is not None
    assert expiry.every_s == SESSION_LIFETIME_MINUTES * 60
    assert expiry.expiries == report["duration_seconds"] // expiry.every_s >= 3
    assert expiry.shells_ended >= expiry.expiries
    reauthentications = session.transport.stats.total().reauthentications
    if auth is AuthMethod.NTLM:
        assert reauthentications == refused >= expiry.expiries
    else:  # Basic carries the credentials on every request: only the shells expire
        assert reauthentications == refused == 0
