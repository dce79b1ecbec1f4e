"""The command line's read side in real processes: JSON shapes, one-line errors, first run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ITEM_KEYS = {
    "name",
    "vault",
    "os",
    "appliance",
    "agent_version",
    "latest_version",
    "status",
    "blockers",
    "next_check_at",
    "last_job_id",
    "private_preview",
}
STATUS_WORDS = {
    "Up to date",
    "New update available",
    "Cannot update to latest version",
    "Updating",
    "Update failed",
}


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_items_json_shape_and_status_filter(contoso_db: Path) -> None:
    out = cli("items", "--db", str(contoso_db), "--json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert isinstance(items, list) and len(items) >= 55
    assert all(ITEM_KEYS <= set(i) for i in items)
    assert {i["status"] for i in items} == STATUS_WORDS
    blocked = json.loads(
        cli("--db", str(contoso_db), "items", "--status", "blocked", "--json").stdout
    )
    assert blocked and all(i["status"] == "Cannot update to latest version" for i in blocked)
    assert all(
        b.keys() == {"reason", "message", "recommended_action"}
        for i in blocked
        for b in i["blockers"]
    )
    east = json.loads(
        cli("items", "--vault", "contoso-dr-east", "--db", str(contoso_db), "--json").stdout
    )
    assert {i["vault"] for i in east} == {"contoso-dr-east"}


def test_items_json_lists_every_item_exactly_as_item_shows_it(contoso_db: Path) -> None:
    """Each element of `items --json` is the `item NAME --json` object (same keys, order, values),
    under every filter and sort, in the order the service lists them."""
    from store.queries import ItemQuery
    from store.service import Service

    svc = Service.open(contoso_db, create=False)
    try:
        east = svc.vault("contoso-dr-east").id
        cases = [
            ((), ItemQuery()),
            (("--status", "blocked"), ItemQuery(status="blocked")),
            (
                ("--status", "update-available", "--vault", "contoso-dr-east"),
                ItemQuery(vault_id=east, status="update-available"),
            ),
            (
                ("--filter", "app", "--sort", "agent_version"),
                ItemQuery(text="app", sort="agent_version"),
            ),
            (("--sort", "status"), ItemQuery(sort="status")),
        ]
        for args, query in cases:
            listed = json.loads(cli("items", *args, "--db", str(contoso_db), "--json").stdout)
            expected = [i.model_dump(mode="json") for i in svc.items(query)]
            assert listed and listed == expected, args
            assert all(
                list(got) == list(want) for got, want in zip(listed, expected, strict=True)
            ), args
            for entry in listed[:3]:
                assert entry == svc.item(entry["name"]).model_dump(mode="json")
    finally:
        svc.close()
    empty = cli("items", "--filter", "no-such-machine", "--db", str(contoso_db), "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []


def test_item_json_and_text(contoso_db: Path) -> None:
    item = json.loads(cli("item", "pay-app-01", "--db", str(contoso_db), "--json").stdout)
    assert ITEM_KEYS <= set(item)
    assert item["latest_version"] == "9.66.7643.1"
    assert {b["reason"] for b in item["blockers"]} >= {"IncompatibleApplianceVersion"}
    text = cli("--db", str(contoso_db), "item", "pay-app-01").stdout
    assert "Recommended action:" in text and "IncompatibleApplianceVersion" in text


def test_clock_show_json(contoso_db: Path) -> None:
    data = json.loads(cli("clock", "show", "--db", str(contoso_db), "--json").stdout)
    assert {"now", "mode", "speed", "paused", "vaults", "local_time", "time_zone"} <= set(data)
    assert data["local_time"].startswith("2026-12-16T23:45:00")
    assert [v["name"] for v in data["vaults"]] == ["contoso-dr-east", "contoso-dr-west"]


def test_bad_input_is_one_line_exit_2(contoso_db: Path, tmp_path: Path) -> None:
    cases = [
        ("item", "no-such-machine", "--db", str(contoso_db)),
        ("items", "--status", "bogus", "--db", str(contoso_db)),
        ("items", "--db", str(tmp_path / "missing" / "x.db")),
        ("items", "--vault", "nope", "--db", str(contoso_db)),
        ("demo", "load", "no-such-scenario", "--db", str(tmp_path / "new.db")),
    ]
    for args in cases:
        out = cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("asr-console: "), out.stderr
        assert "Traceback" not in out.stderr


def test_demo_load_refuses_to_replace_without_force(contoso_db: Path) -> None:
    before = json.loads(cli("items", "--db", str(contoso_db), "--json").stdout)
    out = cli("demo", "load", "--db", str(contoso_db))
    assert out.returncode == 1 and "--force" in out.stderr
    assert json.loads(cli("items", "--db", str(contoso_db), "--json").stdout) == before
    assert cli("demo", "load", "--force", "--db", str(contoso_db)).returncode == 0


def test_first_run_creates_private_database_from_the_demo(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    out = cli("demo", "load", env=env)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "data" / "asr-upgrade-console"
    db = folder / "fleet.db"
    assert db.exists()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    listed = cli("items", "--json", env=env)
    assert len(json.loads(listed.stdout)) >= 55


def test_the_small_things_an_operator_tries(console) -> None:
    """Issue 20, item 9: --version; a speed of 0 and a negative duration say what is allowed;
    --status takes the console's words; an unknown machine suggests the close names."""
    c = console()
    version = c.run("--version")
    assert version.code == 0 and version.out.startswith("asr-console ")
    speed = c.call("clock", "speed", "0")
    assert speed.code == 2 and "more than 0 and at most 100000" in speed.err
    back = c.call("clock", "advance", "-5m")
    assert (
        back.code == 2 and "durations are positive" in back.err and "No such option" not in back.err
    )
    slugs = {i["name"] for i in c.call("items", "--status", "update-available", "--json").json}
    for word in ("New", "new update available", "New update available"):
        assert {i["name"] for i in c.call("items", "--status", word, "--json").json} == slugs, word
    name = c.call("items", "--json").json[0]["name"]
    typo = c.call("item", name[:-1])
    assert (
        typo.code == 2
        and "did you mean" in typo.err
        and repr(name) in typo.err
        and typo.err.count("\n") == 1
    )
