"""The operator's commands and queries: the one API the command line and the console call."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Self

from store import clock
from store.db import Database, open_db
from store.errors import BadInput, DatabaseFailed
from store.service_commands import Commands
from store.service_fleet import FleetReads
from store.service_jobs import JobReads
from store.service_rollouts import Rollouts

if TYPE_CHECKING:  # the engine loads on the first command that needs it
    from store.outcomes import Plan


class VaultInfo(NamedTuple):
    """A vault as the header and the vault switcher show it."""

    id: int
    name: str
    time_zone: str
    agent_auto_update: bool
    private_endpoint: bool


def _one_line_failures(cls: type) -> type:
    """Every public method of `cls` and its bases turns a failing database (sqlite3.DatabaseError:
    a damaged file, a page that will not read) into DatabaseFailed: one line wherever it surfaces.
    """
    seen: set[str] = set()
    for klass in cls.__mro__[:-1]:  # the class first, then its bases, as lookup finds them
        for name, member in list(vars(klass).items()):
            if name in seen:
                continue
            seen.add(name)
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
class Service(FleetReads, JobReads, Commands, Rollouts):
    """One connection's view of the service. Not shared across threads: open one per thread.
    The connection stays private: callers get values, never SQL or a cursor. Its methods live by
    concept: store/service_fleet.py, service_jobs.py, service_commands.py, service_rollouts.py."""

    def __init__(self, db: Database, *, read_only: bool = False) -> None:
        self._db = db
        self._conn = db.conn
        self.read_only = read_only
        self._ahead = None  # counts read ahead on another thread (FleetReads.count_ahead)

    @classmethod
    def open(
        cls, path: str | Path, *, read_only: bool = False, create: bool = True, live: bool = True
    ) -> Service:
        return cls(
            open_db(path, read_only=read_only, create=create, live=live), read_only=read_only
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def vaults(self) -> list[VaultInfo]:
        return [
            VaultInfo(i, n, tz, bool(a), bool(p))
            for i, n, tz, a, p in self._conn.execute(
                "SELECT id, name, time_zone, agent_auto_update, private_endpoint FROM vaults ORDER"
                " BY id"
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

    def check_console_ready(self, vault: str | None) -> VaultInfo:
        """What the console needs before it starts: a fleet, the named vault, a clock it can run.
        Returns the vault it opens on: the named one, or the first."""
        if not self.vaults():
            raise BadInput("the database holds no fleet (run `asr-console demo load`)")
        first = self.console_vault(vault)
        self.clock()
        return first

    def console_vault(self, name: str | None) -> VaultInfo:
        """The vault the console opens on: the named one, or the first."""
        return self.vault(name) if name else self.vaults()[0]

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
                {
                    "name": v.name,
                    "time_zone": v.time_zone,
                    "local_time": clock.local_iso(state.now, v.time_zone),
                }
                for v in vaults
            ],
        }
        if chosen:
            out["time_zone"] = chosen.time_zone
            out["local_time"] = clock.local_iso(state.now, chosen.time_zone)
        return out

    def plan(self, vault_id: int) -> Plan:
        from store.engine import scheduler

        return scheduler.plan(self._conn, vault_id, clock.now(self._conn))

    def next_automatic_run(self, vault_id: int) -> datetime:
        vault = next(v for v in self.vaults() if v.id == vault_id)
        return clock.next_local_midnight(clock.now(self._conn), vault.time_zone)

    def data_version(self) -> int:
        """Changes whenever another connection commits: the console's cue to repaint."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def checkpoint(self) -> None:
        """Copy committed WAL pages back into the database file (passive: never waits for, nor
        blocks, other readers and writers; what it cannot copy now a later checkpoint will)."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
