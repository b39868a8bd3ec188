"""Write device settings through Nuki's config endpoints, optimistically, and confirm them.

Nuki accepts a config write with 204 and applies it on the device later. So a write sends
the complete config object with one field changed (nothing else gets reset), the entity
shows the new value at once, and the next refreshes confirm it. A value the device never
reports within ``CONFIRM_TIMEOUT`` is dropped (the entity shows what the device reports)
and a repair issue says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Final, Protocol, override

from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HassJob, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .api import JsonObject, JsonValue, NukiWebApiClient, Smartlock
from .const import DOMAIN, LOGGER
from .coordinator import NukiCoordinator
from .entity import NukiEntity, NukiEntityDescription

# Seconds a written value may stay unconfirmed before the entity shows the device's value.
CONFIRM_TIMEOUT: Final = 60.0


class _HasRaw(Protocol):
    @property
    def raw(self) -> JsonObject: ...


@dataclass(frozen=True, slots=True)
class ConfigObject:
    """One of Nuki's config objects: where to read it and how to write it back."""

    name: str
    model: Callable[[Smartlock], _HasRaw | None]
    write: Callable[[NukiWebApiClient, int, JsonObject], Awaitable[None]]
    # Fields the Swagger marks read-only: left out of the write.
    read_only: frozenset[str] = frozenset()

    def raw(self, device: Smartlock) -> JsonObject | None:
        """Return the object as the device last reported it (None if it has none)."""
        model = self.model(device)
        return None if model is None else model.raw


_OPERATION_ID = "operationId"

CONFIG = ConfigObject(
    "config",
    lambda device: device.config,
    NukiWebApiClient.update_config,
    frozenset(
        {
            "capabilities",
            "fobPaired",
            "fobAction1",
            "fobAction2",
            "fobAction3",
            "operatingMode",
            "keypadPaired",
            "keypad2Paired",
            "homekitState",
            "matterState",
            "deviceType",
            "wifiEnabled",
            _OPERATION_ID,
            "productVariant",
        }
    ),
)
ADVANCED_CONFIG = ConfigObject(
    "advancedConfig",
    lambda device: device.advanced_config,
    NukiWebApiClient.update_advanced_config,
    frozenset({"totalDegrees", _OPERATION_ID}),
)
OPENER_CONFIG = ConfigObject(
    "openerAdvancedConfig",
    lambda device: device.opener_advanced_config,
    NukiWebApiClient.update_opener_advanced_config,
    frozenset({"intercomId", "busModeSwitch", _OPERATION_ID}),
)
SMARTDOOR_CONFIG = ConfigObject(
    "smartdoorAdvancedConfig",
    lambda device: device.smartdoor_advanced_config,
    NukiWebApiClient.update_smartdoor_advanced_config,
    frozenset({"supportedBatteryTypes", _OPERATION_ID}),
)
WEB_CONFIG = ConfigObject(
    "webConfig", lambda device: device.web_config, NukiWebApiClient.update_web_config
)


def not_confirmed_issue_id(smartlock_id: int, field: str) -> str:
    """Return the id of the repair issue for a setting the device did not apply."""
    return f"setting_not_confirmed_{smartlock_id}_{field}"


@dataclass(slots=True)
class _Pending:
    value: JsonValue
    label: str
    cancel: CALLBACK_TYPE


type _Key = tuple[int, ConfigObject, str]


