"""Four-part Site Recovery versions, ordered numerically, and the N-4 support window."""

from __future__ import annotations

from dataclasses import dataclass
from functools import total_ordering

SUPPORT_WINDOW = 4
"""Supported agents are at most this many minor versions behind the latest (N-4)."""

REBOOT_GAP = 4
"""A reboot is mandatory when the target's minor is more than this past the minor at the last
reboot."""


class VersionError(ValueError):
    """A string that is not a version of the form 9.66.7643.1."""


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A version such as 9.66.7643.1: compared part by part as integers, never as text."""

    parts: tuple[int, int, int, int]

    @classmethod
    def parse(cls, text: str) -> Version:
        pieces = str(text).strip().split(".")
        if len(pieces) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in pieces):
            raise VersionError(f"not a four-part version: {text!r} (expected e.g. 9.66.7643.1)")
        a, b, c, d = (int(p) for p in pieces)
        return cls((a, b, c, d))

    @property
    def major(self) -> int:
        return self.parts[0]

    @property
    def minor(self) -> int:
        return self.parts[1]

    @property
    def key(self) -> str:
        """A text key whose string order is the numeric order (for SQLite indexes)."""
        return ".".join(f"{p:09d}" for p in self.parts)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts < other.parts

    def __str__(self) -> str:
        return ".".join(str(p) for p in self.parts)


def is_version(text: str) -> bool:
    try:
        Version.parse(text)
    except VersionError:
        return False
    return True


def version_key(text: str) -> str:
    return Version.parse(text).key


def minor_gap(newer: str | Version, older: str | Version) -> int:
    """How many minor versions `newer` is past `older` (9.66 vs 9.61 -> 5)."""
    n = newer if isinstance(newer, Version) else Version.parse(newer)
    o = older if isinstance(older, Version) else Version.parse(older)
    return n.minor - o.minor if n.major == o.major else 100 * (n.major - o.major)


def within_support(version: str, latest: str) -> bool:
    """Inside the N-4 window, so the official upgrade path to `latest` exists."""
    return minor_gap(latest, version) <= SUPPORT_WINDOW


def reboot_required_for(target: str, at_last_reboot: str) -> bool:
    """True when upgrading to `target` needs a reboot first (more than 4 minors past the last
    reboot)."""
    return minor_gap(target, at_last_reboot) > REBOOT_GAP
