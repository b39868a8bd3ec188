"""Switches for device settings (LED, button, auto lock, doorbell suppression, ...).

Set up by the switch platform next to its action switches; see settings.py for how a
write behaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import JsonValue
from .coordinator import NukiConfigEntry
from .entity import async_add_nuki_entities, is_lock
from .settings import (
    ADVANCED_CONFIG,
    CONFIG,
    OPENER_CONFIG,
    SMARTDOOR_CONFIG,
    WEB_CONFIG,
    NukiSettingEntity,
    NukiSettingEntityDescription,
)


@dataclass(frozen=True, kw_only=True)
class NukiConfigSwitchEntityDescription(SwitchEntityDescription, NukiSettingEntityDescription):
    """A boolean setting, or one bit (``bit``) of an integer bitmask setting."""

    bit: int | None = None


# Opener: doorbell suppression bitmask (1 ring while RTO and CM are off, 2 RTO on, 4 CM on).
_DOORBELL_SUPPRESSION_BITS = (("ring", 1), ("ring_to_open", 2), ("continuous_mode", 4))

CONFIG_SWITCHES: tuple[NukiConfigSwitchEntityDescription, ...] = (
    NukiConfigSwitchEntityDescription(
        key="led_enabled", translation_key="led_enabled", config_object=CONFIG, field="ledEnabled"
    ),
    NukiConfigSwitchEntityDescription(
        key="button_enabled",
        translation_key="button_enabled",
        config_object=CONFIG,
        field="buttonEnabled",
    ),
    NukiConfigSwitchEntityDescription(
        key="auto_unlatch",
        translation_key="auto_unlatch",
        config_object=CONFIG,
        field="autoUnlatch",
        device_filter=is_lock,
    ),
    NukiConfigSwitchEntityDescription(
        key="pairing_enabled",
        translation_key="pairing_enabled",
        config_object=CONFIG,
        field="pairingEnabled",
        entity_registry_enabled_default=False,
    ),
    NukiConfigSwitchEntityDescription(
        key="single_lock",
        translation_key="single_lock",
        config_object=CONFIG,
        field="singleLock",
        device_filter=is_lock,
        entity_registry_enabled_default=False,
    ),
    NukiConfigSwitchEntityDescription(
        key="auto_lock",
        translation_key="auto_lock",
        config_object=ADVANCED_CONFIG,
        field="autoLock",
    ),
    NukiConfigSwitchEntityDescription(
        key="smartdoor_auto_lock",
        translation_key="auto_lock",
        config_object=SMARTDOOR_CONFIG,
        field="autoLock",
    ),
    NukiConfigSwitchEntityDescription(
        key="auto_update",
        translation_key="auto_update",
        config_object=ADVANCED_CONFIG,
        field="autoUpdateEnabled",
        entity_registry_enabled_default=False,
    ),
    NukiConfigSwitchEntityDescription(
        key="opener_auto_update",
        translation_key="auto_update",
        config_object=OPENER_CONFIG,
        field="autoUpdateEnabled",
        entity_registry_enabled_default=False,
    ),
    NukiConfigSwitchEntityDescription(
        key="slow_speed_during_night_mode",
        translation_key="slow_speed_during_night_mode",
        config_object=ADVANCED_CONFIG,
        field="enableSlowSpeedDuringNightmode",
        entity_registry_enabled_default=False,
    ),
    *(
        NukiConfigSwitchEntityDescription(
            key=f"doorbell_suppression_{name}",
            translation_key=f"doorbell_suppression_{name}",
            config_object=OPENER_CONFIG,
            field="doorbellSuppression",
            bit=bit,
        )
        for name, bit in _DOORBELL_SUPPRESSION_BITS
    ),
    NukiConfigSwitchEntityDescription(
        key="battery_warning_email",
        translation_key="battery_warning_email",
        config_object=WEB_CONFIG,
        field="batteryWarningPerMailEnabled",
    ),
)


def async_add_config_switches(
    entry: NukiConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the setting switches, now and when a device appears."""
    async_add_nuki_entities(entry, async_add_entities, CONFIG_SWITCHES, NukiConfigSwitch)


def _bits(value: JsonValue | None) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class NukiConfigSwitch(NukiSettingEntity, SwitchEntity):
    """A switch for a boolean setting or one bit of a bitmask setting."""

    entity_description: NukiConfigSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the setting (or its bit) is on."""
        value = self.setting
        bit = self.entity_description.bit
        if bit is not None:
            return None if value is None else bool(_bits(value) & bit)
        return value if isinstance(value, bool) else None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        await self._async_switch(on=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        await self._async_switch(on=False)

    async def _async_switch(self, *, on: bool) -> None:
        bit = self.entity_description.bit
        if bit is None:
            await self.async_write_setting(lambda _: on)
        else:
            await self.async_write_setting(
                lambda value: _bits(value) | bit if on else _bits(value) & ~bit
            )
