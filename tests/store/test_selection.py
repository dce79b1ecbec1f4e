"""The bulk dialog's submit: one job per selected machine that can update, counts back."""

from __future__ import annotations

from pathlib import Path

from store import operations
from store.db import open_db
from store.fleet import ItemQuery
from store.service import Service


def test_selection_creates_jobs_for_eligible_and_counts_the_rest(contoso_db: Path) -> None:
    svc = Service.open(contoso_db)
    east = svc.vault("contoso-dr-east").id
    eligible = svc.eligible_ids(east)
    blocked = [r.id for r in svc.page_items(ItemQuery(vault_id=east, status="blocked"), limit=3)]
    created, refused = operations.update_selected(svc.db, eligible + blocked + eligible[:2])
    assert (created, refused) == (len(eligible), len(blocked))
    assert {svc.item_by_id(i).status for i in eligible} == {"Updating"}
    assert {svc.item_by_id(i).status for i in blocked} == {"Cannot update to latest version"}
    # Submitting the same selection again creates nothing: every machine now has an active job.
    assert operations.update_selected(svc.db, eligible) == (0, len(eligible))
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
    created, _refused = operations.update_selected(db, [r[0] for r in db.conn.execute("SELECT id FROM items")])
    assert created > 0
    assert operations.update_all_eligible(db).created == []  # nothing left to update, nothing written
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(RuntimeError), write(db, check_references=False):
        raise RuntimeError("a failed write")
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.conn.execute("INSERT INTO jobs (seq, id, vault_id, scenario, name, target, state, initiated_by, "
                        "created_time, item_id) VALUES (999999, 'x', 1, 's', 'n', 't', 'NotStarted', 'me', "
                        "'2026-01-01T00:00:00Z', 424242)")
    db.close()
