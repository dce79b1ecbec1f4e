"""Scenario fixtures for engine and CLI tests: small worlds built in code, loaded into temp DBs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store.db import open_db
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario

LATEST = "9.66.7643.1"
PREVIOUS = "9.65.7417.1"
OLD = "9.60.6956.1"
CURRENT_COMPONENTS = {
    "process-server": "9.66.7614.1",
    "proxy-server": "1.44.9645.8268",
    "replication-service": "1.45.9649.18472",
    "reprotection-server": "1.48.9649.18457",
    "recovery-services-agent": "2.0.9955.0",
    "site-recovery-provider": "5.25.904.11",
    "push-installer": "1.47.9649.18387",
}
OLD_COMPONENTS = {
    **CURRENT_COMPONENTS,
    "process-server": "9.65.7417.1",
    "proxy-server": "1.43.9533.8015",
}


def appliance(name: str, vault: str = "vault-east", **extra: Any) -> dict:
    return {"name": name, "vault": vault, "components": dict(CURRENT_COMPONENTS), **extra}


def machine(name: str, appliance: str = "appl-east", version: str = PREVIOUS, **extra: Any) -> dict:
    return {
        "name": name,
        "os": "Windows Server 2019",
        "appliance": appliance,
        "agent_version": version,
        **extra,
    }


def world(
    items: list[dict] | None = None,
    appliances: list[dict] | None = None,
    vaults: list[dict] | None = None,
    start: str = "2026-12-16T10:00:00Z",
    **extra: Any,
) -> dict:
    return {
        "seed": 7,
        "clock": {"start": start, "speed": 60},
        "vaults": vaults or [{"name": "vault-east", "time_zone": "America/New_York"}],
        "appliances": appliances or [appliance("appl-east")],
        "items": items if items is not None else [machine("web-01"), machine("web-02")],
        **extra,
    }


def load(path: Path, data: dict) -> Database:
    db = open_db(path)
    load_scenario(db, parse_scenario(json.dumps(data), "test"), source="test")
    return db


def write_scenario(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
