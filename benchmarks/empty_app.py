"""Reference for console start-up: an empty Textual app (one Label), started the same way in a
pty."""

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "empty-app-ready"


class EmptyApp(App):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)


if __name__ == "__main__":
    EmptyApp().run()
