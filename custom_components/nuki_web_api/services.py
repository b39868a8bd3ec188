"""Service actions: targets, writes to several devices; device and settings actions.

An action checks every target first, then writes account by account (``write_all``); when a
write fails midway, it undoes what Nuki lets it undo and names what stands (api/ledger.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NoReturn

import probatio
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import service
from homeassistant.helpers.entity import Entity
from homeassistant.util.json import JsonValueType

from .api import LockAction, NukiError, NukiWebApiClient, OpenerAction, Smartlock
from .api.ledger import Ledger, Stand, Verb
from .api.settings import BATTERY_WARNING
from .const import DOMAIN, LOGGER
from .coordinator import NukiConfigEntry, NukiCoordinator, device_smartlock_ids
from .entity import NukiEntity, is_lock, is_opener
from .helpers import async_run_action, failed, invalid, text

type SchemaDict = dict[str | probatio.Marker, Any]

DEVICES: SchemaDict = {probatio.Required(ATTR_DEVICE_ID): probatio.All(cv.ensure_list, [cv.string])}

# 4 digits (Smart Lock 1-4, Opener) to 6 (newer models); Nuki takes an integer, so a
# leading 0 would be lost.
_ADMIN_PIN = re.compile(r"[1-9][0-9]{3,5}")


# --- targets ----------------------------------------------------------------------------------


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

    @property
    def client(self) -> NukiWebApiClient:
        """The client of the device's account."""
        return self.coordinator.client

    @property
    def present(self) -> bool:
        """Whether the device is still on the account."""
        return self.smartlock_id in self.coordinator.data.devices

    @property
    def hosting_missing(self) -> bool:
        """Whether the device lacks Smart Hosting, as the last refresh (or a write) found."""
        return self.smartlock_id in self.coordinator.data.smart_hosting_missing


def _resolve_target(hass: HomeAssistant, device_id: str) -> Target:
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


def resolve_targets(call: ServiceCall) -> list[Target]:
    """Resolve all devices of a call before anything is sent."""
    return _unique([_resolve_target(call.hass, d) for d in call.data[ATTR_DEVICE_ID]])


def _unique(targets: Iterable[Target]) -> list[Target]:
    """Keep each device once (in the order first named), however often the call names it."""
    seen: dict[tuple[NukiCoordinator, int], Target] = {}
    for target in targets:
        seen.setdefault((target.coordinator, target.smartlock_id), target)
    return list(seen.values())


def device_item(target: Target, **fields: JsonValueType) -> dict[str, JsonValueType]:
    """Return one item of a response: the device as picked and its name, then ``fields``."""
    return {"device_id": target.device_id, "device": target.name, **fields}


def by_coordinator(targets: Sequence[Target]) -> dict[NukiCoordinator, list[Target]]:
    """Group the targets by account, for one request per account where Nuki allows it."""
    groups: dict[NukiCoordinator, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.coordinator, []).append(target)
    return groups


# --- writes to several devices, all or nothing ---------------------------------------------------

type Step = Callable[[list[Target]], Awaitable[None]]


def _raise_incomplete(ledger: Ledger[Target], err: HomeAssistantError) -> NoReturn:
    """Raise ``err``, or, where a change stands, what stands: in HA's language, ``err`` too."""
    hass, fields = ledger.targets[0].coordinator.hass, err.translation_placeholders or {}
    if (devices := ledger.describe(lambda t: t.name, lambda k: text(hass, f"common.{k}"))) is None:
        raise err
    key = err.translation_key
    error = str(err) if key is None else text(hass, f"exceptions.{key}.message").format_map(fields)
    raise failed("write_incomplete", error=error, devices=devices) from err


async def write_all(ledger: Ledger[Target], step: Step, undo: Step | None = None) -> None:
    """Run ``step`` account by account; when one fails, undo the changes and name what stands.

    ``undo`` gets the targets of one account whose change stands; it marks what it undid
    and raises HomeAssistantError when Nuki refuses (that change then stands).
    """
    try:
        for group in by_coordinator(ledger.targets).values():
            await step(group)
    except HomeAssistantError as err:
        if undo is not None:
            for group in by_coordinator(ledger.standing()).values():
                try:
                    await undo(group)
                except HomeAssistantError as undo_err:
                    names = ", ".join(target.name for target in group)
                    LOGGER.warning("Could not undo the change on %s: %s", names, undo_err)
        _raise_incomplete(ledger, err)


# --- device actions (entity services of the lock platform) ---------------------------------------


