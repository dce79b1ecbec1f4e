"""Versions order numerically, part by part; the N-4 window and the reboot rule."""

from __future__ import annotations

import pytest

from store.versions import (
    Version,
    VersionError,
    minor_gap,
    reboot_required_for,
    version_key,
    within_support,
)


def test_numeric_not_string_order() -> None:
    assert Version.parse("9.66.7643.1") > Version.parse("9.9.0.0")
    assert "9.66.7643.1" < "9.9.0.0"  # what string order would wrongly say
    assert version_key("9.66.7643.1") > version_key("9.9.0.0")


def test_sorting_real_releases() -> None:
    versions = [
        "9.66.7643.1",
        "9.62.7172.1",
        "9.66.7567.1",
        "9.62.7096.1",
        "9.66.7640.1",
        "9.9.1.1",
    ]
    ordered = sorted(versions, key=Version.parse)
    assert ordered == [
        "9.9.1.1",
        "9.62.7096.1",
        "9.62.7172.1",
        "9.66.7567.1",
        "9.66.7640.1",
        "9.66.7643.1",
    ]
    assert sorted(versions, key=version_key) == ordered


@pytest.mark.parametrize(
    "bad", ["", "9.66", "9.66.7643", "9.66.7643.1.2", "9.x.1.1", "-1.2.3.4", "9.66.7643.1 beta"]
)
def test_bad_versions_refused(bad: str) -> None:
    with pytest.raises(VersionError):
        Version.parse(bad)


def test_n_minus_4_window() -> None:
    assert within_support("9.62.7096.1", "9.66.7643.1")
    assert not within_support("9.61.7016.1", "9.66.7643.1")
    assert minor_gap("9.66.7643.1", "9.61.7016.1") == 5


def test_reboot_rule_from_the_docs() -> None:
    # Last reboot at 9.60: going to 9.64 is fine, to 9.65 needs a reboot first.
    assert not reboot_required_for("9.64.7374.1", "9.60.6956.1")
    assert reboot_required_for("9.65.7417.1", "9.60.6956.1")
