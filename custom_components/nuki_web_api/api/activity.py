"""What an activity-log entry means: what happened (its type), how, and who did it.

Types, methods and code names are stable strings: automations match on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .enums import (
    DeviceType,
    LogAction,
    LogCompletion,
    LogSource,
    LogTrigger,
    NukiIntEnum,
    TapToUnlockError,
)
from .models import SmartlockLog

RING: Final = "ring"
JAMMED: Final = "jammed"
REJECTED: Final = "rejected"
# Names are cut to this many characters, the longest state Home Assistant stores.
MAX_NAME_LENGTH: Final = 255

# Actions 1-5: someone operated the device (an Opener's: ring to open, the strike).
_LOCK_ACTIONS: Mapping[int, str] = {
    LogAction.LOCK: "locked",
    LogAction.UNLOCK: "unlocked",
    LogAction.UNLATCH: "unlatched",
    LogAction.LOCK_N_GO: "lock_n_go",
    LogAction.LOCK_N_GO_UNLATCH: "lock_n_go_unlatch",
}
_DOOR_ACTIONS: Mapping[int, str] = {
    LogAction.DOOR_OPENED: "door_opened",
    LogAction.DOOR_CLOSED: "door_closed",
    LogAction.DOOR_WARNING_AJAR: "door_ajar",
}
# Opener log entries use the Opener's action codes.
_OPENER_ACTIONS: Mapping[int, str] = {
    LogAction.DOORBELL_RECOGNITION: RING,
    3: "opened",
    1: "ring_to_open_on",
    2: "ring_to_open_off",
    6: "continuous_mode_on",
    7: "continuous_mode_off",
}
_REJECTIONS = frozenset(
    {
        LogCompletion.REJECTED,
        LogCompletion.REJECTED_NIGHT_MODE,
        LogCompletion.INVALID_CODE,
        LogCompletion.INVALID_FINGERPRINT,
        LogCompletion.INVALID_NFC_TAG,
    }
)

LOCK_ACTIVITIES: Final = (*_LOCK_ACTIONS.values(), *_DOOR_ACTIONS.values(), JAMMED, REJECTED)
OPENER_ACTIVITIES: Final = tuple(_OPENER_ACTIONS.values())
DOOR_ACTIVITIES: Final = tuple(_DOOR_ACTIONS.values())
# Types in which someone operated the device: they say who and how (a rejection says how).
OPERATIONS: Final = frozenset({*_LOCK_ACTIONS.values(), *OPENER_ACTIVITIES} - {RING})

# How the device was operated: Nuki's source first (it names the credential), then the
# auto unlock flag, then the trigger. Bluetooth commands (the app's too) are logged as
# trigger "system", which names no method.
_SOURCE_METHODS: Mapping[int, str] = {
    LogSource.KEYPAD_CODE: "keypad_code",
    LogSource.FINGERPRINT: "fingerprint",
    LogSource.TAP_TO_UNLOCK: "tap_to_unlock",
}
AUTO_UNLOCK: Final = "auto_unlock"
_TRIGGER_METHODS: Mapping[int, str] = {
    LogTrigger.KEYPAD: "keypad",
    LogTrigger.KEYPAD_ERROR: "keypad",
    LogTrigger.APP: "app",
    LogTrigger.WEB: "web",
    LogTrigger.BUTTON: "button",
    LogTrigger.MANUAL: "manual",
    LogTrigger.AUTO_LOCK: "auto_lock",
}
METHODS: Final = tuple(
    dict.fromkeys((*_SOURCE_METHODS.values(), AUTO_UNLOCK, *_TRIGGER_METHODS.values()))
)


def activity_type(device_type: DeviceType, entry: SmartlockLog) -> str | None:
    """Return the entry's type, or None for an entry that is no activity.

    Failures other than a jam or a rejection (cancelled, too recent ...) and bookkeeping
    (calibration, firmware update ...) are none. A failed Tap to Unlock is a rejection
    whatever its code (its 0 means "access document revoked").
    """
    if device_type is DeviceType.OPENER:
        return _OPENER_ACTIONS.get(entry.action) if entry.succeeded else None
    if isinstance(entry.state, TapToUnlockError):
        return REJECTED
    if entry.action in _DOOR_ACTIONS:
        return _DOOR_ACTIONS[entry.action]
    if entry.action not in _LOCK_ACTIONS:
        return None
    if entry.succeeded:
        return _LOCK_ACTIONS[entry.action]
    if entry.state is LogCompletion.MOTOR_BLOCKED:
        return JAMMED
    return REJECTED if entry.state in _REJECTIONS else None


def is_operation(entry: SmartlockLog) -> bool:
    """Whether someone operated the device (actions 1-5, succeeded): the last actor's rule."""
    return entry.action in _LOCK_ACTIONS and entry.succeeded


def method(entry: SmartlockLog) -> str | None:
    """Return how the device was operated (one of METHODS), or None when Nuki does not say."""
    if entry.source is not None and entry.source in _SOURCE_METHODS:
        return _SOURCE_METHODS[entry.source]
    if entry.auto_unlock:
        return AUTO_UNLOCK
    return _TRIGGER_METHODS.get(entry.trigger)


def code_name(value: NukiIntEnum | None) -> str | None:
    """Return a Nuki code as a stable lower-case string ("keypad_code", "unknown_99")."""
    if value is None:
        return None
    return value.name.lower() if value.is_known else f"unknown_{value.value}"


def actor_name(entry: SmartlockLog | None) -> str | None:
    """Return who acted, cut to MAX_NAME_LENGTH characters."""
    if entry is None or not entry.name:
        return None
    name = entry.name
    return name if len(name) <= MAX_NAME_LENGTH else name[: MAX_NAME_LENGTH - 1] + "…"


def activity_attributes(entry: SmartlockLog) -> dict[str, str | bool | None]:
    """Return what an activity says besides its type (never a keypad code)."""
    return {
        "actor": actor_name(entry),
        "auth_id": entry.auth_id,
        "trigger": code_name(entry.trigger),
        "source": code_name(entry.source),
        "method": method(entry),
        "completion": code_name(entry.state),
        "auto_unlock": entry.auto_unlock,
        "log_id": entry.id,
    }
