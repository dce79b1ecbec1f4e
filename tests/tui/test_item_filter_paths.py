"""The name filter's two paths (FTS5 for rare terms, LIKE for short or common ones) and the live
refresh that repaints only the rows that changed: same rows either way, less work."""

from __future__ import annotations

from pathlib import Path

import pytest
from item_table_fleets import build_fleet, engine_write, numbered_items
from test_item_table import TableApp, data_lines

from store import fleet
from store.db import open_db
from store.queries import ItemQuery
from store.service import Service
from tui.widgets.item_table import ItemTable


@pytest.fixture(scope="module")
def fleet_3k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fleet(tmp_path_factory.mktemp("3k") / "fleet.db", numbered_items(3_000))


def names(service: Service, q: ItemQuery) -> list[str]:
    return [r.name for r in service.page_items(q, limit=5_000)]


@pytest.mark.parametrize("term", ["vm-00", "0012", "001234", "VM-0029", "zzz", "9"])
def test_fts_and_like_paths_show_the_same_rows(fleet_3k: Path, term: str) -> None:
    service = Service.open(fleet_3k, create=False)
    try:
        q = ItemQuery(vault_id=1, text=term)
        expected = sorted(
            n for n in names(service, ItemQuery(vault_id=1)) if term.lower() in n.lower()
        )
        assert names(service, q) == expected
        counts, bounds = service.match_counts(q)
        assert sum(counts.values()) == len(expected) == service.count_items(q)
        assert bounds == (
            (expected[0], None) if expected else None
        )  # The lowest match: pages start there.
        # The bounds only let a page start at the first match: the rows stay the same.
        assert names(service, q.with_(names=bounds)) == expected
        assert names(service, q.with_(names=bounds, descending=True)) == expected[::-1]
        if expected:  # Both bounds (a caller that knows the highest match) give the same rows.
            both = (expected[0], expected[-1])
            assert names(service, q.with_(names=both)) == expected
            assert names(service, q.with_(names=both, descending=True)) == expected[::-1]
    finally:
        service.close()


def test_common_terms_use_like_and_rare_ones_fts(fleet_3k: Path) -> None:
    db = open_db(fleet_3k, create=False)
    try:
        assert not fleet.uses_fts(db.conn, "vm-")  # 3,000 matches: one index scan is cheaper
        assert fleet.uses_fts(db.conn, "001234")
        assert not fleet.uses_fts(db.conn, "12")  # shorter than a trigram
    finally:
        db.close()


async def test_refresh_rows_repaints_only_the_row_that_changed(fleet_3k: Path) -> None:
    service = Service.open(fleet_3k, create=False)
    app = TableApp(service, ItemQuery(vault_id=1))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.query_one(ItemTable)
            painted: list[int] = []
            inner = table.render_line
            table.render_line = lambda y: (painted.append(y), inner(y))[1]
            table.refresh_rows()  # Nothing changed: nothing is repainted.
            await pilot.pause()
            assert painted == []
            with engine_write(fleet_3k) as conn:  # What the engine does when an update starts.
                conn.execute("UPDATE items SET status = 'updating' WHERE name = 'vm-000004'")
            table.refresh_rows()
            await pilot.pause()
            assert painted == [5]  # The header is line 0; vm-000004 is the fifth row.
            assert "Updating" in data_lines(app)[4]
    finally:
        with engine_write(fleet_3k) as conn:
            conn.execute("UPDATE items SET status = 'update-available' WHERE name = 'vm-000004'")
        service.close()
