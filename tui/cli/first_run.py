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
    from store.db import open_db
    from store.db_files import removed_on_failure
    from store.sim.loader import load_scenario
    from store.sim.scenario import read_scenario
    from tui.cli.common import scenario_path

    if private_dir:
        ensure_private_dir(path.parent)
    old = os.umask(0o077)
    try:
        scenario = scenario_path(None)
        world = read_scenario(scenario)
        with removed_on_failure(path):
            database = open_db(path)
            try:
                load_scenario(database, world, source=str(scenario))
            finally:
                database.close()
    finally:
        os.umask(old)
    make_private(path)
    said = f"Created {path} from the demo fleet ({scenario.stem})."
    print(said, file=sys.stderr, flush=True)
    return said


def make_private(path: Path) -> None:
    """The database and its WAL files, readable by the user only (0600)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)
