"""The console's colours follow the theme (screens are painted in its $surface): at start, after a
theme change, and on screens opened later (the app styles itself before its first screen, and
skips Textual's restyling of it: `ConsoleApp.on_load`)."""

from __future__ import annotations

from pathlib import Path

from textual.color import Color

from tui.app import ConsoleApp


def theme_surface(app: ConsoleApp) -> Color:
    return Color.parse(app.get_css_variables()["surface"])


async def test_screens_take_the_theme_at_start_after_a_change_and_when_opened_later(
    contoso_db: Path,
) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.styles.background == theme_surface(app)
        before = app.screen.styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert app.screen.styles.background == theme_surface(app) != before
        await pilot.press("j")  # the jobs screen is created now, in the new theme
        await pilot.pause()
        assert app.screen.styles.background == theme_surface(app)
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.styles.background == theme_surface(app)
