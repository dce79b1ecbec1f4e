"""The Site Recovery jobs table: a virtual Line-API list, newest first, paged from SQLite."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from functools import lru_cache

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from store import clock
from store.queries import JobQuery, JobRow
from tui.paint import set_virtual_height, use_framed_line_cache, vertical_scrollbar
from tui.render import duration, fit, safe_text
from tui.widgets.scrolling import scroll_to_row

PAGE = 100
CACHE = 20
STATE_CLASSES = {
    "Succeeded": "job-table--ok", "Failed": "job-table--failed", "InProgress": "job-table--running",
    "Cancelling": "job-table--running", "NotStarted": "job-table--waiting", "Cancelled": "job-table--waiting",
}


def job_columns(width: int) -> list[tuple[str, int]]:
    """(title, width) per column; Item takes the slack; narrow widths drop Initiated by, then Name."""
    fixed = [("Name", 26), ("Item", 0), ("State", 11), ("Started", 12), ("Duration", 9), ("Initiated by", 14)]
    if width < 100:
        fixed = [c for c in fixed if c[0] != "Initiated by"]
    if width < 72:
        fixed = [c for c in fixed if c[0] != "Name"]
    used = sum(w + 1 for _t, w in fixed)
    return [(t, w or max(8, width - used)) for t, w in fixed]


_parse = lru_cache(maxsize=8192)(clock.parse_iso)
"""clock.parse_iso, remembered: a repaint parses the same times of the same rows again."""


def elapsed(start: str | None, end: str | None, now: datetime) -> str:
    """How long a job ran (a running one: up to `now`), e.g. `4m 12s`; empty before it starts."""
    if start is None:
        return ""
    stop = _parse(end) if end else now
    return duration((stop - _parse(start)).total_seconds())


_fit = lru_cache(maxsize=4096)(fit)
"""tui.render.fit, remembered: states, times and initiators repeat down the screen."""


@lru_cache(maxsize=4096)
def _started(start_time: str, tz: str) -> str:
    """A start time as the table shows it (cached: every repaint shows the same few dozen)."""
    return _parse(start_time).astimezone(clock.zone(tz)).strftime("%d %b %H:%M")


def job_cells(row: JobRow, now: datetime, tz: str) -> dict[str, str]:
    started = _started(row.start_time, tz) if row.start_time else ""
    took = elapsed(row.start_time, row.end_time, now)
    item = row.item if row.component is None else f"{row.item} · {row.component}"
    state = row.state if row.state != "NotStarted" or not row.waiting_reason else "Waiting"
    return {"Name": row.name, "Item": safe_text(item), "State": state, "Started": started,
            "Duration": took, "Initiated by": safe_text(row.initiated_by)}


class JobTable(ScrollView, can_focus=True):
    """Jobs of a JobQuery; only the visible rows are read and painted."""

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
    COMPONENT_CLASSES = {"job-table--header", "job-table--cursor", *STATE_CLASSES.values()}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="job_table.up"),
        Binding("down", "move(1)", "Down", show=False, id="job_table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="job_table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="job_table.page_down"),
        Binding("home", "first", "First", show=False, id="job_table.first"),
        Binding("end", "last", "Last", show=False, id="job_table.last"),
        Binding("enter", "open", "Open", id="job_table.open"),
    ]

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the highlighted job, newest first."""

    class Opened(Message):
        """The operator pressed Enter on a job."""

        def __init__(self, job_id: str) -> None:
            super().__init__()
            self.job_id = job_id

    def __init__(self, source, query: JobQuery, tz: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        use_framed_line_cache(self)
        self.query = query
        self.tz = tz
        self.count = 0
        self._pages: OrderedDict[int, list[JobRow]] = OrderedDict()

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, painted line by line (it repaints with every state filter)."""
        return vertical_scrollbar(self) or super().vertical_scrollbar

    # -- data -----------------------------------------------------------------------------------
    def set_query(self, query: JobQuery, tz: str | None = None, *, count: int | None = None) -> None:
        """Show `query` from its first row; `count`: its number of jobs when the caller knows it."""
        self.query, self.tz = query, tz or self.tz
        self.cursor_row = 0
        self.refresh_rows(count=count)
        self.scroll_to(y=0, animate=False, force=True)

    def refresh_rows(self, *, count: int | None = None) -> None:
        """Read the rows again (when painted); `count`: the number of jobs, counted if not given."""
        self.count = self.source.count_jobs(self.query) if count is None else count
        self._pages.clear()
        set_virtual_height(self, self.count + 1)
        self.cursor_row = min(self.cursor_row, max(self.count - 1, 0))
        self.refresh()

    def row(self, index: int) -> JobRow | None:
        if not 0 <= index < self.count:
            return None
        number, pos = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            before = self._pages.get(number - 1)
            if before is not None and len(before) == PAGE:
                page = self.source.page_jobs(self.query, limit=PAGE, after_seq=before[-1].seq)
            else:
                page = self.source.jobs_at(self.query, offset=number * PAGE, limit=PAGE)
            self._pages[number] = page
            if len(self._pages) > CACHE:
                self._pages.popitem(last=False)
        return page[pos] if pos < len(page) else None

    @property
    def highlighted(self) -> JobRow | None:
        return self.row(self.cursor_row)

    # -- keys -----------------------------------------------------------------------------------
    def _validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.count - 1))

    def _watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        scroll_to_row(self, new)

    def on_resize(self) -> None:
        # A smaller terminal keeps the highlighted job in view, once the new size is laid out.
        self.call_after_refresh(lambda: scroll_to_row(self, self.cursor_row))

    def action_move(self, delta: int) -> None:
        self.cursor_row += delta

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.count - 1

    def action_open(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.Opened(row.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = self.scroll_offset.y + offset.y - 1
        if index < self.count:
            if index == self.cursor_row:
                self.action_open()
            self.cursor_row = index

    # -- painting -------------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint = self._new_paint()  # What every line of this paint shares, looked up once.
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _new_paint(self) -> dict:
        style = self.get_component_rich_style
        base = self.rich_style
        cursor = base + style("job-table--cursor")
        return {
            "width": self.size.width, "columns": job_columns(self.scrollable_content_region.width),
            "base": base, "cursor": cursor, "header": base + style("job-table--header"),
            "states": {cls: (base + style(cls), cursor + style(cls)) for cls in set(STATE_CLASSES.values())},
            "now": self.source.clock().now,  # One clock read per paint, not per line.
        }

    def render_line(self, y: int) -> Strip:
        paint = getattr(self, "_paint", None) or self._new_paint()
        width, columns, base = paint["width"], paint["columns"], paint["base"]
        if y == 0:
            header = " ".join(fit(t, w) for t, w in columns)
            return Strip([Segment(header, paint["header"])]).adjust_cell_length(width, paint["header"])
        index = self.scroll_offset.y + y - 1
        row = self.row(index)
        if row is None:
            if self.count == 0 and y == 2:
                return Strip([Segment(" No jobs match", base)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        cells = job_cells(row, paint["now"], self.tz)
        cursor = index == self.cursor_row
        line_style = paint["cursor"] if cursor else base
        state_style = paint["states"][STATE_CLASSES.get(row.state, "job-table--waiting")][cursor]
        # Cells of the line's style share a segment: each segment costs again in every step of
        # Textual's paint, and a state filter repaints every line.
        segments, plain, used = [], [], 0
        for n, (title, w) in enumerate(columns):
            if n:
                plain.append(" ")
            text = _fit(cells[title], w)
            used += w + bool(n)
            if title == "State":
                if plain:
                    segments.append(Segment("".join(plain), line_style))
                    plain = []
                segments.append(Segment(text, state_style))
            else:
                plain.append(text)
        if used < width:
            plain.append(" " * (width - used))
        if plain:
            segments.append(Segment("".join(plain), line_style))
        return Strip(segments, max(used, width)).crop(0, width) if used > width else Strip(segments, width)
