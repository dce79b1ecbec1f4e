"""Migrations on an empty and on an existing database; newer schemas and foreign files refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store.db import PAGE_SIZE, applied_migrations, open_db
from store.errors import BadInput
from store.migrations import KNOWN_MIGRATIONS


def test_empty_database_gets_every_migration_in_wal(tmp_path: Path) -> None:
    db = open_db(tmp_path / "fleet.db")
    assert set(applied_migrations(db)) == KNOWN_MIGRATIONS
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"items", "jobs", "tasks", "appliances", "components", "audit", "clock"} <= set(
        db.table_names()
    )
    assert db.conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16_384
    db.close()


def test_an_existing_database_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")  # an empty database file, SQLite's default page size
    default = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert default != PAGE_SIZE
    db = open_db(path)
    assert set(applied_migrations(db)) == KNOWN_MIGRATIONS
    assert db.conn.execute("PRAGMA page_size").fetchone()[0] == default
    db.close()


def test_existing_database_is_migrated_forward_and_keeps_its_rows(tmp_path: Path) -> None:
    from store.migrations import migrations

    path = tmp_path / "fleet.db"
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    old = Database(conn)
    first = migrations._migrations[0].name
    migrations.apply(old, stop_before=migrations._migrations[1].name)
    old.conn.execute("INSERT INTO vaults (name, time_zone) VALUES ('kept', 'UTC')")
    old.conn.commit()
    assert [m.name for m in migrations.applied(old)] == [first]
    old.close()

    db = open_db(path)
    assert set(applied_migrations(db)) == KNOWN_MIGRATIONS
    assert db.conn.execute("SELECT name FROM vaults").fetchall() == [("kept",)]
    db.close()
    # Opening again applies nothing new and keeps the data.
    db = open_db(path)
    assert db.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(
        KNOWN_MIGRATIONS
    )
    db.close()


def test_newer_schema_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "fleet.db"
    db = open_db(path)
    db.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('asr-upgrade-console', 'm999_from_the_future', 'now')"
    )
    db.conn.commit()
    db.close()
    with pytest.raises(BadInput) as err:
        open_db(path)
    assert "newer than this program" in str(err.value)
    assert "\n" not in str(err.value)


def test_not_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the droids\n" * 100)
    with pytest.raises(BadInput, match="not a usable SQLite database"):
        open_db(path)


def test_foreign_sqlite_database_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(BadInput, match="not an asr-upgrade-console database"):
        open_db(path)
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [
        ("recipes",)
    ]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        open_db(tmp_path / "nowhere" / "fleet.db")
