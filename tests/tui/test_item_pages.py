"""ItemPages on a real SQLite fleet: which reads it makes, and that they give the right rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from item_table_fleets import CountingService, build_fleet, numbered_items

from store.queries import ItemQuery
from tui.widgets.item_pages import PAGE_CACHE, PAGE_SIZE, ItemPages

COUNT = 2_550  # Not a multiple of PAGE_SIZE: the last page is short.
NAME_ORDER = ItemQuery(vault_id=1)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fleet(tmp_path_factory.mktemp("pages") / "fleet.db", numbered_items(COUNT))


@pytest.fixture
def source(fleet: Path) -> Iterator[CountingService]:
    service = CountingService(fleet)
    yield service
    service.close()


def pages_for(source: CountingService, query: ItemQuery = NAME_ORDER) -> ItemPages:
    pages = ItemPages(source)
    pages.reset(query, source.count_items(query))
    return pages


def test_next_page_reads_on_from_the_last_key(source: CountingService) -> None:
    pages = pages_for(source)
    assert pages.row(0).name == "vm-000000" and pages.row(99).name == "vm-000099"
    assert pages.row(150).name == "vm-000150"
    assert [(p["offset"], p["after"]) for p in source.pages] == [
        (0, None),
        (0, ("vm-000099", "vm-000099")),
    ]


def test_pages_near_the_end_are_read_from_the_end(source: CountingService) -> None:
    pages = pages_for(source)
    assert pages.row(COUNT - 1).name == f"vm-{COUNT - 1:06d}"
    # The short last page: its 50 rows are the first 50 of the reversed order.
    assert source.pages == [{"offset": 0, "after": None, "limit": 50, "desc": True}]
    assert pages.row(2_449).name == "vm-002449"  # The page before, backwards from the one after.
    assert source.pages[-1] == {
        "offset": 0,
        "after": ("vm-002500", "vm-002500"),
        "limit": PAGE_SIZE,
        "desc": True,
    }


def test_a_cold_page_is_read_from_the_nearer_end(source: CountingService) -> None:
    pages = pages_for(source)
    assert pages.row(1_005).name == "vm-001005"
    assert pages.row(1_805).name == "vm-001805"
    assert [(p["offset"], p["desc"]) for p in source.pages] == [
        (1_000, False),
        (COUNT - 1_900, True),
    ]


@pytest.mark.parametrize(
    "query",
    [
        NAME_ORDER,
        NAME_ORDER.with_(descending=True),
        NAME_ORDER.with_(sort="status"),
        NAME_ORDER.with_(sort="agent_version", descending=True),
        NAME_ORDER.with_(text="vm-001"),
    ],
    ids=["name", "name-desc", "status", "version-desc", "text"],
)
def test_every_way_of_reading_gives_the_rows_in_order(
    source: CountingService, query: ItemQuery
) -> None:
    expected = [r.name for r in source.page_items(query, limit=COUNT)]
    forward = pages_for(source, query)
    backward = pages_for(source, query)
    scattered = pages_for(source, query)
    n = forward.count
    assert [forward.row(i).name for i in range(n)] == expected
    assert [backward.row(i).name for i in reversed(range(n))] == expected[::-1]
    jumps = sorted(range(n), key=lambda i: (i * 7_919) % n)
    assert {i: scattered.row(i).name for i in jumps} == dict(enumerate(expected))
    assert forward.row(n) is None and forward.row(-1) is None


def test_least_recently_used_pages_are_dropped(source: CountingService) -> None:
    pages = pages_for(source)
    for number in range(PAGE_CACHE + 1):
        pages.row(number * PAGE_SIZE)
    reads = len(source.pages)
    pages.row(PAGE_CACHE * PAGE_SIZE - 1)  # Still cached.
    assert len(source.pages) == reads
    pages.row(0)  # The oldest page was dropped: read again.
    assert len(source.pages) == reads + 1
    pages.clear()
    pages.row(PAGE_CACHE * PAGE_SIZE)
    assert len(source.pages) == reads + 2


def test_shown_rows_are_the_cached_ones_before_and_after_a_reload(source: CountingService) -> None:
    pages = pages_for(source)
    assert pages.shown(10, 12) == [None, None, None] and source.pages == []  # nothing read yet
    first = [pages.row(10), pages.row(11), pages.row(12)]
    assert pages.shown(10, 12) == first  # from the first page
    pages.reload(10, 49)
    reads = len(source.pages)
    window = pages.shown(10, 49)
    assert [r.name for r in window] == [f"vm-{i:06d}" for i in range(10, 50)] and len(
        source.pages
    ) == reads
    assert pages.shown(48, 51) == [
        pages.cached(48),
        pages.cached(49),
        None,
        None,
    ]  # past the window: not read
    pages.reload(10, 49)
    assert (
        pages.shown(10, 49) == window and pages.shown(10, 49) is not window
    )  # a new list; the old one kept
    assert (
        pages.shown(COUNT - 1, COUNT) == [None, None] and len(source.pages) == reads + 1
    )  # never reads
