"""pycau's production transport: WinRM (WS-Management) to real Windows cluster nodes.

Owns: the package's public names (re-exported below). Map of the package:

- ``runner.winrm.connection`` — endpoints, TLS, auth methods, ``Credentials`` (password
  hidden);
- ``runner.winrm.scripts`` + ``scripts/*.ps1`` — the PowerShell, composed with
  ``runner.winrm.quoting``'s one helper and the base64 JSON arguments of
  ``runner.remote_protocol``;
- ``runner.winrm.shell`` — one reused WinRS shell per endpoint, our own Receive loop,
  deadlines;
- ``runner.winrm.error_map`` — pywinrm/requests exceptions and script error documents →
  ``runner.errors``;
- ``runner.winrm.psjson`` + ``runner.winrm.parse`` — Windows PowerShell 5.1 JSON as it
  really is → value types;
- ``runner.winrm.endpoints`` — the shells and the script plumbing every operation shares;
- ``runner.winrm.transport`` — ``WinRMTransport``, the ``ClusterTransport`` of real runs,
  with its operation families ``runner.winrm.lock_ops`` (the run lock) and
  ``runner.winrm.record_ops`` (probe, facts, beacon, run record, endpoint clock);
- ``runner.winrm.endpoint_clock`` — the endpoint's clock (runs against pycau's twin);
- ``runner.winrm.setup_rules`` — Test-CauSetup-like rules judged from gathered facts.

Must not: be imported by anything but the command line (``runner.cli``): it is the only
package of ``runner`` that imports ``winrm`` (pywinrm), ``spnego`` and ``requests``, and
nothing else should pay for loading them.
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
