"""HRESULTs in words: the symbolic name and meaning of the codes an update run reports.

Owns: ``decode_hresult`` — ``"0x80240022"`` → ``WU_E_ALL_UPDATES_FAILED: Operation failed
for all the updates.`` for the codes in ``KNOWN`` (Windows Update's ``WU_E_*``, the servicing
stack's ``CBS_E_*`` and the Win32 errors an update run meets), and for any other code what its
bits say: severity, facility (Win32, Windows Update, setup API, …) and code. Nothing is
guessed: a code not in the table is said to be not in it.

Must not: read anything but its argument (the renderings call it on the report's
``hresult`` strings; no system message tables, no network).
"""

from __future__ import annotations

import re

__all__ = ["KNOWN", "decode_hresult"]

# Name and meaning as Microsoft's documentation of Windows Update error codes, servicing
# (CBS) errors and Win32 system error codes words them.
KNOWN: dict[int, tuple[str, str]] = {
    0x00000000: ("S_OK", "The operation completed successfully."),
    0x80070005: ("E_ACCESSDENIED", "Access is denied."),
    0x8007000E: ("E_OUTOFMEMORY", "Not enough memory resources are available."),
    0x80070070: ("ERROR_DISK_FULL", "There is not enough space on the disk."),
    0x80070643: ("ERROR_INSTALL_FAILURE", "Fatal error during installation."),
    0x80070BC2: (
        "ERROR_SUCCESS_REBOOT_REQUIRED",
        "The requested operation is successful. Changes will not be effective until the "
        "system is rebooted.",
    ),
    0x80071763: (
        "ERROR_CLUSTER_SPACE_DEGRADED",
        "The clustered storage space is degraded: Suspend-ClusterNode is refused while it repairs.",
    ),
    0x80073712: ("ERROR_SXS_COMPONENT_STORE_CORRUPT", "The component store has been corrupted."),
    0x800F081F: ("CBS_E_SOURCE_MISSING", "The source for the package or file was not found."),
    0x800F0922: (
        "CBS_E_INSTALLERS_FAILED",
        "Processing advanced installers and generic commands failed.",
    ),
    0x8024000B: ("WU_E_CALL_CANCELLED", "Operation was cancelled."),
    0x80240016: (
        "WU_E_INSTALL_NOT_ALLOWED",
        "Operation tried to install while another installation was in progress or the "
        "system was pending a mandatory restart.",
    ),
    0x80240017: (
        "WU_E_NOT_APPLICABLE",
        "Operation was not performed because there are no applicable updates.",
    ),
    0x8024001E: (
        "WU_E_SERVICE_STOP",
        "Operation did not complete because the service or system was being shut down.",
    ),
    0x80240020: (
        "WU_E_NO_INTERACTIVE_USER",
        "Operation did not complete because there is no logged-on interactive user.",
    ),
    0x80240022: ("WU_E_ALL_UPDATES_FAILED", "Operation failed for all the updates."),
    0x80240FFF: (
        "WU_E_UNEXPECTED",
        "An operation failed due to reasons not covered by another error code.",
    ),
    0x8024200D: (
        "WU_E_UH_NEEDANOTHERDOWNLOAD",
        "The update handler did not install the update because it needs to be downloaded again.",
    ),
    0x80242016: (
        "WU_E_UH_POSTREBOOTUNEXPECTEDSTATE",
        "The state of the update after its post-reboot operation has completed is unexpected.",
    ),
    0x80244022: (
        "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL",
        "Same as HTTP status 503: the service is temporarily overloaded.",
    ),
    0x8024402C: (
        "WU_E_PT_WINHTTP_NAME_NOT_RESOLVED",
        "The proxy server or target server name cannot be resolved.",
    ),
}

# Facility numbers (winerror.h) of the codes an update run meets.
_FACILITIES = {
    0: "null",
    1: "RPC",
    4: "interface",
    7: "Win32",
    15: "setup API / servicing",
    36: "Windows Update",
}
_SHAPE = re.compile(r"^0x[0-9A-Fa-f]{8}$")


def decode_hresult(text: str | None) -> str | None:
    """What ``text`` (``0x`` and eight hex digits) means; ``None`` for no code.

    A code in ``KNOWN`` gives ``NAME: meaning``; any other well-formed code what its bits
    say; text of another shape is returned as it is (it is the report's, not ours)."""
    if not text:
        return None
    if not _SHAPE.match(text):
        return text
    value = int(text, 16)
    if value in KNOWN:
        name, meaning = KNOWN[value]
        return f"{name}: {meaning}"
    severity = "failure" if value & 0x80000000 else "success"
    facility = (value >> 16) & 0x7FF
    code = value & 0xFFFF
    where = _FACILITIES.get(facility, f"facility {facility}")
    if facility == 7:
        return f"Win32 error {code} ({severity}); not in pycau's table of known codes"
    return f"{where} {severity}, code 0x{code:04X}; not in pycau's table of known codes"
