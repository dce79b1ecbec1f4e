"""The operator's rollout commands: create (the frozen plan, and the canary when it is due), pause,
resume, abort. Each validates first and writes in one transaction; refused or malformed requests
write nothing. The engine drives the waves after that (store/engine/rollouts.py)."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from store import audit, clock
from store.db import write
from store.engine import rollouts as engine
from store.engine.checks import Latest
from store.engine.runner import RunStats
from store.errors import BadInput, Refused
from store.fleet import no_such_item
from store.rollout_rules import Window, check_name, parse_bake, parse_count, parse_waves, wave_sizes
from store.rollout_spec import RolloutSpec
from store.rollouts import RolloutRow, rollout_by_id, rollout_row
from store.vocabulary import UpdateStatus


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _selection(conn: sqlite3.Connection, spec: RolloutSpec) -> tuple[str, dict]:
    """The machines the spec chooses (a WHERE clause over items): named ones, or the vault's
    machines
    with a newer version than the target, narrowed by the filters."""
    forms = sum((bool(spec.names) or spec.item_ids is not None, spec.all_eligible, spec.filtered))
    if forms != 1:
        raise BadInput(
            "choose the machines one way: NAMES, --all-eligible, or the filters "
            "--status/--appliance/--os/--match"
        )
    params: dict = {"vault": spec.vault_id}
    if spec.names:
        names = json.dumps(list(dict.fromkeys(spec.names)))
        unknown = conn.execute(
            "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT name FROM items) LIMIT 1",
            (names,),
        ).fetchone()
        if unknown:
            raise no_such_item(conn, unknown[0])
        elsewhere = conn.execute(
            "SELECT name FROM items WHERE name IN (SELECT value FROM json_each(?)) "
            "AND vault_id != ? LIMIT 1",
            (names, spec.vault_id),
        ).fetchone()
        if elsewhere:
            raise BadInput(
                f"{elsewhere[0]!r} is in another vault (a rollout's machines are of one vault)"
            )
        return "items.name IN (SELECT value FROM json_each(:names))", {**params, "names": names}
    if spec.item_ids is not None:
        return (
            "items.vault_id = :vault AND items.id IN (SELECT value FROM json_each(:ids))",
            {**params, "ids": json.dumps(sorted(set(spec.item_ids)))},
        )
    where = ["items.vault_id = :vault", "items.agent_version_key < :target_key"]
    if spec.status is not None:
        try:
            slug = UpdateStatus.from_word(spec.status).slug  # a slug or the console's words for it
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        where.append("items.status = :status")
        params["status"] = slug
    if spec.appliance is not None:
        if (
            conn.execute(
                "SELECT 1 FROM appliances WHERE name = ? AND vault_id = ?",
                (spec.appliance, spec.vault_id),
            ).fetchone()
            is None
        ):
            raise BadInput(f"no appliance named {spec.appliance!r} in this vault")
        where.append("items.appliance = :appliance")
        params["appliance"] = spec.appliance
    if spec.os is not None:
        where.append("items.os LIKE :os ESCAPE '\\'")
        params["os"] = _like(spec.os)
    if spec.match is not None:
        where.append("items.name LIKE :match ESCAPE '\\'")
        params["match"] = _like(spec.match)
    return " AND ".join(where), params


def _terms(spec: RolloutSpec) -> tuple:
    """Every term checked before anything is read or written (bad input: exit 2)."""
    check_name(spec.name)
    return (
        parse_count(spec.canary, "--canary", at_least=1),
        parse_waves(spec.waves),
        parse_bake(spec.bake),
        parse_count(spec.max_failures, "--max-failures"),
        Window.parse(spec.window) if spec.window else None,
    )


def auto_update_warning(conn: sqlite3.Connection, vault_id: int) -> str | None:
    """What a rollout in a vault with automatic updates on must be told (the console does not stop
    Site Recovery's nightly run)."""
    name, enabled, private = conn.execute(
        "SELECT name, agent_auto_update, private_endpoint FROM vaults WHERE id = ?", (vault_id,)
    ).fetchone()
    if not enabled or private:
        return None
    return (
        f"automatic updates are on in {name}: tonight's run (12:00 AM local) may update machines of"
        " later waves; the rollout then skips them"
    )


def create(
    db: Database, spec: RolloutSpec, *, actor: str | None = None
) -> tuple[RolloutRow, list[str]]:
    """The rollout's frozen plan (its eligible machines in waves, name order; the others skipped
    with
    their reasons) and, when it is due now, the canary's jobs. Returns it and any warnings."""
    canary, shares, bake_s, budget, window = _terms(spec)
    who = actor or audit.current_actor()
    with write(db, check_references=False) as conn:  # every row's references come from items itself
        if conn.execute("SELECT 1 FROM rollouts WHERE name = ?", (spec.name,)).fetchone():
            raise BadInput(f"a rollout named {spec.name!r} already exists")
        latest = Latest.read(conn)
        if latest.agent is None:
            raise Refused("no Mobility agent release is known: nothing to roll out")
        where, params = _selection(conn, spec)
        params["target_key"] = latest.agent_key
        eligible = conn.execute(
            f"SELECT count(*) FROM items WHERE {where} AND {engine.ELIGIBLE}", params
        ).fetchone()[0]
        if eligible == 0:
            raise Refused(
                "no machine of the selection can update now (blocked, already updating or up to"
                " date)"
            )
        sizes = wave_sizes(eligible, canary, shares)
        now = clock.now(conn)
        rid = conn.execute(
            "INSERT INTO rollouts (name, vault_id, target_version, target_key, bake_s,"
            " max_failures, time_window, created_by, created_time, waves, machines) VALUES (?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                spec.name,
                spec.vault_id,
                latest.agent.version,
                latest.agent_key,
                bake_s,
                budget.of(eligible),
                window.text() if window else None,
                who,
                clock.iso(now),
                len(sizes),
                eligible,
            ),
        ).lastrowid
        bounds = [sum(sizes[:n]) for n in range(len(sizes) + 1)]
        conn.executemany(
            "INSERT INTO rollout_waves (rollout_id, wave, first_position, end_position) "
            "VALUES (?, ?, ?, ?)",
            [(rid, n, bounds[n], bounds[n + 1]) for n in range(len(sizes))],
        )
        params.update(rollout=rid, machines=eligible)
        conn.execute(
            "INSERT INTO rollout_machines (rollout_id, position, item_id) SELECT :rollout, "
            f"row_number() OVER (ORDER BY items.name) - 1, items.id FROM items WHERE {where} "
            f"AND {engine.ELIGIBLE}",
            params,
        )
        skipped = conn.execute(
            "INSERT INTO rollout_machines (rollout_id, position, item_id, skipped) SELECT"
            " :rollout, :machines + row_number() OVER (ORDER BY items.name) - 1, items.id,"
            f" {engine.SKIP_REASONS} FROM items WHERE {where} AND NOT ({engine.ELIGIBLE})",
            params,
        ).rowcount
        audit.record(
            conn,
            now,
            "rollout create",
            spec.name,
            {
                "machines": eligible,
                "skipped": skipped,
                "waves": sizes,
                "bake_s": bake_s,
                "max_failures": budget.of(eligible),
                "window": window.text() if window else None,
                "target_version": latest.agent.version,
            },
            actor=who,
        )
        r = rollout_by_id(conn, rid)
        engine.step(conn, r, now, now, RunStats())
        warning = auto_update_warning(conn, spec.vault_id)
        return rollout_by_id(conn, rid), [warning] if warning else []


