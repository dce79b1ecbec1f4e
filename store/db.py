"""open_db(path): one SQLite file in WAL mode, migrated, with a schema check; write transactions.

An up-to-date database (every start of the console) is checked and opened with plain sqlite3:
sqlite-utils (with dateutil and pluggy, ~50 ms of imports) loads only when a migration must run or
something asks `Database` for more than its connection."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from store import db_files
from store import migrations as schema
from store.errors import BadInput, Refused

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's write to finish before giving up."""

PAGE_SIZE = 16_384
"""Page size of a database this program creates (an existing file keeps its own): the fleet's big
writes split fewer pages and write fewer WAL frames (figures: benchmarks/README.md, "Figures
behind constants")."""


def _connect(path: Path, read_only: bool, live: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(
        db_files.uri(path, read_only=read_only, live=live), uri=True, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def reader(path: Path) -> sqlite3.Connection:
    """A plain read-only connection to a database this process has opened and checked already
    (open_db): for a read on a thread of its own (store/counts_ahead.py)."""
    return _connect(path, read_only=True, live=True)


def open_db(
    path: str | Path, *, create: bool = True, read_only: bool = False, live: bool = True
) -> Database:
    """Open (and migrate) the database at `path`; raise BadInput with one line when it can't be.
    `live=False`: a one-shot read-only look (see db_files.uri)."""
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise BadInput(f"{path}: directory {path.parent} does not exist")
    found = db_files.inspect(path, write=not read_only)
    exists = found is not None
    if not exists and (not create or read_only):
        raise BadInput(f"{path}: no such database (run `asr-console demo load --db {path}` first)")
    if exists and found.st_size == 0 and not create:
        raise BadInput(
            f"{path}: is empty, not a database (run `asr-console demo load --db {path}` first)"
        )
    if exists and not read_only:
        db_files.check_writable(path)
    if not exists:
        db_files.create(path)
    conn = None
    try:
        conn = _connect(path, read_only, live)
        if not exists:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first write fixes it
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils' Database sets it
        db = Database(conn)
        # Before anything changes the file (WAL mode is a header change).
        pending, current = check_schema(db, path)
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
    if (pending or not current) and not read_only:
        try:
            schema.migrations.apply(db.utils)
        except sqlite3.OperationalError as exc:
            raise BadInput(f"{path}: could not migrate the database ({exc})") from None
    elif pending:
        raise BadInput(
            f"{path}: database schema is older than this program; open it once without --read-only"
        )
    return db


class Database:
    """An open database: `conn`, the sqlite3 connection everything uses; any other attribute of
    sqlite-utils' Database (`db["items"]`, `db.atomic()`...) comes from `utils`, built on first use.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._utils = None

    @property
    def utils(self):  # -> sqlite_utils.Database
        """sqlite-utils' Database over the same connection (imported on first use)."""
        if self._utils is None:
            from sqlite_utils import Database as UtilsDatabase

            self._utils = UtilsDatabase(self.conn, execute_plugins=False)
        return self._utils

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.utils, name)

    def __getitem__(self, table: str):
        return self.utils[table]

    def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        return self.conn.executescript(sql)

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r[0] for r in rows]

    def close(self) -> None:
        self.conn.close()


def _record(db: Database) -> tuple[list[str], bool]:
    """The applied migrations of our set, in the order they were applied, and whether their record
    table is there in the layout sqlite-utils keeps it in (if not, applying converts it)."""
    columns = db.conn.execute(f"PRAGMA table_info({schema.MIGRATIONS_TABLE})").fetchall()
    if not columns:
        return [], False
    if [c[1] for c in columns if c[5]] != ["id"]:  # (cid, name, type, notnull, default, pk)
        return [m.name for m in schema.migrations.applied(db.utils)], False
    rows = db.conn.execute(
        f"SELECT name FROM {schema.MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        (schema.MIGRATION_SET,),
    )
    return [r[0] for r in rows], True


def check_schema(db: Database, path: Path | str) -> tuple[list[str], bool]:
    """Refuse a database written by a newer version of this program. Returns the migrations it
    still needs, and whether their record is up to date (see `_record`)."""
    names, current = _record(db)
    applied = set(names)
    unknown = applied - schema.KNOWN_MIGRATIONS
    if unknown:
        raise BadInput(
            f"{path}: database schema is newer than this program "
            f"(unknown migration {sorted(unknown)[0]}); upgrade asr-upgrade-console"
        )
    tables = set(db.table_names())
    if tables and not applied and "items" not in tables and schema.MIGRATIONS_TABLE not in tables:
        raise BadInput(f"{path}: this SQLite file is not an asr-upgrade-console database")
    return [name for name in schema.STEP_NAMES if name not in applied], current


def applied_migrations(db: Database) -> list[str]:
    return [name for name in _record(db)[0] if name in schema.KNOWN_MIGRATIONS]


@contextlib.contextmanager
def write(db: Database, *, check_references: bool = True) -> Iterator[sqlite3.Connection]:
    """A write transaction taken with BEGIN IMMEDIATE (no lock upgrades, no mid-way BUSY).

    `check_references=False` turns foreign-key enforcement off for this transaction only, for
    set-based writes whose references are read from the parent rows themselves in the same
    transaction (a job's vault, machine and appliance from its `items` row): SQLite would look
    each one up again, three lookups per job, 5% of creating 100,000 jobs (callgrind)."""
    conn = db.conn
    if conn.in_transaction:
        yield conn
        return
    if not check_references:
        conn.execute(
            "PRAGMA foreign_keys = OFF"
        )  # only outside a transaction does this take effect
        try:
            with write(db) as inner:
                yield inner
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    attempt = 0
    # BEGIN inside the try: a ^C that lands just after it still rolls back (an open transaction
    # left behind would swallow every later write of this connection, the lease's release too).
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout by itself
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Refused(_busy_message(conn)) from None
                attempt += 1
                # SQLite said busy without waiting (WAL recovery)
                time.sleep(min(0.05 * attempt, left))
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def end_interrupted(conn: sqlite3.Connection, *, outer: bool) -> None:
    """Clean-up after an interrupt (^C, SIGTERM): roll back a transaction the interrupted work left
    open, unless it is the caller's (`outer`: one was open before the work began). A signal can land
    as `write()`'s exit starts, after its body and before its COMMIT; the transaction then stays
    open, and every later `write()` of this connection (an audit row, the lease's release) would
    join it and be lost with it."""
    if not outer and conn.in_transaction:
        conn.execute("ROLLBACK")


def db_path(conn: sqlite3.Connection) -> Path:
    """The file `conn` has open."""
    return Path(conn.execute("PRAGMA database_list").fetchone()[2])


def _busy_message(conn: sqlite3.Connection) -> str:
    path = db_path(conn)
    holders = db_files.lock_holders(path)
    who = f"another process ({'; '.join(holders)})" if holders else "another process"
    return (
        f"the database is busy: {who} has held its write lock for over {BUSY_TIMEOUT_MS // 1000} s;"
        " try again when it has finished"
    )


def setting(conn: sqlite3.Connection, key: str, default: str) -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
