"""Loading a fleet and moving its clock when things go wrong: a load under a running engine is
refused, a failed load leaves no database behind, a failed advance leaves no lease row, and a
machine may not take an appliance's name. Real processes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from pathlib import Path

from reliability_kit import PY, ROOT, cli_env, load_world, run_cli, worlds
from waiting import wait_for


def _names(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [n for (n,) in conn.execute("SELECT name FROM items ORDER BY name")]
    finally:
        conn.close()


def _lease_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT holder, expires_wall FROM engine_lease").fetchall()
    finally:
        conn.close()


def test_demo_load_force_is_refused_while_an_engine_holds_the_lease(tmp_path: Path) -> None:
    db = load_world(tmp_path / "fleet.db", worlds.world(items=[worlds.machine("old-01")]))
    engine = subprocess.Popen(
        [PY, "-m", "tui.cli", "engine", "run", "--db", str(db)],
        cwd=ROOT,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: any(h for h, _e in _lease_rows(db)), "engine run took the lease")
        new = tmp_path / "new.json"
        new.write_text(json.dumps(worlds.world(items=[worlds.machine("new-01")])))
        ran = run_cli("demo", "load", str(new), "--force", "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (1, True), ran.err
        assert "engine is running" in ran.err, ran.err
        assert _names(db) == ["old-01"]
    finally:
        engine.send_signal(signal.SIGINT)
        engine.communicate(timeout=60)
    assert engine.returncode == 0
    ran = run_cli("demo", "load", str(new), "--force", "--db", str(db))  # stopped: now it may
    assert ran.code == 0, ran.err
    assert _names(db) == ["new-01"]


def _unknown_error_code(data: dict) -> None:
    data["jobs"] = [{"item": "web-01", "state": "Failed", "error_code": "E_NOPE"}]


def _release_twice(data: dict) -> None:
    data["releases"] = [
        {"component": "agent", "version": worlds.LATEST, "released": "2026-01-01"}
    ] * 2


def test_a_failed_load_leaves_no_database_behind(tmp_path: Path) -> None:
    for spoil in (_unknown_error_code, _release_twice):
        data = worlds.world(items=[worlds.machine("web-01")])
        spoil(data)
        scenario = tmp_path / "bad.json"
        scenario.write_text(json.dumps(data))
        db = tmp_path / "new.db"
        ran = run_cli("demo", "load", str(scenario), "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), (spoil.__name__, ran.err)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"], spoil.__name__


def test_a_failed_advance_on_a_damaged_database_leaves_no_lease_row(tmp_path: Path) -> None:
    db = load_world(
        tmp_path / "fleet.db",
        worlds.world(items=[worlds.machine(f"vm-{n:03d}") for n in range(300)]),
    )
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items'").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as file:  # the machines' table is damaged; the clock and the lease are not
        file.seek((root - 1) * size)
        file.write(b"\x07" * size)
    assert _lease_rows(db) == []
    ran = run_cli("clock", "advance", "1h", "--db", str(db))
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err
    assert _lease_rows(db) == [], "a failed advance left its lease row"


def test_a_machine_may_not_take_an_appliances_name(tmp_path: Path) -> None:
    data = worlds.world(items=[worlds.machine("web-01"), worlds.machine("appl-east")])
    scenario = tmp_path / "clash.json"
    scenario.write_text(json.dumps(data))
    ran = run_cli("demo", "load", str(scenario), "--db", str(tmp_path / "fleet.db"))
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err
    assert "also an appliance's name" in ran.err
    assert not (tmp_path / "fleet.db").exists()
