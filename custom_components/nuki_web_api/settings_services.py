"""Service actions for settings that have no entity: the admin PIN, battery warnings in bulk."""

from __future__ import annotations

import re
from typing import Final

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .api import NukiError
from .service_targets import DEVICES, Target, by_coordinator, failed, invalid, resolve_target
from .settings import WEB_CONFIG, settings_writer

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
    {**DEVICES, probatio.Required(ATTR_ENABLED): cv.boolean}
)


def _target(hass: HomeAssistant, device_id: str) -> Target:
    """Resolve like every action, but keep these actions' one error for any wrong device."""
    try:
        return resolve_target(hass, device_id)
    except ServiceValidationError as err:
        raise invalid("invalid_device", device_id=device_id) from err


async def async_set_admin_pin(call: ServiceCall) -> None:
    """Set a device's admin PIN (never logged)."""
    pin: str = call.data[ATTR_PIN]
    if not _ADMIN_PIN.fullmatch(pin):
        raise invalid("invalid_admin_pin")
    target = _target(call.hass, call.data[ATTR_DEVICE_ID])
    coordinator, smartlock_id = target.coordinator, target.smartlock_id
    await coordinator.async_run_action(
        smartlock_id,
        lambda: coordinator.client.set_admin_pin(smartlock_id, int(pin)),
        follow_up=False,
    )


async def async_set_battery_warning(call: ServiceCall) -> None:
    """Switch the battery warning e-mails of several devices with one request per account.

    POST /bulk-web-config works without Smart Hosting, unlike the per-device endpoints.
    """
    enabled: bool = call.data[ATTR_ENABLED]
    targets = [_target(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID]]
    for coordinator, group in by_coordinator(targets).items():
        smartlock_ids = [target.smartlock_id for target in group]
        try:
            await coordinator.client.bulk_web_config(
                smartlock_ids, {BATTERY_WARNING_FIELD: enabled}
            )
        except NukiError as err:
            raise failed("settings_write_failed", error=str(err)) from err
        writer = settings_writer(coordinator)
        for smartlock_id in smartlock_ids:
            writer.remember(
                coordinator.data.devices[smartlock_id], WEB_CONFIG, BATTERY_WARNING_FIELD, enabled
            )
        coordinator.async_update_listeners()
        await coordinator.async_request_refresh()
