"""JobTable pilots: the virtual table base with a reader that only reads forwards (newest first)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from item_table_fleets import build_fleet, numbered_items
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from store.db import open_db
from store.job_queries import JobQuery, JobRow
from store.service import Service
from tui.widgets.job_table import JobTable
from tui.widgets.table_pages import PAGE_SIZE

JOBS = 250  # Two full pages and a short one.
QUERY = JobQuery(vault_id=1)


class CountingJobs(Service):
    """The real Service, recording how the jobs table reads it."""

    def __init__(self, path: Path) -> None:
        super().__init__(open_db(path))
        self.reads: list[tuple] = []

    def page_jobs(self, q: JobQuery, *, limit: int, after_seq: int | None = None) -> list[JobRow]:
        self.reads.append(("after", after_seq, limit))
        return super().page_jobs(q, limit=limit, after_seq=after_seq)

    def jobs_at(self, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]:
        self.reads.append(("offset", offset, limit))
        return super().jobs_at(q, offset=offset, limit=limit)


class JobsApp(App[None]):
    def __init__(self, source: CountingJobs) -> None:
        super().__init__()
        self.source = source
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield JobTable(self.source, QUERY, "America/New_York")

    def on_mount(self) -> None:
        self.query_one(JobTable).refresh_rows()
        self.query_one(JobTable).focus()

    def on_job_table_opened(self, message: JobTable.Opened) -> None:
        self.opened.append(message.job_id)


@pytest.fixture(scope="module")
def jobs_fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    items = numbered_items(JOBS)
    jobs = [
        {"item": item["name"], "state": "Succeeded", "started_minutes_ago": n + 1}
        for n, item in enumerate(items)
    ]
    return build_fleet(tmp_path_factory.mktemp("jobs") / "jobs.db", items, jobs)


@pytest.fixture
def source(jobs_fleet: Path) -> Iterator[CountingJobs]:
    service = CountingJobs(jobs_fleet)
    yield service
    service.close()


def newest_first(source: CountingJobs) -> list[str]:
    return [row.id for row in Service.page_jobs(source, QUERY, limit=JOBS + 1)]


@asynccontextmanager
async def jobs_table(source: CountingJobs) -> AsyncIterator[tuple[JobsApp, Pilot, JobTable]]:
    """The app running at 120x30, after its first paint: (app, pilot, table)."""
    app = JobsApp(source)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        yield app, pilot, app.query_one(JobTable)


async def test_rows_in_order_read_on_by_keyset_and_a_cold_page_by_offset(
    source: CountingJobs,
) -> None:
    expected = newest_first(source)
    async with jobs_table(source) as (_app, _pilot, table):
        assert table.row_count == JOBS
        source.reads.clear()
        table.refresh_rows(count=JOBS)  # Drops the pages read for the first paint.
        assert [table.row_at(i).id for i in range(JOBS)] == expected
        # The first page by offset, each next one after the last job of the page before.
        seqs = [table.row_at(i).seq for i in (PAGE_SIZE - 1, 2 * PAGE_SIZE - 1)]
        assert source.reads == [("offset", 0, PAGE_SIZE), *(("after", s, PAGE_SIZE) for s in seqs)]
        table.refresh_rows(count=JOBS)
        source.reads.clear()
        assert table.row_at(JOBS - 1).id == expected[-1]
        # Jobs are never read backwards: the last page by offset from the newest.
        assert source.reads == [("offset", 2 * PAGE_SIZE, PAGE_SIZE)]


async def test_end_pages_and_clicks_move_the_cursor_and_open_a_job(source: CountingJobs) -> None:
    expected = newest_first(source)
    async with jobs_table(source) as (app, pilot, table):
        await pilot.press("end")
        await pilot.pause()
        assert table.highlighted.id == expected[-1]
        assert table.scroll_y == table.max_scroll_y
        shown = table.scrollable_content_region.height - 1  # Rows under the header.
        top = table.scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        # The view moves with the cursor: the cursor keeps its place on screen.
        assert table.cursor_row == JOBS - 1 - shown and table.scroll_y == top - shown
        await pilot.press("home")
        await pilot.pause()
        await pilot.click(JobTable, offset=(5, 3))  # The third row: highlighted, not opened.
        await pilot.pause()
        assert table.cursor_row == 2 and app.opened == []
        await pilot.click(JobTable, offset=(5, 3))  # Again: opened.
        await pilot.pause()
        await pilot.click(JobTable, offset=(5, 0))  # The header: nothing.
        await pilot.pause()
        assert app.opened == [expected[2]] and table.cursor_row == 2
