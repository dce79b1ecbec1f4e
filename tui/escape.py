"""Names are data: the two ways this program shows them safely, one for a terminal, one for JSON.
Import-light (no Rich, no Textual): the command line uses both on every start."""

from __future__ import annotations

import re

_CARET = {**{code: f"^{chr(code + 64)}" for code in range(0x20)}, 0x7F: "^?"}
"""Caret notation for C0 controls and DEL: ESC (0x1b) becomes ^[, a newline ^J."""

_JSON_UNSAFE = "[\u0080-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
"""What a terminal may act on that json.dumps(ensure_ascii=False) leaves as is: C1 controls
(CSI), soft hyphen, bidi marks and overrides, zero-width and other format characters."""


def terminal_text(value: str | None) -> str:
    """`value` with every non-printable character made visible, so data cannot drive the terminal
    (the console and the command line's text output alike; None is '').

    C0 controls and DEL use caret notation (ESC -> ``^[``); any other character Python does
    not consider printable (C1 controls, bidi overrides, zero-width marks) becomes ``?``.
    """
    if value is None:
        return ""
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else _CARET.get(ord(ch), "?") for ch in value)


def json_text(text: str) -> str:
    """JSON text for a terminal: non-Latin names stay readable, every control or format character
    json.dumps left (C1 controls such as CSI, bidi overrides) becomes \\uXXXX, so the JSON means
    the same and no terminal acts on it."""
    if text.isascii():  # nothing to escape (json.dumps already escaped C0 controls)
        return text
    # The pattern compiles on first use (`re` caches it), not in every start-up: ~0.6 ms.
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)
