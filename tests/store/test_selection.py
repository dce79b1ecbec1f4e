"""The bulk dialog's submit: one job per selected machine that can update, counts back."""

from __future__ import annotations

from pathlib import Path

from store import operations
from store.db import open_db
from store.queries import ItemQuery
from store.service import Service


def test_selection_creates_jobs_for_eligible_and_counts_the_rest(contoso_db: Path) -> None:
    svc = Service.open(contoso_db)
    east = svc.vault("contoso-dr-east").id
    eligible = svc.eligible_ids(east)
    blocked = [r.id for r in svc.page_items(ItemQuery(vault_id=east, status="blocked"), limit=3)]
    created, refused = svc.update_ids(eligible + blocked + eligible[:2])
    assert (created, refused) == (len(eligible), len(blocked))
    assert {svc.item_by_id(i).status for i in eligible} == {"Updating"}
    assert {svc.item_by_id(i).status for i in blocked} == {"Cannot update to latest version"}
    # Submitting the same selection again creates nothing: every machine now has an active job.
    assert svc.update_ids(eligible) == (0, len(eligible))
    svc.close()


def test_selection_is_audited_with_the_operator(contoso_db: Path) -> None:
    db = open_db(contoso_db)
    operations.update_selected(db, [1, 2, 3], actor="alice")
    row = db.conn.execute("SELECT actor, action FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("alice", "update (selection)")
    db.close()


def test_set_based_creation_leaves_references_whole_and_enforced(contoso_db: Path) -> None:
    """The set-based writes skip SQLite's per-row reference lookups (their jobs take vault, machine
    and appliance from the machine's own row): every reference still resolves, and the connection
    enforces references again afterwards, also after a write that failed."""
    import sqlite3

    import pytest

    from store.db import write

    db = open_db(contoso_db)
    created, _refused = operations.update_selected(
        db, [r[0] for r in db.conn.execute("SELECT id FROM items")]
    )
    assert created > 0
    assert (
        operations.update_all_eligible(db).created == []
    )  # nothing left to update, nothing written
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(RuntimeError), write(db, check_references=False):
        raise RuntimeError("a failed write")
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.conn.execute(
            "INSERT INTO jobs (seq, id, vault_id, scenario, name, target, state, initiated_by, "
            "created_time, item_id) VALUES (999999, 'x', 1, 's', 'n', 't', 'NotStarted', 'me', "
            "'2026-01-01T00:00:00Z', 424242)"
        )
    db.close()


def test_a_fleet_wide_selection_rebuilds_the_status_index_whole_and_atomically(
    contoso_db: Path, monkeypatch
) -> None:
    """A selection of most of the fleet has the status index built again after its UPDATE (rather
    than kept up to date row by row): the index comes back with its own definition, consistent
    with the rows and used by the status facet; a write that fails keeps it too."""
    import sqlite3

    import pytest

    from store.engine import enqueue

    monkeypatch.setattr(enqueue, "BIG_SELECTION", 1)  # contoso's 40-odd machines count as many
    monkeypatch.setattr(enqueue, "REBUILD_SHARE", 0.0)
    db = open_db(contoso_db)

    def index_sql() -> str | None:
        row = db.conn.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'items_vault_status'"
        ).fetchone()
        return row and row[0]

    definition = index_sql()
    assert definition is not None
    eligible = Service(db).eligible_ids(None)
    updating = {i for (i,) in db.conn.execute("SELECT id FROM items WHERE status = 'updating'")}
    db.conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE UPDATE OF status ON items "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="refused by the test"):
        operations.update_selected(db, eligible)
    assert index_sql() == definition
    assert (
        db.conn.execute("SELECT count(*) FROM jobs WHERE state = 'NotStarted'").fetchone()[0] == 0
    )
    db.conn.execute("DROP TRIGGER temp.refuse")

    schema = db.conn.execute("PRAGMA schema_version").fetchone()[0]
    created, refused = operations.update_selected(db, eligible)
    assert (created, refused) == (len(eligible), 0)
    assert db.conn.execute("PRAGMA schema_version").fetchone()[0] > schema  # it was built again
    assert index_sql() == definition
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    vault = db.conn.execute("SELECT vault_id FROM items WHERE id = ?", (eligible[0],)).fetchone()[0]
    facet = "SELECT id FROM items WHERE vault_id = ? AND status = 'updating' ORDER BY name"
    plan = " ".join(r[-1] for r in db.conn.execute(f"EXPLAIN QUERY PLAN {facet}", (vault,)))
    assert "items_vault_status" in plan
    in_vault = {i for (i,) in db.conn.execute("SELECT id FROM items WHERE vault_id = ?", (vault,))}
    assert {i for (i,) in db.conn.execute(facet, (vault,))} == (set(eligible) | updating) & in_vault
    db.close()
