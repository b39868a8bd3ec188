"""Switches: the Opener's continuous mode (an action), device settings and authorizations.

Settings and authorizations are written optimistically (writes.py). The setting
description and entity here also serve the number and select platforms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Self, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import AuthType, DeviceMode, OpenerAction, Setting, Smartlock, SmartlockAuth, settings
from .api.authorizations import auth_key, update_body
from .coordinator import NukiConfigEntry, NukiCoordinator
from .entity import NukiEntity, NukiEntityDescription, async_add_nuki_entities, is_lock, is_opener
from .helpers import async_run_action, failed

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiSettingEntityDescription(NukiEntityDescription):
    """A setting; a device gets its entity where it reports the field (and ``exists_fn`` agrees)."""

    setting: Setting
    entity_category: EntityCategory | None = EntityCategory.CONFIG

    def __post_init__(self) -> None:
        """Ask the device for the field too."""
        setting, exists = self.setting, self.exists_fn
        object.__setattr__(self, "exists_fn", lambda d: setting.exists(d) and exists(d))

    @classmethod
    def of(
        cls, name: str, setting: Setting, *, key: str | None = None, enabled: bool = True, **kw: Any
    ) -> Self:
        """Describe setting ``name``: its translation key, and its key unless ``key``."""
        return cls(
            key=key or name,
            translation_key=name,
            setting=setting,
            entity_registry_enabled_default=enabled,
            **kw,
        )


class NukiSettingEntity(NukiEntity):
    """An entity that shows and writes one setting."""

    entity_description: NukiSettingEntityDescription

    @property
    def setting(self) -> int | None:
        """The setting's value (a written, unconfirmed value wins)."""
        writer = self.coordinator.config_entry.runtime_data.settings
        return writer.value(self.device, self.entity_description.setting)

    @override
    def _shown(self, available: bool) -> tuple[object, ...]:
        return (available, self.setting) if available else (False,)

    async def async_write_setting(self, update: Callable[[int | None], int]) -> None:
        """Write ``update(shown value)`` and show it at once; failures raise translated errors.

        The value is computed inside the device's action lock, so that a write queued behind
        another starts from that one's value. All entities are told: others may show other
        bits of the same field.
        """
        coordinator, setting = self.coordinator, self.entity_description.setting
        writer = coordinator.config_entry.runtime_data.settings
        label = self.name if isinstance(self.name, str) else None

        async def call() -> None:
            name = coordinator.device_name(self.smartlock_id)
            if (device := coordinator.data.devices.get(self.smartlock_id)) is None:
                raise failed("device_left", device=name)  # it left while the write waited
            value = update(writer.value(device, setting))
            await writer.async_write(
                coordinator.client, device, setting, value, name=name, label=label
            )

        await async_run_action(coordinator, self.smartlock_id, call)
        coordinator.async_update_listeners()


@dataclass(frozen=True, kw_only=True)
class NukiConfigSwitchEntityDescription(SwitchEntityDescription, NukiSettingEntityDescription):
    """A boolean setting, or one bit (``bit``) of an integer bitmask setting."""

    bit: int | None = None


_switch = NukiConfigSwitchEntityDescription.of

CONFIG_SWITCHES: tuple[NukiConfigSwitchEntityDescription, ...] = (
    _switch("led_enabled", settings.LED_ENABLED),
    _switch("button_enabled", settings.BUTTON_ENABLED),
    _switch("auto_unlatch", settings.AUTO_UNLATCH, exists_fn=is_lock),
    _switch("pairing_enabled", settings.PAIRING_ENABLED, enabled=False),
    _switch("single_lock", settings.SINGLE_LOCK, exists_fn=is_lock, enabled=False),
    _switch("auto_lock", settings.AUTO_LOCK),
    _switch("auto_lock", settings.SMARTDOOR_AUTO_LOCK, key="smartdoor_auto_lock"),
    _switch("auto_update", settings.AUTO_UPDATE, enabled=False),
    _switch("auto_update", settings.OPENER_AUTO_UPDATE, key="opener_auto_update", enabled=False),
    _switch("slow_speed_during_night_mode", settings.SLOW_SPEED_DURING_NIGHT_MODE, enabled=False),
    *(
        _switch(f"doorbell_suppression_{name}", settings.DOORBELL_SUPPRESSION, bit=bit)
        for name, bit in (("ring", 1), ("ring_to_open", 2), ("continuous_mode", 4))
    ),
    _switch("battery_warning_email", settings.BATTERY_WARNING),
)


class NukiConfigSwitch(NukiSettingEntity, SwitchEntity):
    """A switch for a boolean setting or one bit of a bitmask setting."""

    entity_description: NukiConfigSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        value, bit = self.setting, self.entity_description.bit
        return None if value is None else bool(value & bit if bit is not None else value)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        bit = self.entity_description.bit
        await self.async_write_setting(lambda value: True if bit is None else (value or 0) | bit)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        bit = self.entity_description.bit
        await self.async_write_setting(lambda value: False if bit is None else (value or 0) & ~bit)


@dataclass(frozen=True, kw_only=True)
class NukiSwitchEntityDescription(SwitchEntityDescription, NukiEntityDescription):
    """A switch: its state and the action codes that turn it on and off."""

    is_on_fn: Callable[[Smartlock], bool | None]
    on_action: int
    off_action: int


