"""Helpers for the rollout tests: worlds of N machines, and the rollout's state read back through
`rollout show --json` and `jobs --json` (real processes, as an operator's scripts would)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cli_worlds as worlds

_spec = importlib.util.spec_from_file_location(
    "rollout_reliability_kit", Path(__file__).parents[1] / "reliability" / "reliability_kit.py"
)
_kit = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)  # dataclasses look it up
_spec.loader.exec_module(_kit)
content_digest = _kit.content_digest
"""A hash of a database's whole logical content (tests/reliability/reliability_kit.py)."""

SHOW_KEYS = {
    "name",
    "vault",
    "state",
    "target_version",
    "bake",
    "window",
    "failures",
    "max_failures",
    "halted_reason",
    "skipped",
    "waves",
}
WAVE_KEYS = {"index", "state", "machines", "started", "finished", "jobs"}
JOB_STATES = {"NotStarted", "InProgress", "Succeeded", "Failed", "Cancelled"}


def fleet(
    n: int,
    *,
    fail: dict[str, str] | None = None,
    auto_update: bool = False,
    cap: int = 10,
    start: str = "2026-12-16T10:00:00Z",
    tz: str = "America/New_York",
    **per_machine: dict,
) -> dict:
    """`n` machines web-00 .. web-NN on one appliance, each able to update; `fail` names the ones
    whose next update fails (with that error code); automatic updates off unless asked."""
    fail = fail or {}
    items = []
    for k in range(n):
        name = f"web-{k:02d}"
        extra = dict(per_machine.get(name, {}))
        if name in fail:
            extra["fail_next_update"] = fail[name]
        items.append(worlds.machine(name, **extra))
    return worlds.world(
        items=items,
        start=start,
        vaults=[
            {
                "name": "vault-east",
                "time_zone": tz,
                "agent_auto_update": auto_update,
                "max_concurrent_updates": cap,
            }
        ],
    )


def ok(ran):
    assert ran.code == 0, f"exit {ran.code}: {ran.err}"
    return ran


def show(c, name: str = "r1") -> dict:
    return ok(c.run("rollout", "show", name, "--json")).json


def jobs(c) -> list[dict]:
    return ok(c.run("jobs", "--json")).json


def advance(c, duration: str) -> None:
    ok(c.run("clock", "advance", duration))


def set_clock(c, moment: datetime) -> None:
    ok(c.run("clock", "set", moment.strftime("%Y-%m-%dT%H:%M:%SZ")))


def now(c) -> datetime:
    return utc(ok(c.run("clock", "show", "--json")).json["now"])


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def later(text: str, **delta) -> str:
    return iso(utc(text) + timedelta(**delta))


def wave_jobs(c, rollout: str, wave: list[str]) -> list[dict]:
    """The jobs of this rollout for these machines (the wave's machines)."""
    return [j for j in jobs(c) if j["rollout"] == rollout and j["item"] in wave]


def states(view: dict) -> list[str]:
    return [w["state"] for w in view["waves"]]
