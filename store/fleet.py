"""Read side of the fleet: keyset-paged, filtered, sorted items; facet counts; item detail."""

from __future__ import annotations

import difflib
import sqlite3
from typing import TYPE_CHECKING

from store.catalog import latest_ga_sql, latest_releases
from store.errors import BadInput
from store.queries import SORTS, ItemQuery, ItemRow
from store.vocabulary import SELECTABLE, STATUS_SLUGS, UpdateStatus

if TYPE_CHECKING:
    from store.models import ItemView

FTS_MIN = 3
"""Terms this long or longer may use the FTS5 trigram index; shorter ones always use LIKE."""

FTS_RARE = 2_000
"""A term FTS5 finds fewer times than this is matched through the index (cost grows with the
matches: every one is a row lookup); a commoner term is a LIKE over the covering
(vault_id, status, name) / (vault_id, name) indexes, whose cost is one index scan at most."""

_FTS_PROBES: dict[tuple[int, str], bool] = {}

PRIVATE_PREVIEW_NOTE = (
    "Installed from private preview bits: automatic updates are blocked. Set up Site Recovery "
    "again on this machine using a fresh Preview appliance."
)
PRIVATE_ENDPOINT_NOTE = "The vault uses private endpoints: automatic updates are not available."
VAULT_OFF_NOTE = (
    "Automatic updates are off for this vault (Allow Site Recovery to manage): update it by hand."
)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def uses_fts(conn: sqlite3.Connection, term: str) -> bool:
    """Whether a name filter is matched through FTS5 (a rare term) or LIKE (short or common).

    A probe that stops at FTS_RARE matches decides; it is remembered per connection and term
    (how common a name fragment is barely moves, and either way the rows are the same)."""
    term = term.strip()
    if len(term) < FTS_MIN:
        return False
    key = (id(conn), term)
    found = _FTS_PROBES.get(key)
    if found is None:
        probe = "SELECT count(*) FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT ?)"
        found = conn.execute(probe, (_fts_phrase(term), FTS_RARE)).fetchone()[0] < FTS_RARE
        if len(_FTS_PROBES) > 512:
            _FTS_PROBES.clear()
        _FTS_PROBES[key] = found
    return found


