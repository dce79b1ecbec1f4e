"""Scenario files: bad ones are refused with one line and write nothing; the Contoso demo is
complete."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from store.catalog import DEFAULT_RELEASES
from store.db import open_db
from store.engine.status import AgentFacts, agent_blockers, update_status
from store.errors import BadInput, Refused
from store.sim.loader import load_scenario
from store.sim.scenario import read_scenario

CONTOSO = Path(__file__).resolve().parents[2] / "demo_data" / "contoso.json"
LATEST = {
    "process-server": "9.66.7614.1",
    "proxy-server": "1.44.9645.8268",
    "replication-service": "1.45.9649.18472",
    "reprotection-server": "1.48.9649.18457",
    "recovery-services-agent": "2.0.9955.0",
    "site-recovery-provider": "5.25.904.11",
    "push-installer": "1.47.9649.18387",
}
BASE = {
    "description": "small valid fleet",
    "vaults": [{"name": "dr-test", "time_zone": "Europe/London"}],
    "appliances": [{"name": "appl-01", "vault": "dr-test", "components": LATEST}],
    "items": [
        {
            "name": "web-prod-01",
            "os": "Windows Server 2019",
            "appliance": "appl-01",
            "agent_version": "9.65.7417.1",
        },
        {
            "name": "db-prod-01",
            "os": "RHEL 8.6",
            "appliance": "appl-01",
            "agent_version": "9.66.7643.1",
        },
        {
            "name": "app-prod-01",
            "os": "Ubuntu 22.04 LTS",
            "appliance": "appl-01",
            "agent_version": "9.64.7374.1",
        },
    ],
    "jobs": [{"item": "app-prod-01", "state": "InProgress"}],
}


def _set(path: str, value: object) -> Callable[[dict], None]:
    """A mutation setting the dotted path (list indices as numbers) to value; `...` deletes it."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def mutate(doc: dict) -> None:
        node = doc
        for p in parents:
            node = node[p]
        if value is ...:
            del node[last]
        else:
            node[last] = value

    return mutate


def _releases(doc: dict) -> None:
    doc["releases"] = [
        {"component": "agent", "version": "9.66.7643.1", "released": "2025-12-16"},
        {"component": "agent", "version": "9.66.7643.1", "released": "2025-12-17"},
    ]


