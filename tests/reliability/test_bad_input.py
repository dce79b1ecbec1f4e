"""Bad input, table-driven: scenario files, command arguments and databases. Each case gets exactly
one line on stderr, exit 2, no traceback, and leaves the database exactly as it was (a hash of a
full dump, and of the file's bytes where the file is not one of ours). Most cases run in this
process (cheap); the database cases also run as real processes.

Refusals (exit 1) follow at the end: one line, and nothing written."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_kit import (
    call_cli,
    checkpoint,
    content_digest,
    file_digest,
    load_world,
    run_cli,
    worlds,
)

COMPONENTS = dict(worlds.CURRENT_COMPONENTS)
SIDECARS = ("-wal", "-shm")


def base_world() -> dict:
    return worlds.world(
        items=[
            worlds.machine("web-01"),
            worlds.machine("web-02"),
            worlds.machine("db-01", version=worlds.LATEST),
        ]
    )


# -- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """`args` may name {db}, {file} and {tmp}; `file` is written first (text or bytes, or made by a
    callable given the tmp folder and the fleet database); `target`: which database must not change.
    """

    id: str
    args: tuple[str, ...]
    file: str | bytes | Callable[[Path, Path], None] | None = None
    target: str = (
        "db"  # "db": the fleet database; "file": the file itself; "absent": {file} must not appear
    )
    real_process: bool = False


def scenario(mutate: Callable[[dict], None]) -> str:
    data = base_world()
    mutate(data)
    return json.dumps(data)


def _set(path: str, value) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _dup_item(data: dict) -> None:
    data["items"].append(dict(data["items"][0]))


def _dup_appliance(data: dict) -> None:
    data["appliances"].append(dict(data["appliances"][0]))


def _missing_component(data: dict) -> None:
    del data["appliances"][0]["components"]["push-installer"]


def _huge_scenario(tmp: Path, _db: Path) -> None:
    """A scenario file past the size cap (sparse: it costs no disk)."""
    from store.sim.scenario import SCENARIO_MAX_BYTES

    with (tmp / "huge.json").open("wb") as file:
        file.write(b'{"vaults": [')
        file.truncate(SCENARIO_MAX_BYTES + 1)


LOAD = ("demo", "load", "{file}", "--force", "--db", "{db}")

SCENARIO_CASES = [
    Case("scenario-invalid-json", LOAD, '{"vaults": ['),
    Case("scenario-empty-file", LOAD, ""),
    Case("scenario-not-an-object", LOAD, "[1, 2, 3]"),
    Case("scenario-not-utf8", LOAD, b"\xff\xfe\x00garbage\x80\x81"),
    Case("scenario-deeply-nested", LOAD, "[" * 100_000 + "]" * 100_000),
    Case("scenario-vaults-wrong-type", LOAD, scenario(_set("vaults", "vault-east"))),
    Case("scenario-version-wrong-type", LOAD, scenario(_set("items.0.agent_version", 9.66))),
    Case("scenario-bool-wrong-type", LOAD, scenario(_set("items.0.private_preview", "sometimes"))),
    Case("scenario-unknown-appliance", LOAD, scenario(_set("items.0.appliance", "appl-nowhere"))),
    Case("scenario-unknown-vault", LOAD, scenario(_set("appliances.0.vault", "vault-nowhere"))),
    Case("scenario-duplicate-machine", LOAD, scenario(_dup_item)),
    Case("scenario-duplicate-appliance", LOAD, scenario(_dup_appliance)),
    Case("scenario-bad-version", LOAD, scenario(_set("items.0.agent_version", "9.66.x.1"))),
    Case(
        "scenario-five-part-version", LOAD, scenario(_set("items.0.agent_version", "9.66.7643.1.2"))
    ),
    Case(
        "scenario-huge-version-part",
        LOAD,
        scenario(_set("items.0.agent_version", "9.66.76430000000000.1")),
    ),
    Case(
        "scenario-superscript-version",
        LOAD,
        scenario(_set("items.0.agent_version", "9.66.\u00b2.1")),
    ),
    Case("scenario-bad-time-zone", LOAD, scenario(_set("vaults.0.time_zone", "Mars/Olympus_Mons"))),
    Case(
        "scenario-huge-concurrency", LOAD, scenario(_set("vaults.0.max_concurrent_updates", 10**30))
    ),
    Case("scenario-huge-seed", LOAD, scenario(_set("seed", 2**64))),
    Case(
        "scenario-infinite-speed",
        LOAD,
        scenario(_set("clock.speed", 10**400)).replace("1" + "0" * 400, "1e400"),
    ),
    Case(
        "scenario-nan-speed",
        LOAD,
        scenario(_set("clock.speed", 1.0)).replace('"speed": 1.0', '"speed": NaN'),
    ),
    Case(
        "scenario-negative-concurrency", LOAD, scenario(_set("vaults.0.max_concurrent_updates", -1))
    ),
    Case("scenario-unknown-field", LOAD, scenario(_set("items.0.password", "hunter2"))),
    Case(
        "scenario-unknown-component",
        LOAD,
        scenario(_set("appliances.0.components.flux-capacitor", "1.0.0.0")),
    ),
    Case("scenario-missing-component", LOAD, scenario(_missing_component)),
    Case("scenario-unknown-error-code", LOAD, scenario(_set("items.0.fail_next_update", "E_NOPE"))),
    Case("scenario-bad-clock-start", LOAD, scenario(_set("clock.start", "yesterday-ish"))),
    Case("scenario-name-too-long", LOAD, scenario(_set("items.0.name", "x" * 501))),
    Case(
        "scenario-time-zone-is-a-folder",
        LOAD,
        scenario(_set("vaults.0.time_zone", "America")),
        real_process=True,
    ),
    Case(
        "scenario-appliance-zone-is-a-folder",
        LOAD,
        scenario(_set("appliances.0.time_zone", "Europe")),
    ),
    Case(
        "scenario-5000-digit-integer",
        LOAD,
        scenario(_set("seed", 7)).replace('"seed": 7', '"seed": ' + "9" * 5000),
        real_process=True,
    ),
    Case(
        "scenario-5000-digit-in-a-list",
        LOAD,
        scenario(_set("items.0.os", "x")).replace('"x"', "1" * 5000),
    ),
    Case(
        "scenario-base-date-overflows", LOAD, scenario(_set("clock", {"base_date": "9999-12-31"}))
    ),
    Case(
        "scenario-start-overflows-with-offset",
        LOAD,
        scenario(_set("clock.start", "0001-01-01T00:00:00+01:00")),
    ),
    Case(
        "scenario-machine-named-like-appliance",
        LOAD,
        scenario(_set("items.0.name", "appl-east")),
        real_process=True,
    ),
    Case(
        "scenario-too-large",
        ("demo", "load", "{tmp}/huge.json", "--force", "--db", "{db}"),
        _huge_scenario,
        real_process=True,
    ),
    Case(
        "scenario-dev-zero",
        ("demo", "load", "/dev/zero", "--force", "--db", "{db}"),
        real_process=True,
    ),
    Case(
        "scenario-fifo",
        ("demo", "load", "{tmp}/fifo.json", "--force", "--db", "{db}"),
        lambda tmp, _db: os.mkfifo(tmp / "fifo.json"),
        real_process=True,
    ),
    Case("scenario-no-such-file", ("demo", "load", "{tmp}/nope.json", "--force", "--db", "{db}")),
    Case(
        "scenario-is-a-directory",
        ("demo", "load", "{tmp}/a-folder.json", "--force", "--db", "{db}"),
        lambda tmp, db: (tmp / "a-folder.json").mkdir(),
    ),
]

ARGUMENT_CASES = [
    Case("unknown-machine", ("item", "no-such-machine", "--db", "{db}")),
    Case("unknown-machine-in-update", ("update", "web-01", "no-such-machine", "--db", "{db}")),
    Case("update-names-and-all", ("update", "web-01", "--all-eligible", "--db", "{db}")),
    Case("update-nothing", ("update", "--db", "{db}")),
    Case("unknown-job", ("job", "00000000-0000-0000-0000-000000000000", "--db", "{db}")),
    Case("retry-unknown-job", ("retry", "not-a-job", "--db", "{db}")),
    Case("cancel-unknown-job", ("cancel", "not-a-job", "--db", "{db}")),
    Case("jobs-unknown-item", ("jobs", "--item", "nobody", "--db", "{db}")),
    Case("jobs-bad-state", ("jobs", "--state", "Exploded", "--db", "{db}")),
    Case("jobs-bad-limit", ("jobs", "--limit", "0", "--db", "{db}")),
    Case("items-bad-status", ("items", "--status", "bogus", "--db", "{db}")),
    Case("unknown-vault", ("items", "--vault", "vault-nowhere", "--db", "{db}")),
    Case("bad-duration", ("clock", "advance", "5 parsecs", "--db", "{db}")),
    Case("zero-duration", ("clock", "advance", "0m", "--db", "{db}")),
    Case("negative-duration", ("clock", "advance", "-5m", "--db", "{db}")),
    Case("huge-duration", ("clock", "advance", "99999999d", "--db", "{db}")),
    Case("bad-iso-time", ("clock", "set", "next tuesday", "--db", "{db}")),
    Case("impossible-date", ("clock", "set", "2026-13-40T25:61:00Z", "--db", "{db}")),
    Case("clock-set-into-the-past", ("clock", "set", "2020-01-01T00:00:00Z", "--db", "{db}")),
    Case("clock-set-local-past", ("clock", "set", "2026-12-16T04:00:00", "--db", "{db}")),
    Case("bad-speed", ("clock", "speed", "-3", "--db", "{db}")),
    Case("nan-speed", ("clock", "speed", "nan", "--db", "{db}")),
    Case("absurd-speed", ("clock", "speed", "1e12", "--db", "{db}")),
    Case("engine-bad-duration", ("engine", "run", "--for", "forever", "--db", "{db}")),
    Case(
        "unknown-component", ("appliance", "update", "appl-east", "flux-capacitor", "--db", "{db}")
    ),
    Case(
        "unknown-appliance",
        ("appliance", "update", "appl-nowhere", "process-server", "--db", "{db}"),
    ),
    Case("show-unknown-appliance", ("appliance", "appl-nowhere", "--db", "{db}")),
    Case("registry-bad-value", ("registry", "set", "appl-east", "AutoUpdate", "7", "--db", "{db}")),
    Case(
        "registry-not-a-number",
        ("registry", "set", "appl-east", "AutoUpdate", "yes", "--db", "{db}"),
    ),
    Case(
        "registry-unknown-key", ("registry", "set", "appl-east", "Telemetry", "0", "--db", "{db}")
    ),
    Case(
        "registry-unknown-appliance",
        ("registry", "delete", "appl-nowhere", "AutoUpdate", "--db", "{db}"),
    ),
    Case("release-bad-version", ("sim", "release", "agent", "1.2.3", "--db", "{db}")),
    Case(
        "release-superscript-version", ("sim", "release", "agent", "9.67.\u00b2.1", "--db", "{db}")
    ),
    Case(
        "registry-superscript-value",
        ("registry", "set", "appl-east", "AutoUpdate", "\u00b2", "--db", "{db}"),
    ),
    Case("release-unknown-component", ("sim", "release", "warp-drive", "9.67.1.1", "--db", "{db}")),
    Case(
        "release-bad-requires",
        ("sim", "release", "agent", "9.67.1.1", "--requires", "process-server=abc", "--db", "{db}"),
    ),
    Case("sim-unknown-error-code", ("sim", "fail", "web-01", "E_NOPE", "--db", "{db}")),
    Case("sim-unknown-machine", ("sim", "pending-reboot", "no-such-machine", "--db", "{db}")),
    Case("sim-connect-unknown", ("sim", "connect", "no-such-thing", "--db", "{db}")),
    Case("auto-update-bad-choice", ("auto-update", "maybe", "--db", "{db}")),
    Case("demo-items-zero", ("demo", "load", "--items", "0", "--force", "--db", "{db}")),
    Case("demo-unknown-scenario", ("demo", "load", "atlantis", "--force", "--db", "{db}")),
    Case("name-with-newline", ("item", "evil\nasr-console: all good", "--db", "{db}")),
    Case("name-10k-chars", ("item", "n" * 10_000, "--db", "{db}")),
    Case("non-utf8-item-name", ("item", "web-\udcff", "--db", "{db}"), real_process=True),
    Case(
        "non-utf8-update", ("update", "web-01", "\udcfe\udcff", "--db", "{db}"), real_process=True
    ),
    Case("non-utf8-vault", ("items", "--vault", "\udce9ast", "--db", "{db}")),
    Case("non-utf8-filter", ("items", "--filter", "\udcc3", "--db", "{db}")),
    Case("non-utf8-clock-set", ("clock", "set", "2026-12-17T00:00:00\udcff", "--db", "{db}")),
    Case("non-utf8-sim", ("sim", "disconnect", "\udc80", "--db", "{db}")),
    Case(
        "duration-5000-digits",
        ("clock", "advance", "1" * 5000 + "d", "--db", "{db}"),
        real_process=True,
    ),
    Case(
        "clock-set-overflowing-offset",
        ("clock", "set", "9999-12-31T23:59:59-05:00", "--db", "{db}"),
    ),
    Case("clock-set-year-1", ("clock", "set", "0001-01-01T00:00:00+01:00", "--db", "{db}")),
    Case(
        "clock-set-past-the-cap",
        ("clock", "set", "2028-06-01T00:00:00Z", "--db", "{db}"),
        real_process=True,
    ),
    Case("unknown-command", ("frobnicate", "--db", "{db}")),
    Case("unknown-option", ("items", "--colour", "red", "--db", "{db}")),
]


def _not_sqlite(tmp: Path, _db: Path) -> None:
    (tmp / "notes.txt").write_text("this is a shopping list, not a database\n" * 200)


def _newer_schema(tmp: Path, db: Path) -> None:
    shutil.copy(db, tmp / "newer.db")
    conn = sqlite3.connect(tmp / "newer.db")
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('asr-upgrade-console', 'm999_from_the_future', '2031-01-01')"
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _older_schema(tmp: Path, db: Path) -> None:
    shutil.copy(db, tmp / "older.db")
    conn = sqlite3.connect(tmp / "older.db")
    with conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_reinstalled_index'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _foreign_sqlite(tmp: Path, _db: Path) -> None:
    conn = sqlite3.connect(tmp / "other-app.db")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not ours')")
    conn.commit()
    conn.close()


def _truncated(tmp: Path, db: Path) -> None:
    data = db.read_bytes()
    (tmp / "truncated.db").write_bytes(data[:4096] + b"\x00" * 3000 + data[-5000:])


def _read_only(tmp: Path, db: Path) -> None:
    shutil.copy(db, tmp / "read-only.db")
    make_read_only(tmp / "read-only.db")


def make_read_only(path: Path) -> None:
    """0444; as root (who writes regardless of modes) also immutable, or the case is skipped."""
    os.chmod(path, 0o444)
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("running as root without chattr: a 0444 file is writable to root")


DATABASE_CASES = [
    Case(
        "db-not-sqlite",
        ("items", "--db", "{tmp}/notes.txt"),
        _not_sqlite,
        target="file",
        real_process=True,
    ),
    Case(
        "db-not-sqlite-write",
        ("update", "web-01", "--db", "{tmp}/notes.txt"),
        _not_sqlite,
        target="file",
    ),
    Case(
        "db-newer-schema",
        ("items", "--db", "{tmp}/newer.db"),
        _newer_schema,
        target="file",
        real_process=True,
    ),
    Case(
        "db-newer-schema-write",
        ("update", "web-01", "--db", "{tmp}/newer.db"),
        _newer_schema,
        target="file",
    ),
    Case(
        "db-older-schema-read-only",
        ("items", "--read-only", "--db", "{tmp}/older.db"),
        _older_schema,
        target="file",
    ),
    Case(
        "db-another-apps-sqlite",
        ("items", "--db", "{tmp}/other-app.db"),
        _foreign_sqlite,
        target="file",
        real_process=True,
    ),
    Case(
        "db-truncated",
        ("items", "--db", "{tmp}/truncated.db"),
        _truncated,
        target="file",
        real_process=True,
    ),
    Case(
        "db-read-only-file",
        ("update", "web-01", "--db", "{tmp}/read-only.db"),
        _read_only,
        target="file",
        real_process=True,
    ),
    Case(
        "db-read-only-file-read", ("items", "--db", "{tmp}/read-only.db"), _read_only, target="file"
    ),
    Case(
        "db-missing-directory",
        ("items", "--db", "{tmp}/no/such/dir/fleet.db"),
        target="absent",
        real_process=True,
    ),
    Case(
        "db-missing-directory-load",
        ("demo", "load", "--db", "{tmp}/no/such/dir/fleet.db"),
        target="absent",
    ),
    Case("db-is-a-directory", ("items", "--db", "{tmp}"), target="db"),
    Case("db-missing-file", ("items", "--db", "{tmp}/never-created.db"), target="absent"),
]

ALL_CASES = SCENARIO_CASES + ARGUMENT_CASES + DATABASE_CASES

KNOWN_BUGS: dict[str, str] = {}
"""Case id -> 'BUG: ...' for a bad input the product still mishandles (strict xfail)."""


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    db = load_world(tmp_path / "fleet.db", base_world())
    checkpoint(db)
    return db


def _file_of(case: Case, tmp: Path) -> Path:
    for arg in case.args:
        if "{tmp}/" in arg:
            return Path(arg.replace("{tmp}", str(tmp)))
    return tmp / "case-input"


def _prepare(case: Case, tmp: Path, db: Path) -> tuple[list[str], Path]:
    target = tmp / "case-input.json"
    if callable(case.file):
        case.file(tmp, db)
    elif isinstance(case.file, bytes):
        target.write_bytes(case.file)
    elif isinstance(case.file, str):
        target.write_text(case.file, encoding="utf-8")
    args = [
        a.replace("{db}", str(db)).replace("{file}", str(target)).replace("{tmp}", str(tmp))
        for a in case.args
    ]
    return args, _file_of(case, tmp)


def _state(case: Case, db: Path, path: Path) -> tuple:
    if case.target == "db":
        return content_digest(db), file_digest(db)
    if case.target == "file":
        # -wal/-shm beside the file are SQLite's own (a refused open in this process keeps its
        # connection until collected; a real process removes them): the file's bytes are what count.
        return file_digest(path), sorted(
            p.name for p in path.parent.iterdir() if not p.name.endswith(SIDECARS)
        )
    return path.exists(), path.parent.exists()


def _cleanup(tmp: Path) -> None:
    if os.geteuid() == 0:
        for p in tmp.glob("*.db"):
            subprocess.run(["chattr", "-i", str(p)], capture_output=True, check=False)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.id,
            marks=(
                [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c.id])]
                if c.id in KNOWN_BUGS
                else []
            ),
        )
        for c in ALL_CASES
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    case: Case, fleet: Path, tmp_path: Path
) -> None:
    try:
        args, path = _prepare(case, tmp_path, fleet)
        before = _state(case, fleet, path)
        ran = call_cli(*args)
        after = _state(case, fleet, path)
        assert ran.exc is None, f"a traceback would reach the user: {ran.exc!r}"
        assert ran.code == 2, (ran.code, ran.err, ran.out[:300])
        assert ran.one_line_error(), repr(ran.err)
        assert "\x1b" not in ran.err
        assert after == before, "the database changed"
        if case.real_process:
            real = run_cli(*args)
            assert (real.code, real.one_line_error(), "Traceback" in real.err) == (
                2,
                True,
                False,
            ), real.err
            assert _state(case, fleet, path) == before
    finally:
        _cleanup(tmp_path)


def test_the_table_is_big_enough() -> None:
    assert len(SCENARIO_CASES) >= 10 and len(ARGUMENT_CASES) >= 15 and len(DATABASE_CASES) >= 4
    assert len({c.id for c in ALL_CASES}) == len(ALL_CASES) >= 30


# -- refusals: exit 1, one line, nothing written
# ---------------------------------------------------------


def _failed_job_world() -> dict:
    data = base_world()
    data["items"][1]["fail_next_update"] = "95517"
    return data


REFUSALS = [
    ("update-up-to-date", ("update", "db-01")),
    ("update-twice", ("update", "web-01")),
    ("retry-a-running-job", ("retry", "{running}")),
    ("cancel-a-finished-job", ("cancel", "{failed}")),
    ("release-twice", ("sim", "release", "agent", worlds.LATEST)),
    ("reinstall-while-updating", ("sim", "reinstall", "web-01")),
    ("load-over-a-fleet", ("demo", "load")),
    ("component-already-current", ("appliance", "update", "appl-east", "process-server")),
    ("read-only-update", ("update", "web-02", "--read-only")),
]

REFUSAL_BUGS: dict[str, str] = {}
"""Refusal case id -> 'BUG: ...' (strict xfail), none open."""


@pytest.fixture
def busy_fleet(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """web-01 has a running job, web-02's job failed."""
    db = load_world(tmp_path / "busy.db", _failed_job_world())
    assert call_cli("update", "web-02", "--db", str(db)).code == 0
    assert call_cli("clock", "advance", "30m", "--db", str(db)).code == 0
    ran = call_cli("update", "web-01", "--json", "--db", str(db))
    assert ran.code == 0, ran.err
    jobs = {"running": ran.json["created"][0]["id"]}
    failed = json.loads(call_cli("jobs", "--item", "web-02", "--json", "--db", str(db)).out)
    assert failed[0]["state"] == "Failed"
    jobs["failed"] = failed[0]["id"]
    checkpoint(db)
    return db, jobs


@pytest.mark.parametrize(
    "name,args",
    [
        pytest.param(
            n,
            a,
            id=n,
            marks=(
                [pytest.mark.xfail(strict=True, reason=REFUSAL_BUGS[n])]
                if n in REFUSAL_BUGS
                else []
            ),
        )
        for n, a in REFUSALS
    ],
)
def test_a_refusal_is_one_line_exit_1_and_writes_nothing(
    name: str, args: tuple[str, ...], busy_fleet: tuple[Path, dict[str, str]]
) -> None:
    db, jobs = busy_fleet
    argv = [a.format(**jobs) for a in args] + ["--db", str(db)]
    before = content_digest(db)
    ran = call_cli(*argv)
    assert ran.exc is None, repr(ran.exc)
    assert ran.code == 1, (ran.code, ran.err)
    assert ran.one_line_error(), repr(ran.err)
    assert content_digest(db) == before, "a refused command wrote to the database"
