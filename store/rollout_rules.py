"""The pure rules of a staged rollout: shares and wave sizes, the bake time, the vault-local
window."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

from store.clock import parse_duration, zone
from store.errors import BadInput

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
"""A rollout's name: what an operator types and a script quotes without thinking."""


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise BadInput(
            f"bad rollout name {name!r} (letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 63)"
        )
    return name


class Count(NamedTuple):
    """A number of machines (`3`) or a share of them (`10%`)."""

    value: Fraction
    percent: bool

    def of(self, total: int) -> int:
        """How many machines of `total` this is: a share rounds up."""
        if not self.percent:
            return int(self.value)
        return math.ceil(self.value * total / 100)

    def text(self) -> str:
        if not self.percent:
            return str(int(self.value))
        return f"{_decimal_text(self.value)}%"


def _decimal_text(value: Fraction) -> str:
    return f"{float(value):g}" if value.denominator != 1 else str(value.numerator)


def _percent(text: str, what: str) -> Fraction:
    raw = text.strip()[:-1].strip()
    try:
        value = Fraction(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise BadInput(
            f"bad {what} {text!r} (a number of machines such as 3, or a share such as 10%)"
        ) from None
    if value < 0 or value > 100:
        raise BadInput(f"bad {what} {text!r}: a share is between 0% and 100%")
    return value


def parse_count(text: str, what: str, *, at_least: int = 0) -> Count:
    """`N` machines or `P%` of the rollout's machines; bad input names `what` (e.g. `--canary`)."""
    raw = text.strip()
    if raw.endswith("%"):
        share = _percent(raw, what)
        if at_least and share == 0:
            raise BadInput(f"bad {what} {text!r}: it is at least {at_least} machine")
        return Count(share, True)
    if not raw.isdigit():
        raise BadInput(
            f"bad {what} {text!r} (a number of machines such as 3, or a share such as 10%)"
        )
    if int(raw) < at_least:
        raise BadInput(f"bad {what} {text!r}: it is at least {at_least} machine")
    return Count(Fraction(int(raw)), False)


def parse_waves(text: str) -> list[Fraction]:
    """Cumulative shares of the machines after the canary (`25%,50%,100%`), strictly increasing,
    each above 0% and at most 100%. A plan that stops short of 100% ends with a wave of the rest,
    as an Argo Rollouts canary is promoted to 100% after its last step."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not p.endswith("%") for p in parts):
        raise BadInput(
            f"bad --waves {text!r} (cumulative shares after the canary, e.g. 25%,50%,100%)"
        )
    shares = [_percent(p, "--waves share") for p in parts]
    for before, after in zip([Fraction(0), *shares], shares, strict=False):
        if after <= before:
            raise BadInput(
                f"bad --waves {text!r}: the shares must increase, each above the one before "
                "(and above 0%)"
            )
    if shares[-1] < 100:
        shares.append(Fraction(100))
    return shares


def wave_sizes(total: int, canary: Count, waves: list[Fraction]) -> list[int]:
    """How many machines each wave has, the canary first (at least one machine, at most all).
    Later waves take the cumulative shares of the rest, each rounded up; a wave the rounding
    leaves empty is dropped (it would only add a bake)."""
    if total <= 0:
        return []
    first = min(max(canary.of(total), 1), total)
    rest = total - first
    sizes = [first]
    done = 0
    for share in waves:
        upto = min(math.ceil(share * rest / 100), rest)
        if upto > done:
            sizes.append(upto - done)
            done = upto
    return sizes


def parse_bake(text: str) -> int:
    """The bake time in engine seconds: a duration such as 30m or 2h, or 0 for none."""
    if text.strip() in ("0", "0s", "0m", "0h"):
        return 0
    return int(parse_duration(text).total_seconds())


def bake_text(seconds: int) -> str:
    """A bake time as the command line takes it: `30m`, `2h`, `1h30m`, `0`."""
    if seconds == 0:
        return "0"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            out += f"{n}{unit}"
    return out


# -- the window, in the vault's local time --------------------------------------------------------

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Window:
    """`HH:MM-HH:MM` in the vault's local time: the start included, the end excluded. A window that
    wraps midnight belongs to the day it starts. A start (or end) that a DST change skips is the
    first local time that exists after it; one that occurs twice is its first occurrence."""

    start: tuple[int, int]
    end: tuple[int, int]

    @classmethod
    def parse(cls, text: str) -> Window:
        raw = text.strip()
        first, dash, second = raw.partition("-")
        a, b = _HHMM.fullmatch(first.strip()), _HHMM.fullmatch(second.strip())
        if not dash or a is None or b is None:
            raise BadInput(f"bad --window {text!r} (vault-local HH:MM-HH:MM, e.g. 22:00-04:00)")
        start, end = (int(a[1]), int(a[2])), (int(b[1]), int(b[2]))
        if start == end:
            raise BadInput(f"bad --window {text!r}: its start and end are the same")
        return cls(start, end)

    def text(self) -> str:
        return f"{self.start[0]:02d}:{self.start[1]:02d}-{self.end[0]:02d}:{self.end[1]:02d}"

    def interval(self, day: date, tz: str) -> tuple[datetime, datetime]:
        """The window that starts on local date `day`, as UTC [open, close)."""
        wraps = self.end <= self.start
        return (
            local_instant(day, self.start, tz),
            local_instant(day + timedelta(days=1) if wraps else day, self.end, tz),
        )

    def open_at(self, moment: datetime, tz: str) -> datetime:
        """The first instant at or after `moment` inside the window (`moment` itself when open)."""
        today = moment.astimezone(zone(tz)).date()
        opens = []
        for n in range(-1, 3):
            start, end = self.interval(today + timedelta(days=n), tz)
            if start <= moment < end:
                return moment
            if start > moment:
                opens.append(start)
        return min(opens)

    def contains(self, moment: datetime, tz: str) -> bool:
        return self.open_at(moment, tz) == moment


def local_instant(day: date, hm: tuple[int, int], tz: str) -> datetime:
    """Local wall time `hm` on `day` as a UTC instant: the first occurrence of a time that occurs
    twice; for one a DST change skips, the first local time that exists after it (the change)."""
    z = zone(tz)
    wall = datetime(day.year, day.month, day.day, hm[0], hm[1])
    first = wall.replace(tzinfo=z).astimezone(UTC)
    if first.astimezone(z).replace(tzinfo=None) == wall:
        return first
    # In a gap: the change is between the two readings of the wall time; the wall clock is
    # increasing there, so bisect (whole seconds) for the first instant that reads `wall` or later.
    low = int(wall.replace(tzinfo=z, fold=1).astimezone(UTC).timestamp())
    high = int(first.timestamp())
    while low < high:
        mid = (low + high) // 2
        if datetime.fromtimestamp(mid, z).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid + 1
    return datetime.fromtimestamp(low, UTC)
