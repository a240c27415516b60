"""pycau's production transport: WinRM (WS-Management) to real Windows cluster nodes.

The only package of ``runner`` that imports ``winrm`` (pywinrm), ``spnego`` and
``requests``. Map of the package:

- ``connection`` — endpoints, TLS, auth methods, ``Credentials`` (password hidden);
- ``scripts`` + ``scripts/*.ps1`` — the PowerShell, composed with ``quoting``'s one helper
  and the base64 JSON arguments of ``runner.remote_protocol``;
- ``shell`` — one reused WinRS shell per endpoint, our own Receive loop, deadlines;
- ``faults`` — pywinrm/requests exceptions and script error documents → ``runner.errors``;
- ``psjson`` + ``parse`` — Windows PowerShell 5.1 JSON as it really is → value types;
- ``transport`` — ``WinRMTransport``, the ``ClusterTransport`` of real runs;
- ``endpoint_clock`` — the endpoint's clock (runs against pycau's simulated twin);
- ``readiness`` — Test-CauSetup-like rules judged from gathered facts.
"""

from runner.winrm.connection import AuthMethod, ConnectionOptions, Credentials
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.quoting import ps_quote
from runner.winrm.setup_rules import RuleResult, Verdict, judge
from runner.winrm.transport import Deadlines, WinRMTransport

__all__ = [
    "AuthMethod",
    "ConnectionOptions",
    "Credentials",
    "Deadlines",
    "EndpointClock",
    "RuleResult",
    "Verdict",
    "WinRMTransport",
    "judge",
    "ps_quote",
]
