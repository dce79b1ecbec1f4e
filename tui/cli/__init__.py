"""asr-console: the console with no sub-command; headless sub-commands for scripts and tests.

Opening the console is the common start and needs no parser: `console_options` recognises its
three options and the console opens without loading click (what that saves: benchmarks/README.md,
"Figures behind constants"). Anything else (a sub-command, --help, a malformed option) goes to click
(tui/cli/group.py), which owns usage errors and help."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NamedTuple


class ConsoleOptions(NamedTuple):
    db: str | None = None
    vault: str | None = None
    read_only: bool = False


def console_options(args: Sequence[str]) -> ConsoleOptions | None:
    """The options of a plain console start (`--db PATH`, `--vault NAME`, their `=` forms,
    `--read-only`; the last of a repeated option wins, as in click), or None for anything else."""
    found = ConsoleOptions()
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--read-only":
            found = found._replace(read_only=True)
            continue
        name, eq, value = arg.partition("=")
        if name not in ("--db", "--vault"):
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None  # click says what is wrong with it
        found = found._replace(**{name[2:]: value})
    return found


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: every failure is one line on stderr; 2 for bad input, 1 for a refusal."""
    args = list(sys.argv[1:] if argv is None else argv)
    _check_utf8(args)
    options = console_options(args)
    if options is None:
        from tui.cli.group import run

        run(args)
        return
    import gc

    # the console's imports build no garbage cycles: run_console freezes them, then collects
    gc.disable()
    from tui.cli.context import Context, one_line_errors
    from tui.launch import run_console

    with one_line_errors():
        run_console(Context(options.db, options.vault, options.read_only))


def _check_utf8(args: list[str]) -> None:
    """Bad input, before any command runs: an argument with bytes that are not UTF-8 (Python keeps
    them as lone surrogates, which SQLite, JSON and the terminal all refuse, mid-command)."""
    for n, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            print(
                f"asr-console: argument {n} ({str(raw)[2:-1]}) is not valid UTF-8; names, times and"
                " paths must be",
                file=sys.stderr,
                flush=True,
            )
            sys.exit(2)


def __getattr__(name: str):
    if name == "cli":  # the click group, for introspection (tests list every command)
        from tui.cli.group import cli

        return cli
    raise AttributeError(name)
