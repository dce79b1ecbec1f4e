"""The console's first counts, read ahead on another thread (store/counts_ahead.py): the same
answer as a count on the service's own connection, taken once, and never in place of a count
for another query or a later one."""

from __future__ import annotations

from pathlib import Path

from store.queries import ItemQuery
from store.service import Service


def test_the_counts_read_ahead_are_the_counts(contoso_db: Path) -> None:
    with Service.open(contoso_db) as svc:
        east = ItemQuery(vault_id=svc.vault("contoso-dr-east").id)
        direct = svc.match_counts(east)
        svc.count_ahead(east)
        assert svc.match_counts(east) == direct
        assert sum(direct[0].values()) > 0


def test_a_later_count_sees_what_was_committed_since(contoso_db: Path) -> None:
    with Service.open(contoso_db) as svc, Service.open(contoso_db) as other:
        east_id = svc.vault("contoso-dr-east").id
        east = ItemQuery(vault_id=east_id)
        svc.count_ahead(east)
        first, _ = svc.match_counts(east)
        created, _refused = other.update_ids(other.eligible_ids(east_id))
        assert created > 0
        later, _ = svc.match_counts(east)
        assert later["updating"] == first["updating"] + created
        assert later["update-available"] < first["update-available"]


def test_counts_for_another_query_are_counted_here(contoso_db: Path) -> None:
    with Service.open(contoso_db) as svc:
        east = ItemQuery(vault_id=svc.vault("contoso-dr-east").id)
        west = ItemQuery(vault_id=svc.vault("contoso-dr-west").id)
        expected = svc.match_counts(west)
        assert expected != svc.match_counts(east)  # or the test could not tell them apart
        svc.count_ahead(east)
        assert svc.match_counts(west) == expected


def test_counts_the_thread_could_not_read_are_counted_here(contoso_db: Path) -> None:
    """The file moved away after the service opened it: the thread's own connection fails, and the
    service counts on its open connection instead, with no error."""
    with Service.open(contoso_db) as svc:
        east = ItemQuery(vault_id=svc.vault("contoso-dr-east").id)
        expected = svc.match_counts(east)
        moved = contoso_db.with_name("moved.db")
        contoso_db.rename(moved)
        try:
            svc.count_ahead(east)
            assert svc.match_counts(east) == expected
        finally:
            moved.rename(contoso_db)
