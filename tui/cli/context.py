"""What every command shares without the command-line parser: the options' values (`Context`),
where the database lives, and the one-line error contract. Opening the console needs only these
(it starts without loading click; see tui/cli/__init__.py)."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from store.errors import BadInput, Refused, StoreError
from tui.escape import (
    terminal_text as safe,  # names are data: the console's escaping, in text output
)

APP_DIR_NAME = "asr-upgrade-console"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_DIR_NAME, appauthor=False)) / "fleet.db"


class Context:
    """Options gathered from the group and the sub-command (the sub-command's win)."""

    def __init__(self, db: str | None, vault: str | None, read_only: bool) -> None:
        self.db = db
        self.vault = vault
        self.read_only = read_only

    def merged(self, db: str | None, vault: str | None, read_only: bool | None) -> Context:
        return Context(db or self.db, vault or self.vault, bool(read_only) or self.read_only)

    def db_path(self) -> Path:
        return Path(self.db).expanduser() if self.db else default_db_path()

    def service(self, *, write: bool = False):
        """Open the service; a mutating command under --read-only is refused before anything
        opens."""
        from store.service import Service

        if write and self.read_only:
            raise Refused("read-only: this command would change the fleet; run without --read-only")
        path = self.db_path()
        if not path.exists() and not self.db:
            raise BadInput(
                f"{path}: no database yet; run `asr-console` once or `asr-console demo load`"
            )
        return Service.open(
            path, read_only=self.read_only, create=False, live=False
        )  # one-shot commands


def fail(message: str, code: int) -> None:
    """The error contract: one line on stderr, then exit with `code`."""
    print(f"asr-console: {safe(message)}", file=sys.stderr, flush=True)
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where ^C would be, so the same clean-up runs (the engine lease is given
    back)."""

    exit_code = 143


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated instead of ending the process on the spot
    (which left the engine lease held until it expired)."""

    def terminated(_signum: int, _frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """The store's refusals and bad input, a database that fails, ^C and a closed pipe end the
    process with one line (or quietly, for the pipe), never a traceback."""
    try:
        yield
    except StoreError as exc:
        fail(str(exc), exc.exit_code)
    except sqlite3.DatabaseError as exc:
        fail(f"database error: {exc}", 2)
    except Terminated:
        fail("terminated", Terminated.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
