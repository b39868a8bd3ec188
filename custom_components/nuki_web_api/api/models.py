"""Typed, frozen models parsed from Nuki's JSON.

Each field is read from its camelCase key by its annotated type (``_plan``), tolerantly: a
missing or wrongly typed ``X | None`` field becomes None, a bare ``bool`` False. Only the
fields a model cannot exist without (ids, the device type, a log's date) raise
``NukiInvalidResponseError``; Smart Hosting items with only ids and an ``error`` still parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import NoneType, UnionType
from typing import ClassVar, Final, Protocol, Self, cast, get_args, get_origin, get_type_hints

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


type _Read = Callable[[_Reader, str], object]

# A field typed ``X | None`` is None when absent or mistyped; a bare ``X`` is required, but a
# bare ``bool`` (a flag) is False when absent.
_OPTIONAL: dict[object, _Read] = {
    int: _Reader.get_int,
    float: _Reader.get_float,
    bool: _Reader.get_bool,
    str: _Reader.get_str,
    datetime: _Reader.get_datetime,
}
_REQUIRED: dict[object, _Read] = {
    int: _Reader.need_int,
    bool: lambda r, key: r.get_bool(key) or False,
    str: _Reader.need_str,
    datetime: _Reader.need_datetime,
}


def _camel(name: str) -> str:
    """Return Nuki's key of a field (``lng_timeout`` -> ``lngTimeout``)."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _tuple_reader(item: object) -> _Read:
    """Read a list field item by item, leaving out the items of another type."""
    if item is str:
        return _Reader.get_strs
    if isinstance(item, type) and issubclass(item, NukiIntEnum):
        enum = item
        return lambda r, key: tuple(enum(v) for v in r.get_ints(key))
    return _Reader.get_ints


def _enum_reader(enum: type[NukiIntEnum], optional: bool) -> _Read:
    """Read a code; a dict of the members spares the enum's slower lookup."""
    members = {member.value: member for member in enum}

    def read(r: _Reader, key: str) -> NukiIntEnum | None:
        value = r.get_int(key) if optional else r.need_int(key)
        if value is None:
            return None
        member = members.get(value)
        return enum(value) if member is None else member

    return read


def _reader_for(hint: object) -> _Read | None:
    """Return the reader of a field's type; None for a type a model reads itself."""
    if hint is JsonObject:
        return lambda r, _key: r.data
    if get_origin(hint) is tuple:
        return _tuple_reader(get_args(hint)[0])
    options = get_args(hint) if isinstance(hint, UnionType) else (hint,)
    kinds = [kind for kind in options if kind is not NoneType]
    if len(kinds) != 1 or not isinstance(kind := kinds[0], type):
        return None
    optional = len(options) > 1
    if issubclass(kind, NukiIntEnum):
        return _enum_reader(kind, optional)
    if issubclass(kind, _Model):
        model = kind
        return lambda r, key: _sub(r.get_object(key), model.from_json)
    return (_OPTIONAL if optional else _REQUIRED).get(kind)


type _Plan = tuple[tuple[str, str, _Read], ...]
_PLANS: dict[tuple[type, tuple[str, ...]], _Plan] = {}


def _plan(model: type[_Model], given: tuple[str, ...]) -> _Plan:
    """Return the fields but ``given`` a model reads by type: name, Nuki's key and reader."""
    if (plan := _PLANS.get((model, given))) is None:
        plan = _PLANS[model, given] = tuple(
            (name, _camel(name), read)
            for name, hint in model._HINTS.items()
            if name not in given and (read := _reader_for(hint)) is not None
        )
    return plan


class _Model:
    """A model whose fields are read by their types; it gives those it works out itself."""

    __slots__ = ()
    _WHAT: ClassVar[str]  # the object's name in Nuki's JSON, for error messages
    _HINTS: ClassVar[dict[str, object]]

    def __init_subclass__(cls) -> None:
        # The field types, resolved now: a test's frozen clock replaces this module's
        # ``datetime`` later on, and a field typed with it would no longer be read.
        super().__init_subclass__()
        cls._HINTS = get_type_hints(cls)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Nuki's JSON object."""
        return cls._read(_Reader(data, cls._WHAT))

    @classmethod
    def _read(cls, r: _Reader, **given: object) -> Self:
        """Read every field but those ``given``."""
        for name, key, read in _plan(cls, tuple(given)):
            given[name] = read(r, key)
        return cls(**given)


@dataclass(frozen=True, slots=True, kw_only=True)
class Account(_Model):
    """``GET /account`` (``MyAccount``)."""

    _WHAT: ClassVar = "account"

    account_id: int
    type: int | None
    email: str | None
    name: str | None
    language: str | None
    raw: JsonObject


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockConfig(_Model):
    """``Smartlock.config`` (the writable subset goes to ``POST …/config``)."""

    _WHAT: ClassVar = "config"

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


