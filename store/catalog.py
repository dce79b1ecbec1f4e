"""The release catalog: real Mobility agent and appliance component releases, and lookups over
it."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

# (component, version, release date, requires). Agent builds from the update rollups (asr-facts
# 3.1);
# component builds from a 2026 appliance sample (asr-facts 2.3), older ones in their formats.
_PS_66 = {"process-server": "9.66.7614.1", "proxy-server": "1.44.9645.8268"}
DEFAULT_RELEASES: list[tuple[str, str, str, dict[str, str]]] = [
    ("agent", "9.51.6477.1", "2022-10-12", {}),
    ("agent", "9.52.6522.1", "2022-11-29", {}),
    ("agent", "9.53.6615.1", "2023-02-14", {}),
    ("agent", "9.54.6682.1", "2023-05-23", {}),
    ("agent", "9.55.6765.1", "2023-08-22", {}),
    ("agent", "9.56.6879.1", "2023-12-05", {}),
    ("agent", "9.57.6911.1", "2023-12-19", {}),
    ("agent", "9.60.6956.1", "2024-02-20", {}),
    ("agent", "9.61.7016.1", "2024-04-23", {}),
    ("agent", "9.62.7096.1", "2024-07-09", {}),
    ("agent", "9.62.7172.1", "2024-08-27", {}),
    ("agent", "9.63.7187.1", "2024-10-15", {}),
    ("agent", "9.64.7314.1", "2025-03-11", {}),
    ("agent", "9.64.7374.1", "2025-04-15", {}),
    ("agent", "9.65.7417.1", "2025-05-20", {"process-server": "9.65.7417.1"}),
    ("agent", "9.66.7567.1", "2025-10-14", {"process-server": "9.66.7567.1"}),
    ("agent", "9.66.7640.1", "2025-12-02", _PS_66),
    ("agent", "9.66.7643.1", "2025-12-16", _PS_66),
    ("process-server", "9.64.7374.1", "2025-04-15", {}),
    ("process-server", "9.65.7417.1", "2025-05-20", {}),
    ("process-server", "9.66.7567.1", "2025-10-14", {}),
    ("process-server", "9.66.7614.1", "2025-11-25", {"proxy-server": "1.44.9645.8268"}),
    ("proxy-server", "1.42.9412.7712", "2025-04-15", {}),
    ("proxy-server", "1.43.9533.8015", "2025-08-19", {}),
    ("proxy-server", "1.44.9645.8268", "2025-11-25", {}),
    ("replication-service", "1.43.9533.17950", "2025-08-19", {}),
    ("replication-service", "1.45.9649.18472", "2025-11-25", {}),
    ("reprotection-server", "1.46.9533.17911", "2025-08-19", {}),
    ("reprotection-server", "1.48.9649.18457", "2025-11-25", {}),
    ("recovery-services-agent", "2.0.9919.0", "2024-07-09", {}),
    ("recovery-services-agent", "2.0.9938.0", "2024-10-15", {}),
    ("recovery-services-agent", "2.0.9955.0", "2025-11-25", {}),
    ("site-recovery-provider", "5.24.614.1", "2024-07-09", {}),
    ("site-recovery-provider", "5.24.902.11", "2024-10-15", {}),
    ("site-recovery-provider", "5.25.904.11", "2025-11-25", {}),
    ("push-installer", "1.45.9533.17990", "2025-08-19", {}),
    ("push-installer", "1.47.9649.18387", "2025-11-25", {}),
]


class Release(NamedTuple):
    """One row of the catalog."""

    component: str
    version: str
    released_at: str
    channel: str
    requires: dict[str, str]


def insert_release(
    conn: sqlite3.Connection,
    component: str,
    version: str,
    released_at: str,
    channel: str = "ga",
    requires: dict[str, str] | None = None,
) -> None:
    # Only loading a catalog parses versions and writes json here (not the console's start).
    import json

    from store.versions import version_key

    conn.execute(
        "INSERT INTO releases (component, version, version_key, released_at, channel, requires) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            component,
            version,
            version_key(version),
            released_at,
            channel,
            json.dumps(requires or {}),
        ),
    )


def latest_ga_sql(component: str, column: str) -> str:
    """A scalar subquery: `column` of the newest GA release of `component` (the rule of
    `latest_releases`, for reading it in the same statement as the rows that need it)."""
    return (
        f"(SELECT {column} FROM releases WHERE component = '{component}' AND channel = 'ga' "
        "ORDER BY version_key DESC LIMIT 1)"
    )


def latest_releases(conn: sqlite3.Connection) -> dict[str, Release]:
    """The newest GA release of every component kind, keyed by kind ('agent', 'process-server',
    ...)."""
    import json  # Not at the console's start, which never reads json.

    rows = conn.execute(
        "SELECT component, version, released_at, channel, requires FROM releases r "
        "WHERE channel = 'ga' AND version_key = (SELECT max(version_key) FROM releases "
        "WHERE component = r.component AND channel = 'ga')"
    ).fetchall()
    return {c: Release(c, v, d, ch, json.loads(req)) for c, v, d, ch, req in rows}