# id, mutation of BASE (or raw file text), field path named in the message, words of the problem
READ_CASES = [
    ("invalid-json", '{"vaults": [', None, "invalid JSON at line 1 column 13"),
    ("not-an-object", "[]", None, "valid dictionary"),
    (
        "wrong-type-bool",
        _set("items.1.pending_reboot", "sometimes"),
        "items.1.pending_reboot",
        "valid boolean",
    ),
    (
        "wrong-type-version",
        _set("items.0.agent_version", 9.66),
        "items.0.agent_version",
        "valid string",
    ),
    ("missing-required", _set("items.2.os", ...), "items.2.os", "Field required"),
    ("missing-vaults", _set("vaults", ...), "vaults", "Field required"),
    ("empty-vaults", _set("vaults", []), "vaults", "at least 1 item"),
    ("unknown-field", _set("items.0.colour", "blue"), "items.0.colour", "unknown field"),
    ("unknown-top-field", _set("machines", []), "machines", "unknown field"),
    (
        "unknown-appliance",
        _set("items.1.appliance", "appl-nowhere"),
        "items.1.appliance",
        "unknown appliance 'appl-nowhere'",
    ),
    (
        "unknown-vault",
        _set("appliances.0.vault", "dr-nowhere"),
        "appliances.0.vault",
        "unknown vault 'dr-nowhere'",
    ),
    ("unknown-job-item", _set("jobs.0.item", "ghost-01"), "jobs.0.item", "unknown item 'ghost-01'"),
    (
        "duplicate-item",
        _set("items.2.name", "web-prod-01"),
        "items.2.name",
        "duplicate name 'web-prod-01'",
    ),
    (
        "duplicate-vault",
        lambda d: d["vaults"].append(dict(d["vaults"][0])),
        "vaults.1.name",
        "duplicate name",
    ),
    (
        "two-jobs-one-item",
        lambda d: d["jobs"].append({"item": "app-prod-01", "state": "InProgress"}),
        "jobs.1.item",
        "already has a job",
    ),
    (
        "bad-version",
        _set("items.1.agent_version", "9.66.7643"),
        "items.1.agent_version",
        "not a four-part version",
    ),
    (
        "bad-version-text",
        _set("items.0.version_at_reboot", "latest"),
        "items.0.version_at_reboot",
        "not a four-part version",
    ),
    (
        "bad-component-version",
        _set("appliances.0.components.process-server", "v9"),
        "appliances.0.components",
        "not a four-part version",
    ),
    (
        "bad-time-zone",
        _set("vaults.0.time_zone", "Mars/Olympus_Mons"),
        "vaults.0.time_zone",
        "unknown time zone",
    ),
    (
        "bad-appliance-time-zone",
        _set("appliances.0.time_zone", "EST5"),
        "appliances.0.time_zone",
        "unknown time zone",
    ),
    (
        "unknown-component",
        _set("appliances.0.components.data-replication-agent", "1.0.0.0"),
        "appliances.0.components",
        "unknown component 'data-replication-agent'",
    ),
    (
        "missing-component",
        _set("appliances.0.components.push-installer", ...),
        "appliances.0.components",
        "missing component 'push-installer'",
    ),
    (
        "bad-autoupdate-value",
        _set("appliances.0.registry", {"AutoUpdate": 2}),
        "appliances.0.registry",
        "AutoUpdate must be a DWORD 0 or 1",
    ),
    (
        "bad-autoupdate-type",
        _set("appliances.0.registry", {"AutoUpdate": "off"}),
        "appliances.0.registry.AutoUpdate",
        "valid integer",
    ),
    (
        "unknown-registry-value",
        _set("appliances.0.registry", {"AutoUpgrade": 0}),
        "appliances.0.registry",
        "unknown registry value 'AutoUpgrade'",
    ),
    (
        "bad-health",
        _set("items.0.replication_health", "Degraded"),
        "items.0.replication_health",
        "'Healthy'",
    ),
    ("bad-job-state", _set("jobs.0.state", "Running"), "jobs.0.state", "'InProgress'"),
    ("empty-name", _set("items.0.name", ""), "items.0.name", "at least 1 character"),
    (
        "negative-minutes",
        _set("jobs.0.started_minutes_ago", -5),
        "jobs.0.started_minutes_ago",
        "greater than or equal to 0",
    ),
    (
        "huge-minutes",
        _set("jobs.0.started_minutes_ago", 10**12),
        "jobs.0.started_minutes_ago",
        "less than or equal to",
    ),
    ("huge-seed", _set("seed", 2**40), "seed", "less than or equal to 2147483648"),
    (
        "zero-concurrency",
        _set("vaults.0.max_concurrent_updates", 0),
        "vaults.0.max_concurrent_updates",
        "greater than or equal to 1",
    ),
    (
        "infinite-speed",
        json.dumps(BASE)[:-1] + ', "clock": {"speed": 1e400}}',
        "clock.speed",
        "less than or equal to 100000",
    ),
    (
        "nan-speed",
        json.dumps(BASE)[:-1] + ', "clock": {"speed": NaN}}',
        "clock.speed",
        "less than or equal to",
    ),
    ("negative-speed", _set("clock", {"speed": -60}), "clock.speed", "greater than 0"),
    (
        "bad-base-date",
        _set("clock", {"base_date": "2026-13-45"}),
        "clock.base_date",
        "not a date '2026-13-45'",
    ),
    (
        "bad-start",
        _set("clock", {"start": "yesterday"}),
        "clock.start",
        "not an ISO time 'yesterday'",
    ),
    (
        "no-ga-agent-release",
        _set(
            "releases",
            [{"component": "process-server", "version": "9.66.7614.1", "released": "2025-11-25"}],
        ),
        "releases",
        "no GA agent release",
    ),
]
# Cases the schema accepts but the loader refuses (catalog lookups, rules across records).
LOAD_CASES = [
    (
        "unknown-error-code",
        _set("items.1.fail_next_update", "99999"),
        "items.1.fail_next_update",
        "unknown error code '99999'",
    ),
    (
        "unknown-job-error-code",
        lambda d: d["jobs"].__setitem__(
            0, {"item": "app-prod-01", "state": "Failed", "error_code": "E_NOPE"}
        ),
        "jobs.0.error_code",
        "unknown error code 'E_NOPE'",
    ),
    (
        "failed-job-without-code",
        _set("jobs.0.state", "Failed"),
        "jobs.0.error_code",
        "needs an error code",
    ),
    ("duplicate-release", _releases, "releases.1", "listed twice"),
]


def _write(tmp_path: Path, case: str, change: Callable[[dict], None] | str) -> Path:
    path = tmp_path / f"{case}.json"
    if isinstance(change, str):
        path.write_text(change, encoding="utf-8")
    else:
        doc = copy.deepcopy(BASE)
        change(doc)
        path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _load_file(db_path: Path, scenario: Path, *, replace: bool = True) -> dict:
    """What `demo load FILE --force` does: read, validate, load."""
    db = open_db(db_path)
    try:
        return load_scenario(db, read_scenario(scenario), source=str(scenario), replace=replace)
    finally:
        db.conn.close()


