"""The two ways a command fails: bad input (exit 2) and a refused operation (exit 1)."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the errors an operator sees as one line; `code` names the reason for scripts
    (e.g. RebootRequired), when there is one."""

    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class BadInput(StoreError):
    """The request itself is malformed or names something that does not exist."""

    exit_code = 2


class Refused(StoreError):
    """The request is well-formed but the service will not do it (blocked, busy, read-only)."""

    exit_code = 1


class DatabaseFailed(StoreError):
    """The database failed under a query (a damaged file): one line, from the command line and
    when the console stops on it."""

    exit_code = 2

    def __rich__(self) -> str:
        """What Textual prints, instead of a traceback, when the console stops on this error."""
        return f"asr-console: {self}".replace("[", "\\[")
