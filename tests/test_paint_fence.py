"""The fence around Textual's internals: only `tui/paint/` names a private Textual API, and with
`ASR_CONSOLE_PAINT=stock` the console runs every screen without loading a module that does."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parents[1]
FENCE = ROOT / "tui" / "paint"
ISSUE_GREP = re.compile(r"textual\._|\._compositor|_css_update_count|_start_widget|_scroll_update")


def textual_private_names() -> set[str]:
    """Every underscore name Textual's own source defines (methods, attributes, module names)."""
    source = Path(textual.__file__).parent
    names = {p.stem for p in source.rglob("_*.py")}
    for path in source.rglob("*.py"):
        names |= set(re.findall(r"(?:def |self\.)(_[a-z]\w*)", path.read_text()))
    return names


def fenced_names() -> set[str]:
    """The Textual internals the fence uses: its underscore attributes and methods that Textual
    defines (its own helpers, `_framed` and the like, are not Textual's)."""
    used: set[str] = set()
    for path in FENCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                used.add(node.attr)
            elif isinstance(node, ast.FunctionDef | ast.ImportFrom):
                used.add(
                    node.name
                    if isinstance(node, ast.FunctionDef)
                    else (node.module or "").split(".")[-1]
                )
                if isinstance(node, ast.ImportFrom):
                    used |= {alias.name for alias in node.names}
    return {
        name for name in used if name.startswith("_") and not name.startswith("__")
    } & textual_private_names()


def outside_the_fence() -> list[Path]:
    return [p for p in (ROOT / "tui").rglob("*.py") if FENCE not in p.parents]


def test_no_module_outside_the_fence_names_a_textual_internal() -> None:
    internals = fenced_names()
    assert {"_compositor", "_get_renders", "_scroll_update", "_styles_cache"} <= internals
    named = re.compile(r"(?:\.|def )(" + "|".join(sorted(internals)) + r")\b")
    offenders = []
    for path in outside_the_fence():
        text = path.read_text()
        for n, line in enumerate(text.splitlines(), 1):
            if ISSUE_GREP.search(line) or named.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or any(part.startswith("_") for part in node.module.split(".")):
                    offenders.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module} import ..."
                    )
    assert offenders == []


STOCK_SESSION = """
import asyncio, sqlite3, sys
from tests.waiting import until
from tui.widgets.key_bar import KeyBar
from tui.app import ConsoleApp

async def main(db):
    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("ItemTable")
        await until(pilot, lambda: app.screen.query(KeyBar), "the key footer (public API only)")
        writer = sqlite3.connect(db)
        writer.execute("UPDATE items SET status = 'updating' WHERE id = ?", (table.highlighted.id,))
        writer.commit()
        writer.close()
        app.poll_changes()
        await until(pilot, lambda: table.highlighted.status == "updating", "the live refresh")
        await pilot.press("slash", *"sql", "enter")
        await until(pilot, lambda: table.query.text == "sql", "the filter applied")
        await pilot.press("escape", "s")
        await until(pilot, lambda: table.query.sort != "name", "the sort")
        for key, screen in (("j", "JobsScreen"), ("a", "AppliancesScreen"),
                            ("comma", "SettingsScreen"), ("w", "RolloutsScreen")):
            await pilot.press(key)
            await until(pilot, lambda s=screen: type(app.screen).__name__ == s, screen)
        await pilot.press("j", "f")
        jobs = app.screen.query_one("JobTable")
        await until(pilot, lambda: jobs.query.state, "the jobs state filter")
    print(",".join(sorted(m for m in sys.modules if m.startswith("tui.paint"))))

asyncio.run(main(sys.argv[1]))
"""


def test_the_stock_path_runs_every_screen_without_a_fenced_module(contoso_db: Path) -> None:
    env = {**os.environ, "ASR_CONSOLE_PAINT": "stock"}
    out = subprocess.run(
        [sys.executable, "-c", STOCK_SESSION, str(contoso_db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "tui.paint"


def test_a_paint_setting_that_is_not_one_is_a_one_line_error(contoso_db: Path) -> None:
    env = {**os.environ, "ASR_CONSOLE_PAINT": "fast,-no-such-hook"}
    out = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(contoso_db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert out.returncode == 2
    assert (
        out.stderr.count("\n") == 1
        and "ASR_CONSOLE_PAINT" in out.stderr
        and "-no-such-hook" in out.stderr
    )
    assert out.stdout == ""


def test_every_textual_method_the_fence_overrides_is_still_there_with_its_parameters() -> None:
    """A Textual upgrade that renames or reshapes a method a hook overrides would leave the
    override dead (the fast path quietly gone) or called wrongly: it fails here first."""
    import inspect

    from tui.paint.compositor import LineCompositor
    from tui.paint.frames import StartScreen
    from tui.paint.line_cache import FramedLineCache
    from tui.paint.scrolling import LineScrollBar

    overrides = {
        LineCompositor: ("render_partial_update", "_get_renders"),
        StartScreen: ("_compositor_refresh", "_refresh_layout"),
        FramedLineCache: ("render", "render_line"),
        LineScrollBar: ("_render_content",),
    }
    for ours, names in overrides.items():
        base = ours.__mro__[1]
        assert base.__module__.startswith("textual"), ours
        for name in names:
            assert name in vars(ours) and hasattr(base, name), f"{base.__name__}.{name}"
            theirs = list(inspect.signature(getattr(base, name)).parameters)
            mine = list(inspect.signature(vars(ours)[name]).parameters)
            named = [p for p in mine if p not in ("args", "kwargs")]
            assert theirs[: len(named)] == named, f"{base.__name__}.{name}{theirs} against {mine}"
    # The keywords the framed line cache reads from Textual's call of `render`.
    keywords = inspect.signature(FramedLineCache.__mro__[1].render).parameters
    assert {"content_size", "padding", "opacity"} <= set(keywords)
