"""The large-fleet generator: deterministic per seed, realistic, valid, loadable, fast."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from store.catalog import DEFAULT_RELEASES
from store.db import open_db
from store.errors import BadInput
from store.sim import error_catalog
from store.sim.generator import ITEMS_PER_APPLIANCE, generate, generate_json, vault_count
from store.sim.loader import BULK_ROWS, load_scenario
from store.sim.scenario import ItemSpec, ReleaseSpec, Scenario, parse_scenario
from store.vocabulary import Component

AGENTS = {v for c, v, _d, _r in DEFAULT_RELEASES if c == "agent"}


def test_same_seed_same_fleet_other_seed_other_fleet() -> None:
    assert generate_json(700, 42) == generate_json(700, 42)
    assert generate_json(700, 42) != generate_json(700, 43)
    assert generate(700, 42).model_dump() == generate(700, 42).model_dump()


@pytest.mark.parametrize("n", [0, 1, 199, 200, 201, 2000, 5001])
def test_size_names_and_capacity(n: int) -> None:
    s = generate(n, 3)
    assert len(s.items) == n
    names = [i.name for i in s.items]
    assert len(set(names)) == n
    assert all(re.fullmatch(r"[a-z0-9]+-(prod|stg|qa|dev|dr)-\d{6}", x) for x in names)
    assert len(s.appliances) == max(1, math.ceil(n / ITEMS_PER_APPLIANCE))
    assert max(Counter(i.appliance for i in s.items).values(), default=0) <= 200
    assert max(Counter(a.vault for a in s.appliances).values()) <= 250
    assert len(s.vaults) == vault_count(n, len(s.appliances))
    assert all(sorted(a.components) == sorted(c.value for c in Component) for a in s.appliances)
    assert len({a.name for a in s.appliances}) == len(s.appliances)


def test_vaults_scale_with_the_fleet() -> None:
    assert vault_count(5000, 25) == 1
    assert vault_count(5001, 26) == 2
    assert vault_count(100_000, 500) == 2
    assert vault_count(150_000, 750) == 3
    assert vault_count(1_000_000, 5000) == 20


def test_generated_scenario_is_valid() -> None:
    s = generate(2000, 11)
    again = Scenario.model_validate(s.model_dump())
    assert again.model_dump() == s.model_dump()
    parsed = parse_scenario(generate_json(2000, 11), "generated")
    assert parsed.model_dump() == s.model_dump()
    assert isinstance(s.items[0], ItemSpec)
    assert s.items[0] == ItemSpec(**s.items[0].model_dump())
    assert json.loads(generate_json(10, 1)).get("releases") is None


def test_realistic_mix() -> None:
    s = generate(20_000, 5)
    versions = Counter(i.agent_version for i in s.items)
    assert set(versions) <= AGENTS
    assert versions.most_common(1)[0][0] == "9.66.7643.1"
    assert versions["9.60.6956.1"] + versions["9.61.7016.1"] < 0.05 * len(s.items)
    oses = Counter(i.os for i in s.items)
    assert any(o.startswith("Windows") for o in oses) and any(o.startswith("RHEL") for o in oses)
    faulty = sum(
        1
        for i in s.items
        if i.pending_reboot
        or not i.reaches_appliance
        or i.fail_next_update
        or i.version_at_reboot
        or i.private_preview
    )
    assert 0.02 * len(s.items) <= faulty <= 0.05 * len(s.items)
    assert all(error_catalog.is_known(i.fail_next_update) for i in s.items if i.fail_next_update)
    assert 0 < sum(a.registry == {"AutoUpdate": 0} for a in s.appliances) < 0.1 * len(s.appliances)
    assert sum(not a.azure_connected for a in s.appliances) <= 0.02 * len(s.appliances)


def test_jobs_are_bounded_and_on_machines_that_can_update() -> None:
    s = generate(20_000, 9)
    states = Counter(j.state for j in s.jobs)
    assert states == {"InProgress": 40, "Failed": 40}
    assert len({j.item for j in s.jobs}) == len(s.jobs)
    by_name = {i.name: i for i in s.items}
    assert all(by_name[j.item].agent_version != "9.66.7643.1" for j in s.jobs)
    assert all(error_catalog.is_known(j.error_code) for j in s.jobs if j.state == "Failed")
    running = Counter(by_name[j.item].appliance for j in s.jobs if j.state == "InProgress")
    assert max(running.values()) <= 10
    assert len(generate(499, 9).jobs) == 0
    assert Counter(j.state for j in generate(1_000_000 // 10, 9).jobs) == {
        "InProgress": 200,
        "Failed": 200,
    }


def test_loads_with_every_status(tmp_db_path: Path) -> None:
    db = open_db(tmp_db_path)
    counts = load_scenario(db, generate(2000, 1), source="generated:2000:1")
    assert counts["items"] == 2000
    statuses = dict(
        db.conn.execute("SELECT status, count(*) FROM items GROUP BY status").fetchall()
    )
    assert set(statuses) == {"up-to-date", "update-available", "blocked", "updating", "failed"}
    assert statuses["up-to-date"] + statuses["update-available"] > 1500
    reasons = Counter(
        b["reason"]
        for (raw,) in db.conn.execute("SELECT blockers FROM items WHERE status = 'blocked'")
        for b in json.loads(raw)
    )
    assert {"RebootRequired", "AgentNoHeartbeat", "MissingUpgradePath"} <= set(reasons)


def _schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def test_bulk_load_keeps_the_schema_and_name_index(tmp_path: Path) -> None:
    """Large loads build the item indexes after the insert; the result is the same database
    shape."""
    fresh = tmp_path / "fresh.db"
    open_db(fresh).conn.close()
    path = tmp_path / "big.db"
    db = open_db(path)
    n = BULK_ROWS + 1000
    load_scenario(db, generate(n, 2), source="generated")
    conn = db.conn
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (n,)
    conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
    name = conn.execute("SELECT name FROM items WHERE id = 4321").fetchone()[0]
    hits = conn.execute(
        "SELECT rowid FROM items_fts WHERE items_fts MATCH ?", (f'"{name}"',)
    ).fetchall()
    assert hits == [(4321,)]
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT name FROM items WHERE vault_id = 1 AND status = 'blocked'"
    )
    assert "items_vault_status" in " ".join(str(r) for r in plan.fetchall())
    db.conn.close()
    assert _schema(path) == _schema(fresh)


def test_failed_bulk_replace_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    db = open_db(path)
    load_scenario(db, generate(BULK_ROWS, 4), source="generated")
    db.conn.close()
    before = _schema(path), _counts(path)
    twice = [ReleaseSpec(component="agent", version="9.66.7643.1", released="2025-12-16")] * 2
    bad = generate(10, 1).model_copy(update={"releases": twice})
    db = open_db(path)
    with pytest.raises(
        BadInput, match=r"^bad\.json: releases\.1: release agent 9\.66\.7643\.1 is listed twice$"
    ):
        load_scenario(db, bad, source="bad.json", replace=True)
    db.conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
    db.conn.close()
    assert (_schema(path), _counts(path)) == before


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_bad_arguments() -> None:
    for items, seed in ((-1, 1), (10, -1), (10**7, 1), (10, 2**32)):
        with pytest.raises(BadInput) as err:
            generate(items, seed)
        assert "\n" not in str(err.value)


def test_a_fleet_of_100k_machines_is_generated_whole() -> None:
    """The largest demo fleet the README promises (its time is benchmarks/run.py's a.load)."""
    s = generate(100_000, 1)
    assert len(s.items) == 100_000
    assert len({item.name for item in s.items}) == 100_000
