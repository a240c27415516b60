"""CAU's updating plug-ins as contract values: which plug-in scans and installs, with what
arguments (``CauPluginName`` and ``CauPluginArguments``, reference cau.md §1.1 and §2).

Owns: ``PluginName`` (the built-in plug-ins by pycau's name, with CAU's), ``PluginSpec`` (one
plug-in and the arguments a profile gave it), the table of every plug-in's arguments with
their CAU names, types and defaults (``ARGUMENTS``), ``plugin_specs`` — parsing and checking
a profile's ``plugin`` / ``plugin_arguments`` (unknown plug-ins or arguments, a hotfix
plug-in without its root folder: ``InputError`` naming the JSON path) — and how a spec
travels in a script's arguments (``plugin_document`` / ``read_plugin_document``).

Theory of operation: a profile names one plug-in or a list of them (CAU's order, which is
the install order); ``plugin_arguments`` is one mapping for one plug-in or a list of
mappings in plug-in order, in CAU's argument names written in snake_case. A spec keeps only
the arguments given; ``PluginSpec.argument`` answers CAU's default for the others. The
transport contract passes specs with every scan and install, so each world (the simulator,
the WinRM worker, the twin) applies the arguments itself.

Must not: do I/O, know the run or import anything but the standard library and
``runner.errors`` (the simulator imports this module: it is part of the contract).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from runner.errors import InputError, ScriptProtocolError

__all__ = [
    "ARGUMENTS",
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_PLUGIN",
    "DEFAULT_PLUGINS",
    "DEFAULT_QUERY",
    "ArgValue",
    "Argument",
    "PluginArguments",
    "PluginName",
    "PluginSpec",
    "plugin_document",
    "plugin_specs",
    "read_plugin_document",
]

ArgValue = bool | int | str
PluginArguments = tuple[tuple[str, ArgValue], ...]  # (snake_case name, value), sorted by name

# Windows Update plug-in: the WUA search that selects important software updates (§2.1).
DEFAULT_QUERY = "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1"
# Hotfix plug-in: the configuration file in the hotfix root folder. CAU's documentation names
# it DefaultHotfixConfig.xml (the "DefaultHotfixConfigFile.xml" is not CAU's name).
DEFAULT_CONFIG_FILE = "DefaultHotfixConfig.xml"


class PluginName(StrEnum):
    """The plug-ins pycau knows, by the name a profile uses."""

    WINDOWS_UPDATE = "windows-update"
    ROLLING_UPGRADE = "rolling-upgrade"
    HOTFIX = "hotfix"

    @property
    def cau_name(self) -> str:
        """CAU's name of the plug-in (``CauPluginName``)."""
        return _CAU_NAMES[self]