class SettingsWriter:
    """Writes settings of one account's devices and tracks the unconfirmed values."""

    def __init__(self, coordinator: NukiCoordinator) -> None:
        """Follow the coordinator's refreshes to confirm written values."""
        self._coordinator = coordinator
        self._pending: dict[_Key, _Pending] = {}
        entry = coordinator.config_entry
        entry.async_on_unload(coordinator.async_add_listener(self._confirm))
        entry.async_on_unload(self._unload)

    def value(self, device: Smartlock, obj: ConfigObject, field: str) -> JsonValue | None:
        """Return the value written last and not yet confirmed, else the reported one."""
        pending = self._pending.get((device.smartlock_id, obj, field))
        if pending is not None:
            return pending.value
        raw = obj.raw(device)
        return None if raw is None else raw.get(field)

    async def async_set(
        self,
        smartlock_id: int,
        obj: ConfigObject,
        field: str,
        update: Callable[[JsonValue | None], JsonValue],
        label: str | None = None,
    ) -> None:
        """Write ``update(current value)`` to one field; failures raise HomeAssistantError.

        ``label`` names the setting in a warning (the entity's name).

        The body is built inside the device's action lock, so that a write queued behind
        another one starts from that one's values and does not undo it.
        """
        coordinator = self._coordinator

        async def call() -> None:
            device = coordinator.data.devices.get(smartlock_id)
            if device is None:  # it left the account while the write waited for the lock
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="device_left",
                    translation_placeholders={"device": coordinator.device_name(smartlock_id)},
                )
            value = update(self.value(device, obj, field))
            await obj.write(coordinator.client, smartlock_id, self._body(device, obj, field, value))
            self.remember(device, obj, field, value, label)

        await coordinator.async_run_action(smartlock_id, call)

    def _body(
        self, device: Smartlock, obj: ConfigObject, field: str, value: JsonValue
    ) -> dict[str, JsonValue]:
        body = {
            key: item for key, item in (obj.raw(device) or {}).items() if key not in obj.read_only
        }
        for (smartlock_id, pending_obj, pending_field), pending in self._pending.items():
            if smartlock_id == device.smartlock_id and pending_obj is obj:
                body[pending_field] = pending.value
        body[field] = value
        return body

    @callback
    def remember(
        self,
        device: Smartlock,
        obj: ConfigObject,
        field: str,
        value: JsonValue,
        label: str | None = None,
    ) -> None:
        """Show ``value`` until the device reports it or the confirmation time runs out."""
        key = (device.smartlock_id, obj, field)
        self._drop(key)
        raw = obj.raw(device)
        if raw is None:
            return  # nothing to show: Nuki hides the object
        if raw.get(field) == value:
            self._confirmed(device.smartlock_id, field)
            return
        self._pending[key] = _Pending(
            value,
            label or f"{obj.name}.{field}",
            async_call_later(
                self._coordinator.hass,
                CONFIRM_TIMEOUT,
                HassJob(partial(self._expire, key), cancel_on_shutdown=True),
            ),
        )

    def _drop(self, key: _Key) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()

    @callback
    def _confirm(self) -> None:
        """Drop the values the devices now report (and the devices that left)."""
        devices = self._coordinator.data.devices
        for key, pending in list(self._pending.items()):
            smartlock_id, obj, field = key
            device = devices.get(smartlock_id)
            if device is None:
                self._drop(key)
                continue
            raw = obj.raw(device)
            if raw is not None and raw.get(field) == pending.value:
                self._drop(key)
                self._confirmed(smartlock_id, field)

    def _confirmed(self, smartlock_id: int, field: str) -> None:
        """Withdraw the warning about an earlier value of the field, if there is one."""
        ir.async_delete_issue(
            self._coordinator.hass, DOMAIN, not_confirmed_issue_id(smartlock_id, field)
        )

    @callback
    def _expire(self, key: _Key, _now: datetime) -> None:
        """Give up on a value: show the device's value and tell the user."""
        pending = self._pending.pop(key)
        smartlock_id, _, field = key
        name = self._coordinator.device_name(smartlock_id)
        LOGGER.warning(
            "%s did not apply the setting %s within %.0f s; showing the reported value",
            name,
            pending.label,
            CONFIRM_TIMEOUT,
        )
        ir.async_create_issue(
            self._coordinator.hass,
            DOMAIN,
            not_confirmed_issue_id(smartlock_id, field),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="setting_not_confirmed",
            translation_placeholders={
                "name": name,
                "setting": pending.label,
                "timeout": f"{CONFIRM_TIMEOUT:.0f}",
            },
        )
        self._coordinator.async_update_listeners()

    @callback
    def _unload(self) -> None:
        for key in list(self._pending):
            self._drop(key)
        _WRITERS.pop(self._coordinator, None)


_WRITERS: dict[NukiCoordinator, SettingsWriter] = {}


def settings_writer(coordinator: NukiCoordinator) -> SettingsWriter:
    """Return the coordinator's settings writer (made on first use)."""
    writer = _WRITERS.get(coordinator)
    if writer is None:
        writer = _WRITERS[coordinator] = SettingsWriter(coordinator)
    return writer


@dataclass(frozen=True, kw_only=True)
class NukiSettingEntityDescription(NukiEntityDescription):
    """A setting: one field of one config object; exists where the device has the field."""

    config_object: ConfigObject
    field: str
    device_filter: Callable[[Smartlock], bool] | None = None
    entity_category: EntityCategory | None = EntityCategory.CONFIG

    def __post_init__(self) -> None:
        """Derive ``exists_fn`` from the field's presence and the device filter."""
        object.__setattr__(self, "exists_fn", self._exists)

    def _exists(self, device: Smartlock) -> bool:
        raw = self.config_object.raw(device)
        return (
            raw is not None
            and self.field in raw
            and (self.device_filter is None or self.device_filter(device))
        )


class NukiSettingEntity(NukiEntity):
    """An entity that shows and writes one setting."""

    entity_description: NukiSettingEntityDescription

    def __init__(
        self,
        coordinator: NukiCoordinator,
        smartlock_id: int,
        description: NukiSettingEntityDescription,
    ) -> None:
        """Bind the entity to its device and the account's settings writer."""
        super().__init__(coordinator, smartlock_id, description)
        self._writer = settings_writer(coordinator)

    @property
    def setting(self) -> JsonValue | None:
        """The setting's value (a written, unconfirmed value wins)."""
        description = self.entity_description
        return self._writer.value(self.device, description.config_object, description.field)

    @override
    def _shown(self, available: bool) -> tuple[object, ...]:
        """Return the setting's value: the only part of the state that changes."""
        return (available, self.setting) if available else (False,)

    async def async_write_setting(self, update: Callable[[JsonValue | None], JsonValue]) -> None:
        """Write the setting and show the new value at once.

        All entities are told, since others may show other bits of the same field.
        """
        description = self.entity_description
        await self._writer.async_set(
            self.smartlock_id,
            description.config_object,
            description.field,
            update,
            self.name if isinstance(self.name, str) else None,
        )
        self.coordinator.async_update_listeners()