async def _send(entity: Entity, kind: Callable[[Smartlock], bool], key: str, action: int) -> None:
    """Send ``action`` to the entity's device if it is of the ``kind`` the action needs."""
    if not isinstance(entity, NukiEntity):  # pragma: no cover - HA only passes our platform's
        raise invalid("not_nuki_entity", entity_id=entity.entity_id)
    if not kind(entity.device):
        raise invalid(key, entity_id=entity.entity_id)
    await entity.async_send_action(action)


async def async_lock_n_go(entity: Entity, call: ServiceCall) -> None:
    """Lock 'n' Go (optionally unlatching first) on a lock."""
    action = LockAction.LOCK_N_GO_UNLATCH if call.data["unlatch"] else LockAction.LOCK_N_GO
    await _send(entity, is_lock, "not_a_lock", action)


async def async_set_continuous_mode(entity: Entity, call: ServiceCall) -> None:
    """Switch an Opener's continuous mode on or off."""
    on, off = OpenerAction.ACTIVATE_CONTINUOUS_MODE, OpenerAction.DEACTIVATE_CONTINUOUS_MODE
    await _send(entity, is_opener, "not_an_opener", on if call.data["enable"] else off)


# --- settings without an entity: the admin PIN, battery warnings in bulk -------------------------


def _settings_target(hass: HomeAssistant, device_id: str) -> Target:
    """Resolve like every action, but keep these actions' one error for any wrong device."""
    try:
        return _resolve_target(hass, device_id)
    except ServiceValidationError as err:
        raise invalid("invalid_device", device_id=device_id) from err


async def async_set_admin_pin(call: ServiceCall) -> None:
    """Set a device's admin PIN (never logged)."""
    pin: str = call.data["pin"]
    if not _ADMIN_PIN.fullmatch(pin):
        raise invalid("invalid_admin_pin")
    target = _settings_target(call.hass, call.data[ATTR_DEVICE_ID])
    write = partial(target.client.set_admin_pin, target.smartlock_id, int(pin))
    await async_run_action(target.coordinator, target.smartlock_id, write, follow_up=False)


async def async_set_battery_warning(call: ServiceCall) -> None:
    """Switch the battery warning e-mails of several devices with one request per account.

    POST /bulk-web-config works without Smart Hosting, unlike the per-device endpoints.
    When an account fails, the accounts written before get their previous values back.
    """
    enabled: bool = call.data["enabled"]
    targets = _unique(_settings_target(call.hass, d) for d in call.data[ATTR_DEVICE_ID])
    # Read with no await since the targets were resolved: every device is there.
    before = {
        t: t.coordinator.config_entry.runtime_data.settings.value(
            t.coordinator.data.devices[t.smartlock_id], BATTERY_WARNING
        )
        for t in targets
    }
    ledger = Ledger[Target](targets, Verb.WRITTEN)

    async def send(group: list[Target], value: bool) -> None:
        try:
            async with ledger.sending(group):
                await group[0].client.bulk_web_config(
                    [target.smartlock_id for target in group], {BATTERY_WARNING.field: value}
                )
        except NukiError as err:
            raise failed("settings_write_failed", error=str(err)) from err

    async def step(group: list[Target]) -> None:
        await send(group, enabled)
        ledger.mark(group, Stand.CHANGED)

    async def undo(group: list[Target]) -> None:
        for value in (True, False):
            if back := [target for target in group if before[target] is value]:
                await send(back, value)
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
        _raise_incomplete(ledger, failed("device_left", device=", ".join(t.name for t in left)))


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the device and settings actions (once, in async_setup, for all entries)."""
    # The PIN is checked in the handler: a schema error would echo the value.
    pin: SchemaDict = {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required("pin"): cv.string,
    }
    warning: SchemaDict = {**DEVICES, probatio.Required("enabled"): cv.boolean}
    unlatch: SchemaDict = {probatio.Optional("unlatch", default=False): cv.boolean}
    enable: SchemaDict = {probatio.Required("enable"): cv.boolean}
    for action, handler, fields in (
        ("set_admin_pin", async_set_admin_pin, pin),
        ("set_battery_warning", async_set_battery_warning, warning),
    ):
        hass.services.async_register(DOMAIN, action, handler, probatio.Schema(fields))
    for action, func, fields in (
        ("lock_n_go", async_lock_n_go, unlatch),
        ("set_continuous_mode", async_set_continuous_mode, enable),
    ):
        service.async_register_platform_entity_service(
            hass, DOMAIN, action, entity_domain=LOCK_DOMAIN, schema=fields, func=func
        )
