"""Plug-in selection in a profile: CauPluginName / CauPluginArguments in snake_case, checked
with the JSON path of the first problem, and shown in the report only when given."""

from __future__ import annotations

from typing import Any

import pytest

from runner.errors import InputError, ScriptProtocolError
from runner.journal_codec import decode_as, encode
from runner.plugins import (
    DEFAULT_CONFIG_FILE,
    DEFAULT_QUERY,
    PluginName,
    PluginSpec,
    plugin_document,
    plugin_specs,
    read_plugin_document,
)
from runner.profile import Profile, ResolvedProfile
from runner.report import profile_dict
from runner.validation import parse_profile

ROOT = r"\\fs01\Hotfixes\Root"


def _error(plugin: Any, arguments: Any = None) -> InputError:
    with pytest.raises(InputError) as caught:
        plugin_specs(plugin, arguments, "p.yaml")
    return caught.value


def test_default_is_the_windows_update_plugin_with_cau_defaults() -> None:
    """No plug-in given: Microsoft.WindowsUpdatePlugin, important updates, CAU's query."""
    (spec,) = Profile().plugins
    assert spec.name is PluginName.WINDOWS_UPDATE
    assert spec.name.cau_name == "Microsoft.WindowsUpdatePlugin"
    assert spec.argument("include_recommended_updates") is False
    assert spec.argument("query_string") == DEFAULT_QUERY


def test_one_plugin_with_one_mapping_of_arguments() -> None:
    """plugin: hotfix with a mapping: the given arguments, CAU's defaults for the rest."""
    (spec,) = plugin_specs("hotfix", {"hotfix_root_folder_path": ROOT}, "p.yaml")
    assert spec.name.cau_name == "Microsoft.HotfixPlugin"
    assert spec.text("hotfix_root_folder_path") == ROOT
    assert (
        spec.argument("hotfix_config_file_name")
        == DEFAULT_CONFIG_FILE
        == ("DefaultHotfixConfig.xml")
    )
    assert spec.number("hotfix_installer_timeout_minutes") == 30
    assert spec.flag("require_smb_encryption") is False
    assert spec.flag("disable_acl_checks") is False


def test_several_plugins_take_a_list_of_mappings_in_plugin_order() -> None:
    """A list of plug-ins keeps its order; arguments go to the plug-in at the same index."""
    specs = plugin_specs(
        ["windows-update", "hotfix"],
        [{"include_recommended_updates": True}, {"hotfix_root_folder_path": ROOT}],
        "p.yaml",
    )
    assert [s.name for s in specs] == [PluginName.WINDOWS_UPDATE, PluginName.HOTFIX]
    assert specs[0].flag("include_recommended_updates") is True
    assert specs[1].text("hotfix_root_folder_path") == ROOT


@pytest.mark.parametrize(
    ("plugin", "arguments", "path", "words"),
    [
        ("wsus", None, "$.plugin", "unknown plug-in 'wsus'"),
        (["hotfix", "wsus"], None, "$.plugin[1]", "unknown plug-in 'wsus'"),
        (["hotfix", "hotfix"], None, "$.plugin[1]", "named twice"),
        ("windows-update", {"querystring": "x"}, "$.plugin_arguments.querystring", "no argument"),
        (
            ["windows-update", "hotfix"],
            [{}, {"query_string": "IsInstalled=0"}],
            "$.plugin_arguments[1].query_string",
            "hotfix plug-in has no argument 'query_string'",
        ),
        ("hotfix", None, "$.plugin_arguments", "needs hotfix_root_folder_path"),
        ("hotfix", {"disable_acl_checks": True}, "$.plugin_arguments", "HotfixRootFolderPath"),
        (
            ["windows-update", "hotfix"],
            {"hotfix_root_folder_path": ROOT},
            "$.plugin_arguments",
            "expected a list of 2 mappings",
        ),
        (["windows-update", "hotfix"], [{}], "$.plugin_arguments", "expected 2 mapping(s)"),
        (
            "hotfix",
            {"hotfix_root_folder_path": ROOT, "hotfix_installer_timeout_minutes": "30"},
            "$.plugin_arguments.hotfix_installer_timeout_minutes",
            "expected a int",
        ),
        ("rolling-upgrade", {"wu_connected": False}, "$.plugin_arguments", "path_to_setup_media"),
    ],
)
def test_bad_plugin_input_names_its_json_path(
    plugin: Any, arguments: Any, path: str, words: str
) -> None:
    """Unknown plug-ins and arguments, an argument of another plug-in, a hotfix plug-in
    without its root folder: InputError at the exact JSON path, one sentence."""
    error = _error(plugin, arguments)
    assert error.path == path
    assert words in error.message
    assert "\n" not in str(error)


