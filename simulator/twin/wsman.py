"""The SOAP side of WS-Management's remote shell, as pywinrm speaks it (no I/O).

Owns: reading a request envelope (``parse_request``) and writing the replies a Windows
WinRM service sends for the shell protocol — transfer/Create (``ResourceCreated`` with the
ShellId selector), shell/Command (``CommandResponse``), shell/Receive (``ReceiveResponse``
with base64 streams and ``CommandState`` Running/Done), shell/Signal, transfer/Delete — and
SOAP faults with a ``WSManFault`` code, such as w:TimedOut (2150858793) that ends an empty
Receive long-poll. Every reply echoes the request's MessageID as ``a:RelatesTo`` (pywinrm
checks it on Signal and Delete).

Must not: know HTTP, authentication or what a command means.
"""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "ACTIONS",
    "FAULT_ACCESS_DENIED",
    "FAULT_SHELL_NOT_FOUND",
    "FAULT_TIMED_OUT",
    "WsmanRequest",
    "command_reply",
    "create_reply",
    "delete_reply",
    "fault_reply",
    "parse_request",
    "receive_reply",
    "signal_reply",
]

_NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
_SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
# Short names of the actions pywinrm sends.
ACTIONS = {
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "Create",
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "Delete",
    f"{_SHELL_URI}/Command": "Command",
    f"{_SHELL_URI}/Receive": "Receive",
    f"{_SHELL_URI}/Signal": "Signal",
    f"{_SHELL_URI}/Send": "Send",
}
_REPLY_ACTION = {
    "Create": "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
    "Delete": "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse",
    "Command": f"{_SHELL_URI}/CommandResponse",
    "Receive": f"{_SHELL_URI}/ReceiveResponse",
    "Signal": f"{_SHELL_URI}/SignalResponse",
}
# WSManFault codes (and their SOAP subcode and reason) a Windows endpoint uses.
FAULT_TIMED_OUT = 2150858793
FAULT_SHELL_NOT_FOUND = 2150858843
FAULT_ACCESS_DENIED = 5
_FAULTS = {
    FAULT_TIMED_OUT: (
        "w:TimedOut",
        "The WS-Management service cannot complete the operation within the time "
        "specified in OperationTimeout.",
    ),
    FAULT_SHELL_NOT_FOUND: (
        "w:InvalidSelectors",
        "The request for the Windows Remote Shell with ShellId {shell} failed because the "
        "shell was not found on the server.",
    ),
    FAULT_ACCESS_DENIED: ("w:AccessDenied", "Access is denied."),
}
_DURATION = re.compile(r"^PT(\d+(?:\.\d+)?)S$")


@dataclass(frozen=True, slots=True, kw_only=True)
class WsmanRequest:
    """What the endpoint needs of one request envelope."""

    action: str  # short name: Create, Command, Receive, Signal, Delete, Send, or the URI
    message_id: str
    shell_id: str = ""
    operation_timeout_s: float = 60.0
    options: dict[str, str] = field(default_factory=dict)
    command: str = ""
    arguments: str = ""
    command_id: str = ""  # of Receive and Signal
    signal_code: str = ""


def _text(root: ET.Element, path: str) -> str:
    node = root.find(path, _NS)
    return (node.text or "").strip() if node is not None else ""


