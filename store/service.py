"""The operator's commands and queries: the one API the command line and the console call."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Self

from store import clock, fleet
from store.catalog import latest_releases
from store.db import Database, open_db
from store.errors import BadInput, DatabaseFailed, Refused
from store.queries import ItemQuery, ItemRow
from store.vocabulary import COMPONENT_NAMES, Component, UpdateStatus

if TYPE_CHECKING:  # the engine and the operations load on the first command that needs them
    from store.models import (  # pydantic: after the first frame
        ApplianceView,
        FailedMachine,
        ItemView,
        JobView,
        RolloutView,
    )
    from store.outcomes import AdvanceResult, Plan, UpdateOutcome
    from store.queries import ItemRecord, JobQuery, JobRow, RolloutSpec
    from store.simulator import Simulator


@dataclass(frozen=True)
class VaultInfo:
    """A vault as the header and the vault switcher show it."""

    id: int
    name: str
    time_zone: str
    agent_auto_update: bool
    private_endpoint: bool


def _one_line_failures(cls: type) -> type:
    """Every public method of `cls` turns a failing database (sqlite3.DatabaseError: a damaged
    file, a page that will not read) into DatabaseFailed: one line wherever it surfaces."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _translated(member))
    return cls


def _translated(method: Callable) -> Callable:
    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise DatabaseFailed(f"database error: {exc}") from exc

    return call


