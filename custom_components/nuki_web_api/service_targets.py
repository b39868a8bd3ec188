"""What every service action needs: its devices resolved to coordinators, and its errors.

One resolution for all actions, so that a wrong device is refused the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import probatio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .coordinator import NukiConfigEntry, NukiCoordinator, device_smartlock_ids

type SchemaDict = dict[probatio.Marker, Any]

DEVICES: SchemaDict = {probatio.Required(ATTR_DEVICE_ID): probatio.All(cv.ensure_list, [cv.string])}


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated error for a call that is wrong as given (nothing was sent)."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def failed(key: str, **placeholders: str) -> HomeAssistantError:
    """Return the translated error for a call that was right but did not succeed."""
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(frozen=True, slots=True)
class Target:
    """A device picked in a service call, with the coordinator of its config entry."""

    coordinator: NukiCoordinator
    smartlock_id: int
    device_id: str

    @property
    def name(self) -> str:
        """The coordinator's name for the device, also once Nuki stops sending one."""
        return self.coordinator.device_name(self.smartlock_id)


def resolve_target(hass: HomeAssistant, device_id: str) -> Target:
    """Resolve a registry device; every wrong pick is a ServiceValidationError."""
    device = dr.async_get(hass).async_get(device_id)
    if not isinstance(device, dr.DeviceEntry):
        raise invalid("unknown_device", device_id=device_id)
    smartlock_ids = device_smartlock_ids(device)
    entry: NukiConfigEntry | None = hass.config_entries.async_get_entry(device.config_entry_id)
    name = device.name_by_user or device.name or device_id
    if not smartlock_ids or entry is None or entry.domain != DOMAIN:
        raise invalid("not_nuki_device", device=name)
    if entry.state is not ConfigEntryState.LOADED:
        raise invalid("entry_not_loaded", device=name)
    coordinator = entry.runtime_data.coordinator
    smartlock_id = min(smartlock_ids)
    if smartlock_id not in coordinator.data.devices:
        raise invalid("unknown_device", device_id=device_id)
    return Target(coordinator, smartlock_id, device_id)


def resolve_targets(hass: HomeAssistant, device_ids: Iterable[str]) -> list[Target]:
    """Resolve all devices of a call before anything is sent."""
    return unique([resolve_target(hass, device_id) for device_id in device_ids])


def unique(targets: Iterable[Target]) -> list[Target]:
    """Keep each device once (in the order first named), however often the call names it."""
    seen: dict[tuple[NukiCoordinator, int], Target] = {}
    for target in targets:
        seen.setdefault((target.coordinator, target.smartlock_id), target)
    return list(seen.values())


def by_coordinator(targets: Sequence[Target]) -> dict[NukiCoordinator, list[Target]]:
    """Group the targets by account, for one request per account where Nuki allows it."""
    groups: dict[NukiCoordinator, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.coordinator, []).append(target)
    return groups
