"""Append-only record of every operator action and engine decision, with its actor."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from datetime import datetime

from store.clock import iso


def current_actor() -> str:
    """The operator: the OS user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def ssh_client() -> str | None:
    """The SSH client address when the operator came in over SSH."""
    raw = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION")
    return raw.split()[0] if raw else None


def record(
    conn: sqlite3.Connection,
    at: datetime,
    action: str,
    target: str | None,
    detail: dict | None = None,
    *,
    actor: str = "",
) -> None:
    """Append one row; `actor` defaults to the OS user (the engine passes 'Site Recovery')."""
    conn.execute(
        "INSERT INTO audit (at, actor, client, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (iso(at), actor or current_actor(), ssh_client(), action, target, json.dumps(detail or {})),
    )


def recent(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    rows = conn.execute(
        "SELECT at, actor, client, action, target, detail FROM audit ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        {"at": a, "actor": ac, "client": c, "action": act, "target": t, "detail": json.loads(d)}
        for a, ac, c, act, t, d in rows
    ]