@_one_line_failures
class Service:
    """One connection's view of the service. Not shared across threads: open one per thread.
    The connection stays private: callers get values, never SQL or a cursor."""

    def __init__(self, db: Database, *, read_only: bool = False) -> None:
        self._db = db
        self._conn = db.conn
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, create: bool = True, live: bool = True) -> Service:
        return cls(open_db(path, read_only=read_only, create=create, live=live), read_only=read_only)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- vaults and clock ---------------------------------------------------------------------
    def vaults(self) -> list[VaultInfo]:
        return [
            VaultInfo(i, n, tz, bool(a), bool(p))
            for i, n, tz, a, p in self._conn.execute(
                "SELECT id, name, time_zone, agent_auto_update, private_endpoint FROM vaults ORDER BY id"
            )
        ]

    def vault(self, name: str | None) -> VaultInfo:
        """The named vault; without a name, the only vault (bad input when there are several)."""
        vaults = self.vaults()
        if not vaults:
            raise BadInput("the database holds no fleet (run `asr-console demo load`)")
        if name is None:
            if len(vaults) > 1:
                names = ", ".join(v.name for v in vaults)
                raise BadInput(f"the database holds several vaults; pass --vault ({names})")
            return vaults[0]
        for v in vaults:
            if v.name == name:
                return v
        raise BadInput(f"no vault named {name!r}")

    def check_console_ready(self, vault: str | None) -> None:
        """What the console needs before it starts: a fleet, the named vault, a clock it can run."""
        if not self.vaults():
            raise BadInput("the database holds no fleet (run `asr-console demo load`)")
        if vault is not None:
            self.vault(vault)
        self.clock()

    def vault_filter(self, name: str | None) -> int | None:
        """Listing commands cover every vault unless --vault narrows them."""
        return None if name is None else self.vault(name).id

    def clock(self) -> clock.ClockState:
        return clock.read(self._conn)

    def clock_json(self, vault: str | None = None) -> dict:
        state = self.clock()
        vaults = self.vaults()
        chosen = self.vault(vault) if vault else (vaults[0] if vaults else None)
        out = {
            "now": clock.iso(state.now),
            "mode": state.mode,
            "speed": state.speed,
            "paused": state.paused,
            "vaults": [
                {"name": v.name, "time_zone": v.time_zone, "local_time": clock.local_iso(state.now, v.time_zone)}
                for v in vaults
            ],
        }
        if chosen:
            out["time_zone"] = chosen.time_zone
            out["local_time"] = clock.local_iso(state.now, chosen.time_zone)
        return out

    # -- items --------------------------------------------------------------------------------
    def count_items(self, q: ItemQuery) -> int:
        return fleet.count_items(self._conn, q)

    def page_items(self, q: ItemQuery, *, limit: int, offset: int = 0, after: tuple[str, str] | None = None) -> list[ItemRow]:
        return fleet.page_items(self._conn, q, limit=limit, offset=offset, after=after)

    def facet_counts(self, q: ItemQuery) -> dict[str, int]:
        return fleet.facet_counts(self._conn, q)

    def match_counts(self, q: ItemQuery) -> tuple[dict[str, int], tuple[str, None] | None]:
        return fleet.match_counts(self._conn, q)

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

    # -- jobs ---------------------------------------------------------------------------------
    def job(self, job_id: str) -> JobView:
        from store.jobs import get_job

        found = get_job(self._conn, job_id)
        if found is None:
            raise BadInput(f"no job with id {job_id!r}")
        return found

    # -- appliances ---------------------------------------------------------------------------
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
        for aid, name, vault, tz, azure, registry, n_items in self._conn.execute(sql + " ORDER BY a.name", args):
            reg = json.loads(registry)
            comps = []
            for slug, version, status, blockers in self._conn.execute(
                "SELECT slug, version, status, blockers FROM components WHERE appliance_id = ?", (aid,)
            ):
                rel = latest.get(slug)
                comps.append(ComponentView(
                    name=COMPONENT_NAMES[Component(slug)], slug=slug, version=version,
                    latest_version=rel.version if rel else None,
                    status=UpdateStatus.from_slug(status).value,
                    blockers=[Blocker(**b) for b in json.loads(blockers)],
                ))
            order = list(Component)
            comps.sort(key=lambda c: order.index(Component(c.slug)))
            out.append(ApplianceView(
                name=name, vault=vault, time_zone=tz, azure_connected=bool(azure),
                auto_update=reg.get("AutoUpdate", 1) != 0, registry=reg, components=comps,
                item_count=n_items,
            ))
        return out

    def appliance(self, name: str) -> ApplianceView:
        for a in self.appliances():
            if a.name == name:
                return a
        raise BadInput(f"no appliance named {name!r}")

    # -- operator commands (every one refused under --read-only) --------------------------------
    def _operations(self):
        """`store.operations`, for a command that changes the fleet (refused when read-only).
        Imported on the first such command: it loads the engine, which start-up does not need."""
        if self.read_only:
            raise Refused("read-only: this would change the fleet; restart without --read-only", code="ReadOnly")
        from store import operations

        return operations

    def prepare_writes(self) -> None:
        """Load the code behind the operator's commands now (the engine and its models, ~0.3 s
        when the engine thread has not loaded them), so the command that follows does not wait
        for it. Safe from any thread: it touches no connection. Nothing to load when read-only."""
        if not self.read_only:
            from store import operations  # noqa: F401

    def update(self, names: list[str]) -> UpdateOutcome:
        """One job per named machine; blocked, busy or current ones refused with their reasons."""
        return self._operations().update(self._db, names)

    def update_all_eligible(self, vault_id: int | None) -> UpdateOutcome:
        return self._operations().update_all_eligible(self._db, vault_id)

    def retry(self, job_id: str) -> JobView:
        return self._operations().retry(self._db, job_id)

    def cancel(self, job_id: str) -> JobView:
        return self._operations().cancel(self._db, job_id)

    def set_auto_update(self, vault_id: int, enabled: bool) -> dict:
        return self._operations().set_auto_update(self._db, vault_id, enabled)

    def update_component(self, appliance: str, component: str) -> JobView:
        return self._operations().update_component(self._db, appliance, component)

    def registry_set(self, appliance: str, key: str, value: int) -> dict[str, int]:
        """The appliance's registry: `AutoUpdate` = 0 turns its automatic updates off."""
        return self._operations().registry_set(self._db, appliance, key, value)

    def registry_delete(self, appliance: str, key: str) -> dict[str, int]:
        """Deleting `AutoUpdate` turns the appliance's automatic updates back on."""
        return self._operations().registry_delete(self._db, appliance, key)

    def clock_pause(self, paused: bool) -> None:
        self._operations().clock_pause(self._db, paused)

    def clock_speed(self, speed: float) -> None:
        self._operations().clock_speed(self._db, speed)

    def clock_advance(self, delta: timedelta) -> AdvanceResult:
        """Move simulated engine time forward, processing every event (while another process
        holds the engine lease, that process does it)."""
        return self._operations().clock_advance(self._db, delta)

    def clock_advance_to(self, to: datetime) -> AdvanceResult:
        return self._operations().clock_advance_to(self._db, to)

    def simulator(self, *, actor: str | None = None) -> Simulator:
        """The simulated world's changes on this connection (`sim` commands, tours)."""
        self._operations()  # refused when read-only
        from store.simulator import Simulator

        return Simulator(self._db, actor=actor)

    def engine_time(self) -> datetime:
        """The engine's cursor: every event up to it is processed."""
        from store.engine.loop import processed_until

        return processed_until(self._conn)

    def run_engine(self, engine_for: timedelta | None = None) -> tuple[AdvanceResult, bool]:
        """`engine run`: hold the engine lease and move engine time at the clock's speed for
        `engine_for` of engine time (until interrupted without it). Returns what it did and
        whether ^C or SIGTERM stopped it (the lease is given back, every batch kept)."""
        self._operations()  # refused when read-only
        from store.engine.headless import run_engine
        from store.outcomes import AdvanceResult

        start = self.engine_time()
        try:
            return run_engine(self._db, engine_for=engine_for), False
        except KeyboardInterrupt:
            return AdvanceResult(start=start, end=self.engine_time()), True

    def plan(self, vault_id: int) -> Plan:
        from store.engine import scheduler
        return scheduler.plan(self._conn, vault_id, clock.now(self._conn))

    def next_automatic_run(self, vault_id: int) -> datetime:
        vault = next(v for v in self.vaults() if v.id == vault_id)
        return clock.next_local_midnight(clock.now(self._conn), vault.time_zone)

    # -- jobs lists ------------------------------------------------------------------------------
    def count_jobs(self, q: JobQuery) -> int:
        from store import jobs

        return jobs.count_jobs(self._conn, q)

    def page_jobs(self, q: JobQuery, *, limit: int, after_seq: int | None = None) -> list[JobRow]:
        from store import jobs

        return jobs.list_jobs(self._conn, q, limit=limit, after_seq=after_seq)

    def job_views(self, q: JobQuery, *, limit: int | None = None) -> list[JobView]:
        """Jobs in full (with their tasks), newest first."""
        from store import jobs

        return jobs.job_views(self._conn, q, limit=limit)

    def job_state_counts(self, vault_id: int | None) -> dict[str, int]:
        from store import jobs

        return jobs.state_counts(self._conn, vault_id)

    def data_version(self) -> int:
        """Changes whenever another connection commits: the console's cue to repaint."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def position_of(self, q: ItemQuery, item_id: int) -> int | None:
        return fleet.position_of(self._conn, q, item_id)

    def item_ref(self, name: str) -> tuple[int, int]:
        return fleet.item_ref(self._conn, name)

    def eligible_ids(self, vault_id: int | None) -> list[int]:
        return fleet.eligible_ids(self._conn, vault_id)

    def update_ids(self, ids: list[int], *, defer_checkpoint: bool = False) -> tuple[int, int]:
        """The bulk dialog's OK: one job per selected machine; (created, refused).

        `defer_checkpoint`: this connection leaves copying the WAL back into the database to
        `checkpoint()` (100,000 jobs write ~70 MB of WAL; copying it back at commit took as long
        as creating them), so the jobs are committed and shown first."""
        operations = self._operations()
        if defer_checkpoint:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        return operations.update_selected(self._db, ids)

    def checkpoint(self) -> None:
        """Copy committed WAL pages back into the database file (passive: never waits for, nor
        blocks, other readers and writers; what it cannot copy now a later checkpoint will)."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def names_of(self, ids: list[int]) -> list[str]:
        return fleet.names_of(self._conn, ids)

    def count_matching(self, q: ItemQuery, ids: list[int]) -> int:
        return fleet.count_matching(self._conn, q, ids)

    # -- staged rollouts ---------------------------------------------------------------------------
    def rollouts(self, vault_id: int | None = None) -> list[RolloutView]:
        """Every rollout (of a vault), newest first, without the machines' names (counts only)."""
        from store import rollouts

        now = clock.now(self._conn)
        return [rollouts.view(self._conn, r, now, names=False, skipped_limit=0)
                for r in rollouts.rollout_rows(self._conn, vault_id)]

    def rollout(self, name: str, *, names: bool = True) -> RolloutView:
        from store import rollouts

        return rollouts.view(self._conn, rollouts.rollout_row(self._conn, name), clock.now(self._conn),
                             names=names, skipped_limit=None if names else 50)

    def rollout_failed_machines(self, name: str) -> list[FailedMachine]:
        from store import rollouts

        return rollouts.failed_machines(self._conn, rollouts.rollout_row(self._conn, name).id)

    def _rollout_ops(self):
        if self.read_only:
            raise Refused("read-only: this would change the fleet; restart without --read-only")
        from store import rollout_ops

        return rollout_ops

    def create_rollout(self, spec: RolloutSpec) -> tuple[RolloutView, list[str]]:
        """A staged rollout over the spec's machines; the view and any warnings."""
        row, warnings = self._rollout_ops().create(self._db, spec)
        return self.rollout(row.name), warnings

    def pause_rollout(self, name: str) -> RolloutView:
        self._rollout_ops().pause(self._db, name)
        return self.rollout(name, names=False)

    def resume_rollout(self, name: str) -> RolloutView:
        self._rollout_ops().resume(self._db, name)
        return self.rollout(name, names=False)

    def abort_rollout(self, name: str) -> tuple[RolloutView, int]:
        """Cancel its jobs that have not started and end it; the view and how many were cancelled."""
        _row, cancelled = self._rollout_ops().abort(self._db, name)
        return self.rollout(name, names=False), cancelled

    # -- full records page by page (the ARM endpoint's listings) ---------------------------------
    def item_records(self, vault_id: int, *, after: str | None = None, limit: int) -> list[ItemRecord]:
        """A vault's machines in full, in name order, the first `limit` past the name `after`."""
        from store import records

        return records.item_records(self._conn, vault_id, after=after, limit=limit)

    def item_record(self, vault_id: int, name: str) -> ItemRecord | None:
        from store import records

        return records.item_record(self._conn, vault_id, name)

    def job_page(self, q: JobQuery, *, limit: int, after_seq: int | None = None) -> list[tuple[int, JobView]]:
        """Jobs in full, newest first, each with its seq (the next page starts below the last)."""
        from store import records

        return records.job_page(self._conn, q, limit=limit, after_seq=after_seq)

    def jobs_of(self, q: JobQuery, name: str) -> JobQuery:
        """`q` narrowed to one machine's jobs, or an appliance's component jobs, by name."""
        from store.jobs import for_target

        return for_target(self._conn, q, name)

    def jobs_at(self, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]:
        from store import jobs

        return jobs.jobs_at(self._conn, q, offset=offset, limit=limit)
