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
from .coordinator import NukiCoordinator
from .helpers import async_run_action
from .service_targets import (
    DEVICES,
    Target,
    by_coordinator,
    failed,
    invalid,
    resolve_target,
    unique,
)
from .write_ledger import Ledger, Stand, write_all
from .writes import BATTERY_WARNING

ATTR_PIN: Final = "pin"
ATTR_ENABLED: Final = "enabled"

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
    await async_run_action(
        coordinator,
        smartlock_id,
        lambda: coordinator.client.set_admin_pin(smartlock_id, int(pin)),
        follow_up=False,
    )


async def async_set_battery_warning(call: ServiceCall) -> None:
    """Switch the battery warning e-mails of several devices with one request per account.

    POST /bulk-web-config works without Smart Hosting, unlike the per-device endpoints.
    When an account fails, the accounts written before get their previous values back.
    """
    enabled: bool = call.data[ATTR_ENABLED]
    targets = unique(_target(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID])
    before = {target: _battery_warning(target) for target in targets}
    ledger = Ledger(targets, "written")

    async def send(coordinator: NukiCoordinator, group: list[Target], value: bool) -> None:
        try:
            async with ledger.sending(group):
                await coordinator.client.bulk_web_config(
                    [target.smartlock_id for target in group], {BATTERY_WARNING.field: value}
                )
        except NukiError as err:
            raise failed("settings_write_failed", error=str(err)) from err

    async def step(coordinator: NukiCoordinator, group: list[Target]) -> None:
        await send(coordinator, group, enabled)
        ledger.mark(group, Stand.CHANGED)

    async def undo(coordinator: NukiCoordinator, group: list[Target]) -> None:
        for value in (True, False):
            if back := [target for target in group if before[target] is value]:
                await send(coordinator, back, value)
                ledger.mark(back, Stand.UNDONE)

    await write_all(ledger, step, undo)
    left: list[Target] = []
    for coordinator, group in by_coordinator(targets).items():
        settings = coordinator.config_entry.runtime_data.settings
        for target in group:
            # The device may have left the account while the request was under way.
            if (device := coordinator.data.devices.get(target.smartlock_id)) is None:
                left.append(target)
            else:
                settings.remember(device, BATTERY_WARNING, enabled, name=target.name, label=None)
        coordinator.async_update_listeners()
        await coordinator.async_request_refresh()
    if left:
        ledger.mark(left, Stand.LEFT)
        gone = failed("device_left", device=", ".join(t.name for t in left))
        if (error := ledger.error(gone)) is gone:
            raise gone
        raise error from gone


def _battery_warning(target: Target) -> int | None:
    """Return the battery warning the device shows now (what an undo writes back).

    Called right after the target was resolved, with no await between: the device is there.
    """
    device = target.coordinator.data.devices[target.smartlock_id]
    settings = target.coordinator.config_entry.runtime_data.settings
    return settings.value(device, BATTERY_WARNING)
