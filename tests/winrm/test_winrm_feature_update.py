"""A feature-update run over WinRM against the twin: the rolling-upgrade scan, the nodes'
versions in observe.ps1's answer, the follow-up quality pass — the same run, report and
verdict (mixed-mode-migration included) as ``pycau simulate``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_winrm_twin import run_through_twin

from runner.winrm.connection import AuthMethod
from runner.winrm.transport import WinRMTransport
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.twin import WsmanEndpoint


@pytest.mark.slow  # about 20 s: two passes over four nodes, every poll a WinRM round trip
def test_feature_update_through_winrm_is_the_simulated_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """20H2 → 21H2 and the follow-up pass over WinRM equal the simulation, byte for byte."""
    simulated, report, simulation, _ = run_through_twin(
        "feature-update-21h2", endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["invariants"] == simulated["simulation"]["invariants"]
    assert [n["version"] for n in report["nodes"]] == [{"before": "20H2", "after": "21H2"}] * 4
    assert report["follow_up"]["status"] == "Succeeded"
    assert simulation["invariants"][MIXED_MODE_INVARIANT]["holds"]


def test_preview_channel_refusal_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A scan's ChannelRestartPending reaches readiness over WinRM: refused, no node touched."""
    simulated, report, _, _ = run_through_twin(
        "feature-update-preview-channel-restart",
        endpoint_factory,
        transport_factory,
        AuthMethod.BASIC,
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert report["error_id"] == "PreviewChannelRestartPending"
