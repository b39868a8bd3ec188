"""What a log entry means: its activity type, how, who, and the names of its codes."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.nuki_web_api.api import (
    DeviceType,
    LogSource,
    SmartlockLog,
    activity_attributes,
    activity_type,
    actor_name,
    code_name,
    is_operation,
)
from custom_components.nuki_web_api.api.activity import MAX_NAME_LENGTH, METHODS, method


def log_entry(action: int, state: int = 0, **extra: Any) -> SmartlockLog:
    return SmartlockLog.from_json(
        {
            "id": "1",
            "smartlockId": 1,
            "action": action,
            "trigger": 0,
            "state": state,
            "date": "2026-05-01T12:00:00.000Z",
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("device_type", "action", "state", "expected"),
    [
        (4, 1, 0, "unlocked"),
        (4, 4, 0, "lock_n_go"),
        (4, 2, 1, "jammed"),
        (4, 1, 10, "rejected"),  # night mode
        (4, 1, 225, "rejected"),  # fingerprint
        (4, 1, 3, None),  # too recent: no event
        (4, 253, 0, None),  # calibration
        (3, 208, 0, "door_ajar"),
        (2, 3, 0, "opened"),
        (2, 6, 0, "continuous_mode_on"),
        (2, 3, 224, None),  # a wrong code at an Opener
        (2, 240, 0, None),
    ],
)
def test_activity_types(device_type: int, action: int, state: int, expected: str | None) -> None:
    assert activity_type(DeviceType(device_type), log_entry(action, state)) == expected


@pytest.mark.parametrize("state", [0, 1, 2, 3, 7, 37, 255, 99])
def test_failed_tap_to_unlock_is_rejected(state: int) -> None:
    """Source 3 + trigger 253 uses another state table: never an unlock, never a jam."""
    entry = log_entry(1, state, trigger=253, source=3)
    assert activity_type(DeviceType.SMARTLOCK_3_4, entry) == "rejected"
    assert activity_type(DeviceType.OPENER, entry) is None
    assert not is_operation(entry)


@pytest.mark.parametrize(
    ("action", "state", "extra", "expected"),
    [
        (1, 0, {}, True),
        (5, 0, {}, True),
        (1, 224, {}, False),  # a wrong keypad code
        (1, 0, {"trigger": 253, "source": 3}, False),  # "access document revoked"
        (2, 1, {}, False),  # jammed
        (240, 0, {}, False),  # door opened
        (6, 0, {}, False),  # an Opener's continuous mode
    ],
)
def test_operation_is_actions_1_to_5_that_succeeded(
    action: int, state: int, extra: dict[str, Any], expected: bool
) -> None:
    """The actor rule: the last actor is whoever operated the device last, successfully."""
    assert is_operation(log_entry(action, state, **extra)) is expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"trigger": 255, "source": 1}, "keypad_code"),
        ({"trigger": 255, "source": 2}, "fingerprint"),
        ({"trigger": 253, "source": 3}, "tap_to_unlock"),
        ({"trigger": 0, "autoUnlock": True}, "auto_unlock"),
        ({"trigger": 255, "source": 0}, "keypad"),
        ({"trigger": 5}, "app"),
        ({"trigger": 4}, "web"),
        ({"trigger": 2}, "button"),
        ({"trigger": 1}, "manual"),
        ({"trigger": 6}, "auto_lock"),
        ({"trigger": 0}, None),  # system: a Bluetooth command, from whatever
        ({"trigger": 3}, None),  # automatic
        ({"trigger": 99, "source": 9}, None),  # codes Nuki adds later
    ],
)
def test_method_says_how(extra: dict[str, Any], expected: str | None) -> None:
    """The credential (source) first, then auto unlock, then the log trigger."""
    entry = log_entry(1, 0, **extra)
    assert method(entry) == expected
    assert activity_attributes(entry)["method"] == expected
    assert expected is None or expected in METHODS


def test_attributes_of_unknown_codes() -> None:
    attributes = activity_attributes(log_entry(1, 0, trigger=99, name=""))
    assert attributes["trigger"] == "unknown_99"
    assert attributes["source"] is None
    assert attributes["actor"] is None


def test_attributes_name_everything_but_a_code() -> None:
    entry = log_entry(1, 0, trigger=255, source=1, name="Anna", authId="65219648fe57075d71a6cb01")
    assert activity_attributes(entry) == {
        "actor": "Anna",
        "auth_id": "65219648fe57075d71a6cb01",
        "trigger": "keypad",
        "source": "keypad_code",
        "method": "keypad_code",
        "completion": "success",
        "auto_unlock": False,
        "log_id": "1",
    }


def test_actor_name_is_cut() -> None:
    assert actor_name(log_entry(1, name="A" * MAX_NAME_LENGTH)) == "A" * MAX_NAME_LENGTH
    cut = actor_name(log_entry(1, name="A" * 300))
    assert cut == "A" * (MAX_NAME_LENGTH - 1) + "…"
    assert actor_name(log_entry(1, name="")) is None
    assert actor_name(None) is None


def test_code_names() -> None:
    """Codes become stable lower-case names, new codes included."""
    assert code_name(LogSource.KEYPAD_CODE) == "keypad_code"
    assert code_name(LogSource(42)) == "unknown_42"
    assert code_name(None) is None
