"""Security: `--read-only` (CLI and console) refuses every mutating command and leaves the database
byte-identical; nothing secret is ever stored; every mutation has an audit row naming its actor;
the default database, its folder and its WAL files are readable by the user only.

The CLI walk is derived from the click group: a new command fails `test_every_command_is_classified`
until it is added to COMMANDS (with how to call it and whether it writes)."""

from __future__ import annotations

import getpass
import inspect
import json
import os
import re
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from reliability_kit import call_cli, checkpoint, content_digest, file_digest, load_world, worlds
from waiting import until

from store.clock import iso, parse_iso
from store.db import open_db
from store.errors import Refused
from store.service import Service

# -- the worlds
# ---------------------------------------------------------------------------------------------


def security_world() -> dict:
    items = [
        worlds.machine("web-01"),
        worlds.machine("web-02", fail_next_update="95517"),
        worlds.machine("web-03"),
        worlds.machine("web-04"),
        worlds.machine("old-01", appliance="appl-old"),
    ]
    appliances = [
        worlds.appliance("appl-east"),
        {**worlds.appliance("appl-old"), "components": dict(worlds.OLD_COMPONENTS)},
    ]
    return worlds.world(items=items, appliances=appliances)


def prepared(path: Path) -> tuple[Path, dict[str, str]]:
    """A fleet with history: web-02's job failed, web-03's job is running, appl-old is behind."""
    load_world(path, security_world())
    assert call_cli("update", "web-02", "--db", str(path)).code == 0
    assert call_cli("clock", "advance", "30m", "--db", str(path)).code == 0
    running = call_cli("update", "web-03", "--json", "--db", str(path))
    assert running.code == 0, running.err
    failed = json.loads(call_cli("jobs", "--item", "web-02", "--json", "--db", str(path)).out)[0]
    assert failed["state"] == "Failed"
    # A rollout waiting for its window (12:00 EST; the clock is at 05:30): it changes no machine
    # yet.
    assert (
        call_cli(
            "rollout", "create", "r0", "web-04", "--window", "12:00-13:00", "--db", str(path)
        ).code
        == 0
    )
    checkpoint(path)
    return path, {"failed": failed["id"], "running": running.json["created"][0]["id"]}


# -- every command, classified
# -------------------------------------------------------------------------------

SCENARIO = str(Path(__file__).resolve().parents[2] / "demo_data" / "contoso.json")

COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # path: (kind, args after the path). kind: "write", "read", or "outside" (never opens --db).
    "items": ("read", ()),
    "item": ("read", ("web-01",)),
    "jobs": ("read", ()),
    "job": ("read", ("{failed}",)),
    "plan": ("read", ()),
    "appliances": ("read", ()),
    "appliance show": ("read", ("appl-old",)),
    "clock": ("read", ()),
    "clock show": ("read", ()),
    "demo list": ("outside", ()),
    "tour": ("outside", ("--list",)),
    "serve": ("outside", ()),
    "arm serve": (
        "outside",
        (),
    ),  # a server: its --read-only (403 for every change) is in tests/arm
    "rollout list": ("read", ()),
    "rollout show": ("read", ("r0",)),
    "rollout create": ("write", ("r9", "web-01", "--window", "12:00-13:00")),
    "rollout pause": ("write", ("r0",)),
    "rollout resume": ("write", ("r0",)),
    "rollout abort": ("write", ("r0",)),
    "update": ("write", ("web-01",)),
    "retry": ("write", ("{failed}",)),
    "cancel": ("write", ("{running}",)),
    "auto-update": ("write", ("off",)),
    "appliance update": ("write", ("appl-old", "proxy-server")),
    "registry set": ("write", ("appl-old", "AutoUpdate", "0")),
    "registry delete": ("write", ("appl-old", "AutoUpdate")),
    "clock advance": ("write", ("1h",)),
    "clock set": ("write", ("{later}",)),
    "clock speed": ("write", ("120",)),
    "clock pause": ("write", ()),
    "clock resume": ("write", ()),
    "engine run": ("write", ("--for", "10m")),
    "sim release": ("write", ("agent", "9.67.7700.1")),
    "sim pending-reboot": ("write", ("web-04",)),
    "sim reboot": ("write", ("web-04",)),
    "sim disconnect": ("write", ("web-04",)),
    "sim connect": ("write", ("web-04",)),
    "sim fail": ("write", ("web-04", "95524")),
    "sim reinstall": ("write", ("old-01",)),
    "demo load": ("write", (SCENARIO, "--force")),
}
EXTRA_READS = [("auto-update", ("read", ())), ("appliance", ("read", ("appl-old",)))]
"""Invocations that read although their command can write (`auto-update` without a setting shows it;
`appliance NAME` is `appliance show NAME`)."""


