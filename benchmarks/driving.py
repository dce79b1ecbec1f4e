"""Driving a running app the way its operator does, without Pilot's waits: keys posted as
Pilot.press
posts them, and the frames the app draws counted, so a sample ends at the repaint that shows its
result. (Pilot.press and Pilot.pause wait until the process looks idle, up to 1 s while any of its
threads works, and Pilot.pause posts a callback to every widget on the screen: their time is
Pilot's,
not the console's.)"""

from __future__ import annotations


class Frames:
    """Counts the frames the app draws (App._display), and the frames drawn while a sample's
    condition holds: a sample ends only after one of those (its result is on the screen)."""

    def __init__(self, app) -> None:
        self.app = app
        self.n = 0
        self.hits = 0
        self.condition = None
        inner = app._display

        def display(screen, renderable):
            self.n += 1
            if self.condition is not None and self.condition():
                self.hits += 1
            return inner(screen, renderable)

        app._display = display


async def send_key(app, key: str) -> None:
    """What Pilot.press does for one key, without its waits."""
    import unicodedata

    from textual import events
    from textual.app import _get_unicode_name_from_key
    from textual.keys import REPLACED_KEYS

    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)
