"""Nuki's numeric codes as ``IntEnum``s.

Nuki adds codes over time, so an unknown code never raises: ``LockState(99)`` is a
pseudo-member with ``.value`` 99, ``.is_known`` False and ``str()`` ``UNKNOWN(99)``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self


class NukiIntEnum(IntEnum):
    """An ``IntEnum`` that keeps unknown integer codes instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN({value})"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether the code is one this library knows."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        """Show the member name (``LOCKED``, ``UNKNOWN(99)``) rather than the bare number."""
        return self._name_


class DeviceType(NukiIntEnum):
    """``Smartlock.type`` and ``SmartlockLog.deviceType``."""

    SMARTLOCK_1_2 = 0
    BOX = 1
    OPENER = 2
    SMARTDOOR = 3
    SMARTLOCK_3_4 = 4
    SMARTLOCK_5 = 5


class ProductVariant(NukiIntEnum):
    """``config.productVariant`` of a Smart Lock 5 (type 5)."""

    GO = 1
    PRO = 2
    ULTRA = 3


class LockState(NukiIntEnum):
    """``state.state`` of locks (types 0, 3, 4, 5)."""

    UNCALIBRATED = 0
    LOCKED = 1
    UNLOCKING = 2
    UNLOCKED = 3
    LOCKING = 4
    UNLATCHED = 5
    UNLOCKED_LOCK_N_GO = 6
    UNLATCHING = 7
    ERROR_WRONG_ENTRY_CODE = 224
    ERROR_WRONG_FINGERPRINT = 225
    MOTOR_BLOCKED = 254
    UNDEFINED = 255


class OpenerState(NukiIntEnum):
    """``state.state`` of an Opener (type 2)."""

    UNTRAINED = 0
    ONLINE = 1
    RING_TO_OPEN_ACTIVE = 3
    OPEN = 5
    OPENING = 7
    BOOT_RUN = 253
    UNDEFINED = 255


class DeviceMode(NukiIntEnum):
    """``state.mode``."""

    UNINITIALIZED = 0
    PAIRING = 1
    DOOR = 2
    CONTINUOUS = 3
    MAINTENANCE = 4
    OFF_DOOR_CHARGING = 5


class DoorState(NukiIntEnum):
    """``state.doorState`` (door sensor)."""

    UNAVAILABLE = 0
    DEACTIVATED = 1
    CLOSED = 2
    OPENED = 3
    STATE_UNKNOWN = 4
    CALIBRATING = 5
    UNCALIBRATED = 16
    REMOVED = 240
    UNKNOWN = 255


class KeypadMountingState(NukiIntEnum):
    """``state.keypadMountingState`` (Swagger 4.20.0; keypads with theft detection)."""

    NOT_AVAILABLE = 0  # unknown, disabled or not applicable
    MOUNTED = 1
    MOVED = 2  # dismounted
    THEFT_DETECTED = 255  # "error (theft detection)"


class StateTrigger(NukiIntEnum):
    """``state.trigger`` (in the log, 6 means auto lock instead: see ``LogTrigger``)."""

    SYSTEM = 0
    MANUAL = 1
    BUTTON = 2
    AUTOMATIC = 3
    WEB = 4
    APP = 5
    CONTINUOUS_MODE = 6
    ACCESSORY = 7


class LockAction(NukiIntEnum):
    """Action codes of locks (``action`` body field and ``state.lastAction``)."""

    UNLOCK = 1
    LOCK = 2
    UNLATCH = 3
    LOCK_N_GO = 4
    LOCK_N_GO_UNLATCH = 5


class OpenerAction(NukiIntEnum):
    """Action codes of an Opener; 6 and 7 exist only in the action body."""

    ACTIVATE_RING_TO_OPEN = 1
    DEACTIVATE_RING_TO_OPEN = 2
    OPEN = 3
    ACTIVATE_CONTINUOUS_MODE = 6
    DEACTIVATE_CONTINUOUS_MODE = 7


class ActionOption(NukiIntEnum):
    """The ``option`` of an action."""

    NONE = 0
    FORCE = 2
    FULL_LOCK = 4


class LogAction(NukiIntEnum):
    """``SmartlockLog.action``."""

    UNLOCK = 1
    LOCK = 2
    UNLATCH = 3
    LOCK_N_GO = 4
    LOCK_N_GO_UNLATCH = 5
    RESTORE_DEFAULTS = 11
    DOOR_WARNING_AJAR = 208
    DOOR_WARNING_STATUS_MISMATCH = 209
    DOORBELL_RECOGNITION = 224
    DOOR_OPENED = 240
    DOOR_CLOSED = 241
    DOOR_SENSOR_JAMMED = 242
    FIRMWARE_UPDATE = 243
    DOOR_LOG_ENABLED = 250
    DOOR_LOG_DISABLED = 251
    INITIALIZATION = 252
    CALIBRATION = 253
    LOG_ENABLED = 254
    LOG_DISABLED = 255


