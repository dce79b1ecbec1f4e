"""Pure render helpers: control characters made visible, status words, truncation, durations."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from store.vocabulary import STATUS_SLUGS, UpdateStatus
from tui.render import duration, fit, safe_text, short_job_id, status_word, truncate


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("vm-web-01", "vm-web-01"),
        ("[bold red]x[/]", "[bold red]x[/]"),
        ("\x1b[31mred", "^[[31mred"),
        ("a\nb\tc\rd", "a^Jb^Ic^Md"),
        ("nul\x00del\x7f", "nul^@del^?"),
        ("c1\x9bcsi", "c1?csi"),
        ("rlo\u202eevil", "rlo?evil"),
        ("zw\u200bsp", "zw?sp"),
        ("名前-ü", "名前-ü"),
    ],
)
def test_safe_text_makes_controls_visible(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown
    assert safe_text(raw).isprintable()


@pytest.mark.parametrize(
    ("slug", "word"),
    [
        ("up-to-date", "Up to date"),
        ("update-available", "New update available"),
        ("blocked", "Cannot update to latest version"),
        ("updating", "Updating"),
        ("failed", "Update failed"),
    ],
)
def test_status_word_uses_portal_words(slug: str, word: str) -> None:
    assert status_word(slug) == word


def test_status_word_covers_every_status_slug() -> None:
    assert {status_word(s) for s in STATUS_SLUGS.values()} == {s.value for s in UpdateStatus}


def test_status_words_fit_a_column_with_an_ellipsis() -> None:
    assert fit(status_word("blocked"), 12) == "Cannot upda…"
    assert fit(status_word("updating"), 12) == "Updating    "


def test_unknown_status_is_shown_safely_not_raised() -> None:
    assert status_word("exploded\x1b") == "exploded^["


@pytest.mark.parametrize(
    ("value", "width", "out"),
    [
        ("abcdef", 6, "abcdef"),
        ("abcdef", 5, "abcd…"),
        ("abcdef", 1, "…"),
        ("abcdef", 0, ""),
        ("abcdef", -3, ""),
        ("名前名前", 5, "名前…"),
        ("ab cd", 4, "ab…"),
    ],
)
def test_truncate_counts_terminal_cells(value: str, width: int, out: str) -> None:
    assert truncate(value, width) == out
    assert cell_len(truncate(value, width)) <= max(width, 0)


@pytest.mark.parametrize("width", [0, 1, 3, 4, 5, 10])
def test_fit_is_exactly_the_width(width: int) -> None:
    for value in ("", "abc", "名前名前", "abcdefghij"):
        assert cell_len(fit(value, width)) == width


@pytest.mark.parametrize(
    ("seconds", "out"),
    [
        (0, "0s"),
        (-5, "0s"),
        (45.9, "45s"),
        (60, "1m 0s"),
        (252, "4m 12s"),
        (3_600 + 5 * 60 + 9, "1h 05m"),
        (3 * 86_400 + 4 * 3_600 + 59, "3d 4h"),
    ],
)
def test_duration(seconds: float, out: str) -> None:
    assert duration(seconds) == out


def test_short_job_ids_of_jobs_created_together_differ() -> None:
    """UUIDv7 job ids created in the same minute share their first digits (the time): a short id
    shows the last ones, which tell the jobs apart."""
    a, b = "01a281fa-6340-7000-8000-0003e9b86339", "01a281fa-6340-7000-8000-00041c2e07d5"
    assert (short_job_id(a), short_job_id(b)) == ("…e9b86339", "…1c2e07d5")
    assert short_job_id("b6516e57-42bb-5838-8efb-169340345fb0") == "…40345fb0"  # an older uuid5 id