def parse_request(body: bytes) -> WsmanRequest:
    """Read a request envelope; raises ``ValueError`` on anything but SOAP."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    header = root.find("s:Header", _NS)
    body_node = root.find("s:Body", _NS)
    if header is None or body_node is None:
        raise ValueError("not a SOAP envelope")
    action_uri = _text(header, "a:Action")
    selector = header.find("w:SelectorSet/w:Selector[@Name='ShellId']", _NS)
    options = {
        option.get("Name", ""): (option.text or "").strip()
        for option in header.findall("w:OptionSet/w:Option", _NS)
    }
    timeout = _DURATION.match(_text(header, "w:OperationTimeout"))
    receive = body_node.find("rsp:Receive/rsp:DesiredStream", _NS)
    signal = body_node.find("rsp:Signal", _NS)
    command_id = ""
    if receive is not None:
        command_id = receive.get("CommandId", "")
    elif signal is not None:
        command_id = signal.get("CommandId", "")
    return WsmanRequest(
        action=ACTIONS.get(action_uri, action_uri),
        message_id=_text(header, "a:MessageID"),
        shell_id=(selector.text or "").strip() if selector is not None else "",
        operation_timeout_s=float(timeout.group(1)) if timeout else 60.0,
        options=options,
        command=_text(body_node, "rsp:CommandLine/rsp:Command"),
        arguments=_text(body_node, "rsp:CommandLine/rsp:Arguments"),
        command_id=command_id,
        signal_code=_text(body_node, "rsp:Signal/rsp:Code"),
    )


def _envelope(request: WsmanRequest, action: str, body: str) -> bytes:
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NS.items())
    text = (
        f'<s:Envelope xml:lang="en-US" {namespaces}><s:Header>'
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
        "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
        f"<a:RelatesTo>{escape(request.message_id)}</a:RelatesTo>"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
    return text.encode("utf-8")


def create_reply(request: WsmanRequest, shell_id: str, address: str) -> bytes:
    body = (
        f"<x:ResourceCreated><a:Address>{escape(address)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{_SHELL_URI}/cmd</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{escape(shell_id)}</w:Selector>'
        "</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"
        f"<rsp:Shell><rsp:ShellId>{escape(shell_id)}</rsp:ShellId>"
        "<rsp:InputStreams>stdin</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>"
    )
    return _envelope(request, _REPLY_ACTION["Create"], body)


def command_reply(request: WsmanRequest, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{escape(command_id)}</rsp:CommandId>"
    return _envelope(request, _REPLY_ACTION["Command"], body + "</rsp:CommandResponse>")


def receive_reply(
    request: WsmanRequest, stdout: bytes, stderr: bytes, exit_code: int | None
) -> bytes:
    """A Receive reply; ``exit_code`` None means the command is still Running."""
    cid = quoteattr(request.command_id)
    streams = []
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            streams.append(f'<rsp:Stream Name="{name}" CommandId={cid}>{encoded}</rsp:Stream>')
        if exit_code is not None:
            streams.append(f'<rsp:Stream Name="{name}" CommandId={cid} End="true"></rsp:Stream>')
    if exit_code is None:
        state = f'<rsp:CommandState CommandId={cid} State="{_SHELL_URI}/CommandState/Running"/>'
    else:
        state = (
            f'<rsp:CommandState CommandId={cid} State="{_SHELL_URI}/CommandState/Done">'
            f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    body = f"<rsp:ReceiveResponse>{''.join(streams)}{state}</rsp:ReceiveResponse>"
    return _envelope(request, _REPLY_ACTION["Receive"], body)


def signal_reply(request: WsmanRequest) -> bytes:
    return _envelope(request, _REPLY_ACTION["Signal"], "<rsp:SignalResponse/>")


def delete_reply(request: WsmanRequest) -> bytes:
    return _envelope(request, _REPLY_ACTION["Delete"], "")


def fault_reply(request: WsmanRequest | None, code: int, machine: str) -> bytes:
    """A SOAP fault (sent with HTTP 500) carrying WSManFault ``code``."""
    subcode, reason = _FAULTS.get(code, ("w:InternalError", "The WS-Management service failed."))
    reason = reason.format(shell=request.shell_id if request else "")
    body = (
        "<s:Fault><s:Code><s:Value>s:Receiver</s:Value>"
        f"<s:Subcode><s:Value>{subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason>'
        f'<s:Detail><f:WSManFault Code="{code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(reason)}</f:Message></f:WSManFault></s:Detail></s:Fault>"
    )
    placeholder = request or WsmanRequest(action="", message_id="")
    return _envelope(placeholder, "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", body)
