"""The one quoting helper: a Python string as a PowerShell single-quoted literal.

Owns: ``ps_quote``. Every value a script needs reaches it either through the base64 JSON
arguments document (``runner.remote_protocol``) or through this function — never pasted.

Theory of operation: inside a single-quoted PowerShell string nothing is expanded (no ``$``,
no backtick escapes, no subexpressions); the only character that ends it is a single quote,
and PowerShell counts the typographic quotes ‘ ’ ‚ ‛ as single quotes too. Doubling every one
of them keeps the literal closed. NUL cannot be carried on a command line and lone
surrogates cannot be encoded, so both are refused; other control characters are refused
earlier, by the schema validation of the files they come from.

Must not: import ``winrm`` or know about scripts.
"""

from __future__ import annotations

__all__ = ["SINGLE_QUOTES", "ps_quote"]

# ' and the typographic single quotes PowerShell treats alike (U+2018, U+2019, U+201A, U+201B).
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def ps_quote(value: str) -> str:
    """``value`` as a single-quoted PowerShell literal that evaluates to exactly ``value``."""
    if "\x00" in value:
        raise ValueError("a NUL character cannot be passed to PowerShell")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("a lone surrogate cannot be passed to PowerShell")
    doubled = "".join(ch + ch if ch in SINGLE_QUOTES else ch for ch in value)
    return f"'{doubled}'"
