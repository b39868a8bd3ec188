"""Nuki's writable config objects: where a device keeps each, how to write it back, its fields.

Nuki resets what a config write leaves out, so a write sends the complete object as last
reported with the changed fields, minus the fields the Swagger marks read-only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, Protocol, TypeVar

from .client import NukiWebApiClient
from .models import AdvancedConfig, JsonObject, JsonValue, SmartdoorAdvancedConfig, Smartlock


class _HasRaw(Protocol):
    @property
    def raw(self) -> JsonObject: ...


# Covariant, so that a Setting can refer to any config object: a PEP 695 parameter of a
# dataclass is inferred invariant (dataclasses.replace takes it).
_M_co = TypeVar("_M_co", bound=_HasRaw, covariant=True)


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigObject(Generic[_M_co]):  # noqa: UP046 - see _M_co
    """One config object: the device's typed model of it and the client method that writes it."""

    name: str
    model: Callable[[Smartlock], _M_co | None]
    write: Callable[[NukiWebApiClient, int, JsonObject], Awaitable[None]]
    read_only: frozenset[str] = frozenset()

    def raw(self, device: Smartlock) -> JsonObject | None:
        """Return the object as the device last reported it (None if it has none)."""
        model = self.model(device)
        return None if model is None else model.raw

    def body(self, device: Smartlock, changes: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
        """Return the write body: the reported object without read-only fields, with ``changes``."""
        raw = self.raw(device) or {}
        return {**{k: v for k, v in raw.items() if k not in self.read_only}, **changes}

    def setting(self, field: str, get: Callable[[_M_co], int | None]) -> Setting:
        """Return the field ``field`` (Nuki's name) whose typed value ``get`` reads."""
        model = self.model
        return Setting(self, field, lambda device: None if (m := model(device)) is None else get(m))


@dataclasses.dataclass(frozen=True, slots=True)
class Setting:
    """One field of a config object: its name and its typed value (a bool, an int or a code).

    Settings of the same field are equal, whatever reads them.
    """

    obj: ConfigObject[_HasRaw]
    field: str
    get: Callable[[Smartlock], int | None] = dataclasses.field(compare=False)

    def exists(self, device: Smartlock) -> bool:
        """Whether the device reports the field."""
        raw = self.obj.raw(device)
        return raw is not None and self.field in raw


_OPERATION_ID = "operationId"  # read-only in every object

CONFIG = ConfigObject(
    "config",
    lambda device: device.config,
    NukiWebApiClient.update_config,
    frozenset(
        [
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
            "productVariant",
        ]
    )
    | {_OPERATION_ID},
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

# The fields the integration shows and writes, by object.
LED_ENABLED = CONFIG.setting("ledEnabled", lambda c: c.led_enabled)
LED_BRIGHTNESS = CONFIG.setting("ledBrightness", lambda c: c.led_brightness)
BUTTON_ENABLED = CONFIG.setting("buttonEnabled", lambda c: c.button_enabled)
AUTO_UNLATCH = CONFIG.setting("autoUnlatch", lambda c: c.auto_unlatch)
PAIRING_ENABLED = CONFIG.setting("pairingEnabled", lambda c: c.pairing_enabled)
SINGLE_LOCK = CONFIG.setting("singleLock", lambda c: c.single_lock)

AUTO_UPDATE = ADVANCED_CONFIG.setting("autoUpdateEnabled", lambda c: c.auto_update_enabled)
SLOW_SPEED_DURING_NIGHT_MODE = ADVANCED_CONFIG.setting(
    "enableSlowSpeedDuringNightmode", lambda c: c.enable_slow_speed_during_nightmode
)
BATTERY_TYPE = ADVANCED_CONFIG.setting("batteryType", lambda c: c.battery_type)
MOTOR_SPEED = ADVANCED_CONFIG.setting("motorSpeed", lambda c: c.motor_speed)
BUZZER_VOLUME = SMARTDOOR_CONFIG.setting("buzzerVolume", lambda c: c.buzzer_volume)


def _lock_and_smart_door(
    field: str, get: Callable[[AdvancedConfig | SmartdoorAdvancedConfig], int | None]
) -> tuple[Setting, Setting]:
    """Return the field of locks (advancedConfig) and of the Smart Door (smartdoorAdvancedConfig)."""
    return ADVANCED_CONFIG.setting(field, get), SMARTDOOR_CONFIG.setting(field, get)


AUTO_LOCK, SMARTDOOR_AUTO_LOCK = _lock_and_smart_door("autoLock", lambda c: c.auto_lock)
AUTO_LOCK_TIMEOUT, SMARTDOOR_AUTO_LOCK_TIMEOUT = _lock_and_smart_door(
    "autoLockTimeout", lambda c: c.auto_lock_timeout
)
SINGLE_BUTTON_PRESS_ACTION, SMARTDOOR_SINGLE_BUTTON_PRESS_ACTION = _lock_and_smart_door(
    "singleButtonPressAction", lambda c: c.single_button_press_action
)
DOUBLE_BUTTON_PRESS_ACTION, SMARTDOOR_DOUBLE_BUTTON_PRESS_ACTION = _lock_and_smart_door(
    "doubleButtonPressAction", lambda c: c.double_button_press_action
)
LNG_TIMEOUT, SMARTDOOR_LNG_TIMEOUT = _lock_and_smart_door("lngTimeout", lambda c: c.lng_timeout)
UNLATCH_DURATION, SMARTDOOR_UNLATCH_DURATION = _lock_and_smart_door(
    "unlatchDuration", lambda c: c.unlatch_duration
)

OPENER_AUTO_UPDATE = OPENER_CONFIG.setting("autoUpdateEnabled", lambda c: c.auto_update_enabled)
OPENER_SINGLE_BUTTON_PRESS_ACTION = OPENER_CONFIG.setting(
    "singleButtonPressAction", lambda c: c.single_button_press_action
)
RTO_TIMEOUT = OPENER_CONFIG.setting("rtoTimeout", lambda c: c.rto_timeout)
OPENER_DOUBLE_BUTTON_PRESS_ACTION = OPENER_CONFIG.setting(
    "doubleButtonPressAction", lambda c: c.double_button_press_action
)
SOUND_LEVEL = OPENER_CONFIG.setting("soundLevel", lambda c: c.sound_level)
# A bitmask: 1 ring while ring to open and continuous mode are off, 2 ring to open on,
# 4 continuous mode on.
DOORBELL_SUPPRESSION = OPENER_CONFIG.setting(
    "doorbellSuppression", lambda c: c.doorbell_suppression
)
DOORBELL_SUPPRESSION_DURATION = OPENER_CONFIG.setting(
    "doorbellSuppressionDuration", lambda c: c.doorbell_suppression_duration
)
ELECTRIC_STRIKE_DURATION = OPENER_CONFIG.setting(
    "electricStrikeDuration", lambda c: c.electric_strike_duration
)
ELECTRIC_STRIKE_DELAY = OPENER_CONFIG.setting(
    "electricStrikeDelay", lambda c: c.electric_strike_delay
)

BATTERY_WARNING = WEB_CONFIG.setting(
    "batteryWarningPerMailEnabled", lambda web: web.battery_warning_per_mail_enabled
)
