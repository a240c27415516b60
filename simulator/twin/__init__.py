"""pycau's simulated twin: a WS-Management endpoint answering pycau's scripts from a world.

``WsmanEndpoint`` (``server``) speaks the remote-shell protocol over loopback HTTP(S) with
Basic or NTLM authentication; ``TwinAnswers`` (``answers``) decodes each script and answers
it from a simulated cluster through the world's transport, in the JSON shape Windows
PowerShell 5.1 writes. Together they let the real WinRM transport run a bundled scenario
end to end without Windows.

Owns: the package's public names (re-exported below).

Must not import from ``runner`` anything but its contract and ``runner.remote_protocol``
(the script wire format), or load pyspnego before NTLM is used.
"""

from simulator.twin.auth import Account
from simulator.twin.server import WsmanEndpoint
from simulator.twin.shells import Answerer, FaultKind, ScriptOutput, WireFault

__all__ = ["Account", "Answerer", "FaultKind", "ScriptOutput", "WireFault", "WsmanEndpoint"]
