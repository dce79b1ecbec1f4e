"""Resource names and ids: a vault's fabric, container and mapping, machines' URL-safe names."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
"""The well-known subscription the endpoint answers for (any script may hard-code it)."""
RESOURCE_GROUP = "asr-console"
"""The resource group every vault of the database is in."""
API_VERSION = "2025-08-01"
"""The SDK's (2.0.0) api-version."""
API_VERSIONS = frozenset({API_VERSION, "2023-04-01", "2022-08-01"})
"""Versions answered (the same shapes): the SDK's, the spec's older examples', the az CLI's."""

PROVIDER = "Microsoft.RecoveryServices"
TYPES = {
    "fabric": f"{PROVIDER}/vaults/replicationFabrics",
    "container": f"{PROVIDER}/vaults/replicationFabrics/replicationProtectionContainers",
    "mapping": (
        f"{PROVIDER}/vaults/replicationFabrics/replicationProtectionContainers/"
        "replicationProtectionContainerMappings"
    ),
    "item": (
        f"{PROVIDER}/vaults/replicationFabrics/replicationProtectionContainers/"
        "replicationProtectedItems"
    ),
    "job": f"{PROVIDER}/vaults/replicationJobs",
    "appliance": f"{PROVIDER}/vaults/replicationAppliances",
}

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
ENCODED = "b32-"
"""Prefix of a name that is not URL-safe as it stands: base32 of its UTF-8, lower case."""


def resource_name(name: str) -> str:
    """A machine's (or vault's) name as a URL-safe resource name: itself when it already is one."""
    if _SAFE.fullmatch(name) and not name.startswith(ENCODED):
        return name
    return ENCODED + base64.b32encode(name.encode()).decode().rstrip("=").lower()


def machine_name(resource: str) -> str | None:
    """The name a resource name stands for, or None when no name encodes to it."""
    if not resource.startswith(ENCODED):
        return resource if _SAFE.fullmatch(resource) else None
    text = resource[len(ENCODED) :].upper()
    try:
        name = base64.b32decode(text + "=" * (-len(text) % 8)).decode()
    except (binascii.Error, ValueError):
        return None
    return name if resource_name(name) == resource else None  # one resource name per machine


@dataclass(frozen=True)
class VaultScope:
    """A vault's resource ids: the vault, its one fabric (the appliances' site), that fabric's
    one protection container (every replicated machine) and the container's mapping to Azure.
    Its ids are worked out once (every item of a page names its container)."""

    vault: str
    url: bool = False
    """Paths for URLs (the vault's name percent-encoded) rather than resource ids."""

    @cached_property
    def prefix(self) -> str:
        vault = quote(self.vault, safe="") if self.url else self.vault
        return (
            f"/Subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"
            f"/providers/{PROVIDER}/vaults/{vault}"
        )

    @cached_property
    def fabric(self) -> str:
        return f"{resource_name(self.vault)}-fabric"

    @cached_property
    def container(self) -> str:
        return f"{resource_name(self.vault)}-container"

    @cached_property
    def mapping(self) -> str:
        return f"{resource_name(self.vault)}-mapping"

    @cached_property
    def fabric_id(self) -> str:
        return f"{self.prefix}/replicationFabrics/{self.fabric}"

    @cached_property
    def container_id(self) -> str:
        return f"{self.fabric_id}/replicationProtectionContainers/{self.container}"

    @cached_property
    def mapping_id(self) -> str:
        return f"{self.container_id}/replicationProtectionContainerMappings/{self.mapping}"

    def item_id(self, machine: str) -> str:
        return f"{self.container_id}/replicationProtectedItems/{resource_name(machine)}"

    def job_id(self, job: str) -> str:
        return f"{self.prefix}/replicationJobs/{job}"

    def appliance_id(self, appliance: str) -> str:
        """The appliance as its Site Recovery provider (DRA) registered in the fabric."""
        return f"{self.fabric_id}/replicationRecoveryServicesProviders/{resource_name(appliance)}"
