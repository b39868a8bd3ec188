"""What a Nuki log entry means as an activity event: its type and its attributes.

The event types and attribute values are stable strings that automations match on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from homeassistant.const import MAX_LENGTH_STATE_STATE

from .api import (
    DeviceType,
    LogAction,
    LogCompletion,
    LogSource,
    LogTrigger,
    NukiIntEnum,
    Smartlock,
    SmartlockLog,
    TapToUnlockError,
)

EVENT_NUKI_WEB_API: Final = "nuki_web_api_event"

RING: Final = "ring"

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
REJECTED: Final = "rejected"
_REJECTIONS = frozenset(
    {
        LogCompletion.REJECTED,
        LogCompletion.REJECTED_NIGHT_MODE,
        LogCompletion.INVALID_CODE,
        LogCompletion.INVALID_FINGERPRINT,
        LogCompletion.INVALID_NFC_TAG,
    }
)

LOCK_EVENT_TYPES: Final = (
    *_LOCK_ACTIONS.values(),
    *_DOOR_ACTIONS.values(),
    "jammed",
    REJECTED,
)
OPENER_EVENT_TYPES: Final = tuple(_OPENER_ACTIONS.values())
DOOR_EVENT_TYPES: Final = tuple(_DOOR_ACTIONS.values())
# Event types in which someone operated the device, and a rejected attempt: these say who and how.
OPERATION_TYPES: Final = frozenset({*_LOCK_ACTIONS.values(), *OPENER_EVENT_TYPES} - {RING})

# How the device was operated ("method"): Nuki's source first (it names the credential),
# then the auto unlock flag, then the log trigger. Nuki logs Bluetooth commands (also the
# app's) as trigger "system", which names no method.
_SOURCE_METHODS: Mapping[int, str] = {
    LogSource.KEYPAD_CODE: "keypad_code",
    LogSource.FINGERPRINT: "fingerprint",
    LogSource.TAP_TO_UNLOCK: "tap_to_unlock",
}
_TRIGGER_METHODS: Mapping[int, str] = {
    LogTrigger.KEYPAD: "keypad",
    LogTrigger.KEYPAD_ERROR: "keypad",
    LogTrigger.APP: "app",
    LogTrigger.WEB: "web",
    LogTrigger.BUTTON: "button",
    LogTrigger.MANUAL: "manual",
    LogTrigger.AUTO_LOCK: "auto_lock",
}
AUTO_UNLOCK: Final = "auto_unlock"
METHODS: Final = tuple(
    dict.fromkeys((*_SOURCE_METHODS.values(), AUTO_UNLOCK, *_TRIGGER_METHODS.values()))
)


def activity_type(device: Smartlock, entry: SmartlockLog) -> str | None:
    """Return the event type of a log entry, or None if it is no activity worth an event.

    Failures other than a jam or a rejection (cancelled, too recent, low voltage ...)
    and bookkeeping entries (calibration, firmware update ...) give None. A failed Tap to
    Unlock is a rejected attempt whatever its code (0 there is "access document revoked").
    """
    if device.type is DeviceType.OPENER:
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
        return "jammed"
    if entry.state in _REJECTIONS:
        return REJECTED
    return None


def code_name(value: NukiIntEnum | None) -> str | None:
    """Return a Nuki code as a stable lower-case string ("keypad_code", "unknown_99")."""
    if value is None:
        return None
    return value.name.lower() if value.is_known else f"unknown_{value.value}"


def method(entry: SmartlockLog) -> str | None:
    """Return how the device was operated (one of METHODS), or None when Nuki does not say."""
    if entry.source is not None and entry.source in _SOURCE_METHODS:
        return _SOURCE_METHODS[entry.source]
    if entry.auto_unlock:
        return AUTO_UNLOCK
    return _TRIGGER_METHODS.get(entry.trigger)


def actor_name(entry: SmartlockLog | None) -> str | None:
    """Return who acted, cut to what Home Assistant can store as a state (255 characters)."""
    if entry is None or not entry.name:
        return None
    name = entry.name
    return name if len(name) <= MAX_LENGTH_STATE_STATE else name[: MAX_LENGTH_STATE_STATE - 1] + "…"


def activity_attributes(entry: SmartlockLog) -> dict[str, str | bool | None]:
    """Return the attributes an activity event carries (never a keypad code)."""
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
