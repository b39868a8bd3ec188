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

from .api import Setting, settings
from .entity import nuki_platform
from .switch import NukiSettingEntity, NukiSettingEntityDescription

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiNumberEntityDescription(NumberEntityDescription, NukiSettingEntityDescription):
    """An integer setting."""


def _number(
    name: str,
    setting: Setting,
    limits: tuple[int, int, int | None],
    *,
    unit: UnitOfTime | None = None,
    key: str | None = None,
    enabled: bool = True,
) -> NukiNumberEntityDescription:
    """Describe a number; ``limits``: minimum, maximum, step (None: Home Assistant's).

    A number with a unit is a duration, typed in; one without is a level, on a slider.
    """
    low, high, step = limits
    return NukiNumberEntityDescription.of(
        name,
        setting,
        key=key,
        enabled=enabled,
        device_class=None if unit is None else NumberDeviceClass.DURATION,
        native_unit_of_measurement=unit,
        native_min_value=low,
        native_max_value=high,
        native_step=step,
        mode=NumberMode.SLIDER if unit is None else NumberMode.BOX,
    )


def _opener_ms(
    name: str, setting: Setting, low: int, high: int, step: int
) -> NukiNumberEntityDescription:
    """Describe an Opener duration in milliseconds: it fine-tunes the wiring (disabled)."""
    return _number(name, setting, (low, high, step), unit=UnitOfTime.MILLISECONDS, enabled=False)


_S, _MIN = UnitOfTime.SECONDS, UnitOfTime.MINUTES

# Nuki's Swagger gives no bounds for most: these are what the devices take (auto lock: at
# least 2 s).
NUMBERS: tuple[NukiNumberEntityDescription, ...] = (
    _number("led_brightness", settings.LED_BRIGHTNESS, (0, 5, None)),
    _number("auto_lock_timeout", settings.AUTO_LOCK_TIMEOUT, (2, 3600, None), unit=_S),
    _number(
        "auto_lock_timeout",
        settings.SMARTDOOR_AUTO_LOCK_TIMEOUT,
        (2, 3600, None),
        unit=_S,
        key="smartdoor_auto_lock_timeout",
    ),
    _number("ring_to_open_timeout", settings.RTO_TIMEOUT, (5, 60, None), unit=_MIN),
    _opener_ms("electric_strike_duration", settings.ELECTRIC_STRIKE_DURATION, 1000, 30000, 100),
    _opener_ms("electric_strike_delay", settings.ELECTRIC_STRIKE_DELAY, 0, 30000, 100),
    _opener_ms(
        "doorbell_suppression_duration", settings.DOORBELL_SUPPRESSION_DURATION, 0, 10000, 10
    ),
    _number("sound_level", settings.SOUND_LEVEL, (0, 255, None), enabled=False),
)


class NukiNumber(NukiSettingEntity, NumberEntity):
    """An integer setting of a device."""

    entity_description: NukiNumberEntityDescription

    @property
    @override
    def native_value(self) -> int | None:
        return self.setting

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Write the new value (Nuki takes integers)."""
        await self.async_write_setting(lambda _: round(value))


async_setup_entry = nuki_platform(NUMBERS, NukiNumber)
