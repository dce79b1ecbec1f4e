"""A large, realistic, seeded fleet (`demo load --items N --seed S`): deterministic and fast."""

from __future__ import annotations

import math
import random
from datetime import datetime
from itertools import accumulate

from store import clock
from store.errors import BadInput
from store.sim import error_catalog
from store.sim.loader import start_time
from store.sim.scenario import ApplianceSpec, ClockSpec, ItemSpec, JobSpec, Scenario, VaultSpec
from store.versions import Version

MAX_ITEMS = 1_000_000
ITEMS_PER_APPLIANCE = 200
"""VMs per appliance with the built-in process server (asr-facts 8)."""
APPLIANCES_PER_VAULT = 250
"""Appliances per Recovery Services vault (asr-facts 8)."""
SINGLE_VAULT_MAX = 5_000
ITEMS_PER_VAULT = 50_000
SEED_MAX = 2**31

LATEST_COMPONENTS = {
    "process-server": "9.66.7614.1",
    "proxy-server": "1.44.9645.8268",
    "replication-service": "1.45.9649.18472",
    "reprotection-server": "1.48.9649.18457",
    "recovery-services-agent": "2.0.9955.0",
    "site-recovery-provider": "5.25.904.11",
    "push-installer": "1.47.9649.18387",
}
OLDER_COMPONENTS = {
    "process-server": ("9.66.7567.1", "9.65.7417.1"),
    "proxy-server": ("1.43.9533.8015", "1.42.9412.7712"),
    "replication-service": ("1.43.9533.17950",),
    "reprotection-server": ("1.46.9533.17911",),
    "recovery-services-agent": ("2.0.9938.0", "2.0.9919.0"),
    "site-recovery-provider": ("5.24.902.11", "5.24.614.1"),
    "push-installer": ("1.45.9533.17990",),
}
LATEST_AGENT = "9.66.7643.1"
# Agent versions of the real catalog (store/catalog.py), weighted toward recent releases.
AGENT_WEIGHTS: tuple[tuple[str, float], ...] = (
    (LATEST_AGENT, 46),
    ("9.66.7640.1", 11),
    ("9.66.7567.1", 9),
    ("9.65.7417.1", 12),
    ("9.64.7374.1", 8),
    ("9.64.7314.1", 4),
    ("9.63.7187.1", 4),
    ("9.62.7172.1", 2.5),
    ("9.62.7096.1", 1),
    ("9.61.7016.1", 1.5),
    ("9.60.6956.1", 1),
)
MINOR = {v: Version.parse(v).minor for v, _w in AGENT_WEIGHTS}
OLD_REBOOTS = ("9.60.6956.1", "9.61.7016.1")
"""Versions at a last reboot long ago: a reboot is mandatory before reaching 9.66."""

WINDOWS = (
    "Windows Server 2016",
    "Windows Server 2019",
    "Windows Server 2019",
    "Windows Server 2022",
    "Windows Server 2022",
    "Windows Server 2012 R2",
)
LINUX = (
    "RHEL 8.6",
    "RHEL 8.8",
    "RHEL 9.2",
    "Ubuntu 20.04 LTS",
    "Ubuntu 22.04 LTS",
    "Ubuntu 22.04 LTS",
    "SLES 15 SP4",
    "SLES 12 SP5",
    "Oracle Linux 8.8",
    "Debian 11",
    "CentOS 7.9",
    "Rocky Linux 8.8",
)
# role, OS family (w = Windows, l = Linux, m = either), weight
ROLES: tuple[tuple[str, str, int], ...] = (
    ("web", "m", 14),
    ("app", "m", 14),
    ("api", "l", 6),
    ("sql", "w", 7),
    ("db", "l", 6),
    ("erp", "w", 3),
    ("crm", "w", 3),
    ("file", "w", 4),
    ("dc", "w", 2),
    ("cache", "l", 3),
    ("mq", "l", 2),
    ("etl", "m", 3),
    ("bi", "w", 2),
    ("mail", "w", 1),
    ("print", "w", 1),
    ("jump", "w", 1),
    ("k8s", "l", 5),
    ("ci", "l", 2),
    ("log", "l", 2),
    ("vdi", "w", 4),
    ("sap", "l", 3),
    ("pos", "w", 2),
    ("edge", "l", 2),
    ("batch", "m", 3),
    ("ftp", "l", 1),
)
ENVS: tuple[tuple[str, int], ...] = (("prod", 55), ("stg", 12), ("qa", 10), ("dev", 15), ("dr", 8))
REGIONS: tuple[tuple[str, str], ...] = (
    ("eastus", "America/New_York"),
    ("westus2", "America/Los_Angeles"),
    ("westeurope", "Europe/Amsterdam"),
    ("centralus", "America/Chicago"),
    ("uksouth", "Europe/London"),
    ("japaneast", "Asia/Tokyo"),
    ("australiaeast", "Australia/Sydney"),
    ("centralindia", "Asia/Kolkata"),
    ("southeastasia", "Asia/Singapore"),
    ("brazilsouth", "America/Sao_Paulo"),
)
OPERATORS = ("maria.lopez@fabrikam.com", "dev.patel@fabrikam.com", "kenji.sato@fabrikam.com")

