"""KeyFooter shows what Textual's Footer shows: the same keys, in the same order, enabled or not,
and follows the bindings when they change (without rebuilding its keys when they did not)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from tui.widgets.key_footer import KeyFooter


class Bindings(App):
    BINDINGS = [("f1", "one", "One"), ("f2", "two", "Two"), ("f3", "three", "Three")]

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer = footer
        self.two_enabled = True

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield self.footer()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return None if action == "two" and not self.two_enabled else True  # None: shown dimmed

    def action_one(self) -> None: ...

    def action_two(self) -> None: ...

    def action_three(self) -> None: ...


def shown(app: App) -> list[tuple[str, str, bool, bool]]:
    return [(k.key_display, k.description, k.has_class("-disabled"), k.has_class("-compact"))
            for k in app.query(FooterKey)]


async def keys_of(footer: type[Footer]) -> tuple[list, list, bool]:
    app = Bindings(footer)
    async with app.run_test() as pilot:
        await pilot.pause()
        before = shown(app)
        widgets = list(app.query(FooterKey))
        app.query_one("#second").focus()  # The keys on show stay the same.
        await pilot.pause()
        kept = widgets == list(app.query(FooterKey))
        app.two_enabled = False
        app.refresh_bindings()
        await pilot.pause()
        return before, shown(app), kept


async def test_key_footer_shows_and_follows_what_footer_does() -> None:
    textual_before, textual_after, _ = await keys_of(Footer)
    ours_before, ours_after, kept = await keys_of(KeyFooter)
    assert [d for _, d, _, _ in ours_before][:3] == ["One", "Two", "Three"]
    assert ours_before == textual_before
    assert ours_after == textual_after
    assert ("f2", "Two", True, False) in ours_after
    assert kept  # Moving the focus did not rebuild the footer's keys.
