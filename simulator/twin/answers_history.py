"""The twin's run history: what ``scripts/publish-run.ps1`` keeps in the cluster parameter
PycauRunHistory and ``scripts/get-run-history.ps1`` reads.

Owns: ``RunHistory`` — ``fold`` (a publish's ``Finished`` entry joins the history, replacing
one of the same run id; only the last ``Keep`` stay, as the script does) and ``answer`` (the
history as compact JSON text, as the cluster parameter holds it).

Must not: touch the world; interpret the entries (they are the runner's documents).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["RunHistory"]

Answer = tuple[Mapping[str, Any], bool]


class RunHistory:
    """The cluster parameter PycauRunHistory of the twin's cluster."""

    def __init__(self) -> None:
        self.entries: list[Mapping[str, Any]] = []

    def fold(self, args: Mapping[str, Any]) -> None:
        """publish-run.ps1's history part: ``Finished`` joins, the last ``Keep`` stay."""
        finished = args.get("Finished")
        if not isinstance(finished, Mapping):
            return
        kept = [e for e in self.entries if e.get("RunId") != finished.get("RunId")]
        kept.append(dict(finished))
        keep = int(args.get("Keep") or len(kept))
        self.entries = kept[-keep:]

    def answer(self, args: Mapping[str, Any]) -> Answer:
        text = json.dumps(self.entries, separators=(",", ":"), ensure_ascii=False)
        return {"History": text if self.entries else ""}, False
