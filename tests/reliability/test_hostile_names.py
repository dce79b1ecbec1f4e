"""Hostile names (Rich markup, ANSI and OSC escapes, C0/C1 controls, bidi overrides, 500 characters,
non-Latin scripts) are data: the CLI prints them with every control made visible (stdout and stderr
carry no raw control character), `--json` round-trips them exactly, and the console shows them
literally on every screen and dialog (no markup applied, no link created, no escape reaching the
terminal). tests/snapshots has the SVG snapshot of the items screen; this walks the rest."""

from __future__ import annotations

import json
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import call_cli, load_world, worlds
from waiting import until

from store.db import open_db
from store.operations import clock_advance, update
from tui.render import safe_text

VAULT = "[link=http://evil.example]vault[/link]\x1b[2J"
APPLIANCE = "appl-\x1b]0;pwned\x07-[b]x[/b]"
MARKUP = "[bold red]x[/]"
NAMES = [
    MARKUP,
    "esc\x1b[31mred\x1b[0m",
    "osc\x1b]8;;http://evil.example\x1b\\link",
    "tab\tbell\x07back\x08",
    "cr\rnewline\nnext",
    "c1\x9b31mcsi\x85nel",
    "bidi\u202egnp.exe\u2066",
    "Ünïcødé-机器-ماشین-🚀",
    "long-" + "x" * 495,
    "%s%n{0}$(rm -rf /)`id`'\";--",
]
FAILING = NAMES[1]


def _unsafe(ch: str) -> bool:
    """A character that can drive a terminal: C0 (but newline), DEL, C1, and bidi/format
    controls."""
    code = ord(ch)
    if ch == "\n":
        return False
    return code < 0x20 or 0x7F <= code < 0xA0 or unicodedata.category(ch) in ("Cc", "Cf")


def _c0(ch: str) -> bool:
    return (ord(ch) < 0x20 and ch != "\n") or ord(ch) == 0x7F


def assert_terminal_safe(text: str, what: str, unsafe=_unsafe) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if unsafe(c)})
    assert not bad, f"{what}: raw control characters {bad} in {text[:300]!r}"


