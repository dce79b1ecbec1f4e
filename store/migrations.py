"""Schema migrations (sqlite-utils Migrations): one function per step; never edit an applied one.

The steps are listed here without importing sqlite-utils: opening an up-to-date database (every
start of the console) checks their names with plain sqlite3 (store/db.py); `migrations`, the
sqlite-utils Migrations set that applies them, is built on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "asr-upgrade-console"
MIGRATIONS_TABLE = "_sqlite_migrations"
"""Where sqlite-utils records the applied steps (migration_set, name, applied_at)."""
STEPS: list[Callable[[Database], None]] = []
"""The steps in the order they apply."""


def _step() -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
    def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
        STEPS.append(fn)
        return fn

    return register


_built: Migrations | None = None


def __getattr__(name: str) -> Migrations:
    """`migrations`: the sqlite-utils Migrations set of STEPS, imported and built on first use."""
    global _built
    if name != "migrations":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _built is None:
        from sqlite_utils.migrations import Migrations

        built = Migrations(MIGRATION_SET)
        for fn in STEPS:
            built()(fn)
        _built = built
    return _built


@_step()
def m001_fleet(db: Database) -> None:
    """Vaults, releases, appliances and components, items (with the FTS5 trigram name index)."""
    db.executescript("""
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE vaults (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            time_zone TEXT NOT NULL,
            agent_auto_update INTEGER NOT NULL DEFAULT 1,
            private_endpoint INTEGER NOT NULL DEFAULT 0,
            max_concurrent_updates INTEGER NOT NULL DEFAULT 10,
            last_auto_run_local_date TEXT
        );
        CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            component TEXT NOT NULL,
            version TEXT NOT NULL,
            version_key TEXT NOT NULL,
            released_at TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT 'ga' CHECK (channel IN ('ga', 'private-preview')),
            requires TEXT NOT NULL DEFAULT '{}',
            UNIQUE (component, version)
        );
        CREATE INDEX releases_latest ON releases (component, channel, version_key);
        CREATE TABLE appliances (
            id INTEGER PRIMARY KEY,
            vault_id INTEGER NOT NULL REFERENCES vaults (id),
            name TEXT NOT NULL UNIQUE,
            time_zone TEXT NOT NULL,
            registry TEXT NOT NULL DEFAULT '{}',
            sim_azure_connected INTEGER NOT NULL DEFAULT 1,
            seen_azure_connected INTEGER NOT NULL DEFAULT 1,
            checked_at TEXT,
            next_check_at TEXT,
            check_offset_s INTEGER NOT NULL DEFAULT 0,
            last_auto_run_local_date TEXT
        );
        CREATE INDEX appliances_vault ON appliances (vault_id, name);
        CREATE TABLE components (
            appliance_id INTEGER NOT NULL REFERENCES appliances (id),
            slug TEXT NOT NULL,
            version TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'up-to-date',
            blockers TEXT NOT NULL DEFAULT '[]',
            last_job_id TEXT,
            PRIMARY KEY (appliance_id, slug)
        );
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            vault_id INTEGER NOT NULL REFERENCES vaults (id),
            appliance_id INTEGER NOT NULL REFERENCES appliances (id),
            appliance TEXT NOT NULL,
            name TEXT NOT NULL UNIQUE,
            os TEXT NOT NULL,
            os_family TEXT NOT NULL CHECK (os_family IN ('Windows', 'Linux')),
            agent_version TEXT NOT NULL,
            agent_version_key TEXT NOT NULL,
            version_at_reboot TEXT NOT NULL,
            private_preview INTEGER NOT NULL DEFAULT 0,
            replication_health TEXT NOT NULL DEFAULT 'Healthy',
            protection_state TEXT NOT NULL DEFAULT 'Protected',
            sim_pending_reboot INTEGER NOT NULL DEFAULT 0,
            sim_reaches_appliance INTEGER NOT NULL DEFAULT 1,
            sim_fail_code TEXT,
            seen_pending_reboot INTEGER NOT NULL DEFAULT 0,
            seen_agent_heartbeat INTEGER NOT NULL DEFAULT 1,
            checked_at TEXT,
            next_check_at TEXT,
            check_offset_s INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'up-to-date',
            blockers TEXT NOT NULL DEFAULT '[]',
            last_job_id TEXT,
            last_job_failed INTEGER NOT NULL DEFAULT 0,
            active_job_id TEXT
        );
        CREATE INDEX items_vault_name ON items (vault_id, name);
        CREATE INDEX items_vault_status ON items (vault_id, status, name);
        CREATE INDEX items_vault_version ON items (vault_id, agent_version_key, name);
        CREATE INDEX items_vault_os ON items (vault_id, os, name);
        CREATE INDEX items_vault_appliance ON items (vault_id, appliance, name);
        CREATE INDEX items_next_check ON items (next_check_at);
        CREATE INDEX items_appliance ON items (appliance_id);
        CREATE VIRTUAL TABLE items_fts USING fts5 (
            name, content='items', content_rowid='id', tokenize='trigram'
        );
        CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN
            INSERT INTO items_fts (rowid, name) VALUES (new.id, new.name);
        END;
        CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN
            INSERT INTO items_fts (items_fts, rowid, name) VALUES ('delete', old.id, old.name);
        END;
        CREATE TRIGGER items_fts_au AFTER UPDATE OF name ON items BEGIN
            INSERT INTO items_fts (items_fts, rowid, name) VALUES ('delete', old.id, old.name);
            INSERT INTO items_fts (rowid, name) VALUES (new.id, new.name);
        END;
        """)


@_step()
def m002_jobs_clock_audit(db: Database) -> None:
    """Jobs and their tasks, the clock, the engine lease and the audit log."""
    db.executescript("""
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            vault_id INTEGER NOT NULL REFERENCES vaults (id),
            scenario TEXT NOT NULL,
            name TEXT NOT NULL,
            item_id INTEGER REFERENCES items (id),
            appliance_id INTEGER REFERENCES appliances (id),
            component TEXT,
            target TEXT NOT NULL,
            state TEXT NOT NULL,
            initiated_by TEXT NOT NULL,
            created_time TEXT NOT NULL,
            start_time TEXT,
            end_time TEXT,
            from_version TEXT,
            to_version TEXT,
            errors TEXT NOT NULL DEFAULT '[]',
            retry_of TEXT,
            fail_code TEXT,
            fail_task INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            waiting_reason TEXT,
            next_event_at TEXT
        );
        CREATE INDEX jobs_vault_created ON jobs (vault_id, seq);
        CREATE INDEX jobs_vault_state ON jobs (vault_id, state, seq);
        CREATE INDEX jobs_item ON jobs (item_id, seq);
        CREATE INDEX jobs_appliance ON jobs (appliance_id, seq);
        CREATE INDEX jobs_due ON jobs (next_event_at) WHERE next_event_at IS NOT NULL;
        CREATE TABLE tasks (
            job_seq INTEGER NOT NULL REFERENCES jobs (seq),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'NotStarted',
            duration_s INTEGER NOT NULL,
            start_time TEXT,
            end_time TEXT,
            PRIMARY KEY (job_seq, position)
        ) WITHOUT ROWID;
        CREATE TABLE clock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            mode TEXT NOT NULL CHECK (mode IN ('simulated', 'real')),
            now TEXT NOT NULL,
            speed REAL NOT NULL DEFAULT 1,
            paused INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE engine_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT,
            expires_wall REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            client TEXT,
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        """)


@_step()
def m003_engine(db: Database) -> None:
    """Engine state: simulated agent changes seen at the next check, component job links, job
    indexes."""
    db.executescript("""
        ALTER TABLE items ADD COLUMN sim_agent_version TEXT;
        ALTER TABLE items ADD COLUMN sim_version_at_reboot TEXT;
        ALTER TABLE items ADD COLUMN seen_appliance_azure INTEGER;
        ALTER TABLE components ADD COLUMN active_job_id TEXT;
        ALTER TABLE components ADD COLUMN last_job_failed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX jobs_appliance_state ON jobs (appliance_id, state, seq);
        CREATE INDEX appliances_next_check ON appliances (next_check_at);
        CREATE INDEX jobs_component_due ON jobs (next_event_at)
            WHERE component IS NOT NULL AND next_event_at IS NOT NULL;
        """)


@_step()
def m004_reinstalled_index(db: Database) -> None:
    """A small index of machines with a hand reinstall not yet seen by a check."""
    db.executescript(
        "CREATE INDEX items_reinstalled ON items (id) WHERE sim_agent_version IS NOT NULL;"
    )


@_step()
def m005_thinner_job_indexes(db: Database) -> None:
    """Creating a job writes one entry per index: the (appliance_id, seq) index only served an
    appliance's component-job list, so it becomes a partial index of component jobs (a few rows).
    Agent-job queries by appliance use jobs_appliance_state."""
    db.executescript("""
        DROP INDEX jobs_appliance;
        CREATE INDEX jobs_component ON jobs (appliance_id, seq) WHERE component IS NOT NULL;
        """)


@_step()
def m006_check_phase_index(db: Database) -> None:
    """Machine checks find the machines due by their check phase (check_offset_s, fixed per machine:
    next_check_at is always a multiple of the check interval past it) instead of an index on
    next_check_at, which every check rewrote (100,000 entries per pass at 100k machines). The clock
    remembers up to where every machine's check is done (`checks_to`), so a pass reads only the
    phases due since."""
    db.executescript("""
        DROP INDEX items_next_check;
        CREATE INDEX items_check_phase ON items (check_offset_s);
        ALTER TABLE clock ADD COLUMN checks_to TEXT;
        """)


@_step()
def m007_rollouts(db: Database) -> None:
    """Staged rollouts: the frozen plan (machines in waves, skipped ones with their reasons), each
    wave's start and end, and the rollout and wave of every job a rollout creates. The partial index
    serves a rollout's per-wave, per-state counts; other jobs add no entry to it."""
    db.executescript("""
        CREATE TABLE rollouts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            vault_id INTEGER NOT NULL REFERENCES vaults (id),
            control TEXT NOT NULL DEFAULT 'running'
                CHECK (control IN ('running', 'paused', 'halted', 'completed', 'aborted')),
            target_version TEXT NOT NULL,
            target_key TEXT NOT NULL,
            bake_s INTEGER NOT NULL,
            max_failures INTEGER NOT NULL,
            time_window TEXT,
            created_by TEXT NOT NULL,
            created_time TEXT NOT NULL,
            waves INTEGER NOT NULL,
            machines INTEGER NOT NULL,
            next_wave INTEGER NOT NULL DEFAULT 0,
            count_from_wave INTEGER NOT NULL DEFAULT 0,
            released_wave INTEGER,
            halted_reason TEXT,
            ended_time TEXT
        );
        CREATE TABLE rollout_waves (
            rollout_id INTEGER NOT NULL REFERENCES rollouts (id),
            wave INTEGER NOT NULL,
            first_position INTEGER NOT NULL,
            end_position INTEGER NOT NULL,
            started TEXT,
            finished TEXT,
            outcome TEXT CHECK (outcome IN ('halted', 'aborted')),
            PRIMARY KEY (rollout_id, wave)
        ) WITHOUT ROWID;
        CREATE TABLE rollout_machines (
            rollout_id INTEGER NOT NULL REFERENCES rollouts (id),
            position INTEGER NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items (id),
            skipped TEXT,
            PRIMARY KEY (rollout_id, position)
        ) WITHOUT ROWID;
        ALTER TABLE jobs ADD COLUMN rollout_id INTEGER REFERENCES rollouts (id);
        ALTER TABLE jobs ADD COLUMN rollout_wave INTEGER;
        CREATE INDEX jobs_rollout ON jobs (rollout_id, rollout_wave, state)
            WHERE rollout_id IS NOT NULL;
        """)


@_step()
def m008_clock_requests(db: Database) -> None:
    """`clock advance` / `clock set` asked of the engine lease's holder by another process
    (store/engine/handoff.py): one row while its asker waits."""
    db.executescript("""
        CREATE TABLE clock_requests (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('advance', 'set')),
            amount TEXT NOT NULL,
            actor TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'failed', 'withdrawn')),
            target TEXT,
            performer TEXT,
            result TEXT,
            asker_pid INTEGER NOT NULL
        );
        """)


STEP_NAMES = [fn.__name__ for fn in STEPS]
KNOWN_MIGRATIONS = frozenset(STEP_NAMES)