def item_where(
    conn: sqlite3.Connection, q: ItemQuery, *, with_status: bool = True, alias: str = ""
) -> tuple[str, list]:
    """WHERE clause and arguments; `alias` ("i.") qualifies columns when items is joined."""
    a = alias
    term = q.text.strip()
    fts = uses_fts(conn, term)
    # With FTS the few matching rowids drive the query: `+` keeps SQLite from scanning a
    # (vault_id, ...) index instead and testing every row of the vault against the match list.
    b = "+" if fts else ""
    clauses, args = [], []
    if q.vault_id is not None:
        clauses.append(f"{b}{a}vault_id = ?")
        args.append(q.vault_id)
    if with_status and q.status:
        if q.status not in STATUS_SLUGS.values():
            raise BadInput(
                f"unknown status {q.status!r}; use one of {', '.join(STATUS_SLUGS.values())}"
            )
        clauses.append(f"{b}{a}status = ?")
        args.append(q.status)
    if q.statuses:
        clauses.append(f"{b}{a}status IN ({', '.join('?' * len(q.statuses))})")
        args.extend(q.statuses)
    if q.names is not None and not fts:
        low, high = q.names
        clauses.append(f"{a}name >= ?" if high is None else f"{a}name BETWEEN ? AND ?")
        args.extend([low] if high is None else [low, high])
    if fts:
        clauses.append(f"{a}id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        args.append(_fts_phrase(term))
    elif term:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(f"{a}name LIKE ? ESCAPE '\\'")
        args.append(f"%{escaped}%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def count_items(conn: sqlite3.Connection, q: ItemQuery) -> int:
    where, args = item_where(conn, q)
    return conn.execute(f"SELECT count(*) FROM items{where}", args).fetchone()[0]


def page_items(
    conn: sqlite3.Connection,
    q: ItemQuery,
    *,
    limit: int,
    offset: int = 0,
    after: tuple[str, str] | None = None,
) -> list[ItemRow]:
    """Rows in sort order: after the (sort value, name) key when given (keyset), else from
    `offset`."""
    if q.sort not in SORTS:
        raise BadInput(f"unknown sort {q.sort!r}; use one of {', '.join(SORTS)}")
    column = SORTS[q.sort]
    where, args = item_where(conn, q)
    direction = "DESC" if q.descending else "ASC"
    # Names are unique: sorting by name needs no tie-breaker (a second `name` key would make
    # SQLite sort in a temporary B-tree instead of walking the index).
    key = "name" if column == "name" else f"({column}, name)"
    if after is not None:
        op = "<" if q.descending else ">"
        where += (
            (" AND " if where else " WHERE ")
            + f"{key} {op} "
            + ("?" if column == "name" else "(?, ?)")
        )
        args.extend(after[1:] if column == "name" else after)
        offset = 0
    order = f"name {direction}" if column == "name" else f"{column} {direction}, name {direction}"
    sql = (
        f"SELECT id, name, os, appliance, agent_version, status, {column} FROM items{where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?"
    )
    return [ItemRow(*r) for r in conn.execute(sql, [*args, limit, offset])]


def facet_counts(conn: sqlite3.Connection, q: ItemQuery) -> dict[str, int]:
    """Items per status slug under the same vault and text filter (the status facet ignored).

    Their sum (or the active facet's count) is the number of rows the query shows: no separate
    count is needed."""
    slugs = list(STATUS_SLUGS.values())
    if q.vault_id is not None and not q.text.strip() and not q.statuses:
        # One range count per status on (vault_id, status, name): half the cost of a GROUP BY.
        each = "(SELECT count(*) FROM items WHERE vault_id = ? AND status = ?)"
        row = conn.execute(
            "SELECT " + ", ".join([each] * len(slugs)),
            [v for slug in slugs for v in (q.vault_id, slug)],
        ).fetchone()
        return dict(zip(slugs, row, strict=True))
    return _grouped_counts(conn, q)[0]


def match_counts(
    conn: sqlite3.Connection, q: ItemQuery
) -> tuple[dict[str, int], tuple[str, None] | None]:
    """`facet_counts`, and for a name filter the lowest matching name (read in the same scan;
    see `ItemQuery.names`).

    Not the highest: each status's matches come in ascending name order, so `max(name)` copies
    every match's name (a third of the scan for a term most names contain, `prod`), and only a
    read from the far end of the result (End) would use it; that read walks back from the
    vault's last name instead."""
    if not q.text.strip():
        return facet_counts(conn, q), None
    return _grouped_counts(conn, q)


def _grouped_counts(
    conn: sqlite3.Connection, q: ItemQuery
) -> tuple[dict[str, int], tuple[str, None] | None]:
    slugs = list(STATUS_SLUGS.values())
    where, args = item_where(conn, q.with_(names=None), with_status=False)
    counts = dict.fromkeys(slugs, 0)
    low = None
    sql = f"SELECT status, count(*), min(name) FROM items{where} GROUP BY status"
    for status, n, first in conn.execute(sql, args):
        counts[status] = n
        low = first if low is None else min(low, first)
    return counts, (None if low is None else (low, None))


_DETAIL = (
    "SELECT i.name, v.name, i.os, i.appliance, i.agent_version, i.status, i.blockers,"
    " i.next_check_at, i.checked_at, i.last_job_id, i.private_preview, v.private_endpoint,"
    " i.replication_health, i.protection_state, v.agent_auto_update FROM items i JOIN vaults v ON"
    " v.id = i.vault_id"
)


def _item_view(row: tuple, latest: str | None, latest_date: str | None) -> ItemView:
    import json  # Here and below, where used: the console's first rows never need json.

    from store.models import Blocker, ItemView  # pydantic: not before the first frame

    (
        name,
        vault,
        os_name,
        appliance,
        version,
        status,
        blockers,
        next_check,
        checked,
        last_job,
        preview,
        private_endpoint,
        health,
        protection,
        vault_auto,
    ) = row
    note = (
        PRIVATE_PREVIEW_NOTE
        if preview
        else PRIVATE_ENDPOINT_NOTE
        if private_endpoint
        else None
        if vault_auto
        else VAULT_OFF_NOTE
    )
    return ItemView(
        name=name,
        vault=vault,
        os=os_name,
        appliance=appliance,
        agent_version=version,
        latest_version=latest,
        latest_release_date=latest_date,
        status=UpdateStatus.from_slug(status).value,
        blockers=[Blocker(**b) for b in json.loads(blockers)],
        next_check_at=next_check,
        checked_at=checked,
        last_job_id=last_job,
        private_preview=bool(preview),
        auto_update=note is None,
        auto_update_note=note,
        replication_health=health,
        protection_state=protection,
    )


_DETAIL_WITH_LATEST = _DETAIL.replace(
    " FROM items i",
    f", {latest_ga_sql('agent', 'version')}, {latest_ga_sql('agent', 'released_at')} FROM items i",
)


def no_such_item(conn: sqlite3.Connection, name: str) -> BadInput:
    """The error for an unknown machine name, with the closest names there are ("did you mean")."""
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    candidates = [
        n
        for (n,) in conn.execute(  # a typo rarely changes both ends of a name
            "SELECT name FROM items WHERE name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' LIMIT"
            " 5000",
            (like[:3] + "%", "%" + like[-3:]),
        )
    ]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.75)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return BadInput(f"no replicated item named {name!r}{hint}")


def item_detail(conn: sqlite3.Connection, name: str) -> ItemView:
    row = conn.execute(f"{_DETAIL_WITH_LATEST} WHERE i.name = ?", (name,)).fetchone()
    if row is None:
        raise no_such_item(conn, name)
    return detail_view(row)


def item_detail_row(conn: sqlite3.Connection, item_id: int) -> tuple | None:
    """One item's detail as a plain row, the newest GA agent release read in the same statement.

    The overview pane reads this on every highlighted change and every live refresh, and builds
    the view (`detail_view`) only when the row differs from the one it shows."""
    return conn.execute(f"{_DETAIL_WITH_LATEST} WHERE i.id = ?", (item_id,)).fetchone()


def detail_view(row: tuple) -> ItemView:
    """The view of a row `item_detail_row` read."""
    return _item_view(row[:-2], *row[-2:])


def item_detail_by_id(conn: sqlite3.Connection, item_id: int) -> ItemView | None:
    """One item in full, or None when no item has that id."""
    row = item_detail_row(conn, item_id)
    return None if row is None else detail_view(row)


def list_items(conn: sqlite3.Connection, q: ItemQuery) -> list[ItemView]:
    """Every matching item in full (for `items --json`), in sort order."""
    column = SORTS.get(q.sort, "name")
    where, args = item_where(conn, q, alias="i.")
    agent = latest_releases(conn).get("agent")
    latest, latest_date = (agent.version, agent.released_at) if agent else (None, None)
    rows = conn.execute(f"{_DETAIL}{where} ORDER BY i.{column}, i.name", args)
    return [_item_view(r, latest, latest_date) for r in rows]


def position_of(conn: sqlite3.Connection, q: ItemQuery, item_id: int) -> int | None:
    """The row index of an item under `q`'s filter and sort, or None when the filter hides it."""
    column = SORTS[q.sort]
    where, args = item_where(conn, q)
    row = conn.execute(
        f"SELECT {column}, name FROM items{where}{' AND' if where else ' WHERE'} id = ?",
        [*args, item_id],
    ).fetchone()
    if row is None:
        return None
    op = ">" if q.descending else "<"
    if column == "name":
        extra, values = f"name {op} ?", [row[1]]
    else:
        extra, values = f"({column}, name) {op} (?, ?)", list(row)
    sql = f"SELECT count(*) FROM items{where}{' AND ' if where else ' WHERE '}{extra}"
    return conn.execute(sql, [*args, *values]).fetchone()[0]


def item_ref(conn: sqlite3.Connection, name: str) -> tuple[int, int]:
    """(item id, vault id) of a machine by name."""
    row = conn.execute("SELECT id, vault_id FROM items WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise no_such_item(conn, name)
    return row


SCAN_ABOVE = 5_000
"""Candidates beyond which eligible_ids reads the table in one pass instead of through the index."""


def eligible_ids(conn: sqlite3.Connection, vault_id: int | None) -> list[int]:
    """Ids of every machine that can update now (New update available or Update failed, idle)."""
    where, args = item_where(conn, ItemQuery(vault_id=vault_id, statuses=SELECTABLE))
    # The status index finds the candidates, but testing `active_job_id` costs a table lookup per
    # candidate in name order: past a few thousand, one pass over the table in rowid order is
    # faster (100,000 eligible: 280 -> 60 ms). The index-only count that decides costs ~5 ms.
    candidates = conn.execute(f"SELECT count(*) FROM items{where}", args).fetchone()[0]
    source = "items NOT INDEXED" if candidates > SCAN_ABOVE else "items"
    return [
        r[0]
        for r in conn.execute(f"SELECT id FROM {source}{where} AND active_job_id IS NULL", args)
    ]


def names_of(conn: sqlite3.Connection, ids: list[int]) -> list[str]:
    """Machine names for item ids, in name order (one query, however many ids)."""
    import json

    rows = conn.execute(
        "SELECT name FROM items WHERE id IN (SELECT value FROM json_each(?)) ORDER BY name",
        (json.dumps(ids),),
    )
    return [r[0] for r in rows]


def count_matching(conn: sqlite3.Connection, q: ItemQuery, ids: list[int]) -> int:
    """How many of these items the query shows (marks hidden by a filter are the rest)."""
    import json

    where, args = item_where(conn, q)
    where += (" AND " if where else " WHERE ") + "id IN (SELECT value FROM json_each(?))"
    return conn.execute(f"SELECT count(*) FROM items{where}", [*args, json.dumps(ids)]).fetchone()[
        0
    ]