SWITCHES: tuple[NukiSwitchEntityDescription, ...] = (
    NukiSwitchEntityDescription(
        key="continuous_mode",
        translation_key="continuous_mode",
        exists_fn=is_opener,
        is_on_fn=lambda d: None if d.state is None else d.state.mode == DeviceMode.CONTINUOUS,
        on_action=OpenerAction.ACTIVATE_CONTINUOUS_MODE,
        off_action=OpenerAction.DEACTIVATE_CONTINUOUS_MODE,
    ),
)


class NukiSwitch(NukiEntity, SwitchEntity):
    """A switch that sends one Nuki action to turn on and another to turn off."""

    entity_description: NukiSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.device)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_send_action(self.entity_description.on_action)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_send_action(self.entity_description.off_action)


@dataclass(frozen=True, kw_only=True)
class NukiAuthSwitchEntityDescription(SwitchEntityDescription, NukiEntityDescription):
    """The switch of one authorization type (its name and icon)."""

    auth_type: AuthType
    entity_category: EntityCategory | None = EntityCategory.CONFIG
    entity_registry_enabled_default: bool = False


AUTH_SWITCHES: tuple[NukiAuthSwitchEntityDescription, ...] = tuple(
    NukiAuthSwitchEntityDescription(key=key, translation_key=key, auth_type=auth_type)
    for key, auth_type in (
        ("app_authorization", AuthType.APP),
        ("fob_authorization", AuthType.FOB),
        ("keypad_code_authorization", AuthType.KEYPAD_CODE),
    )
)
AUTH_SWITCH_OF_TYPE = {description.auth_type: description for description in AUTH_SWITCHES}


def _async_add_auth_switches(
    entry: NukiConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a switch per authorization, remove those proven deleted, now and after each read.

    Authorizations created later get their switch on a later read, which happens only while
    a switch is enabled (or after a reload). Items with a Smart Hosting error get none.
    """
    main, auths = entry.runtime_data.coordinator, entry.runtime_data.auth_coordinator
    registry = er.async_get(main.hass)
    added: dict[str, int] = {}  # auth id -> smartlockId

    @callback
    def _add_new() -> None:
        devices = main.data.devices
        for auth_id in [a for a, smartlock_id in added.items() if smartlock_id not in devices]:
            del added[auth_id]  # the device left: its entities went with it
        entities = er.async_entries_for_config_entry(registry, entry.entry_id)
        for entity_id, auth_id in auths.data.gone(
            {e.unique_id: e.entity_id for e in entities}
        ).items():
            registry.async_remove(entity_id)
            added.pop(auth_id, None)
        new: list[NukiAuthSwitch] = []
        for auth_id, auth in auths.data.items():
            description = AUTH_SWITCH_OF_TYPE.get(auth.type) if auth.type is not None else None
            if (
                description is None
                or auth_id in added
                or auth.error is not None
                or auth.smartlock_id not in devices
            ):
                continue
            added[auth_id] = auth.smartlock_id
            new.append(NukiAuthSwitch(main, auth, description))
        if new:
            async_add_entities(new)

    _add_new()
    entry.async_on_unload(auths.async_on_refresh(_add_new))


class NukiAuthSwitch(NukiEntity, SwitchEntity):
    """On while the authorization is enabled in Nuki (read by NukiAuthCoordinator)."""

    entity_description: NukiAuthSwitchEntityDescription

    def __init__(
        self,
        coordinator: NukiCoordinator,
        auth: SmartlockAuth,
        description: NukiAuthSwitchEntityDescription,
    ) -> None:
        """Bind the switch to the authorization and its device."""
        super().__init__(coordinator, auth.smartlock_id, description)
        assert auth.id is not None  # only auths with an id get a switch
        self.auth_id = auth.id
        self._auths = coordinator.config_entry.runtime_data.auth_coordinator
        self._attr_unique_id = auth_key(auth.smartlock_id, auth.id)
        self._attr_translation_placeholders = {"name": auth.name or auth.id}

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the authorizations too: while a switch does, they are polled."""
        await super().async_added_to_hass()
        self.async_on_remove(self._auths.async_add_listener(self._handle_coordinator_update))

    @property
    @override
    def available(self) -> bool:
        """Also unavailable when the read failed or the authorization is gone or failing."""
        auth = self._auths.data.get(self.auth_id)
        return (
            super().available
            and self._auths.last_update_success
            and auth is not None
            and auth.error is None
        )

    @property
    @override
    def is_on(self) -> bool | None:
        """The enabled flag written last until a read confirms it, else as Nuki reports it."""
        if (expected := self._auths.writes.get(self.auth_id)) is not None:
            return expected
        auth = self._auths.data.get(self.auth_id)
        return None if auth is None else auth.enabled

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set_enabled(enabled=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set_enabled(enabled=False)

    async def _async_set_enabled(self, *, enabled: bool) -> None:
        auth = self._auths.data.get(self.auth_id)
        if auth is None:  # pragma: no cover - Home Assistant skips unavailable entities
            return
        body = update_body(auth, {"enabled": enabled})
        client, name = self.coordinator.client, self.coordinator.device_name(self.smartlock_id)
        await async_run_action(
            self.coordinator,
            self.smartlock_id,
            partial(client.update_auth, self.smartlock_id, self.auth_id, body),
            follow_up=False,
        )
        self._auths.writes.expect(self.auth_id, enabled, name, auth.name or self.auth_id)
        self._handle_coordinator_update()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the switches, now and when a device or authorization appears."""
    async_add_nuki_entities(entry, async_add_entities, SWITCHES, NukiSwitch)
    async_add_nuki_entities(entry, async_add_entities, CONFIG_SWITCHES, NukiConfigSwitch)
    _async_add_auth_switches(entry, async_add_entities)
