"""The simulated Hotfix plug-in: its share's checks, what it offers a node, and how one
hotfix's installer ends (reference cau.md §2.2; the rules are ``runner.hotfix_config``'s).

Owns: ``hotfix_offer`` — the checks CAU makes before it lists a share (the root folder
reachable, SMB signing or encryption, SMB encryption when ``require_smb_encryption``, the
root folder's permissions unless ``disable_acl_checks``, the configuration file present)
and the hotfixes of ``CAUHotfix_All\\`` and ``<node>\\`` that a rule installs — and
``hotfix_install`` (how long the installer runs and what its exit code means, or that it
did not return within ``hotfix_installer_timeout_minutes``).

Theory of operation: a scenario's ``hotfix_share`` describes the share the profile's
``hotfix_root_folder_path`` names (its ``path``, when given, must be that path); a hotfix
is an update with ``kind: hotfix``, a ``file`` under its folder (``CAUHotfix_All\\``, or the
node's folder when the update lists ``nodes``), an ``exit_code`` and ``install_minutes``.

Must not: hold state or run SimPy (``simulator.windows_update`` applies the outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runner.hotfix_config import ALL_NODES_FOLDER, ExitCondition, HotfixConfig
from runner.plugins import PluginSpec
from simulator.model import HotfixShareSpec, UpdateSpec

__all__ = ["ERROR_TIMEOUT", "HotfixRun", "hotfix_install", "hotfix_offer", "hotfix_path"]

ERROR_TIMEOUT = "0x800705B4"  # HRESULT_FROM_WIN32(ERROR_TIMEOUT): the installer did not return
_ALLOWED_WRITERS = "only Administrators, SYSTEM, CREATOR OWNER and TrustedInstaller may"


@dataclass(frozen=True, slots=True, kw_only=True)
class HotfixRun:
    """One installer run: its seconds, and what it ended as (``None``: timed out)."""

    seconds: float
    condition: ExitCondition | None
    exit_code: int


def _norm(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").lower()


def _file(spec: UpdateSpec) -> str:
    """The hotfix's path inside its folder (``KB1.msu``, ``FolderRule1\\fw.exe``)."""
    return (spec.file or f"{spec.id}.msu").replace("/", "\\")


def hotfix_path(spec: UpdateSpec, node: str) -> str:
    """The hotfix's path under the root folder as the plug-in finds it for ``node``."""
    folder = node if spec.nodes is not None else ALL_NODES_FOLDER
    return f"{folder}\\{_file(spec)}"


def _config(share: HotfixShareSpec, plugin: PluginSpec) -> HotfixConfig | str:
    """The share's configuration file, or why the scan fails before listing anything."""
    root = plugin.text("hotfix_root_folder_path")
    if share.path is not None and _norm(share.path) != _norm(root):
        return f"the hotfix root folder {root} does not exist or cannot be reached"
    if root.startswith("\\\\"):  # an SMB share: CAU insists on data integrity
        if not (share.smb_signing or share.smb_encryption):
            return (
                f"the share of {root} requires neither SMB signing nor SMB encryption; the "
                "hotfix plug-in needs one of them"
            )
        if plugin.flag("require_smb_encryption") and not share.smb_encryption:
            return f"require_smb_encryption is set and the share of {root} is not SMB-encrypted"
    if not plugin.flag("disable_acl_checks"):
        if share.acl == "users-can-write":
            return (
                f"Users may write to {root}: {_ALLOWED_WRITERS} (disable_acl_checks skips "
                "this check)"
            )
        if share.acl == "users-cannot-read":
            return f"Users cannot read {root} (disable_acl_checks skips this check)"
    name = plugin.text("hotfix_config_file_name")
    config = share.configs.get(name)
    if config is None:
        return f"the hotfix configuration file {name} is not in {root}"
    return config


def hotfix_offer(
    share: HotfixShareSpec, plugin: PluginSpec, node: str, applicable: Sequence[UpdateSpec]
) -> tuple[UpdateSpec, ...] | str:
    """The hotfixes a rule installs on ``node`` (files without one are ignored), or why the
    plug-in's scan fails."""
    config = _config(share, plugin)
    if isinstance(config, str):
        return config
    return tuple(
        u for u in applicable if u.kind == "hotfix" and config.rule_for(_file(u)) is not None
    )


def hotfix_install(
    share: HotfixShareSpec, plugin: PluginSpec, spec: UpdateSpec, node: str
) -> HotfixRun:
    """How the installer of ``spec`` runs: its minutes, or the plug-in's timeout when it
    would run longer (the hotfix then fails, no restart); its exit code's meaning."""
    timeout_s = plugin.number("hotfix_installer_timeout_minutes") * 60.0
    seconds = float(spec.install_minutes_for(node)) * 60.0  # drawn per node (variability)
    if seconds > timeout_s:
        return HotfixRun(seconds=timeout_s, condition=None, exit_code=spec.exit_code)
    config = _config(share, plugin)
    rule = None if isinstance(config, str) else config.rule_for(_file(spec))
    condition = rule.condition(spec.exit_code) if rule is not None else ExitCondition.FAILED
    return HotfixRun(seconds=seconds, condition=condition, exit_code=spec.exit_code)
