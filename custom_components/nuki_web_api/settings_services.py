"""Service actions for settings that have no entity: the admin PIN, battery warnings in bulk."""

from __future__ import annotations

import re
from typing import Final

import probatio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr

from .api import NukiError
from .const import DOMAIN
from .coordinator import NukiConfigEntry, device_smartlock_ids
from .settings import WEB_CONFIG, settings_writer

SERVICE_SET_ADMIN_PIN: Final = "set_admin_pin"
SERVICE_SET_BATTERY_WARNING: Final = "set_battery_warning"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_PIN: Final = "pin"
ATTR_ENABLED: Final = "enabled"

BATTERY_WARNING_FIELD: Final = "batteryWarningPerMailEnabled"

# 4 digits (Smart Lock 1-4, Opener) to 6 (newer models); Nuki takes an integer, so a
# leading 0 would be lost.
_ADMIN_PIN = re.compile(r"[1-9][0-9]{3,5}")

SET_ADMIN_PIN_SCHEMA: Final = probatio.Schema(
    # The PIN is checked in the handler: a schema error would echo the value.
    {probatio.Required(ATTR_DEVICE_ID): cv.string, probatio.Required(ATTR_PIN): cv.string}
)
SET_BATTERY_WARNING_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): probatio.All(cv.ensure_list, [cv.string]),
        probatio.Required(ATTR_ENABLED): cv.boolean,
    }
)


def _device(hass: HomeAssistant, device_id: str) -> tuple[NukiConfigEntry, int]:
    """Return the loaded entry and the smartlockId of a registry device."""
    device = dr.async_get(hass).async_get(device_id)
    if isinstance(device, dr.DeviceEntry):
        for smartlock_id in device_smartlock_ids(device):
            for entry_id in device.config_entries:
                entry: NukiConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
                if (
                    entry is not None
                    and entry.domain == DOMAIN
                    and entry.state is ConfigEntryState.LOADED
                    and smartlock_id in entry.runtime_data.coordinator.data.devices
                ):
                    return entry, smartlock_id
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_device",
        translation_placeholders={"device_id": device_id},
    )


async def _async_set_admin_pin(call: ServiceCall) -> None:
    """Set a device's admin PIN (never logged)."""
    pin: str = call.data[ATTR_PIN]
    if not _ADMIN_PIN.fullmatch(pin):
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_admin_pin")
    entry, smartlock_id = _device(call.hass, call.data[ATTR_DEVICE_ID])
    coordinator = entry.runtime_data.coordinator
    await coordinator.async_run_action(
        smartlock_id, lambda: coordinator.client.set_admin_pin(smartlock_id, int(pin))
    )


async def _async_set_battery_warning(call: ServiceCall) -> None:
    """Switch the battery warning e-mails of several devices with one request per account.

    POST /bulk-web-config works without Smart Hosting, unlike the per-device endpoints.
    """
    enabled: bool = call.data[ATTR_ENABLED]
    accounts: dict[str, tuple[NukiConfigEntry, list[int]]] = {}
    for device_id in call.data[ATTR_DEVICE_ID]:
        entry, smartlock_id = _device(call.hass, device_id)
        accounts.setdefault(entry.entry_id, (entry, []))[1].append(smartlock_id)
    for entry, smartlock_ids in accounts.values():
        coordinator = entry.runtime_data.coordinator
        try:
            await coordinator.client.bulk_web_config(
                smartlock_ids, {BATTERY_WARNING_FIELD: enabled}
            )
        except NukiError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="settings_write_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        writer = settings_writer(coordinator)
        for smartlock_id in smartlock_ids:
            writer.remember(
                coordinator.data.devices[smartlock_id], WEB_CONFIG, BATTERY_WARNING_FIELD, enabled
            )
        coordinator.async_update_listeners()
        await coordinator.async_request_refresh()


@callback
def async_setup_settings_services(hass: HomeAssistant) -> None:
    """Register the settings service actions (once, for all entries)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_ADMIN_PIN, _async_set_admin_pin, schema=SET_ADMIN_PIN_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_BATTERY_WARNING,
        _async_set_battery_warning,
        schema=SET_BATTERY_WARNING_SCHEMA,
    )