def hostile_world() -> dict:
    components = dict(worlds.CURRENT_COMPONENTS)
    items = [
        worlds.machine(
            n, appliance=APPLIANCE, **({"fail_next_update": "95517"} if n == FAILING else {})
        )
        for n in NAMES
    ]
    items.append(worlds.machine("plain-01", appliance=APPLIANCE, pending_reboot=True))
    return worlds.world(
        items=items,
        vaults=[{"name": VAULT, "time_zone": "UTC"}],
        appliances=[{"name": APPLIANCE, "vault": VAULT, "components": components}],
    )


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile fleet with history: every machine updated (one failed), the clock moved on, and
    two more jobs in flight."""
    path = load_world(tmp_path_factory.mktemp("hostile") / "hostile.db", hostile_world())
    db = open_db(path)
    try:
        update(db, NAMES[:-2])
        clock_advance(db, timedelta(hours=1))
        update(db, NAMES[-2:])
    finally:
        db.close()
    return path


# -- the command line
# ---------------------------------------------------------------------------------


def _commands(job_ids: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [
        ("items",),
        ("items", "--filter", "esc\x1b"),
        ("items", "--sort", "appliance"),
        ("jobs",),
        ("plan",),
        ("appliances",),
        ("appliance", APPLIANCE),
        ("auto-update",),  # clock show: tested below
        ("jobs", "--item", APPLIANCE),
    ]
    out += [("item", n) for n in NAMES]
    out += [("job", j) for j in job_ids]
    out += [("jobs", "--item", n) for n in NAMES[:3]]
    return out


def test_cli_text_output_shows_every_control_character_escaped(hostile_db: Path) -> None:
    jobs = json.loads(call_cli("jobs", "--json", "--db", str(hostile_db)).out)
    assert {j["item"] for j in jobs} == set(NAMES)
    for args in _commands([j["id"] for j in jobs]):
        ran = call_cli(*args, "--db", str(hostile_db))
        assert ran.exc is None and ran.code == 0, (args, ran.code, ran.err, ran.exc)
        assert_terminal_safe(ran.out + ran.err, " ".join(args)[:80])
    listing = call_cli("items", "--db", str(hostile_db)).out
    assert (
        MARKUP in listing and "Ünïcødé-机器-ماشین-🚀" in listing and "long-" + "x" * 495 in listing
    )
    assert "esc^[[31mred" in listing  # visible, escaped
    # One escaping for a terminal: every name reads in the CLI's text as the console shows it.
    assert all(safe_text(n) in listing for n in NAMES)


def test_clock_show_escapes_the_vault_name(hostile_db: Path) -> None:
    ran = call_cli("clock", "show", "--db", str(hostile_db))
    assert ran.code == 0
    assert_terminal_safe(ran.out, "clock show")


def test_cli_json_round_trips_the_exact_names(hostile_db: Path) -> None:
    items = json.loads(call_cli("items", "--json", "--db", str(hostile_db)).out)
    assert {i["name"] for i in items} == set(NAMES) | {"plain-01"}
    assert {i["vault"] for i in items} == {VAULT} and {i["appliance"] for i in items} == {APPLIANCE}
    for name in NAMES:
        ran = call_cli("item", name, "--json", "--db", str(hostile_db))
        assert ran.code == 0, ran.err
        assert ran.json["name"] == name
        assert_terminal_safe(ran.out, f"item {name!r} --json", _c0)
    jobs = json.loads(call_cli("jobs", "--json", "--db", str(hostile_db)).out)
    failed = [j for j in jobs if j["item"] == FAILING]
    assert failed and failed[0]["state"] == "Failed"
    appliance = json.loads(call_cli("appliance", APPLIANCE, "--json", "--db", str(hostile_db)).out)
    assert appliance["name"] == APPLIANCE and appliance["vault"] == VAULT
    shown = json.loads(call_cli("clock", "show", "--json", "--db", str(hostile_db)).out)
    assert shown["vaults"][0]["name"] == VAULT
    plan = call_cli("plan", "--json", "--db", str(hostile_db))
    assert plan.code == 0 and json.loads(plan.out)["vault"] == VAULT
    assert_terminal_safe(plan.out, "plan --json", _c0)


def test_cli_json_escapes_c1_and_bidi_controls(hostile_db: Path) -> None:
    for args in [("items", "--json"), ("jobs", "--json"), ("item", NAMES[5], "--json")]:
        ran = call_cli(*args, "--db", str(hostile_db))
        assert ran.code == 0, ran.err
        assert_terminal_safe(ran.out, " ".join(args))


def test_cli_errors_and_changes_about_hostile_names_are_one_safe_line(tmp_path: Path) -> None:
    db = load_world(tmp_path / "h.db", hostile_world())
    for args in [
        ("item", NAMES[1] + "-missing"),
        ("update", NAMES[2], "nope\x1b[2J"),
        ("appliance", "update", APPLIANCE, "\x1b[31mflux"),
    ]:
        ran = call_cli(*args, "--db", str(db))
        assert ran.code == 2 and ran.one_line_error(), (args, ran.err)
        assert_terminal_safe(ran.err, " ".join(args))
    for args in [
        ("update", NAMES[0], NAMES[1]),
        ("update", NAMES[0]),
        ("sim", "pending-reboot", NAMES[3]),
        ("sim", "reboot", NAMES[3]),
        ("sim", "disconnect", NAMES[4]),
        ("sim", "connect", NAMES[4]),
        ("sim", "disconnect", APPLIANCE),
        ("sim", "connect", APPLIANCE),
        ("sim", "fail", NAMES[5], "95517"),
        ("registry", "set", APPLIANCE, "AutoUpdate", "0"),
        ("registry", "delete", APPLIANCE, "AutoUpdate"),
        ("auto-update", "off"),
        ("update", "--all-eligible"),
    ]:
        ran = call_cli(*args, "--db", str(db))
        assert ran.exc is None and ran.code in (0, 1), (args, ran.code, ran.err)
        assert_terminal_safe(ran.out + ran.err, " ".join(args))


# -- the console
# ----------------------------------------------------------------------------------------


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_console_safe(app, where: str) -> str:
    strips = list(app.screen._compositor.render_strips())
    text = "\n".join(strip.text for strip in strips)
    assert_terminal_safe(text, where)
    links = {
        seg.style.link
        for strip in strips
        for seg in strip
        if seg.style is not None and seg.style.link
    }
    assert not links, f"{where}: a name became a link: {links}"
    assert "pwned" not in app.title and "\x1b" not in (app.sub_title or "")
    return text


async def test_console_shows_hostile_names_literally_everywhere(hostile_db: Path) -> None:
    from tui.app import ConsoleApp

    app = ConsoleApp(db_path=hostile_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        text = assert_console_safe(app, "items")
        assert "[link=http://evil.example]vault[/link]" in text, "the vault name is shown literally"
        assert MARKUP in text
        for _ in range(len(NAMES) // 2):  # the machines through the overview pane
            await pilot.press("down", "down")
            await pilot.pause()
            assert_console_safe(app, "items + overview")
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("enter")  # the machine's dialog (update details / failed / blocked)
        await pilot.pause()
        assert_console_safe(app, "item dialog")
        await pilot.press("escape", "b")  # the bulk update dialog lists machines by name
        await pilot.pause()
        bulk = assert_console_safe(app, "bulk update dialog")
        assert "esc^[[31mred^[[0m" in bulk and "%s%n{0}$(rm -rf /)" in bulk
        await pilot.press("escape", "j")
        await pilot.pause()
        jobs = assert_console_safe(app, "jobs")
        assert MARKUP in jobs
        for _ in range(len(NAMES) // 2):
            await pilot.press("enter")  # the job's detail: tasks, errors, the machine's name
            await pilot.pause()
            assert_console_safe(app, "job detail")
            await pilot.press("escape", "down", "down")
            await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        appliances = assert_console_safe(app, "appliances")
        assert "-[b]x[/b]" in appliances
        await pilot.press("r")  # the registry dialog names the appliance
        await pilot.pause()
        assert_console_safe(app, "registry dialog")
        await pilot.press("escape", "comma")
        await pilot.pause()
        assert_console_safe(app, "settings")
        await pilot.press("i")
        await pilot.pause()
        notes: list[str] = []
        original = app.notify
        app.notify = lambda message, *a, **k: (
            notes.append(str(message)),
            original(message, *a, **k),
        )[1]
        await pilot.press("home", "u")  # a notification naming the machine
        await until(pilot, lambda: notes, "a notification after u")
        assert_console_safe(app, "after update")
        for note in notes:
            assert_terminal_safe(note, "notification")
