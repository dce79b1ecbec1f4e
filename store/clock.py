"""The one clock of a database: simulated (a stored virtual now, speed, paused) or real (wall
time)."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from time import gmtime, strftime
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.errors import BadInput

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""The first moment engine time may hold. Job ids and ticks count from the unix epoch, and a
scenario's jobs may have started 30 days before its start: both need room before it."""
LATEST = datetime(9998, 1, 1, tzinfo=UTC)
"""The last moment engine time may hold: room before datetime's end for the furthest the engine
looks ahead from any moment (a rollout's bake, up to MAX_MOVE, then its window's next days), and
four-digit years for ISO_FORMAT across the whole range (fixed width: SQLite orders the text)."""
RANGE_TEXT = "2000-01-01T00:00:00Z to 9998-01-01T00:00:00Z"


def duration_text(seconds: float) -> str:
    """A short human duration, the same in the console and the command line: ``45s``, ``4m 12s``,
    ``2h 05m``, ``3d 4h``."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def span_text(start: str | None, end: str | None, now: datetime) -> str:
    """How long something ran from ISO `start` to `end` ('4m 12s'), a running one up to `now`; ''
    before it starts (a job's duration column)."""
    if start is None:
        return ""
    stop = parse_iso(end) if end else now
    return duration_text((stop - parse_iso(start)) / timedelta(seconds=1))


def wall_now() -> datetime:
    """Wall-clock UTC. Only the clock itself and the engine lease look at the wall."""
    return datetime.fromtimestamp(time.time(), UTC).replace(microsecond=0)


def wall_seconds() -> float:
    return time.time()


def iso(moment: datetime) -> str:
    """Fixed-width ISO UTC text, so SQLite orders it correctly as text."""
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def iso_epoch(epoch: int) -> str:
    """`iso` of a whole unix second, without building a datetime (the engine writes many)."""
    return strftime(ISO_FORMAT, gmtime(epoch))


def next_multiple(after: datetime, step_s: int) -> datetime:
    """The first whole multiple of `step_s` seconds since the unix epoch strictly after `after`
    (the engine's ticks and check passes fall on these, whatever the time zone)."""
    epoch = int(after.timestamp())
    return datetime.fromtimestamp(epoch - epoch % step_s + step_s, UTC)


def parse_iso(text: str) -> datetime:
    """A stored time (ISO_FORMAT). Every poll and engine step parses some: the common exact form
    goes through `fromisoformat` (C, ~30x faster than `strptime`, which still judges the rest)."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    return datetime.strptime(text, ISO_FORMAT).replace(tzinfo=UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of zones
        raise BadInput(
            f"unknown time zone {name!r} (use an IANA name such as America/New_York)"
        ) from None


def local_iso(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).isoformat()


def next_local_midnight(after: datetime, tz: str) -> datetime:
    """The first local 00:00 strictly after `after`, as UTC (correct across DST changes)."""
    z = zone(tz)
    local = after.astimezone(z)
    day: date = local.date() + timedelta(days=1)
    midnight = datetime(day.year, day.month, day.day, tzinfo=z)
    return midnight.astimezone(UTC)


MAX_MOVE = timedelta(days=400)
"""The most `clock advance` or `clock set` moves engine time at once (a longer move holds the
engine lease for a long time, and is more likely a typo than a plan)."""

_DURATION = r"(\d+)\s*([dhms])"  # Compiled on first use (`re` caches it), not at every start.
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """'90s', '45m', '1h30m', '2d' -> timedelta; anything else is bad input."""
    raw = text.strip().lower().replace(" ", "")
    if raw.startswith("-") and raw[1:] and not re.sub(_DURATION, "", raw[1:]):
        raise BadInput(
            f"bad duration {text!r}: durations are positive, engine time only moves forward "
            "(e.g. 30m, 1h30m, 2d)"
        )
    if not raw or re.sub(_DURATION, "", raw):
        raise BadInput(f"bad duration {text!r} (use e.g. 30m, 1h30m, 2d)")
    found = re.findall(_DURATION, raw)
    if any(len(n) > 12 for n, _u in found):  # past 400d anyway; and int() refuses 4,300 digits
        raise BadInput(f"bad duration {text[:40]!r}... (between 1s and {MAX_MOVE.days}d)")
    total = sum(int(n) * _UNITS[u] for n, u in found)
    if total <= 0 or total > MAX_MOVE.total_seconds():
        raise BadInput(f"bad duration {text!r} (between 1s and {MAX_MOVE.days}d)")
    return timedelta(seconds=total)


def parse_moment(text: str, default_tz: str) -> datetime:
    """ISO time with an offset, or without one as `default_tz` local time, inside engine time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"bad time {text!r} (use ISO, e.g. 2026-12-16T23:45:00-05:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(default_tz))
    try:
        utc = moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # the offset moves it past year 1 or 9999
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise BadInput(f"time {text.strip()!r} is outside engine time ({RANGE_TEXT})")
    return utc


def later(moment: datetime, delta: timedelta, what: str) -> datetime:
    """`moment + delta`, or bad input when that passes the end of engine time (`what` names it)."""
    if delta > LATEST - moment:
        raise BadInput(f"{what} would pass the end of engine time ({RANGE_TEXT})")
    return moment + delta


def stored_now(text: str) -> datetime:
    """The clock row's time: bad input, not a traceback, when a database holds one this program
    cannot run (written before engine time had a range, or by hand)."""
    try:
        moment = parse_iso(text)
    except ValueError:
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise BadInput(
            f"the database's clock ({text!r}) is outside engine time ({RANGE_TEXT}); "
            "load a scenario again with `asr-console demo load --force`"
        )
    return moment


class ClockState(NamedTuple):
    """The clock row: what `clock show` prints."""

    mode: str
    now: datetime
    speed: float
    paused: bool


def read(conn: sqlite3.Connection) -> ClockState:
    row = conn.execute("SELECT mode, now, speed, paused FROM clock WHERE id = 1").fetchone()
    if row is None:
        return ClockState("real", wall_now(), 1.0, False)
    mode, now, speed, paused = row
    current = wall_now() if mode == "real" else stored_now(now)
    return ClockState(mode, current, float(speed), bool(paused))


def now(conn: sqlite3.Connection) -> datetime:
    """Engine time now."""
    return read(conn).now


def initialise(
    conn: sqlite3.Connection, start: datetime, *, mode: str = "simulated", speed: float = 60.0
) -> None:
    """The clock of a freshly loaded fleet: every machine's next check is after `start`, so the
    checks are done up to it (`checks_to`: the first pass reads only the machines due since)."""
    conn.execute(
        "INSERT INTO clock (id, mode, now, speed, paused, checks_to) VALUES (1, ?, ?, ?, 0, ?) "
        "ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, now = excluded.now, "
        "speed = excluded.speed, paused = 0, checks_to = excluded.checks_to",
        (mode, iso(start), speed, iso(start)),
    )


def set_speed(conn: sqlite3.Connection, speed: float) -> None:
    if not (0 < speed <= 100_000):
        raise BadInput(
            f"bad speed {speed:g}: more than 0 and at most 100000 times real time "
            "(to stop engine time, `clock pause`)"
        )
    conn.execute("UPDATE clock SET speed = ? WHERE id = 1", (speed,))


def set_paused(conn: sqlite3.Connection, paused: bool) -> None:
    conn.execute("UPDATE clock SET paused = ? WHERE id = 1", (int(paused),))
