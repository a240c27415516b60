"""The Hotfix plug-in's rules: its configuration file, which file runs with which
installer, and what an installer's exit code means (reference cau.md §2.2).

Owns: ``parse_hotfix_config`` (the configuration XML — ``<DefaultRules><ExtensionRules>``
with one ``<Extension name=…>`` per file type, ``<FolderRules>`` with ``<Folder name=…
[alwaysReboot=…]>``, each with a ``<Template path=… parameters=…>`` and ``<ExitConditions>``
— into ``HotfixConfig``), ``HotfixConfig.rule_for`` (the rule of a file in the share),
``ExitCondition`` / ``HotfixRule.condition`` (an exit code's meaning), ``hotfix_folders`` and
``DEFAULT_HOTFIX_CONFIG`` (pycau's sample configuration, used when a simulated share names
no configuration of its own).

Theory of operation, as CAU documents it: under the hotfix root folder, ``CAUHotfix_All\\``
holds hotfixes for every node and ``<NodeName>\\`` those of one node. A file directly in
either folder installs by its extension's rule (the sample configuration has .msu, .msi and
.msp); a file in a subfolder named like a ``<Folder>`` rule installs by that rule, whatever
its extension; anything else is ignored. The exit code the installer returns is looked up
in the rule's ``<ExitConditions>``: ``Success`` (required), ``Success_RebootRequired``,
``Fail_RebootRequired``, ``AlreadyInstalled``, ``NotApplicable``; ``alwaysReboot`` on a
folder rule turns ``Success`` into ``Success_RebootRequired``; **an exit code listed
nowhere is a failure without a restart**. Exit codes are ``<ExitCode code="…"/>`` elements,
decimal or ``0x`` hex (compared as 32-bit values, so ``-2145124329`` equals ``0x80240017``).
Element names are matched without their XML namespace.

Must not: do I/O (callers pass the file's text), know about the run, or import anything
but the standard library and ``runner.errors`` (the simulator imports it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from enum import StrEnum

from runner.errors import InputError

__all__ = [
    "ALL_NODES_FOLDER",
    "DEFAULT_HOTFIX_CONFIG",
    "ExitCondition",
    "HotfixConfig",
    "HotfixRule",
    "hotfix_folders",
    "parse_hotfix_config",
]

ALL_NODES_FOLDER = "CAUHotfix_All"


class ExitCondition(StrEnum):
    """What an installer's exit code means (``<ExitConditions>``' elements)."""

    SUCCESS = "Success"
    SUCCESS_REBOOT_REQUIRED = "Success_RebootRequired"
    FAIL_REBOOT_REQUIRED = "Fail_RebootRequired"
    ALREADY_INSTALLED = "AlreadyInstalled"
    NOT_APPLICABLE = "NotApplicable"
    FAILED = "Failed"  # not listed: failure, no restart

    @property
    def succeeded(self) -> bool:
        """The hotfix is in effect (installed, already there, or not needed on the node)."""
        return self in _IN_EFFECT

    @property
    def restart(self) -> bool:
        """The node must restart."""
        return self in (ExitCondition.SUCCESS_REBOOT_REQUIRED, ExitCondition.FAIL_REBOOT_REQUIRED)


_IN_EFFECT = (
    ExitCondition.SUCCESS,
    ExitCondition.SUCCESS_REBOOT_REQUIRED,
    ExitCondition.ALREADY_INSTALLED,
    ExitCondition.NOT_APPLICABLE,
)
_LISTED = tuple(c for c in ExitCondition if c is not ExitCondition.FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class HotfixRule:
    """One ``<Extension>`` or ``<Folder>`` rule: the installer template and exit codes."""

    name: str  # the extension (upper case, e.g. MSU) or the folder name
    folder: bool
    path: str
    parameters: str
    always_reboot: bool = False
    codes: tuple[tuple[ExitCondition, tuple[int, ...]], ...] = ()

    def condition(self, exit_code: int) -> ExitCondition:
        """What ``exit_code`` means under this rule (unlisted: ``FAILED``)."""
        code = exit_code & 0xFFFFFFFF
        for condition, listed in self.codes:
            if code in listed:
                if condition is ExitCondition.SUCCESS and self.always_reboot:
                    return ExitCondition.SUCCESS_REBOOT_REQUIRED
                return condition
        return ExitCondition.FAILED

    def command(self, update_path: str) -> str:
        """The installer command line for one file (``$update$`` replaced)."""
        return f"{self.path} {self.parameters}".replace("$update$", update_path).strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class HotfixConfig:
    extensions: tuple[HotfixRule, ...] = ()
    folders: tuple[HotfixRule, ...] = ()

    def rule_for(self, relative: str) -> HotfixRule | None:
        """The rule of a file at ``relative`` inside ``CAUHotfix_All\\`` or ``<Node>\\``
        (``KB1.msu`` or ``FolderRule1\\fw.exe``); ``None``: the plug-in ignores the file."""
        parts = [p for p in relative.replace("/", "\\").split("\\") if p]
        if len(parts) == 1:
            extension = parts[0].rpartition(".")[2].upper() if "." in parts[0] else ""
            return next((r for r in self.extensions if r.name == extension), None)
        if len(parts) == 2:
            return next((r for r in self.folders if r.name.lower() == parts[0].lower()), None)
        return None


def hotfix_folders(node: str) -> tuple[str, str]:
    """The two folders under the root whose hotfixes apply to ``node``."""
    return (ALL_NODES_FOLDER, node)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _code(text: str | None) -> int:
    raw = (text or "").strip()
    number = int(raw, 16) if raw.lower().startswith("0x") else int(raw)
    return number & 0xFFFFFFFF


def _rule(element: ElementTree.Element, folder: bool, where: str) -> HotfixRule:
    name = (element.get("name") or "").strip()
    if not name:
        raise ValueError(f"{where} has no name attribute")
    label = f"{where} {name!r}"
    template = _child(element, "Template")
    if template is None or not (template.get("path") or "").strip():
        raise ValueError(f"{label} has no <Template path=…>")
    conditions = _child(element, "ExitConditions")
    if conditions is None:
        raise ValueError(f"{label} has no <ExitConditions>")
    codes: list[tuple[ExitCondition, tuple[int, ...]]] = []
    for condition in _LISTED:
        holder = _child(conditions, condition.value)
        if holder is None:
            continue
        try:
            listed = tuple(_code(c.get("code")) for c in holder if _local(c.tag) == "ExitCode")
        except ValueError:
            raise ValueError(f"{label} has an exit code that is not a number") from None
        codes.append((condition, listed))
    if not any(c is ExitCondition.SUCCESS for c, _ in codes):
        raise ValueError(f"{label} has no <Success> exit condition (it is required)")
    always = (element.get("alwaysReboot") or "").strip().lower() in ("true", "1")
    return HotfixRule(
        name=name.upper() if not folder else name,
        folder=folder,
        path=(template.get("path") or "").strip(),
        parameters=(template.get("parameters") or "").strip(),
        always_reboot=folder and always,
        codes=tuple(codes),
    )


def parse_hotfix_config(text: str, source: str, path: str = "$") -> HotfixConfig:
    """The rules of a configuration file's ``text``; ``InputError(source, path, …)`` with
    one sentence when it does not parse or breaks CAU's schema rules."""
    try:
        root = ElementTree.fromstring(text)
        defaults = _child(root, "DefaultRules")
        holder = _child(defaults, "ExtensionRules") if defaults is not None else None
        extensions = tuple(
            _rule(e, False, "<Extension>") for e in (holder if holder is not None else ())
            if _local(e.tag) == "Extension"
        )  # fmt: skip
        folder_rules = _child(root, "FolderRules")
        folders = tuple(
            _rule(e, True, "<Folder>") for e in (folder_rules if folder_rules is not None else ())
            if _local(e.tag) == "Folder"
        )  # fmt: skip
    except ElementTree.ParseError as exc:
        raise InputError(source, path, f"the hotfix configuration is not XML: {exc}") from None
    except ValueError as exc:
        raise InputError(source, path, f"the hotfix configuration is invalid: {exc}") from None
    if not extensions and not folders:
        raise InputError(
            source, path, "the hotfix configuration has no <Extension> or <Folder> rule"
        )
    return HotfixConfig(extensions=extensions, folders=folders)