# Item faults, mutually exclusive, as cumulative probabilities (about 4.5% in all).
FAULTS: tuple[tuple[str, float], ...] = (
    ("pending_reboot", 0.015),
    ("no_heartbeat", 0.010),
    ("fail_next_update", 0.010),
    ("old_reboot", 0.008),
    ("private_preview", 0.002),
)


def vault_count(items: int, appliances: int) -> int:
    """One vault up to 5,000 machines, then one per 50,000 (at least two), 250 appliances each."""
    if items <= SINGLE_VAULT_MAX:
        return 1
    return max(2, math.ceil(items / ITEMS_PER_VAULT), math.ceil(appliances / APPLIANCES_PER_VAULT))


def generate(items: int, seed: int) -> Scenario:
    """A fleet of `items` machines, the same for the same seed (random.Random(seed) only)."""
    if isinstance(items, bool) or not isinstance(items, int) or not 0 <= items <= MAX_ITEMS:
        raise BadInput(f"items must be a whole number from 0 to {MAX_ITEMS} (got {items!r})")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise BadInput(f"seed must be a whole number from 0 to {SEED_MAX} (got {seed!r})")
    rng = random.Random(seed)
    n_appl = max(1, math.ceil(items / ITEMS_PER_APPLIANCE))
    vaults = _vaults(vault_count(items, n_appl))
    appliances, healthy = _appliances(rng, n_appl, vaults)
    item_specs, candidates = _items(rng, items, appliances, healthy)
    start = start_time(Scenario.model_construct(clock=ClockSpec(), vaults=vaults))
    jobs = _jobs(rng, items, item_specs, candidates, appliances, vaults, start)
    return Scenario.model_construct(
        description=(
            f"Generated fleet: {items} machines on {n_appl} appliances in {len(vaults)} "
            f"vault{'s' if len(vaults) > 1 else ''} (seed {seed})."
        ),
        seed=seed,
        clock=ClockSpec(),
        releases=None,
        vaults=vaults,
        appliances=appliances,
        items=item_specs,
        jobs=jobs,
    )


def generate_json(items: int, seed: int) -> str:
    """The generated scenario as scenario-file JSON (defaults left out)."""
    return generate(items, seed).model_dump_json(exclude_defaults=True)


def _vaults(count: int) -> list[VaultSpec]:
    out = []
    for n in range(count):
        region, tz = REGIONS[n % len(REGIONS)]
        suffix = f"-{n // len(REGIONS) + 1}" if n >= len(REGIONS) else ""
        out.append(VaultSpec.model_construct(name=f"fabrikam-dr-{region}{suffix}", time_zone=tz))
    return out