def _assert_one_line(exc: BadInput, path: Path, field: str | None, problem: str) -> None:
    text = str(exc)
    assert "\n" not in text
    assert text.startswith(f"{path}: "), text
    if field is not None:
        assert f": {field}: " in text, text
    assert problem in text, text


def test_base_scenario_is_valid(tmp_path: Path, tmp_db_path: Path) -> None:
    path = _write(tmp_path, "base", lambda d: None)
    assert _load_file(tmp_db_path, path) == {"vaults": 1, "appliances": 1, "items": 3, "jobs": 1}


@pytest.mark.parametrize(
    ("case", "change", "field", "problem"), READ_CASES, ids=[c[0] for c in READ_CASES]
)
def test_bad_file_is_refused_and_writes_nothing(
    tmp_path, contoso_db, case, change, field, problem
) -> None:
    path = _write(tmp_path, case, change)
    before = _dump(contoso_db)
    with pytest.raises(BadInput) as err:
        read_scenario(path)
    _assert_one_line(err.value, path, field, problem)
    with pytest.raises(BadInput):
        _load_file(contoso_db, path)
    assert _dump(contoso_db) == before


@pytest.mark.parametrize(
    ("case", "change", "field", "problem"), LOAD_CASES, ids=[c[0] for c in LOAD_CASES]
)
def test_loader_refuses_and_writes_nothing(
    tmp_path, contoso_db, case, change, field, problem
) -> None:
    path = _write(tmp_path, case, change)
    read_scenario(path)  # the schema alone accepts it
    before = _dump(contoso_db)
    with pytest.raises(BadInput) as err:
        _load_file(contoso_db, path, replace=True)
    _assert_one_line(err.value, path, field, problem)
    assert _dump(contoso_db) == before


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(BadInput, match=r"nope\.json: no such scenario file$"):
        read_scenario(missing)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"description": "caf\xe9"}')
    with pytest.raises(BadInput) as err:
        read_scenario(latin)
    _assert_one_line(err.value, latin, None, "cannot read scenario")


# -- the default demo fleet --------------------------------------------------------------------


