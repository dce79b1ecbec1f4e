"""When frames are drawn: a filter's echo and rows in one frame, the first screen's frames that
would be redone skipped, the app styled once at start."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen


def send_repaints(screen: Screen) -> None:
    """Hand `screen` now every repaint its widgets asked for, so that one frame shows them all.

    Textual sends a widget's repaint to its screen when the widget's own message loop is next
    idle: a handler that changes several widgets (a filter's new rows, counts and overview) while
    the focused widget echoes a key would otherwise get two frames, the echo alone first, as the
    screen draws as soon as the first widget's repaint arrives. `Widget._check_refresh` is what
    that idle runs (Textual 8.2.8, pinned); the compositor's visible widgets include the
    scrollbars, whose range follows a new row count."""
    for widget in list(screen._compositor.visible_widgets):
        if widget._repaint_required:
            widget._check_refresh()


class StartScreen(Screen):
    """A screen shown first at start-up: it draws no frame that cannot be seen or is about to be
    redone, and draws the whole screen as soon as its first layout is done."""

    def _compositor_refresh(self) -> None:
        # Textual renders an update inside the mode's mount batch (`App._display` drops it), and
        # partial ones while the whole screen's repaint is pending: the dirty regions stay in the
        # compositor for the frame that shows them.
        app = self.app
        if (
            self is app.screen
            and not app.is_inline
            and (app._batch_count or self._repaint_required)
        ):
            self._dirty_widgets.clear()
            return
        super()._compositor_refresh()

    def _refresh_layout(self, size=None, scroll: bool = False) -> None:
        super()._refresh_layout(size, scroll)
        # The pending whole-screen repaint now, as the update timer's next tick would.
        app = self.app
        if self._repaint_required and self.is_current and not (app._batch_count or app.is_inline):
            self._repaint_required = False
            self._dirty_widgets.add(self)
            self._compositor.update_widgets(self._dirty_widgets)
            super()._compositor_refresh()


def style_app_first(app: App) -> None:
    """Style the app before its first screen, and start its CSS count where a new screen's starts:
    Textual then does not refresh the CSS (parse every source again) for the mode's first screen.
    A CSS change after that (a theme) still counts, and restyles every screen."""
    app.stylesheet.apply(app)
    app._css_update_count = -1
