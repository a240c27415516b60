"""The Hotfix plug-in's library on the nodes (``scripts/install-hotfix-library.ps1``).

Owns: ``HotfixOps`` — ``_hotfix_library``: before the first hotfix scan or install on a node
in this transport's life, write the plug-in's functions (``scripts/hotfix.ps1``) where the
detached worker dot-sources them. They travel once per node instead of inside every
``start-work`` (whose command line must stay under CreateProcess' 32 K characters).

Must not: decide anything about the run, or send the library for work without a hotfix
plug-in.
"""

from __future__ import annotations

from runner.plugins import PluginName, PluginSpec
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.scripts import hotfix_library_payload

__all__ = ["HotfixOps"]


class HotfixOps(WinRMEndpoints):
    """The hotfix library, installed once per node."""

    _hotfix_nodes: set[str]

    def _hotfix_library(self, node: str, plugins: tuple[PluginSpec, ...]) -> None:
        """Install the library on ``node`` when ``plugins`` include the hotfix plug-in and
        this transport has not installed it there yet."""
        if not any(spec.name is PluginName.HOTFIX for spec in plugins):
            return
        done: set[str] | None = getattr(self, "_hotfix_nodes", None)
        if done is None:  # the first hotfix work of this transport
            done = self._hotfix_nodes = set()
        if node in done:
            return
        args = {"Library": hotfix_library_payload()}
        self._on_node(node, ScriptName.INSTALL_HOTFIX_LIBRARY, args, deadline=self.deadlines.start)
        done.add(node)