def _rows(db_path: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_contoso_has_every_status(contoso_db: Path) -> None:
    counts = dict(_rows(contoso_db, "SELECT status, count(*) FROM items GROUP BY status"))
    assert set(counts) == {"up-to-date", "update-available", "blocked", "updating", "failed"}
    assert 50 <= sum(counts.values()) <= 70
    # a real fleet: most machines are simply up to date or can update
    assert counts["up-to-date"] + counts["update-available"] > 0.6 * sum(counts.values())


def test_contoso_has_every_blocking_reason(contoso_db: Path) -> None:
    reasons: dict[str, list[tuple[str, int]]] = {}
    for name, blockers, pending in _rows(
        contoso_db, "SELECT name, blockers, sim_pending_reboot FROM items"
    ):
        for b in json.loads(blockers):
            assert b["message"] and b["recommended_action"]
            reasons.setdefault(b["reason"], []).append((name, pending))
    assert set(reasons) == {
        "RebootRequired",
        "IncompatibleApplianceVersion",
        "ProcessServerNoHeartbeat",
        "RcmProxyNoHeartbeat",
        "AgentNoHeartbeat",
        "MissingUpgradePath",
    }
    pendings = {pending for _name, pending in reasons["RebootRequired"]}
    assert pendings == {0, 1}  # a pending reboot, and a reboot mandatory by the >4 minor gap


def test_contoso_vaults_appliances_and_components(contoso_db: Path) -> None:
    vaults = _rows(contoso_db, "SELECT name, time_zone FROM vaults ORDER BY id")
    assert len(vaults) == 2 and vaults[0][1] != vaults[1][1]
    appliances = _rows(
        contoso_db,
        "SELECT a.name, a.registry, a.sim_azure_connected, count(c.slug) FROM appliances a "
        "JOIN components c ON c.appliance_id = a.id GROUP BY a.id ORDER BY a.id",
    )
    assert len(appliances) == 4
    assert all(n == 7 for *_rest, n in appliances)
    assert [json.loads(r) for _n, r, _c, _k in appliances].count({"AutoUpdate": 0}) == 1
    assert [c for _n, _r, c, _k in appliances].count(0) == 1
    comp = dict(
        ((a, s), st)
        for a, s, st in _rows(
            contoso_db,
            "SELECT a.name, c.slug, c.status FROM components c JOIN appliances a ON a.id ="
            " c.appliance_id",
        )
    )
    assert set(comp.values()) == {"up-to-date", "update-available", "blocked"}
    dark = [n for n, _r, c, _k in appliances if c == 0][0]
    assert {st for (a, _s), st in comp.items() if a == dark} == {"up-to-date", "blocked"}
    assert all(
        b
        for b in (
            r[0]
            for r in _rows(contoso_db, "SELECT blockers FROM components WHERE status = 'blocked'")
        )
        if b != "[]"
    )


def test_contoso_machines(contoso_db: Path) -> None:
    rows = _rows(
        contoso_db,
        "SELECT name, os_family, agent_version, private_preview, sim_fail_code FROM items",
    )
    catalog = {v for c, v, _d, _r in DEFAULT_RELEASES if c == "agent"}
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", n) for n, *_ in rows)
    assert {f for _n, f, *_ in rows} == {"Windows", "Linux"}
    assert {v for _n, _f, v, *_ in rows} <= catalog
    assert sum(p for *_x, p, _c in rows) == 1
    assert [c for *_x, c in rows if c] != []
    vaults = _rows(contoso_db, "SELECT vault_id, count(*) FROM items GROUP BY vault_id")
    assert len(vaults) == 2 and min(n for _v, n in vaults) >= 20


def test_contoso_jobs(contoso_db: Path) -> None:
    jobs = _rows(
        contoso_db,
        "SELECT j.state, j.errors, i.status, i.last_job_id = j.id FROM jobs j "
        "JOIN items i ON i.id = j.item_id",
    )
    assert {s for s, *_ in jobs} == {"InProgress", "Failed"}
    for state, errors, status, linked in jobs:
        assert linked
        assert status == ("updating" if state == "InProgress" else "failed")
        assert bool(json.loads(errors)) == (state == "Failed")


def test_contoso_clock_starts_before_first_vaults_midnight(contoso_db: Path) -> None:
    ((now,),) = _rows(contoso_db, "SELECT now FROM clock")
    ((tz,),) = _rows(contoso_db, "SELECT time_zone FROM vaults ORDER BY id LIMIT 1")
    local = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(ZoneInfo(tz))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-16", 23, 45)


def test_contoso_statuses_follow_the_rules(contoso_db: Path) -> None:
    """The loader's stored verdicts equal the status rules applied machine by machine."""
    latest = max(
        (v for c, v, _d, _r in DEFAULT_RELEASES if c == "agent"),
        key=lambda v: [int(p) for p in v.split(".")],
    )
    requires = next(r for c, v, _d, r in DEFAULT_RELEASES if c == "agent" and v == latest)
    comps: dict[str, dict[str, str]] = {}
    for a, slug, version in _rows(
        contoso_db,
        "SELECT a.name, c.slug, c.version FROM components c "
        "JOIN appliances a ON a.id = c.appliance_id",
    ):
        comps.setdefault(a, {})[slug] = version
    azure = dict(_rows(contoso_db, "SELECT name, sim_azure_connected FROM appliances"))
    for row in _rows(
        contoso_db,
        "SELECT i.agent_version, i.version_at_reboot, i.sim_pending_reboot, "
        "i.sim_reaches_appliance, i.appliance, i.status, i.blockers, j.state "
        "FROM items i LEFT JOIN jobs j ON j.id = i.last_job_id",
    ):
        version, at_reboot, pending, reaches, appliance, status, blockers, job_state = row
        found = agent_blockers(
            AgentFacts(
                version,
                latest,
                requires,
                at_reboot,
                bool(pending),
                bool(reaches),
                appliance,
                bool(azure[appliance]),
                comps[appliance],
            )
        )
        assert json.loads(blockers) == [b.model_dump() for b in found]
        expect = update_status(
            version,
            latest,
            found,
            active_job=job_state == "InProgress",
            last_job_failed=job_state == "Failed",
        )
        assert status == expect.slug


def test_loading_over_a_fleet_is_refused_unless_replace(contoso_db: Path, tmp_path: Path) -> None:
    other = _write(tmp_path, "other", lambda d: None)
    before = _dump(contoso_db)
    with pytest.raises(Refused) as err:
        _load_file(contoso_db, other, replace=False)
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{other}: ")
    assert _dump(contoso_db) == before
    assert _load_file(contoso_db, other, replace=True)["items"] == 3
    assert _rows(contoso_db, "SELECT name FROM vaults") == [("dr-test",)]
    assert _rows(contoso_db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'prod'") == [
        (3,)
    ]
