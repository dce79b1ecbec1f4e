"""The service's machines and appliances: lists, pages, counts and details (store/service.py)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from store import fleet
from store.catalog import latest_releases
from store.db import db_path
from store.errors import BadInput
from store.queries import ItemQuery, ItemRow
from store.vocabulary import COMPONENT_NAMES, Component, UpdateStatus

if TYPE_CHECKING:
    from store.counts_ahead import CountsAhead
    from store.item_records import ItemRecord
    from store.models import ApplianceView, ItemView


class FleetReads:
    """What the fleet holds, read on the service's connection."""

    _conn: sqlite3.Connection
    _ahead: CountsAhead | None

    def count_items(self, q: ItemQuery) -> int:
        return fleet.count_items(self._conn, q)

    def page_items(
        self, q: ItemQuery, *, limit: int, offset: int = 0, after: tuple[str, str] | None = None
    ) -> list[ItemRow]:
        return fleet.page_items(self._conn, q, limit=limit, offset=offset, after=after)

    def facet_counts(self, q: ItemQuery) -> dict[str, int]:
        return fleet.facet_counts(self._conn, q)

    def match_counts(self, q: ItemQuery) -> tuple[dict[str, int], tuple[str, None] | None]:
        ahead, self._ahead = self._ahead, None  # only the next call's: later ones count afresh
        counts = ahead.counts(q) if ahead is not None else None
        return counts if counts is not None else fleet.match_counts(self._conn, q)

    def count_ahead(self, q: ItemQuery) -> None:
        """Start reading `match_counts(q)` on another thread, while this one does other work
        (the console, while it loads): the next `match_counts` call takes the answer when it is
        for `q` (store/counts_ahead.py)."""
        from store.counts_ahead import CountsAhead

        self._ahead = CountsAhead(db_path(self._conn), q)

    def item(self, name: str) -> ItemView:
        return fleet.item_detail(self._conn, name)

    def item_by_id(self, item_id: int) -> ItemView | None:
        return fleet.item_detail_by_id(self._conn, item_id)

    def item_detail_row(self, item_id: int) -> tuple | None:
        """An item's detail as a plain row (compare it with the last one before building a view)."""
        return fleet.item_detail_row(self._conn, item_id)

    @staticmethod
    def detail_view(row: tuple) -> ItemView:
        return fleet.detail_view(row)

    def items(self, q: ItemQuery) -> list[ItemView]:
        return fleet.list_items(self._conn, q)

    def items_json(self, q: ItemQuery) -> list[str]:
        """Every item `q` matches as compact JSON text, one per item (`items --json`: built by
        SQLite, 100,000 items in a fraction of a second)."""
        from store.export import item_json

        return list(item_json(self._conn, q))

    def position_of(self, q: ItemQuery, item_id: int) -> int | None:
        return fleet.position_of(self._conn, q, item_id)

    def item_ref(self, name: str) -> tuple[int, int]:
        return fleet.item_ref(self._conn, name)

    def eligible_ids(self, vault_id: int | None) -> list[int]:
        return fleet.eligible_ids(self._conn, vault_id)

    def names_of(self, ids: list[int]) -> list[str]:
        return fleet.names_of(self._conn, ids)

    def count_matching(self, q: ItemQuery, ids: list[int]) -> int:
        return fleet.count_matching(self._conn, q, ids)

    def appliances(self, vault_id: int | None = None) -> list[ApplianceView]:
        import json  # Here, not at the console's start (its first rows never read json).

        from store.models import ApplianceView, Blocker, ComponentView

        sql = (
            "SELECT a.id, a.name, v.name, a.time_zone, a.seen_azure_connected, a.registry, "
            "(SELECT count(*) FROM items i WHERE i.appliance_id = a.id) "
            "FROM appliances a JOIN vaults v ON v.id = a.vault_id"
        )
        args: list = []
        if vault_id is not None:
            sql += " WHERE a.vault_id = ?"
            args.append(vault_id)
        latest = latest_releases(self._conn)
        out = []
        for aid, name, vault, tz, azure, registry, n_items in self._conn.execute(
            sql + " ORDER BY a.name", args
        ):
            reg = json.loads(registry)
            comps = []
            for slug, version, status, blockers in self._conn.execute(
                "SELECT slug, version, status, blockers FROM components WHERE appliance_id = ?",
                (aid,),
            ):
                rel = latest.get(slug)
                comps.append(
                    ComponentView(
                        name=COMPONENT_NAMES[Component(slug)],
                        slug=slug,
                        version=version,
                        latest_version=rel.version if rel else None,
                        status=UpdateStatus.from_slug(status).value,
                        blockers=[Blocker(**b) for b in json.loads(blockers)],
                    )
                )
            order = list(Component)
            comps.sort(key=lambda c: order.index(Component(c.slug)))
            out.append(
                ApplianceView(
                    name=name,
                    vault=vault,
                    time_zone=tz,
                    azure_connected=bool(azure),
                    auto_update=reg.get("AutoUpdate", 1) != 0,
                    registry=reg,
                    components=comps,
                    item_count=n_items,
                )
            )
        return out

    def appliance(self, name: str) -> ApplianceView:
        for a in self.appliances():
            if a.name == name:
                return a
        raise BadInput(f"no appliance named {name!r}")

    def item_records(
        self, vault_id: int, *, after: str | None = None, limit: int
    ) -> list[ItemRecord]:
        """A vault's machines in full, in name order, the first `limit` past the name `after`."""
        from store import records

        return records.item_records(self._conn, vault_id, after=after, limit=limit)

    def item_record(self, vault_id: int, name: str) -> ItemRecord | None:
        from store import records

        return records.item_record(self._conn, vault_id, name)
