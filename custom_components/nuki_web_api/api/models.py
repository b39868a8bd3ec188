"""Typed, frozen models parsed from Nuki's JSON.

Parsing is tolerant: a missing or wrongly typed optional field becomes ``None``, and list
items that carry only ids and an ``error`` (Smart Hosting) still parse. Only the fields a
model cannot exist without (ids, the device type, a log's date) raise
``NukiInvalidResponseError`` when missing or wrongly typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, Self, cast

from .enums import (
    AdminPinState,
    AuthType,
    BatteryType,
    ButtonPressAction,
    BuzzerVolume,
    DeviceMode,
    DeviceType,
    DoorState,
    KeypadMountingState,
    LockAction,
    LockState,
    LogAction,
    LogCompletion,
    LogSource,
    LogTrigger,
    MotorSpeed,
    NukiIntEnum,
    OpenerAction,
    OpenerButtonPressAction,
    OpenerLogSource,
    OpenerState,
    ProductVariant,
    ServerState,
    StateTrigger,
    TapToUnlockError,
    model_name,
)
from .errors import NukiInvalidResponseError, is_smart_hosting_error

type JsonValue = str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None
type JsonObject = Mapping[str, JsonValue]

_ID_LIST = re.compile(r"\bIDs?\b\s*:?\s*(\d[\d,;\s]*)", re.IGNORECASE)


def smartlock_ids_in(message: str | None) -> tuple[int, ...]:
    """Extract the device ids a Nuki message names ("... with ID: 12121212121, 343434")."""
    if not message:
        return ()
    return tuple(int(n) for m in _ID_LIST.finditer(message) for n in re.findall(r"\d+", m[1]))


def device_type_of(smartlock_id: int) -> DeviceType:
    """Read the device type out of a smartlockId: its hex digits above the 8-digit Nuki ID.

    Nuki's smartlockId is the type as a leading hex digit followed by the Nuki ID
    (13434261644 = 0x3_20BE908C: a Smart Door with Nuki ID 20BE908C; type 0 has no digit).
    """
    return DeviceType(smartlock_id >> 32)


def nuki_id(smartlock_id: int) -> str:
    """Return the Nuki ID that the Nuki app shows: the last 8 hex digits of the smartlockId."""
    return f"{smartlock_id & 0xFFFFFFFF:08X}"


def default_name(smartlock_id: int) -> str:
    """Name a device as the Nuki app does before it has a name: "Smart Door 20BE908C"."""
    return f"{model_name(device_type_of(smartlock_id))} {nuki_id(smartlock_id)}"


def firmware_string(version: int | None) -> str | None:
    """Decode Nuki's packed ``firmwareVersion`` (132884 -> "2.7.20")."""
    if version is None or version < 0:
        return None
    return f"{version >> 16}.{(version >> 8) & 0xFF}.{version & 0xFF}"


