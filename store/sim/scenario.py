"""The scenario file schema (pydantic): a vault's world as JSON, validated before anything is
written."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from store import clock
from store.errors import BadInput
from store.versions import Version, VersionError
from store.vocabulary import AGENT, Component

COMPONENT_SLUGS = tuple(c.value for c in Component)
NAME_MAX = 500


def _version(value: str) -> str:
    try:
        return str(Version.parse(value))
    except VersionError as exc:
        raise ValueError(str(exc)) from None


def _time_zone(value: str) -> str:
    try:
        clock.zone(value)
    except BadInput:
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReleaseSpec(Strict):
    """A published release of the agent or of one appliance component."""

    component: str = Field(description="'agent' or a component slug such as process-server.")
    version: str = Field(description="Four-part version, e.g. 9.66.7643.1.")
    released: str = Field(description="Release date, YYYY-MM-DD.")
    channel: Literal["ga", "private-preview"] = Field(default="ga", description="Release channel.")
    requires: dict[str, str] = Field(
        default_factory=dict, description="Minimum appliance component versions it needs."
    )

    @field_validator("version")
    @classmethod
    def _v(cls, v: str) -> str:
        return _version(v)

    @field_validator("component")
    @classmethod
    def _component(cls, v: str) -> str:
        if v != AGENT and v not in COMPONENT_SLUGS:
            raise ValueError(
                f"unknown component {v!r}; use agent or one of {', '.join(COMPONENT_SLUGS)}"
            )
        return v

    @field_validator("released")
    @classmethod
    def _date(cls, v: str) -> str:
        try:
            day = datetime.strptime(v, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"not a date {v!r} (YYYY-MM-DD)") from None
        if not clock.EARLIEST <= day <= clock.LATEST:
            raise ValueError(f"release date {v!r} is outside engine time ({clock.RANGE_TEXT})")
        return v

    @field_validator("requires")
    @classmethod
    def _requires(cls, v: dict[str, str]) -> dict[str, str]:
        for slug, version in v.items():
            if slug not in COMPONENT_SLUGS:
                raise ValueError(f"unknown component {slug!r} in requires")
            _version(version)
        return {k: _version(x) for k, x in v.items()}


class VaultSpec(Strict):
    """A Recovery Services vault."""

    name: str = Field(min_length=1, max_length=NAME_MAX, description="Vault name.")
    time_zone: str = Field(
        description="IANA time zone; automatic updates run at its local midnight."
    )
    agent_auto_update: bool = Field(
        default=True, description="'Allow Site Recovery to manage' toggle."
    )
    private_endpoint: bool = Field(
        default=False, description="Private endpoints: no automatic updates."
    )
    max_concurrent_updates: int = Field(
        default=10, ge=1, le=200, description="Agent updates per process server at once."
    )

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _time_zone(v)


class ApplianceSpec(Strict):
    """A replication appliance and its seven components."""

    name: str = Field(min_length=1, max_length=NAME_MAX, description="Appliance name.")
    vault: str = Field(description="Vault it is registered to.")
    time_zone: str | None = Field(default=None, description="IANA zone; defaults to the vault's.")
    azure_connected: bool = Field(default=True, description="Whether it reaches Azure services.")
    registry: dict[str, int] = Field(
        default_factory=dict, description="AzureAppliance registry values."
    )
    components: dict[str, str] = Field(
        description="Installed version per component slug (all seven)."
    )

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return None if v is None else _time_zone(v)

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: dict[str, int]) -> dict[str, int]:
        for key, value in v.items():
            if key != "AutoUpdate":
                raise ValueError(f"unknown registry value {key!r} (only AutoUpdate is modelled)")
            if value not in (0, 1):
                raise ValueError("AutoUpdate must be a DWORD 0 or 1")
        return v

    @field_validator("components")
    @classmethod
    def _components(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(COMPONENT_SLUGS))
        if unknown:
            raise ValueError(f"unknown component {unknown[0]!r}")
        missing = [s for s in COMPONENT_SLUGS if s not in v]
        if missing:
            raise ValueError(f"missing component {missing[0]!r} (an appliance has all seven)")
        return {k: _version(x) for k, x in v.items()}


class ItemSpec(Strict):
    """A protected machine and the simulated truth about it."""

    name: str = Field(min_length=1, max_length=NAME_MAX, description="Machine name (unique).")
    os: str = Field(
        min_length=1, max_length=200, description="OS as reported, e.g. Windows Server 2019."
    )
    appliance: str = Field(description="Appliance it replicates through.")
    agent_version: str = Field(description="Installed Mobility agent version.")
    version_at_reboot: str | None = Field(
        default=None, description="Agent version at the last reboot."
    )
    private_preview: bool = Field(default=False, description="Installed from private-preview bits.")
    pending_reboot: bool = Field(default=False, description="A mandatory reboot is pending.")
    reaches_appliance: bool = Field(default=True, description="The agent reaches its appliance.")
    fail_next_update: str | None = Field(
        default=None, description="Error code the next update fails with."
    )
    replication_health: Literal["Healthy", "Warning", "Critical"] = Field(
        default="Healthy", description="Replication health."
    )

    @field_validator("agent_version", "version_at_reboot")
    @classmethod
    def _v(cls, v: str | None) -> str | None:
        return None if v is None else _version(v)


class JobSpec(Strict):
    """A job already running or finished when the scenario starts."""

    item: str = Field(description="Machine the job updates.")
    state: Literal["InProgress", "Failed", "Succeeded"] = Field(
        description="Its state at the start."
    )
    started_minutes_ago: int = Field(
        default=5, ge=0, le=60 * 24 * 30, description="When it started."
    )
    error_code: str | None = Field(default=None, description="Catalogued error of a Failed job.")
    initiated_by: str | None = Field(
        default=None, description="Who started it (default: Site Recovery)."
    )


class ClockSpec(Strict):
    """Where engine time starts."""

    start: str | None = Field(
        default=None, description="ISO time with offset; default: see minutes_before_midnight."
    )
    minutes_before_midnight: int = Field(
        default=15,
        ge=0,
        le=1440,
        description="Start this long before the first vault's local midnight.",
    )
    base_date: str = Field(
        default="2026-12-16", description="Local date whose midnight follows the start."
    )
    speed: float = Field(
        default=60.0, gt=0, le=100_000, description="Engine seconds per wall second."
    )
    mode: Literal["simulated", "real"] = Field(
        default="simulated", description="Simulated or wall time."
    )

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    f"not an ISO time {v!r} (e.g. 2026-12-16T23:45:00-05:00)"
                ) from None
        return v

    @field_validator("base_date")
    @classmethod
    def _base_date(cls, v: str) -> str:
        try:
            date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"not a date {v!r} (YYYY-MM-DD)") from None
        return v


class Scenario(Strict):
    """A whole simulated world."""

    description: str = Field(default="", description="One line on what the scenario shows.")
    seed: int = Field(default=1, ge=0, le=2**31, description="Seed of every random choice.")
    clock: ClockSpec = Field(default_factory=ClockSpec, description="Start of engine time.")
    releases: list[ReleaseSpec] | None = Field(
        default=None, description="Release catalog; default: the built-in real one."
    )
    vaults: list[VaultSpec] = Field(min_length=1, description="Vaults.")
    appliances: list[ApplianceSpec] = Field(min_length=1, description="Appliances.")
    items: list[ItemSpec] = Field(default_factory=list, description="Protected machines.")
    jobs: list[JobSpec] = Field(
        default_factory=list, description="Jobs in flight or finished at the start."
    )

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _unique("vaults", [v.name for v in self.vaults])
        _unique("appliances", [a.name for a in self.appliances])
        _unique("items", [i.name for i in self.items])
        vaults = {v.name for v in self.vaults}
        appliances = {a.name for a in self.appliances}
        items = {i.name for i in self.items}
        for n, i in enumerate(
            self.items
        ):  # `sim disconnect NAME` and the like look both up by name
            if i.name in appliances:
                raise ValueError(
                    f"items.{n}.name: {i.name!r} is also an appliance's name; machine and "
                    "appliance names are unique across the database"
                )
        for n, a in enumerate(self.appliances):
            if a.vault not in vaults:
                raise ValueError(f"appliances.{n}.vault: unknown vault {a.vault!r}")
        for n, i in enumerate(self.items):
            if i.appliance not in appliances:
                raise ValueError(f"items.{n}.appliance: unknown appliance {i.appliance!r}")
        job_of: dict[str, int] = {}
        for n, j in enumerate(self.jobs):
            if j.item not in items:
                raise ValueError(f"jobs.{n}.item: unknown item {j.item!r}")
            if j.item in job_of:
                raise ValueError(
                    f"jobs.{n}.item: {j.item!r} already has a job (jobs.{job_of[j.item]}); one per"
                    " machine"
                )
            job_of[j.item] = n
        try:
            self.start_moment()
        except BadInput as exc:
            raise ValueError(f"clock: {exc}") from None
        ga_agent = any(r.component == AGENT and r.channel == "ga" for r in self.releases or ())
        if self.releases is not None and not ga_agent:
            raise ValueError(
                "releases: no GA agent release (list at least one, or leave releases out)"
            )
        return self

    def start_moment(self) -> datetime:
        """Where engine time starts (UTC): `clock.start`, or `minutes_before_midnight` before the
        midnight that follows `base_date` in the first vault's zone; bad input outside engine time.
        """
        tz = self.vaults[0].time_zone
        if self.clock.start:
            return clock.parse_moment(self.clock.start, tz)
        try:
            day = date.fromisoformat(self.clock.base_date) + timedelta(days=1)
            midnight = datetime(day.year, day.month, day.day, tzinfo=clock.zone(tz))
            start = (midnight - timedelta(minutes=self.clock.minutes_before_midnight)).astimezone(
                UTC
            )
        except OverflowError:
            start = None
        if start is None or not clock.EARLIEST <= start <= clock.LATEST:
            raise BadInput(
                f"base_date {self.clock.base_date!r} puts the start outside engine time "
                f"({clock.RANGE_TEXT})"
            )
        return start


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for n, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{what}.{n}.name: duplicate name {name!r}")
        seen.add(name)


def parse_scenario(text: str, source: str) -> Scenario:
    """Validate scenario JSON; raise BadInput naming the file, the field path and the problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise BadInput(f"{source}: invalid JSON: nested too deeply") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise BadInput(f"{source}: invalid JSON: a number too long to be real") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        path = ".".join(str(p) for p in err["loc"])
        raise BadInput(f"{source}: {path}: {msg}" if path else f"{source}: {msg}") from None


SCENARIO_MAX_BYTES = 64 * 1024 * 1024
"""A scenario file past this is not a real one (the demo fleet is 20 KB; 100,000 machines ~25 MB;
larger fleets are generated with `demo load --items`): refused before it is read into memory."""


def read_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO would block the open itself
        with os.fdopen(fd, "rb") as file:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode):  # /dev/zero, a FIFO: endless
                raise BadInput(f"{p}: not a regular file, not a scenario")
            data = b"" if found.st_size > SCENARIO_MAX_BYTES else file.read(SCENARIO_MAX_BYTES + 1)
    except FileNotFoundError:
        raise BadInput(f"{p}: no such scenario file") from None
    except OSError as exc:
        raise BadInput(f"{p}: cannot read scenario ({exc.__class__.__name__})") from None
    if found.st_size > SCENARIO_MAX_BYTES or len(data) > SCENARIO_MAX_BYTES:
        raise BadInput(
            f"{p}: larger than {SCENARIO_MAX_BYTES // 2**20} MiB, too large for a scenario "
            "(generate a big fleet with `demo load --items N`)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{p}: cannot read scenario (UnicodeDecodeError)") from None
    return parse_scenario(text, str(p))
