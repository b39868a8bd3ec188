"""Select entities for device settings with a fixed set of values (button actions, timeouts, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from .api import (
    BatteryType,
    ButtonPressAction,
    BuzzerVolume,
    MotorSpeed,
    NukiIntEnum,
    OpenerButtonPressAction,
    Setting,
    settings,
)
from .entity import nuki_platform
from .switch import NukiSettingEntity, NukiSettingEntityDescription

PARALLEL_UPDATES = 1

type Codes = tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True)
class NukiSelectEntityDescription(SelectEntityDescription, NukiSettingEntityDescription):
    """A setting with named values: ``codes`` maps each option to Nuki's code."""

    codes: Codes

    def __post_init__(self) -> None:
        """Offer the options in the order of ``codes``."""
        super().__post_init__()
        object.__setattr__(self, "options", [option for option, _ in self.codes])


def _select(
    name: str, setting: Setting, codes: Codes, *, key: str | None = None, enabled: bool = True
) -> NukiSelectEntityDescription:
    return NukiSelectEntityDescription.of(name, setting, key=key, enabled=enabled, codes=codes)


def _named(members: Iterable[NukiIntEnum]) -> Codes:
    """Options named after enum members (``LOCK_N_GO`` -> ``lock_n_go``)."""
    return tuple((member.name.lower(), member.value) for member in members)


def _seconds(*values: int) -> Codes:
    """Options named after a number of seconds."""
    return tuple((str(value), value) for value in values)


_BUTTON_ACTIONS = _named(ButtonPressAction)
_OPENER_BUTTON_ACTIONS = _named(OpenerButtonPressAction)
# Swagger: lngTimeout and unlatchDuration take only these values (seconds).
_LNG_TIMEOUTS = _seconds(5, 10, 15, 20, 30, 45, 60)
_UNLATCH_DURATIONS = _seconds(1, 3, 5, 7, 10, 15, 20, 30)
_BATTERY_TYPES = _named((BatteryType.ALKALI, BatteryType.ACCUMULATOR, BatteryType.LITHIUM))

SELECTS: tuple[NukiSelectEntityDescription, ...] = (
    _select("single_button_press_action", settings.SINGLE_BUTTON_PRESS_ACTION, _BUTTON_ACTIONS),
    _select("double_button_press_action", settings.DOUBLE_BUTTON_PRESS_ACTION, _BUTTON_ACTIONS),
    _select("lock_n_go_timeout", settings.LNG_TIMEOUT, _LNG_TIMEOUTS, enabled=False),
    _select("unlatch_duration", settings.UNLATCH_DURATION, _UNLATCH_DURATIONS, enabled=False),
    _select(
        "single_button_press_action",
        settings.SMARTDOOR_SINGLE_BUTTON_PRESS_ACTION,
        _BUTTON_ACTIONS,
        key="smartdoor_single_button_press_action",
    ),
    _select(
        "double_button_press_action",
        settings.SMARTDOOR_DOUBLE_BUTTON_PRESS_ACTION,
        _BUTTON_ACTIONS,
        key="smartdoor_double_button_press_action",
    ),
    _select(
        "lock_n_go_timeout",
        settings.SMARTDOOR_LNG_TIMEOUT,
        _LNG_TIMEOUTS,
        key="smartdoor_lock_n_go_timeout",
        enabled=False,
    ),
    _select(
        "unlatch_duration",
        settings.SMARTDOOR_UNLATCH_DURATION,
        _UNLATCH_DURATIONS,
        key="smartdoor_unlatch_duration",
        enabled=False,
    ),
    _select("battery_type", settings.BATTERY_TYPE, _BATTERY_TYPES, enabled=False),
    _select("motor_speed", settings.MOTOR_SPEED, _named(MotorSpeed), enabled=False),
    _select("buzzer_volume", settings.BUZZER_VOLUME, _named(BuzzerVolume)),
    _select(
        "opener_single_button_press_action",
        settings.OPENER_SINGLE_BUTTON_PRESS_ACTION,
        _OPENER_BUTTON_ACTIONS,
    ),
    _select(
        "opener_double_button_press_action",
        settings.OPENER_DOUBLE_BUTTON_PRESS_ACTION,
        _OPENER_BUTTON_ACTIONS,
    ),
)


class NukiSelect(NukiSettingEntity, SelectEntity):
    """A setting with named values."""

    entity_description: NukiSelectEntityDescription

    @property
    @override
    def current_option(self) -> str | None:
        """The option of the current code (None for a code this integration does not know)."""
        value = self.setting
        return next(
            (option for option, code in self.entity_description.codes if code == value), None
        )

    @override
    async def async_select_option(self, option: str) -> None:
        code = dict(self.entity_description.codes)[option]
        await self.async_write_setting(lambda _: code)


async_setup_entry = nuki_platform(SELECTS, NukiSelect)
