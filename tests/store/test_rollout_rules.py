"""The pure rules of a staged rollout: shares round up, wave sizes, the bake, the vault-local window
(midnight-wrapping, DST gaps and repeats), and the states shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from store.errors import BadInput
from store.rollout_rules import (
    Window,
    bake_text,
    check_name,
    local_instant,
    parse_bake,
    parse_count,
    parse_waves,
    wave_sizes,
)
from store.rollouts import RolloutRow, WaveRow, rollout_state, wave_state

NY = "America/New_York"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_counts_are_machines_or_shares_that_round_up() -> None:
    assert parse_count("3", "--canary").of(1000) == 3
    assert parse_count("10%", "--canary").of(95) == 10  # 9.5 rounds up
    assert parse_count("12.5%", "--canary").of(9) == 2  # 1.125 rounds up
    assert parse_count("0%", "--max-failures").of(50) == 0
    assert parse_count("100%", "--max-failures").of(7) == 7
    assert parse_count("1%", "--canary").text() == "1%" and parse_count("2", "x").text() == "2"


@pytest.mark.parametrize("text", ["x", "-1", "1.5", "101%", "-5%", "%", "ten%", ""])
def test_a_count_that_is_not_a_number_or_a_share_is_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="--canary"):
        parse_count(text, "--canary")


@pytest.mark.parametrize("text", ["0", "0%"])
def test_a_canary_has_at_least_one_machine(text: str) -> None:
    with pytest.raises(BadInput, match="at least 1"):
        parse_count(text, "--canary", at_least=1)


def test_waves_are_increasing_cumulative_shares_ending_at_everyone() -> None:
    assert parse_waves("25%,50%,100%") == [25, 50, 100]
    assert parse_waves("10%, 30%") == [10, 30, 100]  # the rest is the last wave
    for bad in ("50%,25%", "25%,25%", "0%,50%", "25%,150%", "25,50", "", "25%,,50%"):
        with pytest.raises(BadInput, match="--waves"):
            parse_waves(bad)


def test_wave_sizes_canary_first_then_the_rest_by_rounded_up_shares() -> None:
    one = parse_count("1", "c", at_least=1)
    assert wave_sizes(100, one, parse_waves("25%,50%,100%")) == [1, 25, 25, 49]
    assert wave_sizes(10, parse_count("10%", "c"), parse_waves("50%")) == [1, 5, 4]
    assert wave_sizes(3, one, parse_waves("25%,50%,100%")) == [1, 1, 1]  # empty waves dropped
    assert wave_sizes(1, one, parse_waves("100%")) == [1]
    assert wave_sizes(4, parse_count("9", "c"), parse_waves("100%")) == [4]  # never more than all
    assert wave_sizes(0, one, parse_waves("100%")) == []
    for total in (1, 2, 7, 99, 100_000):
        assert (
            sum(wave_sizes(total, parse_count("3%", "c", at_least=1), parse_waves("10%,60%")))
            == total
        )


def test_bake_is_a_duration_or_zero() -> None:
    assert parse_bake("30m") == 1800 and parse_bake("1h30m") == 5400 and parse_bake("0") == 0
    assert [bake_text(s) for s in (0, 1800, 7200, 5400, 90)] == ["0", "30m", "2h", "1h30m", "1m30s"]
    with pytest.raises(BadInput):
        parse_bake("soon")


def test_names_are_plain_words() -> None:
    assert check_name("canary-2026.12_a") == "canary-2026.12_a"
    for bad in ("", "-x", "a b", "x" * 64, "[bold]x[/]", "r\x1b"):
        with pytest.raises(BadInput, match="rollout name"):
            check_name(bad)


@pytest.mark.parametrize(
    "text",
    ["22:00", "22-04", "24:00-01:00", "22:00-4:00", "9:00-10:00", "10:00-10:00", "ab:cd-ef:gh"],
)
def test_a_window_that_is_not_hh_mm_hh_mm_is_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="--window"):
        Window.parse(text)


def test_a_window_includes_its_start_and_excludes_its_end() -> None:
    w = Window.parse("09:00-17:00")
    opens = utc("2026-12-16T14:00:00Z")  # 09:00 EST
    assert w.contains(opens, NY) and not w.contains(opens - timedelta(seconds=1), NY)
    assert not w.contains(utc("2026-12-16T22:00:00Z"), NY)  # 17:00 EST
    assert w.open_at(utc("2026-12-16T22:00:00Z"), NY) == utc("2026-12-17T14:00:00Z")


def test_a_window_that_wraps_midnight_belongs_to_the_day_it_starts() -> None:
    w = Window.parse("22:00-04:00")
    assert w.interval(date(2026, 12, 16), NY) == (
        utc("2026-12-17T03:00:00Z"),
        utc("2026-12-17T09:00:00Z"),
    )
    assert w.contains(utc("2026-12-17T08:59:59Z"), NY)  # 03:59 on the 17th: the 16th's window
    assert w.open_at(utc("2026-12-17T09:00:00Z"), NY) == utc("2026-12-18T03:00:00Z")


def test_a_start_a_dst_change_skips_opens_at_the_first_local_time_after_it() -> None:
    # 14 March 2027 in New York: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist.
    assert local_instant(date(2027, 3, 14), (2, 30), NY) == utc("2027-03-14T07:00:00Z")  # 03:00 EDT
    w = Window.parse("02:30-04:00")
    assert w.open_at(utc("2027-03-14T05:00:00Z"), NY) == utc("2027-03-14T07:00:00Z")
    assert w.interval(date(2027, 3, 14), NY)[1] == utc("2027-03-14T08:00:00Z")  # 04:00 EDT
    assert w.interval(date(2027, 3, 15), NY)[0] == utc("2027-03-15T06:30:00Z")  # 02:30 EDT


def test_a_start_that_occurs_twice_is_its_first_occurrence() -> None:
    # 7 November 2027: 01:30 happens in EDT, then again in EST.
    w = Window.parse("01:30-03:00")
    assert w.interval(date(2027, 11, 7), NY) == (
        utc("2027-11-07T05:30:00Z"),
        utc("2027-11-07T08:00:00Z"),
    )


def rollout(**changes) -> RolloutRow:
    base = RolloutRow(
        id=1,
        name="r",
        vault_id=1,
        vault="v",
        time_zone=NY,
        control="running",
        target_version="9.66",
        target_key="k",
        bake_s=1800,
        max_failures=0,
        window=None,
        created_by="op",
        created_time="2026-12-16T10:00:00Z",
        waves=2,
        machines=5,
        next_wave=1,
        count_from_wave=0,
        released_wave=None,
        halted_reason=None,
        ended_time=None,
    )
    return replace(base, **changes)


WAVES = [
    WaveRow(0, 0, 1, "2026-12-16T10:00:00Z", "2026-12-16T10:10:00Z", None),
    WaveRow(1, 1, 5, None, None, None),
]
DONE = {0: {"NotStarted": 0, "InProgress": 0, "Succeeded": 1, "Failed": 0, "Cancelled": 0}}


def test_states_follow_the_waves_the_bake_and_the_window() -> None:
    during, after = utc("2026-12-16T10:39:59Z"), utc("2026-12-16T10:40:00Z")
    assert rollout_state(rollout(), WAVES, DONE, during) == "Baking"
    assert wave_state(rollout(), WAVES[0], DONE[0], during) == "Baking"
    assert (
        rollout_state(rollout(), WAVES, DONE, after) == "Running"
    )  # due: the engine's next step starts it
    assert wave_state(rollout(), WAVES[0], DONE[0], after) == "Succeeded"
    assert wave_state(rollout(), WAVES[1], None, after) == "Pending"
    night = rollout(window="22:00-04:00")
    assert rollout_state(night, WAVES, DONE, after) == "Waiting"
    running = {0: {**DONE[0], "Succeeded": 0, "InProgress": 1}}
    assert rollout_state(night, WAVES, running, after) == "Running"
    for control in ("paused", "halted", "completed", "aborted"):
        assert rollout_state(rollout(control=control), WAVES, DONE, after) == control.capitalize()
    assert wave_state(rollout(control="aborted"), WAVES[1], None, after) == "Aborted"
    assert wave_state(rollout(control="halted"), WAVES[1], None, after) == "Pending"
