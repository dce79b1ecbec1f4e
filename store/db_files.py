"""The database file as the operating system sees it, before SQLite does: only a regular file of
ours is opened for writing, a new one is created private (0600), a path is handed to SQLite as a
URI that means that path, and a read-only open writes nothing beside the file where it cannot."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from store.errors import BadInput

SIDECARS = ("-wal", "-shm")
"""SQLite's files beside a WAL database (created with the database file's permission bits)."""

FILE_MODE = 0o600
"""Every database file this program creates: the user's only (SQLite gives its -wal and -shm the
same bits). The default database's folder is 0700 (tui/cli/first_run.py)."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SIDECARS]


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _owner(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def inspect(path: Path, *, write: bool) -> os.stat_result | None:
    """The file's status (None: nothing there). Refuses, in one line, anything SQLite must not be
    given: a directory, FIFO (opening one blocks for ever), device or socket, directly or through a
    symlink; a dangling symlink (SQLite would create its target); and, to write, a file or sidecar
    that belongs to another user (one planted in a shared folder) or is not a regular file."""
    link = f" (a symlink to {os.readlink(path)})" if path.is_symlink() else ""
    try:
        found = path.stat()
    except FileNotFoundError:
        if link:
            raise BadInput(
                f"{path}: is a symlink to {os.readlink(path)}, which does not exist"
            ) from None
        return None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be opened ({exc.strerror})") from None
    if not stat.S_ISREG(found.st_mode):
        raise BadInput(f"{path}: is {_kind(found.st_mode)}{link}, not a database file")
    if write:
        _mine(path, found, link)
        for side in sidecars(path):
            try:
                side_found = side.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(side_found.st_mode):
                raise BadInput(
                    f"{side}: is {_kind(side_found.st_mode)}, not SQLite's own file; remove it"
                )
            _mine(side, side_found, "")
    return found


def _mine(path: Path, found: os.stat_result, link: str) -> None:
    if found.st_uid != os.geteuid():
        raise BadInput(
            f"{path}: belongs to {_owner(found.st_uid)}{link}, not to you; refusing to write to "
            "it (use --read-only to look, or a database of your own)"
        )


def create(path: Path) -> None:
    """A new empty database file, ours and private, never through a symlink (one that appears
    between the check and the creation is refused by O_EXCL | O_NOFOLLOW)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        raise BadInput(f"{path}: appeared while it was being created; try again") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be created ({exc.strerror})") from None
    os.close(fd)


@contextlib.contextmanager
def removed_on_failure(path: Path) -> Iterator[None]:
    """A database file the block creates is removed (with its sidecars) when the block fails: a
    failed load leaves no half-made database behind. One that was there before is left alone."""
    new = not os.path.lexists(path)
    try:
        yield
    except BaseException:
        if new:
            for file in (path, *sidecars(path)):
                file.unlink(missing_ok=True)
        raise


def uri(path: Path, *, read_only: bool, live: bool = True) -> str:
    """The SQLite URI of exactly `path` (`#`, `?`, `%` and spaces are quoted), never creating it.

    Read-only with no -wal and -shm beside the file (no writer has it open: the file holds it all),
    it is opened immutable, with no lock and nothing created beside it, when a reader would have
    to create them and cannot (a read-only folder or medium), must not (a file it cannot write:
    they would be as unwritable, and break the next read-write open), or need not (not `live`: a
    one-shot read, over before a writer that starts now could checkpoint). A live reader (the
    read-only console) sees other processes' commits, which needs them."""
    base = path.absolute().as_uri()
    if not read_only:
        return f"{base}?mode=rw"
    if any(side.exists() for side in sidecars(path)):
        return f"{base}?mode=ro"
    if not live or not (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)):
        return f"{base}?mode=ro&immutable=1"
    return f"{base}?mode=ro"


def check_writable(path: Path) -> None:
    """Opening to write: the file itself, and its folder when SQLite must create -wal and -shm
    there."""
    if not os.access(path, os.W_OK):
        raise BadInput(
            f"{path}: database file is read-only (use --read-only to look without changing)"
        )
    missing = [side for side in sidecars(path) if not side.exists()]
    if missing and not os.access(path.parent, os.W_OK):
        raise BadInput(
            f"{path}: its folder {path.parent} is read-only, and SQLite must create"
            f" {missing[0].name} there to write (use --read-only to look without changing)"
        )
    for side in sidecars(path):
        if side.exists() and not os.access(
            side, os.W_OK
        ):  # left read-only by an old read-only open
            os.chmod(side, FILE_MODE)


def lock_holders(path: Path) -> list[str]:
    """Other processes holding a lock on the database or its -shm (where SQLite keeps WAL's write
    lock), as `pid N: command`, from Linux's /proc/locks; empty where that cannot be known."""
    wanted = set()
    for file in (path, *sidecars(path)):
        try:
            found = file.stat()
        except OSError:
            continue
        wanted.add(f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino}")
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    pids = sorted(
        {
            int(fields[4])
            for fields in (line.split() for line in table.splitlines())
            if len(fields) > 5 and fields[5] in wanted and fields[4].isdigit()
        }
        - {os.getpid()}
    )
    return [f"pid {pid}: {_command(pid)}" for pid in pids]


def _command(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    return " ".join(w.decode(errors="replace") for w in words if w)[:120] or "?"
