"""First run: create the database from the demo (the default one in a private data directory)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_private_dir(path: Path) -> None:
    """The data directory, readable by the user only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def ensure_default_db(path: Path, *, private_dir: bool = True) -> str | None:
    """Create the database from the default demo, once, and say where (returns what it said, or
    None when the database was there). `private_dir`: create the default data directory (0700);
    a path the operator named must be in a folder that exists."""
    if path.exists() or path.is_symlink():
        return None
    if not private_dir and not path.parent.is_dir():
        from store.errors import BadInput

        raise BadInput(f"{path}: no such folder {str(path.parent)!r}")
    from store.demo import demo_fleet

    if private_dir:
        ensure_private_dir(path.parent)
    old = os.umask(0o077)
    try:
        fleet = demo_fleet(None)
        fleet.load(path)
    finally:
        os.umask(old)
    make_private(path)
    said = f"Created {path} from the demo fleet ({fleet.name})."
    print(said, file=sys.stderr, flush=True)
    return said


def make_private(path: Path) -> None:
    """The database and its WAL files, readable by the user only (0600)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)
