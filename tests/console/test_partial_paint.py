"""The console repaints only what changed: what a terminal shows after those partial updates must
be what a full paint of the screen shows (tui/paint/compositor.py, tui/paint/line_cache.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.console import Console
from rich.segment import ControlType
from rich.style import Style
from waiting import until

from tui.app import ConsoleApp

Cells = list[list[tuple[str, Style | None]]]


class Terminal:
    """A grid of cells that every update the app writes is applied to, as a terminal would."""

    def __init__(self, app: ConsoleApp) -> None:
        width, height = app.size
        self.console = Console(
            width=width,
            height=height,
            force_terminal=True,
            color_system="truecolor",
            legacy_windows=False,
            safe_box=False,
        )
        self.cells: Cells = [[(" ", None)] * width for _ in range(height)]
        self.updates = 0
        inner = app._display

        def display(screen, renderable) -> None:
            if renderable is not None:
                self.apply(self.console.render(renderable))
                self.updates += 1
            return inner(screen, renderable)

        app._display = display

    def apply(self, segments) -> None:
        x = y = 0
        for segment in segments:
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            for char in segment.text:
                if char == "\n":
                    continue
                self.cells[y][x] = (char, segment.style)
                x += 1


def full_paint(app: ConsoleApp) -> Cells:
    """The screen painted whole, cell by cell."""
    rows: Cells = []
    for strip in app.screen._compositor.render_strips():
        row: list[tuple[str, Style | None]] = []
        for text, style, control in strip:
            if not control:
                row.extend((char, style) for char in text)
        rows.append(row)
    return rows


def differences(terminal: Terminal, app: ConsoleApp) -> list[str]:
    painted = full_paint(app)
    out = []
    for y, (seen, whole) in enumerate(zip(terminal.cells, painted, strict=False)):
        if seen != whole:
            out.append(
                f"line {y}: terminal {''.join(c for c, _ in seen)!r} / full paint"
                f" {''.join(c for c, _ in whole)!r}"
            )
            out.extend(
                f"  x={x}: {a!r} / {b!r}"
                for x, (a, b) in enumerate(zip(seen, whole, strict=False))
                if a != b
            )
    return out


async def test_partial_updates_leave_the_screen_a_full_paint_would(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = Terminal(app)
        # A full paint to start from (the first frames came before the terminal).
        app.screen.refresh()
        await pilot.pause()

        async def check(step: str) -> None:
            await until(
                pilot,
                lambda: not differences(terminal, app),
                lambda: (
                    f"the terminal shows a full paint after {step}:\n"
                    + "\n".join(differences(terminal, app)[:20])
                ),
            )

        await check("the first paint")
        for keys, step in (
            (("down", "down", "down"), "moving the cursor"),
            (("up", "up", "down", "up", "up"), "moving back over machines shown before"),
            (("s",), "a sort"),
            (("s", "S"), "a reversed sort"),
            (("space", "space"), "marking two machines"),
            (("2",), "a status facet"),
            (("0",), "all statuses"),
            (("o",), "hiding the overview"),
            (("o",), "showing the overview"),
            (("slash", *"sql"), "typing a filter"),
            (("escape",), "clearing the filter"),
            (("end",), "the last row"),
            (("home",), "the first row"),
        ):
            await pilot.press(*keys)
            await check(step)
        theme = app.theme  # Lines kept by their text are painted again in the new colours.
        app.theme = "textual-light" if theme != "textual-light" else "textual-dark"
        await check("a theme change")
        await pilot.press("down", "up")
        await check("moving the cursor in the new theme")
        app.theme = theme
        await check("the theme changed back")

        writer = sqlite3.connect(contoso_db)  # Another process changes a machine on screen.
        table_row = app.screen.query_one("ItemTable").row_at(2)
        writer.execute("UPDATE items SET status = 'updating' WHERE id = ?", (table_row.id,))
        writer.commit()
        writer.close()
        app.poll_changes()
        await check("a live refresh")

        await pilot.press("j")
        await check("opening the jobs screen")
        await pilot.press("f", "f")
        await check("the jobs state filter")
        assert terminal.updates > 15


def test_textual_is_the_version_the_paint_shortcuts_were_written_for() -> None:
    """tui/paint leans on Textual 8.2.8's private internals (its README lists them): a Textual
    upgrade must fail here first and have them re-checked, not paint wrong cells quietly."""
    from importlib.metadata import version

    assert version("textual") == "8.2.8"


@asynccontextmanager
async def painted_console(db: Path) -> AsyncIterator[tuple[ConsoleApp, object, Terminal]]:
    """The console on `db` (120x40, no engine), its screen painted whole onto a `Terminal`."""
    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = Terminal(app)
        app.screen.refresh()
        await until(
            pilot,
            lambda: terminal.updates and not differences(terminal, app),
            "the whole screen painted onto the terminal",
        )
        yield app, pilot, terminal


def mark_updating(db: Path, *item_ids: int) -> None:
    """Another connection marks machines Updating and commits, as the engine would."""
    writer = sqlite3.connect(db)
    writer.executemany(
        "UPDATE items SET status = 'updating' WHERE id = ?", [(i,) for i in item_ids]
    )
    writer.commit()
    writer.close()


async def test_a_live_refresh_reaches_the_terminal(contoso_db: Path) -> None:
    """The poll that reads a commit repaints the changed rows and the overview, as partial updates
    that leave the terminal what a full paint shows."""
    async with painted_console(contoso_db) as (app, pilot, terminal):
        table = app.screen.query_one("ItemTable")
        highlighted, other = table.highlighted, table.row_at(3)
        assert highlighted.status != "updating" and other.status != "updating"
        mark_updating(contoso_db, highlighted.id, other.id)  # another process commits
        app.poll_changes()

        def shown() -> bool:
            lines = ["".join(c for c, _ in row) for row in terminal.cells]
            rows = {
                line.split()[1]: line for line in lines if line.startswith("│  ")
            }  # the table's
            return (
                "Updating" in rows[highlighted.name].split("││")[0]
                and "Updating" in rows[other.name].split("││")[0]
                and any(
                    "││ Status" in line and line.rstrip(" │").endswith("Updating") for line in lines
                )
            )

        await until(pilot, shown, "both rows and the overview say Updating on the terminal")
        assert not differences(terminal, app), "\n".join(differences(terminal, app)[:20])
