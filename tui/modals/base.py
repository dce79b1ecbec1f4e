"""The frame every dialog shares: centred, bordered, scrolling body, buttons on the right."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.screen import ModalScreen, ScreenResultType

from tui.scroll_keys import scroll, scroll_bindings

SCROLL_HINTS = {
    (True, False): "↓ PgDn: more below",
    (False, True): "↑ PgUp: more above",
    (True, True): "↑↓ PgUp PgDn: more above and below",
}
"""The dialog's bottom border says when its body hides lines (more below, more above)."""


class Dialog(ModalScreen[ScreenResultType]):
    """Base of the console's dialogs; subclasses set only what differs (e.g. their width).

    The scroll keys move the body (its VerticalScroll, if any) whichever button has the focus:
    on a small terminal a blocked machine's last reason or a failed job's errors are below the
    fold, and the buttons take no arrow keys of their own."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > Vertical {
        width: 90;
        max-width: 98%;
        height: auto;
        max-height: 95%;
        border: thick $primary 60%;
        border-subtitle-color: $text-accent;
        background: $panel;
        padding: 0 1;
    }
    Dialog VerticalScroll {
        height: auto;
        max-height: 70vh;
    }
    Dialog .buttons {
        height: auto;
        align-horizontal: right;
    }
    Dialog Button {
        margin-left: 1;
    }
    """
    BINDINGS = scroll_bindings("dialog", "scroll_body")

    def _body(self) -> VerticalScroll | None:
        return self.query(VerticalScroll).first() if self.query(VerticalScroll) else None

    def on_mount(self) -> None:
        body = self._body()
        if body is not None:
            self.watch(body, "scroll_y", lambda: self.show_scroll_hint(), init=False)
            self.call_after_refresh(self.show_scroll_hint)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_scroll_hint)

    def show_scroll_hint(self) -> None:
        """Say on the bottom border whether the body hides lines, and where."""
        body = self._body()
        if body is None or body.parent is None:
            return
        below = body.scroll_y < body.max_scroll_y
        above = body.scroll_y > 0
        body.parent.border_subtitle = SCROLL_HINTS.get((below, above), "")

    def action_scroll_body(self, how: str) -> None:
        body = self._body()
        if body is not None:
            scroll(body, how)