# pycau's sample configuration, in the shape CAU documents (the exit codes are the usual
# servicing ones: wusa/DISM 3010 and 0x00240005 restart needed, 0x00240006 already
# installed, 0x80240017 not applicable; Windows Installer 3010/1641 restart needed, 1638
# another version installed, 1642 patch not applicable). CAU's own shipped file may differ.
DEFAULT_HOTFIX_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<root>
  <DefaultRules>
    <ExtensionRules>
      <Extension name="MSI">
        <Template path="%systemroot%\\system32\\msiexec.exe"
                  parameters="/qn /norestart /i $update$"/>
        <ExitConditions>
          <Success><ExitCode code="0"/></Success>
          <Success_RebootRequired>
            <ExitCode code="3010"/><ExitCode code="1641"/>
          </Success_RebootRequired>
          <AlreadyInstalled><ExitCode code="1638"/></AlreadyInstalled>
        </ExitConditions>
      </Extension>
      <Extension name="MSU">
        <Template path="%systemroot%\\system32\\wusa.exe"
                  parameters="$update$ /quiet /norestart"/>
        <ExitConditions>
          <Success><ExitCode code="0"/></Success>
          <Success_RebootRequired>
            <ExitCode code="3010"/><ExitCode code="0x00240005"/>
          </Success_RebootRequired>
          <AlreadyInstalled><ExitCode code="0x00240006"/></AlreadyInstalled>
          <NotApplicable><ExitCode code="0x80240017"/></NotApplicable>
        </ExitConditions>
      </Extension>
      <Extension name="MSP">
        <Template path="%systemroot%\\system32\\msiexec.exe"
                  parameters="/qn /norestart /update $update$"/>
        <ExitConditions>
          <Success><ExitCode code="0"/></Success>
          <Success_RebootRequired>
            <ExitCode code="3010"/><ExitCode code="1641"/>
          </Success_RebootRequired>
          <NotApplicable><ExitCode code="1642"/></NotApplicable>
        </ExitConditions>
      </Extension>
    </ExtensionRules>
  </DefaultRules>
  <FolderRules/>
</root>
"""
