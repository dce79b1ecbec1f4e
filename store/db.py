"""open_db(path): one SQLite file in WAL mode, migrated, with a schema check; write transactions."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from store.errors import BadInput
from store.migrations import KNOWN_MIGRATIONS, migrations

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's write to finish before giving up."""


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        uri = f"file:{path}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_db(path: str | Path, *, create: bool = True, read_only: bool = False) -> Database:
    """Open (and migrate) the database at `path`; raise BadInput with one line when it can't be."""
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise BadInput(f"{path}: directory {path.parent} does not exist")
    exists = path.exists()
    if not exists and (not create or read_only):
        raise BadInput(f"{path}: no such database (run `asr-console demo load --db {path}` first)")
    if exists and path.is_dir():
        raise BadInput(f"{path}: is a directory, not a database file")
    if exists and not read_only and not os.access(path, os.W_OK):
        raise BadInput(f"{path}: database file is read-only (use --read-only to look without changing)")
    conn = None
    try:
        conn = _connect(path, read_only)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        db = Database(conn, execute_plugins=False)
        check_schema(db, path)  # before anything changes the file (WAL mode is a header change)
        if not read_only:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise BadInput(f"{path}: could not switch the database to WAL mode ({mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise BadInput(f"{path}: not a usable SQLite database ({exc})") from None
    except BadInput:
        if conn is not None:
            conn.close()
        raise
    if not read_only:
        try:
            migrations.apply(db)
        except sqlite3.OperationalError as exc:
            raise BadInput(f"{path}: could not migrate the database ({exc})") from None
    elif migrations.pending(db):
        raise BadInput(f"{path}: database schema is older than this program; open it once without --read-only")
    return db


def check_schema(db: Database, path: Path | str) -> None:
    """Refuse a database written by a newer version of this program."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - KNOWN_MIGRATIONS
    if unknown:
        raise BadInput(
            f"{path}: database schema is newer than this program "
            f"(unknown migration {sorted(unknown)[0]}); upgrade asr-upgrade-console"
        )
    tables = set(db.table_names())
    if tables and not applied and "items" not in tables and "_sqlite_migrations" not in tables:
        raise BadInput(f"{path}: this SQLite file is not an asr-upgrade-console database")


def applied_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db) if m.name in KNOWN_MIGRATIONS]


@contextlib.contextmanager
def write(db: Database) -> Iterator[sqlite3.Connection]:
    """A write transaction taken with BEGIN IMMEDIATE (no lock upgrades, no mid-way BUSY)."""
    conn = db.conn
    if conn.in_transaction:
        yield conn
        return
    for attempt in range(20):
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    else:
        raise sqlite3.OperationalError("database is locked (gave up after retries)")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def setting(conn: sqlite3.Connection, key: str, default: str) -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
