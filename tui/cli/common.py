"""Shared options, the database location, output helpers and the one-line error contract."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import click

from tui.cli.context import Context, fail, safe  # noqa: F401 (the command modules import them from here)


def db_options(func: Callable) -> Callable:
    """--db, --vault and --read-only, accepted before or after a sub-command's own arguments."""
    func = click.option("--db", "db", type=click.Path(dir_okay=False), default=None,
                        help="Database file (default: the user's data directory).")(func)
    func = click.option("--vault", "vault", default=None, help="Vault name, where the database holds several.")(func)
    func = click.option("--read-only", "read_only", is_flag=True, default=None,
                        help="Refuse every change.")(func)
    return func


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def emit_json(value: Any) -> None:
    """JSON for scripts: non-Latin names stay readable, but every control or format character
    (C1 controls such as CSI, bidi overrides) is escaped as \\uXXXX so no terminal acts on it."""
    import json  # Here: opening the console never writes json.

    click.echo(_terminal_safe(json.dumps(_plain(value), indent=2, ensure_ascii=False)))


def emit_json_array(elements: Iterable[str]) -> None:
    """A long JSON list (a bare array) of elements already encoded as compact JSON text, one per
    line, escaped as `emit_json` does: 100,000 items print in a fraction of a second."""
    lines = list(elements)
    click.echo(_terminal_safe("[\n  " + ",\n  ".join(lines) + "\n]" if lines else "[]"))


def _terminal_safe(text: str) -> str:
    if text.isascii():  # nothing to escape (json.dumps already escaped C0 controls)
        return text
    # The pattern compiles on first use (`re` caches it), not in every start-up: ~0.6 ms.
    return re.sub(_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


_UNSAFE = "[\u0080-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):  # a pydantic model (not imported here: the console never needs it)
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def table(rows: list[list[str]], headers: list[str]) -> None:
    cells = [[safe(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
