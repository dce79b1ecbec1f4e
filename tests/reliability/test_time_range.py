"""Engine time has a range (store.clock.EARLIEST .. LATEST). Every way a scenario or a command can
set time is held to it (one line, exit 2, nothing written), time stops at its end instead of
overflowing, a database whose clock is outside it says so in one line, and every formatter of
engine time round-trips across the whole range (hypothesis)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_kit import checkpoint, content_digest, load_world, run_cli, worlds

from store import clock
from store.clock import (
    EARLIEST,
    LATEST,
    iso,
    iso_epoch,
    local_iso,
    next_local_midnight,
    parse_iso,
    parse_moment,
)

ZONES = [
    "UTC",
    "America/New_York",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Europe/London",
]
"""The zones at both ends of the offsets (+14, -12), half- and quarter-hour ones, DST ones."""

moments = st.datetimes(
    min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None)
).map(lambda m: m.replace(microsecond=0, tzinfo=UTC))
ends = st.sampled_from(
    [EARLIEST, LATEST, EARLIEST + timedelta(seconds=1), LATEST - timedelta(seconds=1)]
)


@settings(max_examples=400, deadline=None)
@given(moment=moments | ends, tz=st.sampled_from(ZONES))
def test_every_formatter_round_trips_across_engine_time(moment: datetime, tz: str) -> None:
    text = iso(moment)
    assert len(text) == 20 and parse_iso(text) == moment == clock.stored_now(text)
    epoch = int(moment.timestamp())
    assert iso_epoch(epoch) == text
    sqlite_text = (
        sqlite3.connect(":memory:")
        .execute(  # what the engine's checks write
            "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch')", (epoch,)
        )
        .fetchone()[0]
    )
    assert sqlite_text == text
    local = local_iso(moment, tz)
    assert datetime.fromisoformat(local) == moment
    assert parse_moment(local, "UTC") == moment == parse_moment(text, tz)
    midnight = next_local_midnight(moment, tz)
    assert moment < midnight <= moment + timedelta(days=1, hours=1)
    assert midnight.astimezone(clock.zone(tz)).time().hour in (
        0,
        1,
    )  # 01:00 where DST skips midnight
    assert clock.next_multiple(moment, 30) > moment
    assert moment + clock.MAX_MOVE + timedelta(days=3) > moment  # a rollout's bake, then its window


@settings(max_examples=200, deadline=None)
@given(a=moments | ends, b=moments | ends)
def test_stored_text_orders_as_time_does(a: datetime, b: datetime) -> None:
    """SQLite compares the stored times as text: that order must be time's."""
    assert (iso(a) < iso(b)) == (a < b)


@settings(max_examples=200, deadline=None)
@given(moment=moments | ends)
def test_job_ids_carry_their_time_across_engine_time(moment: datetime) -> None:
    from store.job_ids import epoch_ms, job_id_sql

    ms = epoch_ms(moment)
    conn = sqlite3.connect(":memory:")
    job_id = conn.execute(f"SELECT {job_id_sql('7', ':ms', '12345', '99')}", {"ms": ms}).fetchone()[
        0
    ]
    assert len(job_id) == 36 and job_id[14] == "7"
    assert int(job_id[:8] + job_id[9:13], 16) == ms


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(max_value=datetime(9999, 12, 31, 10)).map(
        lambda m: m.replace(microsecond=0)
    ),
    tz=st.sampled_from(ZONES),
)
def test_a_moment_outside_engine_time_is_bad_input(moment: datetime, tz: str) -> None:
    from store.errors import BadInput

    inside = EARLIEST <= moment.replace(tzinfo=clock.zone(tz)) <= LATEST
    text = moment.isoformat()
    if inside:
        parse_moment(text, tz)
    else:
        with pytest.raises(BadInput, match="outside engine time"):
            parse_moment(text, tz)


# -- real processes
# -------------------------------------------------------------------------------------------


def _scenario(tmp: Path, **clock_spec) -> Path:
    data = worlds.world(items=[worlds.machine("web-01")])
    data["clock"] = {k: v for k, v in {**data["clock"], **clock_spec}.items() if v is not None}
    path = tmp / "scenario.json"
    path.write_text(json.dumps(data))
    return path