@dataclass(frozen=True, slots=True, kw_only=True)
class _LockAdvancedConfig(_Model):
    """What the advanced configs of locks and of the Smart Door share."""

    raw: JsonObject
    lng_timeout: int | None
    single_button_press_action: ButtonPressAction | None
    double_button_press_action: ButtonPressAction | None
    automatic_battery_type_detection: bool | None
    battery_type: BatteryType | None
    unlatch_duration: int | None
    auto_lock: bool | None
    auto_lock_timeout: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvancedConfig(_LockAdvancedConfig):
    """``Smartlock.advancedConfig`` of locks (types 0, 4, 5)."""

    _WHAT: ClassVar = "advancedConfig"

    auto_update_enabled: bool | None
    motor_speed: MotorSpeed | None
    enable_slow_speed_during_nightmode: bool | None
    detached_cylinder: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenerAdvancedConfig(_Model):
    """``Smartlock.openerAdvancedConfig`` (type 2)."""

    _WHAT: ClassVar = "openerAdvancedConfig"

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


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartdoorAdvancedConfig(_LockAdvancedConfig):
    """``Smartlock.smartdoorAdvancedConfig`` (type 3)."""

    _WHAT: ClassVar = "smartdoorAdvancedConfig"

    buzzer_volume: BuzzerVolume | None
    supported_battery_types: tuple[BatteryType, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebConfig(_Model):
    """``Smartlock.webConfig``."""

    _WHAT: ClassVar = "webConfig"

    raw: JsonObject
    battery_warning_per_mail_enabled: bool | None
    dismissed_lift_up_handle_warning: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockState(_Model):
    """``Smartlock.state``; ``state`` and ``last_action`` use the Opener codes for type 2."""

    _WHAT: ClassVar = "state"

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
        r = _Reader(data, cls._WHAT)
        opener = device_type is DeviceType.OPENER
        return cls._read(
            r,
            state=r.get_enum("state", OpenerState if opener else LockState),
            last_action=r.get_enum("lastAction", OpenerAction if opener else LockAction),
            # A percentage: -5 or 250 is no reading at all.
            battery_charge=r.get_int_within("batteryCharge", 0, 100),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ShsSubscription(_Model):
    """``Smartlock.currentSubscription`` (Smart Hosting)."""

    _WHAT: ClassVar = "currentSubscription"

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


# A device's nested objects (all but its state) by Nuki's key, taken from the previous parse when
# their JSON is equal.
_REUSED: Final = {
    _camel(name): name
    for name in (
        "config",
        "advanced_config",
        "opener_advanced_config",
        "smartdoor_advanced_config",
        "web_config",
        "current_subscription",
    )
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Smartlock(_Model):
    """A device of any type (``GET /smartlock``, ``GET /smartlock/{id}``).

    Items that only carry ids and a Smart Hosting ``error`` parse with ``state`` None. Their
    ``type: 0``, ``accountId: 0``, ``serverState: 1`` and ``adminPinState: 1`` are placeholders
    (seed v1.5.0): the type is read out of the smartlockId instead, the others are None.
    """

    _WHAT: ClassVar = "smartlock"

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
        r = _Reader(data, cls._WHAT)
        smartlock_id = r.need_int("smartlockId")
        given: dict[str, object] = {}
        if is_smart_hosting_error(r.get_str("error")):
            given = {"account_id": None, "server_state": None, "admin_pin_state": None}
            device_type = device_type_of(smartlock_id)
        else:
            device_type = r.need_enum("type", DeviceType)
        if previous is not None:
            for key, name in _REUSED.items():
                shown: _FromRaw | None = getattr(previous, name)
                if shown is not None and shown.raw == r.get_object(key):
                    given[name] = shown
        return cls._read(
            r,
            smartlock_id=smartlock_id,
            type=device_type,
            state=_sub_again(
                r.get_object("state"),
                lambda state: SmartlockState.from_json(state, device_type),
                None if previous is None or previous.type != device_type else previous.state,
            ),
            firmware=firmware_string(r.get_int("firmwareVersion")),
            **given,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenerLog(_Model):
    """``SmartlockLog.openerLog``."""

    _WHAT: ClassVar = "openerLog"

    active_cm: bool | None
    active_rto: bool | None
    source: OpenerLogSource | None
    flag_geo_fence: bool | None
    flag_force: bool | None
    flag_doorbell_suppression: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockLog(_Model):
    """One activity log entry (``GET /smartlock/log``).

    ``state`` uses the Tap to Unlock failure table for source 3 with trigger 253, where 0
    means "access document revoked", not success: ask ``succeeded``, never compare codes.
    """

    _WHAT: ClassVar = "smartlockLog"

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
        r = _Reader(data, cls._WHAT)
        trigger = r.need_enum("trigger", LogTrigger)
        tap_to_unlock = r.get_enum("source", LogSource) is LogSource.TAP_TO_UNLOCK
        failed_tap = tap_to_unlock and trigger is LogTrigger.KEYPAD_ERROR
        table = TapToUnlockError if failed_tap else LogCompletion
        return cls._read(r, trigger=trigger, state=r.need_enum("state", table))


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartlockAuth(_Model):
    """One authorization (``GET /smartlock/auth``); Smart Hosting error items lack ``id``."""

    _WHAT: ClassVar = "smartlockAuth"

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


@dataclass(frozen=True, slots=True, kw_only=True)
class DecentralWebhook(_Model):
    """A decentral webhook registration (Advanced API); ``secret`` signs the payloads."""

    _WHAT: ClassVar = "decentralWebhook"

    id: int | None
    webhook_url: str
    webhook_features: tuple[str, ...]
    secret: str | None

    def __repr__(self) -> str:
        """Leave the signing secret out."""
        return f"DecentralWebhook(id={self.id!r}, webhook_url={self.webhook_url!r}, webhook_features={self.webhook_features!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvancedConfirmation(_Model):
    """Answer of the Advanced API: ``request_id`` to match the webhook, or an ``error``.

    ``smartlock_ids`` lists the devices named in the error (those without Smart Hosting).
    """

    _WHAT: ClassVar = "advancedConfirmation"

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
        r = _Reader(data, cls._WHAT)
        return cls._read(r, smartlock_ids=smartlock_ids_in(r.get_str("error")))
