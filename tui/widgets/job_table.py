"""The Site Recovery jobs table: a virtual Line-API list, newest first, paged from SQLite."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import ClassVar, NamedTuple, Protocol

from rich.style import Style
from textual.binding import BindingType
from textual.message import Message
from textual.strip import Strip

from store import clock
from store.job_queries import JobQuery, JobRow
from tui.render import fit, safe_text
from tui.widgets.virtual_table import (
    Cell,
    VirtualTable,
    cursor_bindings,
    fitted_strip,
    merged_segments,
    text_strip,
)

STATE_CLASSES = {
    "Succeeded": "job-table--ok",
    "Failed": "job-table--failed",
    "InProgress": "job-table--running",
    "Cancelling": "job-table--running",
    "NotStarted": "job-table--waiting",
    "Cancelled": "job-table--waiting",
}


def job_columns(width: int) -> list[tuple[str, int]]:
    """(title, width) per column; Item takes the slack; narrow widths drop Initiated by, then
    Name."""
    fixed = [
        ("Name", 26),
        ("Item", 0),
        ("State", 11),
        ("Started", 12),
        ("Duration", 9),
        ("Initiated by", 14),
    ]
    if width < 100:
        fixed = [c for c in fixed if c[0] != "Initiated by"]
    if width < 72:
        fixed = [c for c in fixed if c[0] != "Name"]
    used = sum(w + 1 for _t, w in fixed)
    return [(t, w or max(8, width - used)) for t, w in fixed]


_parse = lru_cache(maxsize=8192)(clock.parse_iso)
"""clock.parse_iso, remembered: a repaint formats the same start times of the same rows again."""


_fit = lru_cache(maxsize=4096)(fit)
"""tui.render.fit, remembered: states, times and initiators repeat down the screen."""


@lru_cache(maxsize=4096)
def _started(start_time: str, tz: str) -> str:
    """A start time as the table shows it (cached: every repaint shows the same few dozen)."""
    return _parse(start_time).astimezone(clock.zone(tz)).strftime("%d %b %H:%M")


def job_cells(row: JobRow, now: datetime, tz: str) -> dict[str, str]:
    started = _started(row.start_time, tz) if row.start_time else ""
    took = clock.span_text(row.start_time, row.end_time, now)
    item = row.item if row.component is None else f"{row.item} · {row.component}"
    state = row.state if row.state != "NotStarted" or not row.waiting_reason else "Waiting"
    return {
        "Name": row.name,
        "Item": safe_text(item),
        "State": state,
        "Started": started,
        "Duration": took,
        "Initiated by": safe_text(row.initiated_by),
    }


class JobSource(Protocol):
    """Where the jobs table reads rows from: `store.service.Service` is one."""

    def count_jobs(self, q: JobQuery) -> int: ...

    def page_jobs(
        self, q: JobQuery, *, limit: int, after_seq: int | None = None
    ) -> list[JobRow]: ...

    def jobs_at(self, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]: ...

    def clock(self) -> clock.ClockState: ...


class JobRows:
    """A `JobSource` as a `RowReader`: newest first, keyset pages after a job's seq."""

    backwards_ok = False

    def __init__(self, source: JobSource) -> None:
        self._source = source

    def count(self, query: JobQuery) -> int:
        return self._source.count_jobs(query)

    def read(
        self,
        query: JobQuery,
        *,
        limit: int,
        offset: int = 0,
        after: JobRow | None = None,
        backwards: bool = False,
    ) -> list[JobRow]:
        if after is not None:
            return self._source.page_jobs(query, limit=limit, after_seq=after.seq)
        return self._source.jobs_at(query, offset=offset, limit=limit)


class JobPaint(NamedTuple):
    """What every line of one paint shares, looked up once per paint."""

    width: int
    columns: list[tuple[str, int]]
    base: Style
    cursor: Style
    header: Style
    states: dict[str, tuple[Style, Style]]
    """Each state class's style, off and under the cursor."""
    now: datetime
    """One clock read per paint, not per line."""


class JobTable(VirtualTable[JobQuery, JobRow, JobPaint]):
    """Jobs of a JobQuery, newest first; only the visible rows are read and painted."""

    DEFAULT_CSS = """
    JobTable {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .job-table--header { text-style: bold; background: $panel; }
        & > .job-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .job-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .job-table--ok { color: $text-success; }
        & > .job-table--failed { color: $text-error; text-style: bold; }
        & > .job-table--running { color: $text-accent; }
        & > .job-table--waiting { color: $text-muted; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-table--header",
        "job-table--cursor",
        *STATE_CLASSES.values(),
    }
    BINDINGS: ClassVar[list[BindingType]] = cursor_bindings("job_table")

    class Opened(Message):
        """The operator pressed Enter on a job."""

        def __init__(self, job_id: str) -> None:
            super().__init__()
            self.job_id = job_id

    def __init__(
        self, source: JobSource, query: JobQuery, tz: str, *, id: str | None = None
    ) -> None:
        super().__init__(JobRows(source), query, id=id)
        self.source = source
        self.tz = tz

    # -- data -----------------------------------------------------------------------------------
    def set_query(
        self, query: JobQuery, tz: str | None = None, *, count: int | None = None
    ) -> None:
        """Show `query` from its first row; `count`: its number of jobs when the caller knows it."""
        self.tz = tz or self.tz
        self._show(query, count)
        self.cursor_row = 0
        self.scroll_to(y=0, animate=False, force=True)

    def refresh_rows(self, *, count: int | None = None) -> None:
        """Read the rows again (when painted); `count`: the number of jobs, counted if not given."""
        self._show(self.query, count)
        self.cursor_row = min(self.cursor_row, max(self.row_count - 1, 0))

    def _show(self, query: JobQuery, count: int | None) -> None:
        self._pages.reset(query, self._pages.recount(query) if count is None else count)
        self._update_virtual_size()
        self.refresh()

    # -- VirtualTable ---------------------------------------------------------------------------
    def row_selected(self, row: JobRow) -> None:
        self.post_message(self.Opened(row.id))

    def new_paint(self) -> JobPaint:
        style = self.get_component_rich_style
        base = self.rich_style
        cursor = base + style("job-table--cursor")
        return JobPaint(
            self.size.width,
            job_columns(self.scrollable_content_region.width),
            base,
            cursor,
            base + style("job-table--header"),
            {cls: (base + style(cls), cursor + style(cls)) for cls in set(STATE_CLASSES.values())},
            self.source.clock().now,
        )

    def header_line(self, paint: JobPaint) -> Strip:
        return text_strip(" ".join(fit(t, w) for t, w in paint.columns), paint.header, paint.width)

    def empty_line(self, y: int, paint: JobPaint) -> Strip:
        if y == 2:
            return text_strip(" No jobs match", paint.base, paint.width)
        return Strip.blank(paint.width, paint.base)

    def row_line(self, row: JobRow, index: int, paint: JobPaint) -> Strip:
        cells = job_cells(row, paint.now, self.tz)
        cursor = index == self.cursor_row
        line_style = paint.cursor if cursor else paint.base
        state_style = paint.states[STATE_CLASSES.get(row.state, "job-table--waiting")][cursor]
        segments, used = merged_segments(
            (
                Cell(_fit(cells[title], w), w, state_style if title == "State" else None)
                for title, w in paint.columns
            ),
            line_style,
        )
        return fitted_strip(segments, used, paint.width, line_style)