def leaf_commands(group: click.Group, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            out |= leaf_commands(command, path + " ")
            if command.invoke_without_command:
                out.add(path)
        else:
            out.add(path)
    return out


def test_every_command_is_classified() -> None:
    from tui.cli import cli

    assert leaf_commands(cli) == set(COMMANDS), (
        "classify new commands in COMMANDS (read, write or outside)"
    )


def _argv(path: str, args: tuple[str, ...], db: Path, ids: dict[str, str]) -> list[str]:
    return [*path.split(), *(a.format(**ids) for a in args), "--db", str(db)]


def _ids(db: Path, ids: dict[str, str]) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    now = parse_iso(conn.execute("SELECT now FROM clock").fetchone()[0])
    conn.close()
    return {**ids, "later": iso(now + timedelta(hours=1))}


def test_read_only_cli_refuses_every_write_and_changes_no_byte(tmp_path: Path) -> None:
    db, ids = prepared(tmp_path / "fleet.db")
    ids = _ids(db, ids)
    before_bytes, before_content = file_digest(db), content_digest(db)
    refused = 0
    for path, (kind, args) in [*COMMANDS.items(), *EXTRA_READS]:
        if kind == "outside":
            continue
        ran = call_cli(*_argv(path, args, db, ids), "--read-only")
        assert ran.exc is None, (path, ran.exc)
        if kind == "write":
            assert ran.code == 1 and ran.one_line_error() and "read-only" in ran.err, (
                path,
                ran.code,
                ran.err,
            )
            refused += 1
        else:
            assert ran.code == 0, (path, ran.err)
        assert file_digest(db) == before_bytes, f"`{path} --read-only` changed the database file"
    assert content_digest(db) == before_content
    assert refused == sum(1 for kind, _a in COMMANDS.values() if kind == "write")


def test_serve_passes_read_only_to_every_console_it_starts(tmp_path: Path) -> None:
    from tui.serve import console_argv

    assert "--read-only" in console_argv(tmp_path / "x.db", read_only=True)
    assert "--read-only" not in console_argv(tmp_path / "x.db")


def test_every_write_leaves_an_audit_row_naming_its_actor(tmp_path: Path) -> None:
    db, ids = prepared(tmp_path / "fleet.db")
    me = getpass.getuser()
    writes = [(p, a) for p, (kind, a) in COMMANDS.items() if kind == "write"]
    assert (
        call_cli("clock", "speed", "50000", "--db", str(db)).code == 0
    )  # `engine run --for 10m` is quick
    for path, args in writes:
        conn = sqlite3.connect(db)
        last = conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
        conn.close()
        ran = call_cli(*_argv(path, args, db, _ids(db, ids)))
        assert ran.code == 0 and ran.exc is None, (path, ran.code, ran.err, ran.exc)
        conn = sqlite3.connect(db)
        rows = conn.execute(
            "SELECT actor, action, target FROM audit WHERE id > ?", (last,)
        ).fetchall()
        conn.close()
        mine = [r for r in rows if r[0] == me]
        assert mine, f"`{path}` left no audit row by {me}: {rows}"
        assert all(r[0] in (me, "Site Recovery") for r in rows), rows


def test_every_audit_row_has_an_actor_and_the_engine_signs_its_own(tmp_path: Path) -> None:
    db, _ids_ = prepared(tmp_path / "fleet.db")
    assert (
        call_cli("clock", "advance", "1d", "--db", str(db)).code == 0
    )  # crosses a midnight: a nightly run
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT actor, action FROM audit").fetchall()
    conn.close()
    assert all(actor for actor, _a in rows)
    assert {a for actor, a in rows if actor == "Site Recovery"} >= {"auto-update agents"}


# -- the console, read-only
# --------------------------------------------------------------------------------


def _write_methods() -> list[str]:
    """Service methods that change the fleet: the ones that go through self._operations() (or
    self._rollout_ops(), the staged rollouts' commands)."""
    return [
        name
        for name, fn in inspect.getmembers(Service, inspect.isfunction)
        if not name.startswith("_")
        and re.search(r"self\._(operations|rollout_ops)\(\)", inspect.getsource(fn))
    ]


def _spec(name: str, machine: str):
    from store.rollout_spec import RolloutSpec

    return RolloutSpec(name=name, vault_id=1, names=(machine,), window="12:00-13:00")


def test_read_only_service_refuses_every_write_method(tmp_path: Path) -> None:
    db, ids = prepared(tmp_path / "fleet.db")
    before = file_digest(db)
    svc = Service.open(db, read_only=True, create=False)
    calls = {
        "update": (["web-01"],),
        "update_all_eligible": (None,),
        "retry": (ids["failed"],),
        "cancel": (ids["running"],),
        "set_auto_update": (1, False),
        "update_component": ("appl-old", "proxy-server"),
        "registry_set": ("appl-old", "AutoUpdate", 0),
        "registry_delete": ("appl-old", "AutoUpdate"),
        "clock_advance": (timedelta(minutes=1),),
        "clock_advance_to": (datetime(2030, 1, 1, tzinfo=UTC),),
        "clock_pause": (True,),
        "clock_speed": (2.0,),
        "update_ids": ([1, 2],),
        "create_rollout": (_spec("r9", "web-01"),),
        "pause_rollout": ("r0",),
        "resume_rollout": ("r0",),
        "abort_rollout": ("r0",),
        "simulator": (),
        "run_engine": (timedelta(minutes=1),),
    }
    try:
        methods = _write_methods()
        assert set(methods) == set(calls), "a new write method of Service: add it to `calls`"
        for name in methods:
            with pytest.raises(Refused, match="read-only"):
                getattr(svc, name)(*calls[name])
    finally:
        svc.close()
    assert file_digest(db) == before


def test_every_console_write_leaves_an_audit_row_naming_its_actor(tmp_path: Path) -> None:
    """The console's changes go through Service's write methods: each one audited, with the user."""
    db, ids = prepared(tmp_path / "fleet.db")
    me = getpass.getuser()
    svc = Service.open(db, create=False)
    peek = open_db(db, create=False)  # a second connection reads what each call committed
    web04 = peek.conn.execute("SELECT id FROM items WHERE name = 'web-04'").fetchone()[0]
    calls = [
        ("create_rollout", (_spec("r9", "web-01"),)),
        ("pause_rollout", ("r0",)),
        ("resume_rollout", ("r0",)),
        ("abort_rollout", ("r0",)),
        ("update_ids", ([web04],)),
        ("update", (["web-01"],)),
        ("cancel", (ids["running"],)),
        ("retry", (ids["failed"],)),
        ("update_all_eligible", (None,)),
        ("set_auto_update", (1, False)),
        ("update_component", ("appl-old", "proxy-server")),
        ("registry_set", ("appl-old", "AutoUpdate", 0)),
        ("registry_delete", ("appl-old", "AutoUpdate")),
        ("clock_pause", (True,)),
        ("clock_speed", (2.0,)),
        ("clock_advance", (timedelta(minutes=1),)),
        ("clock_advance_to", (svc.clock().now + timedelta(minutes=2),)),
        ("simulator", lambda: svc.simulator().pending_reboot("web-02")),
    ]
    try:
        # `run_engine` is `engine run`: the engine's own work, audited as Site Recovery, not an
        # operator's.
        assert {name for name, _a in calls} == set(_write_methods()) - {"run_engine"}
        for name, args in calls:
            last = peek.conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
            args() if callable(args) else getattr(svc, name)(*args)
            rows = peek.conn.execute(
                "SELECT actor, action FROM audit WHERE id > ?", (last,)
            ).fetchall()
            assert rows and all(actor == me for actor, _a in rows), (name, rows)
    finally:
        peek.close()
        svc.close()


NAVIGATION = re.compile(
    r"^(cursor|facet|sort|reverse_sort|filter|clear_filter|toggle_overview|move|page|first|"
    r"last|next_state|goto|switch_mode|next_vault|toggle_help|quit|component_status)"
)
AFFIRMATIVE_SKIP = {"Cancel", "Close", "Go to item", "Previous job"}


async def _confirm_everything(pilot, app) -> int:
    """Press the affirmative button of every dialog that opens (up to three deep); count presses."""
    from textual.screen import ModalScreen
    from textual.widgets import Button

    pressed = 0
    for _ in range(3):
        if not isinstance(app.screen, ModalScreen):
            break
        if any(b.action == "select_all" for b in getattr(app.screen, "BINDINGS", [])):
            await pilot.press("a")  # the bulk dialog: select every eligible machine, then OK
            await pilot.pause()
        buttons = [
            b
            for b in app.screen.query(Button)
            if str(b.label) not in AFFIRMATIVE_SKIP and not b.disabled
        ]
        if not buttons:
            break
        buttons[0].press()
        pressed += 1
        await pilot.pause()
    while isinstance(app.screen, ModalScreen):
        await pilot.press("escape")
        await pilot.pause()
    return pressed


async def test_read_only_console_refuses_every_change_and_changes_no_byte(tmp_path: Path) -> None:
    """Every screen's keys that act (not navigation), on several rows, confirming every dialog."""
    from tui.app import ConsoleApp

    db, _ids_ = prepared(tmp_path / "fleet.db")
    before = file_digest(db), content_digest(db)
    app = ConsoleApp(db_path=db, read_only=True, engine=True)
    notes: list[str] = []
    original = app.notify
    app.notify = lambda message, *a, **k: (notes.append(str(message)), original(message, *a, **k))[
        1
    ]
    keys_for = {"items": "i", "jobs": "j", "appliances": "a", "settings": "comma", "rollouts": "w"}
    rows_for = {
        "items": [1, 2],
        "jobs": [0, 1],
        "appliances": [1],
        "settings": [0],
        "rollouts": [0],
    }
    acted = confirmed = 0
    async with app.run_test(size=(140, 45)) as pilot:
        for mode, screen_cls in ConsoleApp.MODES.items():
            bindings = [b for b in screen_cls.BINDINGS if not NAVIGATION.match(b.action)]
            keys = [b.key.split(",")[0] for b in bindings] + (
                ["enter"] if mode != "settings" else []
            )
            for row in rows_for[mode]:
                await pilot.press(keys_for[mode], "home", *(["down"] * row))
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                    acted += 1
                    confirmed += await _confirm_everything(pilot, app)
        assert app.engine is None, "a read-only console must not run the engine"
    assert (
        file_digest(db),
        content_digest(db),
    ) == before, "the read-only console changed the database"
    assert acted >= 20 and confirmed >= 5, (
        f"{acted} keys pressed, only {confirmed} dialogs confirmed"
    )
    assert sum("read-only" in n for n in notes) >= 5, notes


# -- no secrets
# ---------------------------------------------------------------------------------------------

SECRET = re.compile(
    rb"(?i)(password|passwd|pwd\s*=|secret|credential|api[_-]?key|access[_-]?key|accountkey=|sharedaccesssignature|"
    rb"\bsig=|bearer\s|private key|client[_-]?secret|connectionstring|token\s*[=:])"
)


def test_no_secret_is_ever_stored(tmp_path: Path) -> None:
    """The demo fleet, a generated one and a busy session: nothing that looks like a secret, in any
    table, column or file beside the database (credentials are friendly names only)."""
    contoso = tmp_path / "contoso.db"
    assert call_cli("demo", "load", "--db", str(contoso)).code == 0
    generated = tmp_path / "generated.db"
    assert call_cli("demo", "load", "--items", "300", "--db", str(generated)).code == 0
    db, ids = prepared(tmp_path / "busy.db")
    for args in (
        ("update", "--all-eligible"),
        ("clock", "advance", "2d"),
        ("retry", ids["failed"]),
    ):
        call_cli(*args, "--db", str(db))
    for path in (contoso, generated, db):
        conn = sqlite3.connect(path)
        columns = [
            f"{t}.{c[1]}"
            for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for c in conn.execute(f'PRAGMA table_info("{t}")')
        ]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        assert not [c for c in columns if SECRET.search(c.encode())], columns
        for file in [path, *path.parent.glob(path.name + "-*")]:
            found = SECRET.findall(file.read_bytes())
            assert not found, f"{file.name}: {sorted(set(found))[:10]}"


# -- private files
# -------------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
async def test_first_run_creates_a_private_folder_database_and_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    """The console's first run (tui/cli/first_run.ensure_default_db), then the console itself with
    the engine on (WAL and shared-memory files appear), then a CLI write: all 0600 in a 0700 folder,
    even under a permissive umask."""
    from tui.app import ConsoleApp
    from tui.cli.context import default_db_path
    from tui.cli.first_run import ensure_default_db

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    old = os.umask(umask)
    try:
        path = default_db_path()
        assert str(path).startswith(str(tmp_path))
        ensure_default_db(path)
        assert _mode(path.parent) == 0o700 and _mode(path) == 0o600
        app = ConsoleApp(db_path=path, engine=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.engine.holding, "the console's engine holds the lease")
            await pilot.press("u")
            sidecars = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
            await until(
                pilot,
                lambda: all(p.exists() for p in sidecars),
                "the console keeps the database in WAL mode (-wal and -shm beside it)",
            )
            assert {p.name: _mode(p) for p in sidecars} == {p.name: 0o600 for p in sidecars}
            await pilot.press(
                "q"
            )  # quit as an operator does (see test_concurrency: closing while polling)
        ran = call_cli("update", "--all-eligible")
        assert ran.code in (0, 1), ran.err
        for file in [path, *path.parent.iterdir()]:
            assert _mode(file) == 0o600, f"{file.name} is {oct(_mode(file))}"
        assert _mode(path.parent) == 0o700
    finally:
        os.umask(old)
