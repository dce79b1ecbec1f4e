"""Keys as a tour names them: the key events an operator's keyboard sends, and how a panel shows
them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from textual import events
from textual.keys import format_key

CHARACTERS: dict[str, str] = {
    "slash": "/",
    "minus": "-",
    "comma": ",",
    "full_stop": ".",
    "underscore": "_",
    "space": " ",
    "question_mark": "?",
    "plus": "+",
    "equals_sign": "=",
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
}
"""Key names (Textual's) of the keys a tour presses that send a character, and that character."""

KEY_NAMES: dict[str, str] = {char: name for name, char in CHARACTERS.items() if char.isprintable()}
"""The reverse, for typed text: a character to its key name (`-` -> `minus`)."""

LABELS: dict[str, str] = {
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "comma": ",",
    "slash": "/",
}
"""How the narration panel labels a key cap."""


@dataclass(frozen=True)
class Type:
    """Text the operator types, e.g. a machine's name into the filter box."""

    text: str


Stroke = str | Type
"""One thing the operator does with the keyboard: press a key (by Textual's name) or type text."""


def typed(text: str) -> tuple[str, ...]:
    """The key names that type `text` (letters and digits are their own names)."""
    return tuple(c if c.isalnum() else KEY_NAMES[c] for c in text)


def expand(strokes: Iterable[Stroke]) -> Iterator[tuple[int, str]]:
    """Every key press of `strokes`, with the index of the stroke it belongs to."""
    for n, stroke in enumerate(strokes):
        for key in typed(stroke.text) if isinstance(stroke, Type) else (stroke,):
            yield n, key


def key_event(key: str) -> events.Key:
    """The event a terminal sends for `key`, with its character, so inputs receive typed text."""
    return events.Key(key, key if len(key) == 1 else CHARACTERS.get(key))


def label(stroke: Stroke) -> str:
    """A key cap's label (`Enter`, `Esc`, `/`, `b`), or the typed text."""
    if isinstance(stroke, Type):
        return stroke.text
    return LABELS.get(stroke) or format_key(stroke)


def describe(strokes: Iterable[Stroke]) -> str:
    """Plain words for a hint or a test message: `/ then type app-lnx-02 then Enter`."""
    parts = [f"type {s.text}" if isinstance(s, Type) else label(s) for s in strokes]
    return " then ".join(parts)
