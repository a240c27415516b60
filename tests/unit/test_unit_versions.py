"""The OS version model: names in order, builds, comparisons and configuration versions."""

from __future__ import annotations

import itertools

import pytest

from runner.known_issues import os_version_label
from runner.versions import (
    VERSION_NAMES,
    config_key,
    is_newer,
    newest,
    oldest,
    rank,
    version_named,
    version_of_build,
)


def test_versions_are_listed_oldest_first() -> None:
    """The four Azure Stack HCI versions, oldest first, with rising builds and figures."""
    assert VERSION_NAMES == ("20H2", "21H2", "22H2", "23H2")
    versions = [version_named(name) for name in VERSION_NAMES]
    for older, newer in itertools.pairwise(versions):
        assert older.build < newer.build
        assert older.functional_level < newer.functional_level
        assert older.pool_version < newer.pool_version
        assert config_key(older.vm_config_version) < config_key(newer.vm_config_version)


@pytest.mark.parametrize(
    ("build", "version"),
    [("17784.1827", "20H2"), ("20348.288", "21H2"), ("20349.1129", "22H2"),
     ("25398.469", "23H2"), ("17763.5329", ""), ("", "")],
)  # fmt: skip
def test_a_build_belongs_to_the_version_of_its_build_number(build: str, version: str) -> None:
    """The part before the dot names the version; a Windows Server build names none."""
    assert version_of_build(build) == version


def test_each_versions_default_build_belongs_to_it() -> None:
    """A node given only a version runs a build of that version."""
    for name in VERSION_NAMES:
        assert version_of_build(version_named(name).default_build) == name


def test_comparisons_ignore_unknown_versions() -> None:
    """Newer/older compare known versions; an unknown one is never newer nor older."""
    assert is_newer("21H2", "20H2")
    assert not is_newer("20H2", "21H2")
    assert not is_newer("21H2", "21H2")
    assert not is_newer("21H2", "")
    assert not is_newer("", "20H2")
    assert rank("") == -1
    assert rank("24H2") == -1
    assert oldest(["22H2", "", "21H2"]) == "21H2"
    assert newest(["22H2", "", "21H2"]) == "22H2"
    assert oldest([]) == newest([""]) == ""


def test_unknown_version_name_raises_key_error() -> None:
    """Asking for a version pycau does not know is a KeyError, never a guess."""
    with pytest.raises(KeyError):
        version_named("24H2")


def test_configuration_versions_compare_as_numbers() -> None:
    """9.2 < 10.0 (not as strings)."""
    assert config_key("9.2") < config_key("10.0") < config_key("10.1")


def test_restart_event_label_names_the_builds_version() -> None:
    """The OS build in a restart event is labelled with the version the build belongs to."""
    assert os_version_label("20348.288") == "20348.288 (version 21H2)"
    assert os_version_label("17763.1") == "17763.1"
