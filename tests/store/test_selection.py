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