def _ended(r: RolloutRow) -> None:
    if r.ended:
        raise Refused(
            f"rollout {r.name} has {'completed' if r.control == 'completed' else 'been aborted'}: "
            "nothing to pause, resume or abort"
        )


def pause(db: Database, name: str, *, actor: str | None = None) -> RolloutRow:
    """No new wave starts (running jobs finish) until `resume`."""
    with write(db) as conn:
        r = rollout_row(conn, name)
        _ended(r)
        if r.control != "running":
            raise Refused(f"rollout {name} is {r.control}: only a running rollout can be paused")
        conn.execute("UPDATE rollouts SET control = 'paused' WHERE id = ?", (r.id,))
        audit.record(
            conn, clock.now(conn), "rollout pause", name, {}, actor=actor or audit.current_actor()
        )
        return rollout_by_id(conn, r.id)


def resume(db: Database, name: str, *, actor: str | None = None) -> RolloutRow:
    """A paused rollout goes on; a halted one starts its next wave at once (the operator has looked)
    and counts failures afresh from that wave."""
    with write(db) as conn:
        r = rollout_row(conn, name)
        _ended(r)
        if r.control == "paused":
            conn.execute("UPDATE rollouts SET control = 'running' WHERE id = ?", (r.id,))
        elif r.control == "halted":
            conn.execute(
                "UPDATE rollouts SET control = 'running', count_from_wave = next_wave, "
                "released_wave = next_wave WHERE id = ?",
                (r.id,),
            )
        else:
            raise Refused(
                f"rollout {name} is {r.control}: only a paused or halted rollout can be resumed"
            )
        now = clock.now(conn)
        audit.record(
            conn,
            now,
            "rollout resume",
            name,
            {"was": r.control},
            actor=actor or audit.current_actor(),
        )
        engine.step(conn, rollout_by_id(conn, r.id), now, now, RunStats())
        return rollout_by_id(conn, r.id)


def abort(db: Database, name: str, *, actor: str | None = None) -> tuple[RolloutRow, int]:
    """Cancel the rollout's jobs that have not started and end it; (the rollout, jobs cancelled)."""
    with write(db) as conn:
        r = rollout_row(conn, name)
        _ended(r)
        now = clock.now(conn)
        cancelled = engine.abort(conn, r, now, Latest.read(conn))
        audit.record(
            conn,
            now,
            "rollout abort",
            name,
            {"cancelled": cancelled},
            actor=actor or audit.current_actor(),
        )
        return rollout_by_id(conn, r.id), cancelled