_CAU_NAMES = {
    PluginName.WINDOWS_UPDATE: "Microsoft.WindowsUpdatePlugin",
    PluginName.ROLLING_UPGRADE: "Microsoft.RollingUpgradePlugin",
    PluginName.HOTFIX: "Microsoft.HotfixPlugin",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    """One plug-in argument: CAU's name, its type and CAU's default (``None``: none)."""

    cau_name: str
    type: type
    default: ArgValue | None = None


ARGUMENTS: Mapping[PluginName, Mapping[str, Argument]] = {
    PluginName.WINDOWS_UPDATE: {
        "include_recommended_updates": Argument(
            cau_name="IncludeRecommendedUpdates", type=bool, default=False
        ),
        "query_string": Argument(cau_name="QueryString", type=str, default=DEFAULT_QUERY),
    },
    PluginName.ROLLING_UPGRADE: {
        "wu_connected": Argument(cau_name="WuConnected", type=bool, default=True),
        "path_to_setup_media": Argument(cau_name="PathToSetupMedia", type=str),
    },
    PluginName.HOTFIX: {
        "hotfix_root_folder_path": Argument(cau_name="HotfixRootFolderPath", type=str),
        "hotfix_config_file_name": Argument(
            cau_name="HotfixConfigFileName", type=str, default=DEFAULT_CONFIG_FILE
        ),
        "hotfix_installer_timeout_minutes": Argument(
            cau_name="HotfixInstallerTimeoutMinutes", type=int, default=30
        ),
        "require_smb_encryption": Argument(
            cau_name="RequireSmbEncryption", type=bool, default=False
        ),
        "disable_acl_checks": Argument(cau_name="DisableAclChecks", type=bool, default=False),
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PluginSpec:
    """One plug-in of a run and the arguments the profile gave it (sorted by name)."""

    name: PluginName = PluginName.WINDOWS_UPDATE
    arguments: PluginArguments = ()

    def argument(self, key: str) -> ArgValue | None:
        """The argument ``key`` as given, else CAU's default (``None``: no default);
        ``KeyError`` when the plug-in has no such argument."""
        known = ARGUMENTS[self.name][key]
        for name, value in self.arguments:
            if name == key:
                return value
        return known.default

    def text(self, key: str) -> str:
        """A string argument (``""`` when neither given nor defaulted)."""
        value = self.argument(key)
        return "" if value is None else str(value)

    def flag(self, key: str) -> bool:
        """A boolean argument."""
        return bool(self.argument(key))

    def number(self, key: str) -> int:
        """An integer argument."""
        value = self.argument(key)
        return int(value) if isinstance(value, int) else 0

    def describe(self) -> str:
        """``hotfix (HotfixRootFolderPath=…)``: for plans and messages."""
        given = ", ".join(f"{ARGUMENTS[self.name][k].cau_name}={v}" for k, v in self.arguments)
        return f"{self.name.value} ({given})" if given else self.name.value


DEFAULT_PLUGIN = PluginSpec()
DEFAULT_PLUGINS: tuple[PluginSpec, ...] = (DEFAULT_PLUGIN,)


def _plugin_names(raw: Any, source: str) -> tuple[PluginName, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise InputError(source, "$.plugin", "expected a plug-in name or a list of them")
    known = ", ".join(p.value for p in PluginName)
    names: list[PluginName] = []
    for i, item in enumerate(items):
        at = "$.plugin" if isinstance(raw, str) else f"$.plugin[{i}]"
        try:
            name = PluginName(item)
        except ValueError:
            message = f"unknown plug-in {item!r}; expected one of {known}"
            raise InputError(source, at, message) from None
        if name in names:
            raise InputError(source, at, f"plug-in {name.value} is named twice")
        names.append(name)
    return tuple(names)


def _arguments(name: PluginName, raw: Any, at: str, source: str) -> PluginArguments:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InputError(source, at, f"expected a mapping of the {name.value} plug-in's arguments")
    table = ARGUMENTS[name]
    out: list[tuple[str, ArgValue]] = []
    for key in sorted(raw):
        value = raw[key]
        argument = table.get(key)
        if argument is None:
            allowed = ", ".join(table) or "none"
            raise InputError(
                source, f"{at}.{key}",
                f"the {name.value} plug-in has no argument {key!r}; its arguments: {allowed}",
            )  # fmt: skip
        if type(value) is not argument.type or not isinstance(value, bool | int | str):
            raise InputError(
                source, f"{at}.{key}", f"expected a {argument.type.__name__} ({argument.cau_name})"
            )
        out.append((str(key), value))
    spec_args = tuple(out)
    _check(PluginSpec(name=name, arguments=spec_args), at, source)
    return spec_args


def _check(spec: PluginSpec, at: str, source: str) -> None:
    """The rules between a plug-in's arguments that a schema cannot state."""
    if spec.name is PluginName.HOTFIX:
        if not spec.text("hotfix_root_folder_path").strip():
            raise InputError(
                source, at,
                "the hotfix plug-in needs hotfix_root_folder_path (CAU's HotfixRootFolderPath),"
                " the folder holding CAUHotfix_All and the hotfix configuration file",
            )  # fmt: skip
        if spec.number("hotfix_installer_timeout_minutes") < 1:
            raise InputError(
                source, f"{at}.hotfix_installer_timeout_minutes", "expected at least 1 minute"
            )
    elif spec.name is PluginName.ROLLING_UPGRADE:
        media = spec.text("path_to_setup_media").strip()
        if not spec.flag("wu_connected") and not media:
            raise InputError(
                source, at, "wu_connected false needs path_to_setup_media (the setup media)"
            )
        if spec.flag("wu_connected") and media:
            raise InputError(
                source, f"{at}.path_to_setup_media",
                "setup media are used only with wu_connected false",
            )  # fmt: skip
    elif spec.name is PluginName.WINDOWS_UPDATE and not spec.text("query_string").strip():
        raise InputError(source, f"{at}.query_string", "expected a Windows Update search")


def plugin_specs(plugin: Any, plugin_arguments: Any, source: str) -> tuple[PluginSpec, ...]:
    """The plug-ins of a profile's ``plugin`` and ``plugin_arguments`` values, checked.

    ``plugin``: a name or a list of names (``None``: the Windows Update plug-in);
    ``plugin_arguments``: ``None``, one mapping (one plug-in only) or one mapping per
    plug-in in the same order. ``InputError`` names the JSON path of the first problem.
    """
    names = _plugin_names("windows-update" if plugin is None else plugin, source)
    if plugin_arguments is None:
        per_plugin: list[Any] = [None] * len(names)
        paths = ["$.plugin_arguments"] * len(names)
    elif isinstance(plugin_arguments, Mapping):
        if len(names) != 1:
            raise InputError(
                source, "$.plugin_arguments",
                f"with {len(names)} plug-ins, expected a list of {len(names)} mappings in "
                "plug-in order",
            )  # fmt: skip
        per_plugin, paths = [plugin_arguments], ["$.plugin_arguments"]
    elif isinstance(plugin_arguments, Sequence) and not isinstance(plugin_arguments, str):
        if len(plugin_arguments) != len(names):
            raise InputError(
                source, "$.plugin_arguments",
                f"expected {len(names)} mapping(s), one per plug-in in plug-in order; "
                f"got {len(plugin_arguments)}",
            )  # fmt: skip
        per_plugin = list(plugin_arguments)
        paths = [f"$.plugin_arguments[{i}]" for i in range(len(names))]
    else:
        raise InputError(source, "$.plugin_arguments", "expected a mapping or a list of them")
    return tuple(
        PluginSpec(name=name, arguments=_arguments(name, raw, at, source))
        for name, raw, at in zip(names, per_plugin, paths, strict=True)
    )


def plugin_document(spec: PluginSpec) -> dict[str, Any]:
    """A spec as scripts carry it: the plug-in's name, CAU's name, and every argument
    (given or defaulted) under CAU's argument name."""
    arguments = {
        argument.cau_name: spec.argument(key)
        for key, argument in ARGUMENTS[spec.name].items()
        if spec.argument(key) is not None
    }
    return {"Name": spec.name.value, "CauName": spec.name.cau_name, "Arguments": arguments}


def read_plugin_document(raw: Any) -> PluginSpec:
    """``plugin_document``'s output back as a spec (arguments equal to CAU's default are
    dropped, as a profile that did not give them); ``ScriptProtocolError`` otherwise."""
    if not isinstance(raw, Mapping):
        raise ScriptProtocolError("a plug-in must be an object")
    try:
        name = PluginName(str(raw.get("Name")))
    except ValueError as exc:
        raise ScriptProtocolError(f"unknown plug-in {raw.get('Name')!r}") from exc
    given = raw.get("Arguments") or {}
    if not isinstance(given, Mapping):
        raise ScriptProtocolError("plug-in Arguments must be an object")
    by_cau = {argument.cau_name: key for key, argument in ARGUMENTS[name].items()}
    out: list[tuple[str, ArgValue]] = []
    for cau_name, value in given.items():
        key = by_cau.get(str(cau_name))
        argument = ARGUMENTS[name].get(key or "")
        if (
            argument is None
            or type(value) is not argument.type
            or not isinstance(value, bool | int | str)
        ):
            raise ScriptProtocolError(f"bad argument {cau_name!r} for plug-in {name.value}")
        if value != argument.default:
            out.append((key or "", value))
    return PluginSpec(name=name, arguments=tuple(sorted(out)))
