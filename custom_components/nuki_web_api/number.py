"""Number entities for device settings (LED brightness, timeouts, durations, sound level)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import (
    ADVANCED_CONFIG,
    CONFIG,
    OPENER_CONFIG,
    SMARTDOOR_CONFIG,
    AdvancedConfig,
    ConfigObject,
    SmartdoorAdvancedConfig,
)
from .coordinator import NukiConfigEntry
from .entity import async_add_nuki_entities
from .switch import NukiSettingEntity, NukiSettingEntityDescription

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiNumberEntityDescription(NumberEntityDescription, NukiSettingEntityDescription):
    """An integer setting."""

    mode: NumberMode = NumberMode.BOX


def _auto_lock_timeout[M: (AdvancedConfig, SmartdoorAdvancedConfig)](
    key: str, config_object: ConfigObject[M]
) -> NukiNumberEntityDescription:
    """Seconds until the device locks again; Nuki wants >= 2 (firmware with ``autoLock``)."""
    return NukiNumberEntityDescription(
        key=key,
        translation_key="auto_lock_timeout",
        setting=config_object.setting("autoLockTimeout", lambda config: config.auto_lock_timeout),
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=2,
        native_max_value=3600,
    )


NUMBERS: tuple[NukiNumberEntityDescription, ...] = (
    NukiNumberEntityDescription(
        key="led_brightness",
        translation_key="led_brightness",
        setting=CONFIG.setting("ledBrightness", lambda config: config.led_brightness),
        native_min_value=0,
        native_max_value=5,
        mode=NumberMode.SLIDER,
    ),
    _auto_lock_timeout("auto_lock_timeout", ADVANCED_CONFIG),
    _auto_lock_timeout("smartdoor_auto_lock_timeout", SMARTDOOR_CONFIG),
    NukiNumberEntityDescription(
        key="ring_to_open_timeout",
        translation_key="ring_to_open_timeout",
        setting=OPENER_CONFIG.setting("rtoTimeout", lambda opener: opener.rto_timeout),
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        native_min_value=5,
        native_max_value=60,
    ),
    NukiNumberEntityDescription(
        key="electric_strike_duration",
        translation_key="electric_strike_duration",
        setting=OPENER_CONFIG.setting(
            "electricStrikeDuration", lambda opener: opener.electric_strike_duration
        ),
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        native_min_value=1000,
        native_max_value=30000,
        native_step=100,
        entity_registry_enabled_default=False,
    ),
    NukiNumberEntityDescription(
        key="electric_strike_delay",
        translation_key="electric_strike_delay",
        setting=OPENER_CONFIG.setting(
            "electricStrikeDelay", lambda opener: opener.electric_strike_delay
        ),
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        native_min_value=0,
        native_max_value=30000,
        native_step=100,
        entity_registry_enabled_default=False,
    ),
    NukiNumberEntityDescription(
        key="doorbell_suppression_duration",
        translation_key="doorbell_suppression_duration",
        setting=OPENER_CONFIG.setting(
            "doorbellSuppressionDuration", lambda opener: opener.doorbell_suppression_duration
        ),
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        native_min_value=0,
        native_max_value=10000,
        native_step=10,
        entity_registry_enabled_default=False,
    ),
    NukiNumberEntityDescription(
        key="sound_level",
        translation_key="sound_level",
        setting=OPENER_CONFIG.setting("soundLevel", lambda opener: opener.sound_level),
        native_min_value=0,
        native_max_value=255,
        mode=NumberMode.SLIDER,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the setting numbers, now and when a device appears."""
    async_add_nuki_entities(entry, async_add_entities, NUMBERS, NukiNumber)


class NukiNumber(NukiSettingEntity, NumberEntity):
    """An integer setting of a device."""

    entity_description: NukiNumberEntityDescription

    @property
    @override
    def native_value(self) -> int | None:
        """The setting's value."""
        return self.setting

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Write the new value (Nuki takes integers)."""
        await self.async_write_setting(lambda _: round(value))
