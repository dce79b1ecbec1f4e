"""--db as a careless operator or another user can make it: paths that mean something in a URI,
things that are not regular files, symlinks, files and sidecars of another user, read-only
folders and files. Real processes; each case either works on exactly the file named, or is one
line, exit 2, with nothing written anywhere."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from reliability_kit import checkpoint, file_digest, load_world, run_cli, worlds

OTHER_UID = 65534
"""`nobody`: the other user of the shared-folder cases (run as root, or they are skipped)."""


def _world() -> dict:
    return worlds.world(items=[worlds.machine("web-01"), worlds.machine("web-02")])


def _listing(folder: Path) -> dict[str, str | None]:
    return {
        p.name: (
            file_digest(p)
            if p.is_file() and not p.is_symlink()
            else os.readlink(p)
            if p.is_symlink()
            else "other"
        )
        for p in sorted(folder.iterdir())
    }


# -- paths as URIs
# ---------------------------------------------------------------------------------------------

NAMES = [
    "fleet#backup.db",
    "fleet?mode=rwc.db",
    "fleet%20copy.db",
    "fleet%23.db",
    "my fleet.db",
    "fleet&x=1.db",
    "#.db",
    "fleet;immutable=1.db",
    "ünïcödé fleet.db",
]
DECOYS = ["fleet", "fleet copy.db", "fleet#.db"]
"""What a URI built without quoting opens instead (`#` and `?` end the path, `%20` is a space)."""


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "read-write"])
def test_a_path_that_means_something_in_a_uri_opens_exactly_that_file(
    name: str, read_only: bool, tmp_path: Path
) -> None:
    for decoy in DECOYS:
        checkpoint(load_world(tmp_path / decoy, worlds.world(items=[worlds.machine("decoy-01")])))
    db = load_world(tmp_path / name, _world())
    checkpoint(db)
    before = _listing(tmp_path)
    flag = ("--read-only",) if read_only else ()
    ran = run_cli("items", "--json", "--db", str(db), *flag)
    assert ran.code == 0, ran.err
    assert sorted(i["name"] for i in ran.json) == ["web-01", "web-02"], f"{name}: read another file"
    if read_only:
        assert _listing(tmp_path) == before, f"{name}: --read-only changed or created files"
    else:
        assert run_cli("update", "web-01", "--db", str(db)).code == 0
        assert run_cli("item", "web-01", "--json", "--db", str(db)).json["status"] == "Updating"
        after = _listing(tmp_path)
        assert {k: after[k] for k in DECOYS} == {k: before[k] for k in DECOYS}, "a decoy changed"
        assert set(after) == set(before), "a stray file appeared"


@pytest.mark.parametrize("name", ["new#fleet.db", "new?fleet.db", "new%41.db", "new fleet.db"])
def test_demo_load_creates_exactly_the_named_file(name: str, tmp_path: Path) -> None:
    ran = run_cli("demo", "load", "--db", str(tmp_path / name))
    assert ran.code == 0, ran.err
    assert [p.name for p in tmp_path.iterdir()] == [name]


# -- not regular files
# -----------------------------------------------------------------------------------------


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "fleet.db")
    return tmp / "fleet.db"


def _socket(tmp: Path) -> Path:
    path = tmp / "fleet.db"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
    return path


def _link_to(target: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        (tmp / "fleet.db").symlink_to(target)
        return tmp / "fleet.db"

    return make


def _link_to_folder(tmp: Path) -> Path:
    (tmp / "folder").mkdir()
    (tmp / "fleet.db").symlink_to(tmp / "folder")
    return tmp / "fleet.db"


NOT_FILES = {
    "fifo": _fifo,
    "socket": _socket,
    "symlink-to-dev-null": _link_to("/dev/null"),
    "symlink-to-dev-zero": _link_to("/dev/zero"),
    "dangling-symlink": _link_to("elsewhere/never.db"),
    "dangling-symlink-same-folder": _link_to("planted.db"),
    "symlink-to-a-folder": _link_to_folder,
}
COMMANDS = {
    "read": ("items",),
    "read-only": ("items", "--read-only"),
    "write": ("update", "web-01"),
    "load": ("demo", "load"),
    "load-force": ("demo", "load", "--force"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_what_is_not_a_regular_file_is_refused_without_hanging_or_writing(
    kind: str, command: str, tmp_path: Path
) -> None:
    path = NOT_FILES[kind](tmp_path)
    before = _listing(tmp_path), _beside_devices()
    dev_null = os.stat("/dev/null")
    ran = run_cli(*COMMANDS[command], "--db", str(path), timeout=60)
    assert (ran.code, ran.one_line_error()) == (2, True), ran.err
    assert _listing(tmp_path) == before[0], "something was created or changed"
    assert _beside_devices() == before[1], "SQLite's files appeared beside a device"
    assert (
        stat.S_ISCHR(os.stat("/dev/null").st_mode)
        and os.stat("/dev/null").st_rdev == dev_null.st_rdev
    )


def _beside_devices() -> dict[str, float]:
    """What SQLite would create beside /dev/null or /dev/zero (compared before and after, not
    required absent: an older version may have left one on this machine)."""
    found = {}
    for device in ("/dev/null", "/dev/zero"):
        for suffix in ("-journal", "-wal", "-shm"):
            side = Path(device + suffix)
            if side.exists():
                found[str(side)] = side.stat().st_mtime
    return found


# -- another user's files
# --------------------------------------------------------------------------------------


@pytest.fixture
def as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("making a file of another user needs root")


@pytest.mark.parametrize("planted", ["empty", "fleet", "wal"])
def test_a_file_planted_by_another_user_is_not_written(
    planted: str, tmp_path: Path, as_root: None
) -> None:
    """A shared sticky folder (/tmp): another user pre-creates the name (or its -wal) we will
    use."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    os.chmod(shared, 0o1777)
    db = shared / "fleet.db"
    if planted == "empty":
        db.touch()
        os.chown(db, OTHER_UID, OTHER_UID)
    else:
        load_world(db, _world())
        checkpoint(db)
        victim = db.with_name("fleet.db-wal") if planted == "wal" else db
        victim.touch()
        os.chown(victim, OTHER_UID, OTHER_UID)
    before = _listing(shared)
    for args in (("demo", "load", "--force"), ("update", "web-01"), ("clock", "advance", "1h")):
        ran = run_cli(*args, "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), (args, ran.err)
        assert "not to you" in ran.err, ran.err
        assert _listing(shared) == before
    if planted == "fleet":  # looking is harmless: names are data
        ran = run_cli("items", "--read-only", "--db", str(db))
        assert ran.code == 0, ran.err


# -- read-only folders and files
# -------------------------------------------------------------------------------


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a folder or a file) cannot be written, by root either (chattr +i), until the block
    ends."""
    if os.geteuid() == 0:
        if (
            shutil.which("chattr") is None
            or subprocess.run(
                ["chattr", "+i", str(path)], check=False, capture_output=True
            ).returncode
            != 0
        ):
            pytest.skip("running as root without chattr: a read-only mode does not stop root")
    else:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
        else:
            os.chmod(path, 0o755 if path.is_dir() else 0o600)


READS = [("items", "--json"), ("item", "web-01"), ("jobs",), ("plan",), ("clock",), ("appliances",)]


def test_a_database_on_read_only_media_opens_read_only_and_says_why_it_cannot_be_written(
    tmp_path: Path,
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    db = load_world(media / "fleet.db", _world())
    checkpoint(db)
    with read_only(media):
        before = _listing(media)
        for args in READS:
            ran = run_cli(*args, "--read-only", "--db", str(db))
            assert ran.code == 0, (args, ran.err)
        ran = run_cli("update", "web-01", "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), ran.err
        assert f"folder {media} is read-only" in ran.err, ran.err
        assert _listing(media) == before


def test_read_only_on_a_read_only_file_leaves_nothing_beside_it(tmp_path: Path) -> None:
    db = load_world(tmp_path / "fleet.db", _world())
    checkpoint(db)
    with read_only(db):
        for args in READS:
            ran = run_cli(*args, "--read-only", "--db", str(db))
            assert ran.code == 0, (args, ran.err)
        assert [p.name for p in tmp_path.iterdir()] == ["fleet.db"], (
            "-wal/-shm left beside a read-only file"
        )
    ran = run_cli(
        "update", "web-01", "--db", str(db)
    )  # once writable again, nothing left in the way
    assert ran.code == 0, ran.err


def test_a_read_writes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    db = load_world(tmp_path / "fleet.db", _world())
    checkpoint(db)
    before = _listing(tmp_path)
    for args in READS:
        assert run_cli(*args, "--read-only", "--db", str(db)).code == 0
    assert _listing(tmp_path) == before


def test_every_database_the_program_creates_is_private(tmp_path: Path) -> None:
    """demo load --db (under the usual umask 022) gives the same modes as the default database."""
    db = tmp_path / "fleet.db"
    old = os.umask(0o022)
    try:
        ran = run_cli("demo", "load", "--db", str(db))
        assert ran.code == 0, ran.err
        files = [db]
        assert run_cli("update", "--all-eligible", "--db", str(db)).code in (0, 1)
        files += [p for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))]
    finally:
        os.umask(old)
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert set(modes.values()) == {"0o600"}, modes


def test_an_empty_file_is_not_turned_into_a_database_by_a_read(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    for args in (("items",), ("items", "--read-only"), ("clock",), ("update", "web-01")):
        ran = run_cli(*args, "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), (args, ran.err)
        assert db.stat().st_size == 0 and [p.name for p in tmp_path.iterdir()] == ["empty.db"]