class LogTrigger(NukiIntEnum):
    """``SmartlockLog.trigger``."""

    SYSTEM = 0
    MANUAL = 1
    BUTTON = 2
    AUTOMATIC = 3
    WEB = 4
    APP = 5
    AUTO_LOCK = 6
    ACCESSORY = 7
    KEYPAD_ERROR = 253
    NUKI_MODE = 254
    KEYPAD = 255


class LogSource(NukiIntEnum):
    """``SmartlockLog.source``."""

    DEFAULT = 0
    KEYPAD_CODE = 1
    FINGERPRINT = 2
    TAP_TO_UNLOCK = 3


class LogCompletion(NukiIntEnum):
    """``SmartlockLog.state``: how the logged action completed."""

    SUCCESS = 0
    MOTOR_BLOCKED = 1
    CANCELED = 2
    TOO_RECENT = 3
    BUSY = 4
    LOW_MOTOR_VOLTAGE = 5
    CLUTCH_FAILURE = 6
    MOTOR_POWER_FAILURE = 7
    INCOMPLETE = 8
    REJECTED = 9
    REJECTED_NIGHT_MODE = 10
    INVALID_CODE = 224
    INVALID_FINGERPRINT = 225
    INVALID_NFC_TAG = 226
    OTHER_ERROR = 254
    UNKNOWN_ERROR = 255


class TapToUnlockError(NukiIntEnum):
    """``SmartlockLog.state`` of a failed Tap to Unlock (source 3, trigger 253): another table.

    Every code is a failure, 0 included (Swagger 4.20.0, ``SmartlockLog.state``).
    """

    ACCESS_DOCUMENT_REVOKED = 0
    SEND_NFC_FAILED = 1
    CONTROL_FLOW = 2
    COMMAND_TIME_EXPIRED = 3
    INVALID_DATA_CONTENT = 7
    INVALID_ACCESS_RIGHTS = 37
    UNKNOWN = 255


class OpenerLogSource(NukiIntEnum):
    """``SmartlockLog.openerLog.source``: what activated ring to open or continuous mode."""

    DOORBELL = 0
    TIME_CONTROL = 1
    APP = 2
    BUTTON = 3
    FOB = 4
    BRIDGE = 5
    KEYPAD = 6


class ServerState(NukiIntEnum):
    """``Smartlock.serverState``."""

    OK = 0
    UNREGISTERED = 1
    AUTH_UUID_INVALID = 2
    AUTH_INVALID = 3
    OFFLINE = 4


class AdminPinState(NukiIntEnum):
    """``Smartlock.adminPinState``."""

    OK = 0
    MISSING = 1
    INVALID = 2


class AuthType(NukiIntEnum):
    """``SmartlockAuth.type``; 0, 2 and 13 can be created."""

    APP = 0
    BRIDGE = 1
    FOB = 2
    KEYPAD = 3
    KEYPAD_CODE = 13
    Z_KEY = 14
    VIRTUAL = 15


class BatteryType(NukiIntEnum):
    """``batteryType`` and ``supportedBatteryTypes`` of the advanced configs."""

    ALKALI = 0
    ACCUMULATOR = 1
    LITHIUM = 2
    FIXED = 3
    AUTOMATIC = 254
    UNKNOWN = 255


class ButtonPressAction(NukiIntEnum):
    """Button actions of locks and the Smart Door (advanced config)."""

    NO_ACTION = 0
    INTELLIGENT = 1
    UNLOCK = 2
    LOCK = 3
    UNLATCH = 4
    LOCK_N_GO = 5
    SHOW_STATUS = 6


class OpenerButtonPressAction(NukiIntEnum):
    """Button actions of the Opener (opener advanced config)."""

    NO_ACTION = 0
    TOGGLE_RING_TO_OPEN = 1
    ACTIVATE_RING_TO_OPEN = 2
    DEACTIVATE_RING_TO_OPEN = 3
    TOGGLE_CONTINUOUS_MODE = 4
    ACTIVATE_CONTINUOUS_MODE = 5
    DEACTIVATE_CONTINUOUS_MODE = 6
    OPEN = 7


class MotorSpeed(NukiIntEnum):
    """``advancedConfig.motorSpeed``."""

    STANDARD = 0
    FAST = 1
    SLOW = 2


class BuzzerVolume(NukiIntEnum):
    """``smartdoorAdvancedConfig.buzzerVolume``."""

    OFF = 0
    LOW = 1
    NORMAL = 2


_MODELS: dict[DeviceType, str] = {
    DeviceType.SMARTLOCK_1_2: "Smart Lock 1.0/2.0",
    DeviceType.BOX: "Box",
    DeviceType.OPENER: "Opener",
    DeviceType.SMARTDOOR: "Smart Door",
    DeviceType.SMARTLOCK_3_4: "Smart Lock 3.0/4.0",
    DeviceType.SMARTLOCK_5: "Smart Lock 5",
}


def model_name(device_type: DeviceType, variant: ProductVariant | None = None) -> str:
    """Return a human model name such as "Smart Lock 5 Pro" or "Nuki device (type 9)"."""
    base = _MODELS.get(device_type)
    if base is None:
        return f"Nuki device (type {device_type.value})"
    if device_type is DeviceType.SMARTLOCK_5 and variant is not None and variant.is_known:
        return f"{base} {variant.name.title()}"
    return base