def _appliances(
    rng: random.Random, count: int, vaults: list[VaultSpec]
) -> tuple[list[ApplianceSpec], list[bool]]:
    """Mostly up to date; about 8% behind, 5% with AutoUpdate = 0, 1% without Azure.
    Also returns, per appliance, whether its machines can update (compatible, reaches Azure)."""
    n_old, n_off, n_dark = round(count * 0.08), round(count * 0.05), count // 100
    special = rng.sample(range(count), n_old + n_off + n_dark)
    old = set(special[:n_old])
    off = set(special[n_old : n_old + n_off])
    dark = set(special[n_old + n_off :])
    out, healthy = [], []
    for k in range(count):
        vault = vaults[k * len(vaults) // count]
        region = vault.name.removeprefix("fabrikam-dr-")
        components = dict(LATEST_COMPONENTS)
        if k in old:
            components["process-server"] = rng.choice(OLDER_COMPONENTS["process-server"])
            for slug in rng.sample(sorted(OLDER_COMPONENTS), 2):
                components[slug] = rng.choice(OLDER_COMPONENTS[slug])
        elif k in off or k in dark or rng.random() < 0.05:
            slug = rng.choice(
                ("recovery-services-agent", "site-recovery-provider", "push-installer")
            )
            components[slug] = OLDER_COMPONENTS[slug][0]
        out.append(
            ApplianceSpec.model_construct(
                name=f"appl-{region}-{k + 1:03d}",
                vault=vault.name,
                azure_connected=k not in dark,
                registry={"AutoUpdate": 0} if k in off else {},
                components=components,
            )
        )
        healthy.append(k not in old and k not in dark)
    return out, healthy


def _construct(cls: type, fields_set: set[str]):
    """A maker of already-valid model instances without validation (what model_construct does,
    faster)."""
    new, put = object.__new__, object.__setattr__

    def make(data: dict):
        obj = new(cls)
        put(obj, "__dict__", data)
        put(obj, "__pydantic_fields_set__", fields_set)
        put(obj, "__pydantic_extra__", None)
        put(obj, "__pydantic_private__", None)
        return obj

    return make


def _items(
    rng: random.Random, count: int, appliances: list[ApplianceSpec], healthy: list[bool]
) -> tuple[list[ItemSpec], list[int]]:
    """Machines round-robin over the appliances; returns them and the indices fit for a job."""
    make = _construct(ItemSpec, set(ItemSpec.model_fields))
    roles = rng.choices(ROLES, cum_weights=list(accumulate(w for _r, _f, w in ROLES)), k=count)
    envs = rng.choices(
        [e for e, _w in ENVS], cum_weights=list(accumulate(w for _e, w in ENVS)), k=count
    )
    versions = rng.choices(
        [v for v, _w in AGENT_WEIGHTS],
        cum_weights=list(accumulate(w for _v, w in AGENT_WEIGHTS)),
        k=count,
    )
    fault_names = [f for f, _p in FAULTS]
    fault_cum = list(accumulate(p for _f, p in FAULTS))
    codes = sorted(error_catalog.CATALOG)
    n_appl = len(appliances)
    appl_names = [a.name for a in appliances]
    rand = rng.random
    out, candidates = [], []
    for i in range(count):
        role, family, _w = roles[i]
        if family == "m":
            family = "w" if rand() < 0.5 else "l"
        pool = WINDOWS if family == "w" else LINUX
        version = versions[i]
        a = i % n_appl
        data = {
            "name": f"{role}-{envs[i]}-{i + 1:06d}",
            "os": pool[int(rand() * len(pool))],
            "appliance": appl_names[a],
            "agent_version": version,
            "version_at_reboot": None,
            "private_preview": False,
            "pending_reboot": False,
            "reaches_appliance": True,
            "fail_next_update": None,
            "replication_health": "Healthy",
        }
        r = rand()
        fault = None
        if r < fault_cum[-1]:
            fault = fault_names[next(n for n, c in enumerate(fault_cum) if r < c)]
            if fault == "pending_reboot":
                data["pending_reboot"] = True
            elif fault == "no_heartbeat":
                data["reaches_appliance"] = False
                data["replication_health"] = "Critical"
            elif fault == "fail_next_update":
                data["fail_next_update"] = codes[int(rand() * len(codes))]
            elif fault == "old_reboot" and MINOR[version] >= 62:
                data["version_at_reboot"] = OLD_REBOOTS[int(rand() * 2)]
            elif fault == "private_preview":
                data["private_preview"] = True
        h = rand()
        if data["replication_health"] == "Healthy" and h < 0.04:
            data["replication_health"] = "Warning" if h < 0.032 else "Critical"
        if fault is None and healthy[a] and version != LATEST_AGENT and MINOR[version] >= 62:
            candidates.append(i)
        out.append(make(data))
    return out, candidates


def _jobs(
    rng: random.Random,
    count: int,
    items: list[ItemSpec],
    candidates: list[int],
    appliances: list[ApplianceSpec],
    vaults: list[VaultSpec],
    start: datetime,
) -> list[JobSpec]:
    """A bounded number of jobs in flight and of failed ones, on machines that could update."""
    per_kind = min(count // 500, 200)
    if not per_kind or not candidates:
        return []
    chosen = rng.sample(candidates, min(len(candidates), 2 * per_kind))
    vault_of = {a.name: a.vault for a in appliances}
    since_midnight = {v.name: _minutes_since_midnight(start, v.time_zone) for v in vaults}
    running: dict[str, int] = {}
    jobs: list[JobSpec] = []
    codes = sorted(error_catalog.CATALOG)
    n_running = n_failed = 0
    for i in chosen:
        item = items[i]
        if n_running < per_kind and running.get(item.appliance, 0) < 10:
            running[item.appliance] = running.get(item.appliance, 0) + 1
            n_running += 1
            jobs.append(
                JobSpec.model_construct(
                    item=item.name,
                    state="InProgress",
                    started_minutes_ago=rng.randint(0, 10),
                    error_code=None,
                    initiated_by=rng.choice(OPERATORS),
                )
            )
            continue
        if n_failed == per_kind:
            continue
        n_failed += 1
        if rng.random() < 0.5:
            jobs.append(
                JobSpec.model_construct(
                    item=item.name,
                    state="Failed",
                    started_minutes_ago=rng.randint(20, 600),
                    error_code=rng.choice(codes),
                    initiated_by=rng.choice(OPERATORS),
                )
            )
        else:
            jobs.append(
                JobSpec.model_construct(
                    item=item.name,
                    state="Failed",
                    started_minutes_ago=since_midnight[vault_of[item.appliance]],
                    error_code=rng.choice(codes),
                    initiated_by=None,
                )
            )
    return jobs


def _minutes_since_midnight(start: datetime, tz: str) -> int:
    """Minutes from the vault's last local midnight (its automatic run) to the start."""
    local = start.astimezone(clock.zone(tz))
    return local.hour * 60 + local.minute
