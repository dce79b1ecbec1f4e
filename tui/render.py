"""Pure helpers that turn fleet data into safe display strings and `rich.text.Text`."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.padding import Padding
from rich.text import Text

from store import clock
from store.clock import duration_text as duration  # noqa: F401  (re-exported for the widgets)
from store.vocabulary import UpdateStatus
from tui.escape import terminal_text as safe_text  # noqa: F401  (the console's name for it)

ELLIPSIS = "…"
"""Marks text cut to fit a column."""

LOCAL_FORMAT = "%a %d %b %H:%M %Z"
"""The console's one way to show a moment: the vault's local time with its zone (as the header)."""


def local_time(moment: str | datetime | None, time_zone: str) -> str:
    """Engine time (ISO UTC or a datetime) as local time in `time_zone`, or "-" when unset."""
    if not moment:
        return "-"
    if isinstance(moment, str):
        moment = clock.parse_iso(moment)
    return moment.astimezone(clock.zone(time_zone)).strftime(LOCAL_FORMAT)


def hanging(text: Text, indent: int = 2) -> Padding:
    """`text` whose every line, wrapped ones too, starts under the bullet line's text."""
    return Padding(text, (0, 0, 0, indent))


def job_errors(job) -> list:
    """A job's errors (a JobView's), each with its causes and recommended action indented under
    it."""
    parts: list = []
    for e in job.errors:
        parts.append(Text(f"\n● Error {e.code}", style="bold"))
        body = Text(safe_text(e.message))
        body.append("\nPossible causes: ", style="bold")
        body.append(safe_text(e.possible_causes))
        body.append("\nRecommended action: ", style="bold")
        body.append(safe_text(e.recommended_action))
        parts.append(hanging(body))
    return parts


def short_job_id(job_id: str) -> str:
    """A job id cut for a one-line mention: its last 8 hex digits. A job id (UUIDv7) starts with
    its creation time, the same for every job created within a minute; it ends in seeded
    pseudo-random digits, which tell jobs apart (and so do an older uuid5 id's)."""
    return ELLIPSIS + job_id[-8:]


def truncate(value: str, width: int) -> str:
    """`value` cut to at most `width` terminal cells, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(value) <= width:
        return value
    return set_cell_size(value, width - 1).rstrip() + ELLIPSIS


def fit(value: str, width: int) -> str:
    """`value` truncated (with an ellipsis) or padded with spaces to exactly `width` cells."""
    return set_cell_size(truncate(value, width), max(width, 0))


def status_word(slug: str) -> str:
    """The portal's words for a status slug ('blocked' -> 'Cannot update to latest version')."""
    try:
        return UpdateStatus.from_slug(slug).value
    except ValueError:
        return safe_text(slug)