SCENARIO_CLOCKS = [
    ("start-year-1", {"start": "0001-01-01T00:30:00+00:00"}),
    ("start-year-1-east-of-utc", {"start": "0001-01-01T00:30:00+05:00"}),
    ("start-year-999", {"start": "0999-06-01T00:00:00Z"}),
    ("start-before-2000", {"start": "1999-12-31T23:59:59Z"}),
    ("start-year-9999", {"start": "9999-06-01T00:00:00Z"}),
    ("start-last-second-west", {"start": "9999-12-31T23:59:59-05:00"}),
    ("start-naive-year-1", {"start": "0001-01-01T00:30:00"}),
    ("base-date-year-1", {"start": None, "base_date": "0001-01-01"}),
    ("base-date-9999", {"start": None, "base_date": "9999-12-30"}),
]


@pytest.mark.parametrize("spec", [pytest.param(s, id=i) for i, s in SCENARIO_CLOCKS])
def test_a_scenario_clock_outside_engine_time_is_refused_and_writes_nothing(
    spec: dict, tmp_path: Path
) -> None:
    db = load_world(tmp_path / "fleet.db", worlds.world(items=[worlds.machine("web-02")]))
    checkpoint(db)
    before = content_digest(db)
    fresh = tmp_path / "fresh.db"
    for target, extra in ((db, ("--force",)), (fresh, ())):
        ran = run_cli("demo", "load", str(_scenario(tmp_path, **spec)), *extra, "--db", str(target))
        assert (ran.code, ran.one_line_error()) == (2, True), ran.err
        assert "outside engine time" in ran.err, ran.err
    assert content_digest(db) == before
    assert not fresh.exists(), "a refused load created a database"


def test_a_release_date_outside_engine_time_is_refused(tmp_path: Path) -> None:
    data = worlds.world(items=[worlds.machine("web-01")])
    data["releases"] = [{"component": "agent", "version": worlds.LATEST, "released": "0001-01-01"}]
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    ran = run_cli("demo", "load", str(path), "--db", str(tmp_path / "fresh.db"))
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err
    assert "releases.0.released" in ran.err


@pytest.fixture
def near_the_end(tmp_path: Path) -> Path:
    """A fleet whose clock is one hour before the end of engine time."""
    data = worlds.world(items=[worlds.machine("web-01"), worlds.machine("web-02")])
    data["clock"]["start"] = iso(LATEST - timedelta(hours=1))
    db = load_world(tmp_path / "end.db", data)
    checkpoint(db)
    return db


COMMANDS_PAST_THE_END = [
    ("advance-past-the-end", ("clock", "advance", "2h")),
    ("advance-400d-past-the-end", ("clock", "advance", "400d")),
    ("set-year-9999", ("clock", "set", "9999-06-01T00:00:00Z")),
    ("set-year-1-with-offset", ("clock", "set", "0001-01-01T00:00:00+01:00")),
    ("set-last-second-of-9999", ("clock", "set", "9999-12-31T23:59:59Z")),
    ("engine-run-past-the-end", ("engine", "run", "--for", "2h")),
]


@pytest.mark.parametrize("args", [pytest.param(a, id=i) for i, a in COMMANDS_PAST_THE_END])
def test_a_command_cannot_move_time_past_its_end(args: tuple[str, ...], near_the_end: Path) -> None:
    before = content_digest(near_the_end)
    ran = run_cli(*args, "--db", str(near_the_end))
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err
    assert "engine time" in ran.err, ran.err
    assert content_digest(near_the_end) == before


def test_time_runs_to_its_end_and_every_command_still_works_there(near_the_end: Path) -> None:
    db = str(near_the_end)
    assert run_cli("update", "web-01", "--db", db).code == 0
    ran = run_cli("clock", "advance", "1h", "--json", "--db", db)
    assert ran.code == 0, ran.err
    assert ran.json["now"] == iso(LATEST)
    for args in (("clock",), ("plan",), ("items",), ("jobs", "--json"), ("item", "web-01")):
        done = run_cli(*args, "--db", db)
        assert done.code == 0 and "Traceback" not in done.err, (args, done.err)
    ran = run_cli("clock", "speed", "100000", "--db", db)
    assert ran.code == 0
    ran = run_cli("engine", "run", "--for", "1s", "--db", db)
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err


def test_a_database_whose_clock_is_outside_engine_time_says_so(tmp_path: Path) -> None:
    """A database written before engine time had a range (year 1 was stored unpadded)."""
    db = load_world(tmp_path / "year1.db", worlds.world(items=[worlds.machine("web-01")]))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE clock SET now = '1-01-02T04:41:02Z'")
    conn.close()
    checkpoint(db)
    before = content_digest(db)
    for args in (
        ("clock",),
        ("plan",),
        ("update", "web-01"),
        ("clock", "advance", "1h"),
        ("engine", "run"),
    ):
        ran = run_cli(*args, "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), (args, ran.err)
        assert "outside engine time" in ran.err, ran.err
    assert content_digest(db) == before
