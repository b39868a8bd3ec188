"""Select entities for device settings with a fixed set of values (button actions, timeouts, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import (
    ADVANCED_CONFIG,
    OPENER_CONFIG,
    SMARTDOOR_CONFIG,
    AdvancedConfig,
    BatteryType,
    ButtonPressAction,
    BuzzerVolume,
    ConfigObject,
    MotorSpeed,
    NukiIntEnum,
    OpenerButtonPressAction,
    Setting,
    SmartdoorAdvancedConfig,
)
from .coordinator import NukiConfigEntry
from .entity import async_add_nuki_entities
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


def _named(members: Iterable[NukiIntEnum]) -> Codes:
    """Options named after enum members (``LOCK_N_GO`` -> ``lock_n_go``)."""
    return tuple((member.name.lower(), member.value) for member in members)


def _seconds(values: Iterable[int]) -> Codes:
    """Options named after a number of seconds (Nuki allows only these values)."""
    return tuple((str(value), value) for value in values)


_BUTTON_ACTIONS = _named(ButtonPressAction)
# Swagger: lngTimeout and unlatchDuration take only these values (seconds).
_LNG_TIMEOUTS = _seconds((5, 10, 15, 20, 30, 45, 60))
_UNLATCH_DURATIONS = _seconds((1, 3, 5, 7, 10, 15, 20, 30))


def _lock_selects[M: (AdvancedConfig, SmartdoorAdvancedConfig)](
    prefix: str, config: ConfigObject[M]
) -> list[NukiSelectEntityDescription]:
    """Return the selects that locks (advancedConfig) and the Smart Door share."""
    selects: tuple[tuple[str, Setting, Codes, bool], ...] = (
        (
            "single_button_press_action",
            config.setting("singleButtonPressAction", lambda c: c.single_button_press_action),
            _BUTTON_ACTIONS,
            True,
        ),
        (
            "double_button_press_action",
            config.setting("doubleButtonPressAction", lambda c: c.double_button_press_action),
            _BUTTON_ACTIONS,
            True,
        ),
        (
            "lock_n_go_timeout",
            config.setting("lngTimeout", lambda c: c.lng_timeout),
            _LNG_TIMEOUTS,
            False,
        ),
        (
            "unlatch_duration",
            config.setting("unlatchDuration", lambda c: c.unlatch_duration),
            _UNLATCH_DURATIONS,
            False,
        ),
    )
    return [
        NukiSelectEntityDescription(
            key=f"{prefix}{name}",
            translation_key=name,
            setting=setting,
            codes=codes,
            entity_registry_enabled_default=enabled,
        )
        for name, setting, codes, enabled in selects
    ]


SELECTS: tuple[NukiSelectEntityDescription, ...] = (
    *_lock_selects("", ADVANCED_CONFIG),
    *_lock_selects("smartdoor_", SMARTDOOR_CONFIG),
    NukiSelectEntityDescription(
        key="battery_type",
        translation_key="battery_type",
        setting=ADVANCED_CONFIG.setting("batteryType", lambda config: config.battery_type),
        codes=_named((BatteryType.ALKALI, BatteryType.ACCUMULATOR, BatteryType.LITHIUM)),
        entity_registry_enabled_default=False,
    ),
    NukiSelectEntityDescription(
        key="motor_speed",
        translation_key="motor_speed",
        setting=ADVANCED_CONFIG.setting("motorSpeed", lambda config: config.motor_speed),
        codes=_named(MotorSpeed),
        entity_registry_enabled_default=False,
    ),
    NukiSelectEntityDescription(
        key="buzzer_volume",
        translation_key="buzzer_volume",
        setting=SMARTDOOR_CONFIG.setting("buzzerVolume", lambda config: config.buzzer_volume),
        codes=_named(BuzzerVolume),
    ),
    NukiSelectEntityDescription(
        key="opener_single_button_press_action",
        translation_key="opener_single_button_press_action",
        setting=OPENER_CONFIG.setting(
            "singleButtonPressAction", lambda opener: opener.single_button_press_action
        ),
        codes=_named(OpenerButtonPressAction),
    ),
    NukiSelectEntityDescription(
        key="opener_double_button_press_action",
        translation_key="opener_double_button_press_action",
        setting=OPENER_CONFIG.setting(
            "doubleButtonPressAction", lambda opener: opener.double_button_press_action
        ),
        codes=_named(OpenerButtonPressAction),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the setting selects, now and when a device appears."""
    async_add_nuki_entities(entry, async_add_entities, SELECTS, NukiSelect)


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
        """Write the option's code."""
        code = dict(self.entity_description.codes)[option]
        await self.async_write_setting(lambda _: code)
