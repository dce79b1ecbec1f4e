"""Paths and queries: which operation a request names (fixed segments case-insensitive, names
percent-decoded one segment at a time), and the small `$filter` grammar of job lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_VAULT = (
    "subscriptions",
    "{subscription}",
    "resourcegroups",
    "{group}",
    "providers",
    "microsoft.recoveryservices",
    "vaults",
    "{vault}",
)
_CONTAINER = ("replicationfabrics", "{fabric}", "replicationprotectioncontainers", "{container}")
_ITEM = (*_CONTAINER, "replicationprotecteditems", "{item}")
_MAPPING = (*_CONTAINER, "replicationprotectioncontainermappings", "{mapping}")

ROUTES: list[tuple[tuple[str, ...], dict[str, str]]] = [
    (("replicationprotecteditems",), {"GET": "list_items"}),
    ((*_CONTAINER, "replicationprotecteditems"), {"GET": "list_items"}),
    (_ITEM, {"GET": "get_item"}),
    ((*_ITEM, "updatemobilityservice"), {"POST": "update_mobility_service"}),
    ((*_ITEM, "operationresults", "{job}"), {"GET": "item_operation_result"}),
    (("replicationjobs",), {"GET": "list_jobs"}),
    (("replicationjobs", "{job}"), {"GET": "get_job"}),
    (("replicationjobs", "{job}", "cancel"), {"POST": "cancel_job"}),
    (("replicationjobs", "{job}", "restart"), {"POST": "restart_job"}),
    (("replicationjobs", "{job}", "operationresults", "{result}"), {"GET": "job_operation_result"}),
    (("replicationoperationstatus", "{operation}"), {"GET": "operation_status"}),
    (("replicationappliances",), {"GET": "list_appliances"}),
    (("replicationfabrics",), {"GET": "list_fabrics"}),
    (("replicationfabrics", "{fabric}"), {"GET": "get_fabric"}),
    (("replicationprotectioncontainers",), {"GET": "list_containers"}),
    (
        ("replicationfabrics", "{fabric}", "replicationprotectioncontainers"),
        {"GET": "list_containers"},
    ),
    (_CONTAINER, {"GET": "get_container"}),
    (("replicationprotectioncontainermappings",), {"GET": "list_mappings"}),
    ((*_CONTAINER, "replicationprotectioncontainermappings"), {"GET": "list_mappings"}),
    (_MAPPING, {"GET": "get_mapping", "PATCH": "update_mapping"}),
]
"""Paths below a vault, and the operation each method names there."""


class BadPath(ValueError):
    """A path segment that is not valid percent-encoded UTF-8."""


@dataclass(frozen=True)
class Match:
    """What a path names: the operation for this method (None: the path exists, the method does
    not: `allowed` lists those that do), and the names in it."""

    operation: str | None
    params: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()


def segments(raw_path: str) -> list[str]:
    """The path's segments, each percent-decoded on its own (an encoded `/` stays in its name)."""
    parts = raw_path.split("/")[1:]
    if parts and parts[-1] == "":
        parts.pop()
    try:
        return [unquote(p, errors="strict") for p in parts]
    except UnicodeDecodeError:
        raise BadPath("the path is not valid percent-encoded UTF-8") from None


def _bind(pattern: tuple[str, ...], parts: list[str], params: dict[str, str]) -> bool:
    if len(pattern) != len(parts):
        return False
    for want, got in zip(pattern, parts, strict=True):
        if want.startswith("{"):
            if not got:
                return False
            params[want[1:-1]] = got
        elif want != got.lower():
            return False
    return True


def match(method: str, raw_path: str) -> Match | None:
    """The operation a request names, or None when no resource has this path."""
    parts = segments(raw_path)
    params: dict[str, str] = {}
    if not _bind(_VAULT, parts[: len(_VAULT)], params):
        return None
    rest = parts[len(_VAULT) :]
    for pattern, methods in ROUTES:
        found = dict(params)
        if _bind(pattern, rest, found):
            if method in methods:
                return Match(methods[method], found)
            return Match(None, found, tuple(sorted(methods)))
    return None


# -- job $filter
# --------------------------------------------------------------------------------------

_CLAUSE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s+eq\s+'((?:[^']|'')*)'", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_END = re.compile(r"\s*\Z")
FILTER_NAMES = {
    "state": "state",
    "jobstatus": "state",
    "scenarioname": "scenario",
    "targetobjectname": "target",
}
"""The clauses a job list narrows by; other names (PowerShell's startTime, fabricId...) are
ignored."""


class BadFilter(ValueError):
    """A `$filter` that is not `Name eq 'value'` clauses joined with `and`."""


def job_filter(text: str | None) -> dict[str, str]:
    """`State eq 'Failed' and ScenarioName eq 'UpdateMobilityService'` -> {state, scenario}."""
    found: dict[str, str] = {}
    if text is None or not text.strip():
        return found
    pos = 0
    while True:
        clause = _CLAUSE.match(text, pos)
        if clause is None:
            raise BadFilter(
                f"cannot read $filter at {text[pos : pos + 40]!r}: use Name eq 'value' "
                "clauses joined with and"
            )
        name = FILTER_NAMES.get(clause.group(1).lower())
        if name is not None:
            found[name] = clause.group(2).replace("''", "'")
        pos = clause.end()
        if _END.match(text, pos):
            return found
        joined = _AND.match(text, pos)
        if joined is None:
            raise BadFilter(
                f"cannot read $filter at {text[pos : pos + 40]!r}: join clauses with and"
            )
        pos = joined.end()