def test_a_profile_file_with_a_hotfix_plugin_and_no_root_folder_is_refused() -> None:
    """The profile loader refuses it with the file, the path and what is needed."""
    with pytest.raises(InputError) as caught:
        parse_profile({"plugin": "hotfix"}, "p.yaml")
    assert str(caught.value).startswith("p.yaml at $.plugin_arguments: the hotfix plug-in")


def test_the_schema_refuses_an_argument_no_plugin_has() -> None:
    """An argument unknown to every plug-in is refused by the schema, with its path."""
    with pytest.raises(InputError) as caught:
        parse_profile({"plugin_arguments": {"bogus": 1}}, "p.yaml")
    assert "$.plugin_arguments" in str(caught.value)


def test_a_profile_built_in_code_gets_the_same_checks_when_resolved() -> None:
    """Profile(plugin=(hotfix,)) without a root folder is refused by ``resolved``."""
    with pytest.raises(InputError):
        Profile(plugin=(PluginName.HOTFIX,)).resolved(("n1", "n2"))


def test_report_profile_omits_plugin_options_left_at_their_default() -> None:
    """A run with CAU's default plug-in reports its profile exactly as before plug-ins."""
    shown = profile_dict(Profile())
    for key in ("plugin", "plugin_arguments", "run_plugins_serially", "stop_on_plugin_failure",
                "separate_reboots"):  # fmt: skip
        assert key not in shown


def test_report_profile_shows_plugins_as_the_profile_gave_them() -> None:
    """One plug-in as a name and its arguments as a mapping; several as lists."""
    one = parse_profile({"plugin": "hotfix", "plugin_arguments": {"hotfix_root_folder_path": ROOT}})
    assert profile_dict(one)["plugin"] == "hotfix"
    assert profile_dict(one)["plugin_arguments"] == {"hotfix_root_folder_path": ROOT}
    two = parse_profile(
        {
            "plugin": ["windows-update", "hotfix"],
            "plugin_arguments": [{}, {"hotfix_root_folder_path": ROOT}],
            "separate_reboots": True,
        }
    )
    shown = profile_dict(two)
    assert shown["plugin"] == ["windows-update", "hotfix"]
    assert shown["plugin_arguments"] == [{}, {"hotfix_root_folder_path": ROOT}]
    assert shown["separate_reboots"] is True
    assert "run_plugins_serially" not in shown


def test_plugin_document_round_trips_through_cau_argument_names() -> None:
    """A spec travels to the worker under CAU's names, defaults filled in, and reads back."""
    spec = PluginSpec(
        name=PluginName.HOTFIX,
        arguments=(("disable_acl_checks", True), ("hotfix_root_folder_path", ROOT)),
    )
    document = plugin_document(spec)
    assert document["CauName"] == "Microsoft.HotfixPlugin"
    assert document["Arguments"]["HotfixRootFolderPath"] == ROOT
    assert document["Arguments"]["HotfixInstallerTimeoutMinutes"] == 30
    assert read_plugin_document(document) == spec


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {"Name": "wsus"},
        {"Name": "hotfix", "Arguments": {"Bogus": 1}},
        {"Name": "hotfix", "Arguments": {"DisableAclChecks": "yes"}},
    ],
)
def test_a_bad_plugin_document_is_a_protocol_error(raw: Any) -> None:
    """The twin refuses a plug-in document that is not one (ScriptProtocolError)."""
    with pytest.raises(ScriptProtocolError):
        read_plugin_document(raw)


def test_the_journal_keeps_the_plugins_and_their_arguments() -> None:
    """A checkpoint round-trips the plug-ins, their typed arguments and the multi-plug-in
    options, so a resumed run installs through the same plug-ins."""
    profile = parse_profile(
        {
            "plugin": ["windows-update", "hotfix"],
            "plugin_arguments": [
                {"include_recommended_updates": True},
                {"hotfix_root_folder_path": ROOT, "hotfix_installer_timeout_minutes": 20},
            ],
            "separate_reboots": True,
        }
    ).resolved(("node1", "node2"))
    assert decode_as(ResolvedProfile, encode(profile)) == profile
