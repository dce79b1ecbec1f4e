"""The parts of the demo feature: keys, the panel's text, the tour catalog and its scenarios, the
commands."""

from __future__ import annotations

import io
import json
import socket
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from store.errors import Refused
from store.sim.library import DEMO_DIR
from store.sim.scenario import read_scenario
from tui import serve as web
from tui.tour.catalog import TOURS, find_tour
from tui.tour.keys import Type, describe, expand, key_event, typed
from tui.tour.panel import Progress, body


def run_cli(*args: str) -> tuple[int, str, str]:
    from tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


# -- keys
# ----------------------------------------------------------------------------------------------


def test_typed_text_becomes_key_names_and_events_carry_characters() -> None:
    assert typed("app-lnx-02") == ("a", "p", "p", "minus", "l", "n", "x", "minus", "0", "2")
    assert list(expand(("slash", Type("a-1"), "enter"))) == [
        (0, "slash"),
        (1, "a"),
        (1, "minus"),
        (1, "1"),
        (2, "enter"),
    ]
    assert key_event("minus").character == "-" and key_event("b").character == "b"
    assert key_event("down").character is None
    assert describe(("slash", Type("web-prod-01"), "enter")) == "/ then type web-prod-01 then Enter"


# -- the panel
# -----------------------------------------------------------------------------------------


def test_panel_says_what_to_press_in_presenter_mode() -> None:
    p = Progress(
        title="t",
        auto=False,
        index=1,
        total=5,
        say="Select the VM.",
        keys=("slash", Type("x"), "enter"),
        kind="keys",
        phase="waiting",
    )
    text = body(p).plain
    assert text.startswith("Select the VM.\n▶ Press  /   x   Enter ")
    assert "ctrl+n/F2: do it for me" in text


def test_panel_shows_the_key_being_pressed_in_auto_mode() -> None:
    p = Progress(
        title="t", auto=True, say="s", keys=("b",), kind="keys", phase="performing", pressing=0
    )
    text = body(p, current_style="bold")
    assert "▶ Pressing" in text.plain and "ctrl+n" not in text.plain
    assert any(
        span.style == "bold" and text.plain[span.start : span.end] == " b " for span in text.spans
    )


def test_panel_end_states() -> None:
    done = body(Progress(title="t", auto=True, say="All Up to date.", phase="complete")).plain
    assert "✔ Tour complete" in done and "All Up to date." in done
    stalled = body(
        Progress(title="t", auto=True, say="s", phase="stalled", note="not done after 20 s")
    ).plain
    assert "✖ The tour stopped: not done after 20 s" in stalled


def test_names_are_data_in_the_panel() -> None:
    p = Progress(
        title="t",
        auto=False,
        say="[bold red]x[/]",
        keys=(Type("[b]y"),),
        kind="keys",
        phase="waiting",
    )
    assert "[bold red]x[/]" in body(p).plain and "[b]y" in body(p).plain


# -- the catalog and its scenarios
# -----------------------------------------------------------------------


def test_eight_tours_each_on_its_own_scenario_with_a_description() -> None:
    assert len(TOURS) == 8 and len({t.name for t in TOURS}) == 8
    for tour in TOURS:
        scenario = read_scenario(DEMO_DIR / f"{tour.name}.json")
        assert scenario.description and "\n" not in tour.title and len(tour.title) < 100
        assert tour.steps and all(s.kind != "keys" or s.done is not None for s in tour.steps)


def test_every_demo_scenario_has_a_description() -> None:
    for path in DEMO_DIR.glob("*.json"):
        assert read_scenario(path).description, path.name


def test_unknown_tour_is_bad_input() -> None:
    from store.errors import BadInput

    with pytest.raises(BadInput, match="no tour named 'nope'.*update-one"):
        find_tour("nope")
    assert find_tour(None) is TOURS[0]


# -- the commands
# ----------------------------------------------------------------------------------------


def test_tour_list_prints_one_line_per_tour() -> None:
    code, out, _err = run_cli("tour", "--list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(TOURS)
    assert all(
        line.split()[0] == t.name and t.title in line for line, t in zip(lines, TOURS, strict=True)
    )


def test_tour_with_an_unknown_name_is_one_line_exit_2() -> None:
    code, _out, err = run_cli("tour", "nope")
    assert (
        code == 2 and err.startswith("asr-console: no tour named 'nope'") and err.count("\n") == 1
    )


def test_demo_list_names_every_scenario_with_its_description() -> None:
    code, out, _err = run_cli("demo", "list", "--json")
    listed = {d["name"]: d["description"] for d in json.loads(out)}
    assert code == 0 and set(listed) == {p.stem for p in DEMO_DIR.glob("*.json")}
    assert set(listed) >= {t.name for t in TOURS} | {"contoso"}
    code, out, _err = run_cli("demo", "list")
    assert code == 0 and out.startswith("NAME") and "update-many" in out


def test_demo_load_takes_a_tour_scenario_by_name(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "demo", "load", "incompatible-appliance", "--db", str(tmp_path / "x.db")
    )
    assert code == 0, err
    assert "incompatible-appliance.json" in out and "5 machines" in out


# -- serving
# -------------------------------------------------------------------------------------------


def test_serve_defaults_to_localhost() -> None:
    assert web.DEFAULT_HOST == "127.0.0.1" and web.is_loopback(web.DEFAULT_HOST)
    assert (
        web.is_loopback("localhost") and web.is_loopback("::1") and not web.is_loopback("0.0.0.0")
    )


def test_served_commands(tmp_path: Path) -> None:
    argv = web.console_argv(tmp_path / "f.db", vault="v", read_only=True)
    assert argv[1:] == [
        "-m",
        "tui.cli",
        "--db",
        str((tmp_path / "f.db").resolve()),
        "--vault",
        "v",
        "--read-only",
    ]
    assert web.tour_argv("update-one", auto=True)[1:] == [
        "-m",
        "tui.cli",
        "tour",
        "update-one",
        "--auto",
    ]


def test_serve_refuses_a_port_in_use_in_one_line(contoso_db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(Refused, match="cannot listen on 127.0.0.1"):
            web.check_port("127.0.0.1", port)
        code, _out, err = run_cli("serve", "--db", str(contoso_db), "--port", str(port))
    assert code == 1 and err.count("\n") == 1


def test_serve_auto_needs_a_tour() -> None:
    code, _out, err = run_cli("serve", "--auto")
    assert code == 2 and "--auto goes with --tour" in err


# -- README screenshots
# -----------------------------------------------------------------------------------


async def test_screenshot_script_draws_from_the_console(tmp_path: Path) -> None:
    import importlib.util
    import sys

    script = Path(__file__).resolve().parents[2] / "docs" / "make_screenshots.py"
    spec = importlib.util.spec_from_file_location("make_screenshots", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    written = await module.make(["console"], out=tmp_path)
    assert [p.name for p in written] == ["console.svg"]
    assert "Replicated" in written[0].read_text() and "web-prod-01" in written[0].read_text()
    assert {s.name for s in module.SHOTS} >= {"console", "tour"}
