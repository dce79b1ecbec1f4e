"""Fleets for the item table tests, built by the real scenario loader in real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.db import open_db, write
from store.queries import ItemQuery, ItemRow
from store.service import Service
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario

COMPONENTS = {
    "process-server": "9.66.7614.1",
    "proxy-server": "1.44.9645.8268",
    "replication-service": "1.45.9649.18472",
    "reprotection-server": "1.48.9649.18457",
    "recovery-services-agent": "2.0.9955.0",
    "site-recovery-provider": "5.25.904.11",
    "push-installer": "1.47.9649.18387",
}
LATEST, OLDER = "9.66.7643.1", "9.65.7417.1"


def build_fleet(path: Path, items: list[dict], jobs: list[dict] | None = None) -> Path:
    """Write a one-vault scenario through the real loader; at most 200 items per appliance."""
    appliances = sorted({item["appliance"] for item in items})
    scenario = {
        "vaults": [{"name": "v1", "time_zone": "America/New_York"}],
        "appliances": [{"name": a, "vault": "v1", "components": COMPONENTS} for a in appliances],
        "items": items,
        "jobs": jobs or [],
    }
    db = open_db(path)
    load_scenario(db, parse_scenario(json.dumps(scenario), "test"), source="test")
    db.close()
    return path


def numbered_items(count: int) -> list[dict]:
    return [
        {
            "name": f"vm-{n:06d}",
            "os": "Ubuntu 22.04" if n % 3 == 0 else "Windows Server 2019",
            "appliance": f"appl-{n // 200:03d}",
            "agent_version": LATEST if n % 2 else OLDER,
        }
        for n in range(count)
    ]


class CountingService(Service):
    """The real Service, recording how the table reads it."""

    def __init__(self, path: Path) -> None:
        super().__init__(open_db(path))
        self.pages: list[dict] = []
        self.counts = 0

    def count_items(self, q: ItemQuery) -> int:
        self.counts += 1
        return super().count_items(q)

    def page_items(
        self, q: ItemQuery, *, limit: int, offset: int = 0, after: tuple[str, str] | None = None
    ) -> list[ItemRow]:
        self.pages.append({"offset": offset, "after": after, "limit": limit, "desc": q.descending})
        return super().page_items(q, limit=limit, offset=offset, after=after)


@contextmanager
def engine_write(path: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction on a connection of its own, as the engine (another thread) makes one."""
    db = open_db(path)
    try:
        with write(db) as conn:
            yield conn
    finally:
        db.close()