def parse_datetime(value: object) -> datetime | None:
    """Parse Nuki's ISO 8601 date as an aware UTC datetime (naive means UTC); None if it is none."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # "0001-01-01T00:00:00+01:00" lies before year 1 in UTC: OverflowError.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError, OverflowError:
        return None


class ParsedList[T](list[T]):
    """The items of a list answer that could be parsed; ``skipped`` counts those that could not.

    Nuki's list answers are parsed item by item, so that one malformed item does not cost the
    others. A caller that treats the list as complete (a device missing from it has left the
    account, a short log page is the last one) asks ``skipped`` first.
    """

    skipped: int = 0


class _Reader:
    """Typed access to one JSON object; ``what`` names it in error messages."""

    def __init__(self, data: object, what: str) -> None:
        if not isinstance(data, dict):
            raise NukiInvalidResponseError(
                f"{what}: expected a JSON object, got {type(data).__name__}"
            )
        self.data = cast(dict[str, JsonValue], data)
        self.what = what

    def _missing(self, key: str, expected: str) -> NukiInvalidResponseError:
        got = type(self.data.get(key)).__name__ if key in self.data else "nothing"
        return NukiInvalidResponseError(f"{self.what}.{key}: expected {expected}, got {got}")

    def get_int(self, key: str) -> int | None:
        value = self.data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def need_int(self, key: str) -> int:
        if (value := self.get_int(key)) is None:
            raise self._missing(key, "an integer")
        return value

    def get_int_within(self, key: str, low: int, high: int) -> int | None:
        """Return an integer field, or None when it lies outside ``low``..``high``."""
        value = self.get_int(key)
        return value if value is not None and low <= value <= high else None

    def get_float(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def get_bool(self, key: str) -> bool | None:
        value = self.data.get(key)
        return value if isinstance(value, bool) else None

    def get_str(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None

    def need_str(self, key: str) -> str:
        if (value := self.get_str(key)) is None:
            raise self._missing(key, "a string")
        return value

    def get_enum[E: NukiIntEnum](self, key: str, enum: type[E]) -> E | None:
        value = self.get_int(key)
        return None if value is None else enum(value)

    def need_enum[E: NukiIntEnum](self, key: str, enum: type[E]) -> E:
        return enum(self.need_int(key))

    def get_datetime(self, key: str) -> datetime | None:
        return parse_datetime(self.data.get(key))

    def need_datetime(self, key: str) -> datetime:
        if (value := self.get_datetime(key)) is None:
            raise self._missing(key, "an ISO 8601 date")
        return value

    def get_object(self, key: str) -> JsonObject | None:
        value = self.data.get(key)
        return value if isinstance(value, dict) else None

    def get_ints(self, key: str) -> tuple[int, ...]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return ()
        return tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool))

    def get_strs(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return ()
        return tuple(v for v in value if isinstance(v, str))


class _FromRaw(Protocol):
    @property
    def raw(self) -> JsonObject: ...


def _sub[T](data: JsonObject | None, parse: Callable[[object], T]) -> T | None:
    """Parse an optional nested object (``None`` if absent or not an object)."""
    return None if data is None else parse(data)


def _sub_again[T: _FromRaw](
    data: JsonObject | None, parse: Callable[[object], T], previous: T | None
) -> T | None:
    """Like _sub, but return ``previous`` as it is when it was parsed from equal JSON."""
    if previous is not None and previous.raw == data:
        return previous
    return _sub(data, parse)


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """``GET /account`` (``MyAccount``)."""

    account_id: int
    type: int | None
    email: str | None
    name: str | None
    language: str | None
    raw: JsonObject

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "account")
        return cls(
            account_id=r.need_int("accountId"),
            type=r.get_int("type"),
            email=r.get_str("email"),
            name=r.get_str("name"),
            language=r.get_str("language"),
            raw=r.data,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockConfig:
    """``Smartlock.config`` (the writable subset goes to ``POST …/config``)."""

    raw: JsonObject
    name: str | None
    latitude: float | None
    longitude: float | None
    auto_unlatch: bool | None
    lift_up_handle: bool | None
    pairing_enabled: bool | None
    button_enabled: bool | None
    led_enabled: bool | None
    led_brightness: int | None
    single_lock: bool | None
    fob_paired: bool | None
    keypad_paired: bool | None
    keypad2_paired: bool | None
    wifi_enabled: bool | None
    homekit_state: int | None
    matter_state: int | None
    advertising_mode: int | None
    timezone_id: int | None
    capabilities: int | None
    operating_mode: int | None
    product_variant: ProductVariant | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "config")
        return cls(
            raw=r.data,
            name=r.get_str("name"),
            latitude=r.get_float("latitude"),
            longitude=r.get_float("longitude"),
            auto_unlatch=r.get_bool("autoUnlatch"),
            lift_up_handle=r.get_bool("liftUpHandle"),
            pairing_enabled=r.get_bool("pairingEnabled"),
            button_enabled=r.get_bool("buttonEnabled"),
            led_enabled=r.get_bool("ledEnabled"),
            led_brightness=r.get_int("ledBrightness"),
            single_lock=r.get_bool("singleLock"),
            fob_paired=r.get_bool("fobPaired"),
            keypad_paired=r.get_bool("keypadPaired"),
            keypad2_paired=r.get_bool("keypad2Paired"),
            wifi_enabled=r.get_bool("wifiEnabled"),
            homekit_state=r.get_int("homekitState"),
            matter_state=r.get_int("matterState"),
            advertising_mode=r.get_int("advertisingMode"),
            timezone_id=r.get_int("timezoneId"),
            capabilities=r.get_int("capabilities"),
            operating_mode=r.get_int("operatingMode"),
            product_variant=r.get_enum("productVariant", ProductVariant),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvancedConfig:
    """``Smartlock.advancedConfig`` of locks (types 0, 4, 5)."""

    raw: JsonObject
    lng_timeout: int | None
    single_button_press_action: ButtonPressAction | None
    double_button_press_action: ButtonPressAction | None
    automatic_battery_type_detection: bool | None
    battery_type: BatteryType | None
    unlatch_duration: int | None
    auto_lock: bool | None
    auto_lock_timeout: int | None
    auto_update_enabled: bool | None
    motor_speed: MotorSpeed | None
    enable_slow_speed_during_nightmode: bool | None
    detached_cylinder: bool | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "advancedConfig")
        return cls(
            raw=r.data,
            lng_timeout=r.get_int("lngTimeout"),
            single_button_press_action=r.get_enum("singleButtonPressAction", ButtonPressAction),
            double_button_press_action=r.get_enum("doubleButtonPressAction", ButtonPressAction),
            automatic_battery_type_detection=r.get_bool("automaticBatteryTypeDetection"),
            battery_type=r.get_enum("batteryType", BatteryType),
            unlatch_duration=r.get_int("unlatchDuration"),
            auto_lock=r.get_bool("autoLock"),
            auto_lock_timeout=r.get_int("autoLockTimeout"),
            auto_update_enabled=r.get_bool("autoUpdateEnabled"),
            motor_speed=r.get_enum("motorSpeed", MotorSpeed),
            enable_slow_speed_during_nightmode=r.get_bool("enableSlowSpeedDuringNightmode"),
            detached_cylinder=r.get_bool("detachedCylinder"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenerAdvancedConfig:
    """``Smartlock.openerAdvancedConfig`` (type 2)."""

    raw: JsonObject
    intercom_id: int | None
    bus_mode_switch: int | None
    short_circuit_duration: int | None
    electric_strike_delay: int | None
    random_electric_strike_delay: bool | None
    electric_strike_duration: int | None
    disable_rto_after_ring: bool | None
    rto_timeout: int | None
    doorbell_suppression: int | None
    doorbell_suppression_duration: int | None
    sound_ring: int | None
    sound_open: int | None
    sound_rto: int | None
    sound_cm: int | None
    sound_confirmation: int | None
    sound_level: int | None
    single_button_press_action: OpenerButtonPressAction | None
    double_button_press_action: OpenerButtonPressAction | None
    battery_type: BatteryType | None
    automatic_battery_type_detection: bool | None
    auto_update_enabled: bool | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "openerAdvancedConfig")
        return cls(
            raw=r.data,
            intercom_id=r.get_int("intercomId"),
            bus_mode_switch=r.get_int("busModeSwitch"),
            short_circuit_duration=r.get_int("shortCircuitDuration"),
            electric_strike_delay=r.get_int("electricStrikeDelay"),
            random_electric_strike_delay=r.get_bool("randomElectricStrikeDelay"),
            electric_strike_duration=r.get_int("electricStrikeDuration"),
            disable_rto_after_ring=r.get_bool("disableRtoAfterRing"),
            rto_timeout=r.get_int("rtoTimeout"),
            doorbell_suppression=r.get_int("doorbellSuppression"),
            doorbell_suppression_duration=r.get_int("doorbellSuppressionDuration"),
            sound_ring=r.get_int("soundRing"),
            sound_open=r.get_int("soundOpen"),
            sound_rto=r.get_int("soundRto"),
            sound_cm=r.get_int("soundCm"),
            sound_confirmation=r.get_int("soundConfirmation"),
            sound_level=r.get_int("soundLevel"),
            single_button_press_action=r.get_enum(
                "singleButtonPressAction", OpenerButtonPressAction
            ),
            double_button_press_action=r.get_enum(
                "doubleButtonPressAction", OpenerButtonPressAction
            ),
            battery_type=r.get_enum("batteryType", BatteryType),
            automatic_battery_type_detection=r.get_bool("automaticBatteryTypeDetection"),
            auto_update_enabled=r.get_bool("autoUpdateEnabled"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartdoorAdvancedConfig:
    """``Smartlock.smartdoorAdvancedConfig`` (type 3)."""

    raw: JsonObject
    lng_timeout: int | None
    single_button_press_action: ButtonPressAction | None
    double_button_press_action: ButtonPressAction | None
    automatic_battery_type_detection: bool | None
    unlatch_duration: int | None
    buzzer_volume: BuzzerVolume | None
    supported_battery_types: tuple[BatteryType, ...]
    battery_type: BatteryType | None
    auto_lock: bool | None
    auto_lock_timeout: int | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "smartdoorAdvancedConfig")
        return cls(
            raw=r.data,
            lng_timeout=r.get_int("lngTimeout"),
            single_button_press_action=r.get_enum("singleButtonPressAction", ButtonPressAction),
            double_button_press_action=r.get_enum("doubleButtonPressAction", ButtonPressAction),
            automatic_battery_type_detection=r.get_bool("automaticBatteryTypeDetection"),
            unlatch_duration=r.get_int("unlatchDuration"),
            buzzer_volume=r.get_enum("buzzerVolume", BuzzerVolume),
            supported_battery_types=tuple(
                BatteryType(v) for v in r.get_ints("supportedBatteryTypes")
            ),
            battery_type=r.get_enum("batteryType", BatteryType),
            auto_lock=r.get_bool("autoLock"),
            auto_lock_timeout=r.get_int("autoLockTimeout"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WebConfig:
    """``Smartlock.webConfig``."""

    raw: JsonObject
    battery_warning_per_mail_enabled: bool | None
    dismissed_lift_up_handle_warning: tuple[int, ...]

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "webConfig")
        return cls(
            raw=r.data,
            battery_warning_per_mail_enabled=r.get_bool("batteryWarningPerMailEnabled"),
            dismissed_lift_up_handle_warning=r.get_ints("dismissedLiftUpHandleWarning"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockState:
    """``Smartlock.state``; ``state`` and ``last_action`` use the Opener codes for type 2."""

    raw: JsonObject
    mode: DeviceMode | None
    state: LockState | OpenerState | None
    trigger: StateTrigger | None
    last_action: LockAction | OpenerAction | None
    battery_critical: bool | None
    battery_charging: bool | None
    battery_charge: int | None
    keypad_battery_critical: bool | None
    doorsensor_battery_critical: bool | None
    door_state: DoorState | None
    keypad_mounting_state: KeypadMountingState | None
    ring_to_open_timer: int | None
    ring_to_open_end: datetime | None
    night_mode: bool | None
    operation_id: str | None

    @classmethod
    def from_json(cls, data: object, device_type: DeviceType = DeviceType.SMARTLOCK_3_4) -> Self:
        """Parse Nuki's JSON object; the device type selects the state and action tables."""
        r = _Reader(data, "state")
        state: LockState | OpenerState | None
        last_action: LockAction | OpenerAction | None
        if device_type is DeviceType.OPENER:
            state = r.get_enum("state", OpenerState)
            last_action = r.get_enum("lastAction", OpenerAction)
        else:
            state = r.get_enum("state", LockState)
            last_action = r.get_enum("lastAction", LockAction)
        return cls(
            raw=r.data,
            mode=r.get_enum("mode", DeviceMode),
            state=state,
            trigger=r.get_enum("trigger", StateTrigger),
            last_action=last_action,
            battery_critical=r.get_bool("batteryCritical"),
            battery_charging=r.get_bool("batteryCharging"),
            # A percentage: -5 or 250 is no reading at all.
            battery_charge=r.get_int_within("batteryCharge", 0, 100),
            keypad_battery_critical=r.get_bool("keypadBatteryCritical"),
            doorsensor_battery_critical=r.get_bool("doorsensorBatteryCritical"),
            door_state=r.get_enum("doorState", DoorState),
            keypad_mounting_state=r.get_enum("keypadMountingState", KeypadMountingState),
            ring_to_open_timer=r.get_int("ringToOpenTimer"),
            ring_to_open_end=r.get_datetime("ringToOpenEnd"),
            night_mode=r.get_bool("nightMode"),
            operation_id=r.get_str("operationId"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ShsSubscription:
    """``Smartlock.currentSubscription`` (Smart Hosting)."""

    raw: JsonObject
    type: str | None
    state: str | None
    shs_subscription_type: str | None
    creation_date: datetime | None
    expiration_date: datetime | None
    is_in_grace_period: bool | None

    @property
    def active(self) -> bool:
        """Whether the subscription is active (``state == "ACTIVE"``)."""
        return self.state == "ACTIVE"

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "currentSubscription")
        return cls(
            raw=r.data,
            type=r.get_str("type"),
            state=r.get_str("state"),
            shs_subscription_type=r.get_str("shsSubscriptionType"),
            creation_date=r.get_datetime("creationDate"),
            expiration_date=r.get_datetime("expirationDate"),
            is_in_grace_period=r.get_bool("isInGracePeriod"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Smartlock:
    """A device of any type (``GET /smartlock``, ``GET /smartlock/{id}``).

    Items that only carry ids and a Smart Hosting ``error`` parse with ``state`` None. Their
    ``type: 0``, ``accountId: 0``, ``serverState: 1`` and ``adminPinState: 1`` are placeholders
    (seed v1.5.0): the type is read out of the smartlockId instead, the others are None.
    """

    smartlock_id: int
    account_id: int | None
    type: DeviceType
    lm_type: int | None
    auth_id: int | None
    name: str | None
    favorite: bool
    config: SmartlockConfig | None
    advanced_config: AdvancedConfig | None
    opener_advanced_config: OpenerAdvancedConfig | None
    smartdoor_advanced_config: SmartdoorAdvancedConfig | None
    web_config: WebConfig | None
    state: SmartlockState | None
    firmware_version: int | None
    firmware: str | None
    hardware_version: int | None
    operation_id: str | None
    server_state: ServerState | None
    admin_pin_state: AdminPinState | None
    virtual_device: bool
    creation_date: datetime | None
    update_date: datetime | None
    current_subscription: ShsSubscription | None
    error: str | None
    raw: JsonObject

    @property
    def smart_hosting_missing(self) -> bool:
        """Whether Nuki flags this device as lacking a Smart Hosting subscription."""
        return is_smart_hosting_error(self.error)

    @property
    def product_variant(self) -> ProductVariant | None:
        """The Smart Lock 5 variant (Go/Pro/Ultra), from ``config.productVariant``."""
        return None if self.config is None else self.config.product_variant

    @property
    def model(self) -> str:
        """A human model name ("Opener", "Smart Lock 5 Pro", "Nuki device (type 9)")."""
        return model_name(self.type, self.product_variant)

    @property
    def lock_state(self) -> LockState | OpenerState | None:
        """The lock (or Opener) state, None while Nuki sends none."""
        return None if self.state is None else self.state.state

    def has_door_sensor(self) -> bool:
        """Whether a door sensor is paired and active (``doorState`` 0: none, 1: deactivated)."""
        return self.state is not None and self.state.door_state not in (
            DoorState.UNAVAILABLE,
            DoorState.DEACTIVATED,
        )

    @classmethod
    def from_json(cls, data: object, previous: Smartlock | None = None) -> Self:
        """Parse Nuki's JSON object.

        Nested objects that equal those of ``previous`` (the same device, read earlier)
        are taken from it rather than parsed again.
        """
        r = _Reader(data, "smartlock")
        smartlock_id = r.need_int("smartlockId")
        error = r.get_str("error")
        placeholder = is_smart_hosting_error(error)
        device_type = (
            device_type_of(smartlock_id) if placeholder else r.need_enum("type", DeviceType)
        )
        firmware_version = r.get_int("firmwareVersion")
        p = previous
        return cls(
            smartlock_id=smartlock_id,
            account_id=None if placeholder else r.get_int("accountId"),
            type=device_type,
            lm_type=r.get_int("lmType"),
            auth_id=r.get_int("authId"),
            name=r.get_str("name"),
            favorite=r.get_bool("favorite") or False,
            config=_sub_again(
                r.get_object("config"), SmartlockConfig.from_json, None if p is None else p.config
            ),
            advanced_config=_sub_again(
                r.get_object("advancedConfig"),
                AdvancedConfig.from_json,
                None if p is None else p.advanced_config,
            ),
            opener_advanced_config=_sub_again(
                r.get_object("openerAdvancedConfig"),
                OpenerAdvancedConfig.from_json,
                None if p is None else p.opener_advanced_config,
            ),
            smartdoor_advanced_config=_sub_again(
                r.get_object("smartdoorAdvancedConfig"),
                SmartdoorAdvancedConfig.from_json,
                None if p is None else p.smartdoor_advanced_config,
            ),
            web_config=_sub_again(
                r.get_object("webConfig"), WebConfig.from_json, None if p is None else p.web_config
            ),
            state=_sub_again(
                r.get_object("state"),
                lambda state: SmartlockState.from_json(state, device_type),
                None if p is None or p.type != device_type else p.state,
            ),
            firmware_version=firmware_version,
            firmware=firmware_string(firmware_version),
            hardware_version=r.get_int("hardwareVersion"),
            operation_id=r.get_str("operationId"),
            server_state=None if placeholder else r.get_enum("serverState", ServerState),
            admin_pin_state=None if placeholder else r.get_enum("adminPinState", AdminPinState),
            virtual_device=r.get_bool("virtualDevice") or False,
            creation_date=r.get_datetime("creationDate"),
            update_date=r.get_datetime("updateDate"),
            current_subscription=_sub_again(
                r.get_object("currentSubscription"),
                ShsSubscription.from_json,
                None if p is None else p.current_subscription,
            ),
            error=error,
            raw=r.data,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenerLog:
    """``SmartlockLog.openerLog``."""

    active_cm: bool | None
    active_rto: bool | None
    source: OpenerLogSource | None
    flag_geo_fence: bool | None
    flag_force: bool | None
    flag_doorbell_suppression: bool | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "openerLog")
        return cls(
            active_cm=r.get_bool("activeCm"),
            active_rto=r.get_bool("activeRto"),
            source=r.get_enum("source", OpenerLogSource),
            flag_geo_fence=r.get_bool("flagGeoFence"),
            flag_force=r.get_bool("flagForce"),
            flag_doorbell_suppression=r.get_bool("flagDoorbellSuppression"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockLog:
    """One activity log entry (``GET /smartlock/log``).

    ``state`` uses the Tap to Unlock failure table for source 3 with trigger 253, where 0
    means "access document revoked", not success: ask ``succeeded``, never compare codes.
    """

    id: str
    smartlock_id: int
    device_type: DeviceType | None
    account_user_id: int | None
    auth_id: str | None
    name: str | None
    action: LogAction
    trigger: LogTrigger
    state: LogCompletion | TapToUnlockError
    auto_unlock: bool
    date: datetime
    source: LogSource | None
    opener_log: OpenerLog | None
    ajar_timeout: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        """Whether the logged action completed (state 0 of the completion table)."""
        return self.state is LogCompletion.SUCCESS

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object; source and trigger select the table of ``state``."""
        r = _Reader(data, "smartlockLog")
        trigger = r.need_enum("trigger", LogTrigger)
        source = r.get_enum("source", LogSource)
        state: LogCompletion | TapToUnlockError
        if source is LogSource.TAP_TO_UNLOCK and trigger is LogTrigger.KEYPAD_ERROR:
            state = r.need_enum("state", TapToUnlockError)
        else:
            state = r.need_enum("state", LogCompletion)
        return cls(
            id=r.need_str("id"),
            smartlock_id=r.need_int("smartlockId"),
            device_type=r.get_enum("deviceType", DeviceType),
            account_user_id=r.get_int("accountUserId"),
            auth_id=r.get_str("authId"),
            name=r.get_str("name"),
            action=r.need_enum("action", LogAction),
            trigger=trigger,
            state=state,
            auto_unlock=r.get_bool("autoUnlock") or False,
            date=r.need_datetime("date"),
            source=source,
            opener_log=_sub(r.get_object("openerLog"), OpenerLog.from_json),
            ajar_timeout=r.get_int("ajarTimeout"),
            error=r.get_str("error"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockAuth:
    """One authorization (``GET /smartlock/auth``); Smart Hosting error items lack ``id``."""

    id: str | None
    smartlock_id: int
    auth_id: int | None
    account_user_id: int | None
    type: AuthType | None
    name: str | None
    enabled: bool | None
    remote_allowed: bool | None
    lock_count: int | None
    code: int | None
    allowed_from_date: datetime | None
    allowed_until_date: datetime | None
    allowed_week_days: int | None
    allowed_from_time: int | None
    allowed_until_time: int | None
    last_active_date: datetime | None
    update_date: datetime | None
    error: str | None
    raw: JsonObject

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "smartlockAuth")
        return cls(
            id=r.get_str("id"),
            smartlock_id=r.need_int("smartlockId"),
            auth_id=r.get_int("authId"),
            account_user_id=r.get_int("accountUserId"),
            type=r.get_enum("type", AuthType),
            name=r.get_str("name"),
            enabled=r.get_bool("enabled"),
            remote_allowed=r.get_bool("remoteAllowed"),
            lock_count=r.get_int("lockCount"),
            code=r.get_int("code"),
            allowed_from_date=r.get_datetime("allowedFromDate"),
            allowed_until_date=r.get_datetime("allowedUntilDate"),
            allowed_week_days=r.get_int("allowedWeekDays"),
            allowed_from_time=r.get_int("allowedFromTime"),
            allowed_until_time=r.get_int("allowedUntilTime"),
            last_active_date=r.get_datetime("lastActiveDate"),
            update_date=r.get_datetime("updateDate"),
            error=r.get_str("error"),
            raw=r.data,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DecentralWebhook:
    """A decentral webhook registration (Advanced API); ``secret`` signs the payloads."""

    id: int | None
    webhook_url: str
    webhook_features: tuple[str, ...]
    secret: str | None

    def __repr__(self) -> str:
        """Leave the signing secret out."""
        return f"DecentralWebhook(id={self.id!r}, webhook_url={self.webhook_url!r}, webhook_features={self.webhook_features!r})"

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "decentralWebhook")
        return cls(
            id=r.get_int("id"),
            webhook_url=r.need_str("webhookUrl"),
            webhook_features=r.get_strs("webhookFeatures"),
            secret=r.get_str("secret"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvancedConfirmation:
    """Answer of the Advanced API: ``request_id`` to match the webhook, or an ``error``.

    ``smartlock_ids`` lists the devices named in the error (those without Smart Hosting).
    """

    request_id: str | None
    error: str | None
    smartlock_ids: tuple[int, ...]

    @property
    def smart_hosting_missing(self) -> bool:
        """Whether the error is Nuki's Smart Hosting message."""
        return is_smart_hosting_error(self.error)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        r = _Reader(data, "advancedConfirmation")
        error = r.get_str("error")
        return cls(
            request_id=r.get_str("requestId"), error=error, smartlock_ids=smartlock_ids_in(error)
        )
