"""Scenario files, the plug-in parts: the ``hotfix_share`` block, hotfix updates' fields,
and the profile's plug-in arguments a simulated cluster must be able to honour.

Owns: ``PluginResolver`` (a mixin of ``simulator.scenario``'s resolver) — ``hotfix_share``
(the share's facts, each configuration file parsed with ``runner.hotfix_config``: a file
that does not parse is refused with its path), ``hotfix_fields`` (``file`` and
``exit_code`` only on a ``kind: hotfix`` update, which takes no ``restart``: its exit code
decides) and ``plugin_checks`` (a Windows Update ``query_string`` the simulator cannot
evaluate, and ``wu_connected: false``, which the simulator does not model, are refused).

Must not: read files, validate shapes (the schema did) or run SimPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from runner.errors import InputError
from runner.hotfix_config import HotfixConfig, parse_hotfix_config
from runner.plugins import PluginName
from runner.profile import Profile
from runner.validation import PathElement
from simulator.model import HotfixShareSpec, default_configs
from simulator.scenario_cluster import ClusterResolver
from simulator.wua_query import parse_query

__all__ = ["PluginResolver"]


class PluginResolver(ClusterResolver):
    """The plug-in parts of a scenario file."""

    def hotfix_share(self, raw: Mapping[str, Any] | None) -> HotfixShareSpec:
        if raw is None:
            return HotfixShareSpec()
        configs: Mapping[str, HotfixConfig] = default_configs()
        if "config_files" in raw:
            parsed: dict[str, HotfixConfig] = {}
            for name, text in raw["config_files"].items():
                at: list[PathElement] = ["hotfix_share", "config_files", name]
                try:
                    parsed[name] = parse_hotfix_config(text, self.source)
                except InputError as exc:
                    self.fail(at, f"{name}: {exc.message}")
            configs = MappingProxyType(parsed)
        return HotfixShareSpec(
            path=raw.get("path"),
            smb_signing=raw.get("smb_signing", True),
            smb_encryption=raw.get("smb_encryption", False),
            acl=raw.get("acl", "ok"),
            configs=configs,
        )

    def hotfix_fields(self, item: Mapping[str, Any], at: list[PathElement]) -> None:
        hotfix = item.get("kind") == "hotfix"
        for key in ("file", "exit_code"):
            if key in item and not hotfix:
                self.fail([*at, key], f"only a hotfix (kind: hotfix) has {key}")
        if hotfix and "restart" in item:
            self.fail(
                [*at, "restart"],
                "a hotfix's restart follows from its exit code and the configuration's "
                "exit conditions; remove restart",
            )

    def plugin_checks(self, raw: Mapping[str, Any]) -> None:
        """The profile's plug-in arguments a simulated cluster cannot honour."""
        if "plugin" not in raw and "plugin_arguments" not in raw:
            return
        specs = Profile.from_mapping(raw, self.source).plugins
        several = isinstance(raw.get("plugin_arguments"), list)
        for index, spec in enumerate(specs):
            at: list[PathElement] = ["profile", "plugin_arguments", *([index] if several else [])]
            given = dict(spec.arguments)
            if spec.name is PluginName.WINDOWS_UPDATE and "query_string" in given:
                search = parse_query(str(given["query_string"]))
                if isinstance(search, str):
                    self.fail([*at, "query_string"], f"a simulated cluster cannot run it: {search}")
            if spec.name is PluginName.ROLLING_UPGRADE and given.get("wu_connected") is False:
                self.fail(
                    [*at, "wu_connected"],
                    "a simulated cluster offers feature updates from Windows Update only; "
                    "setup media are not modelled",
                )
