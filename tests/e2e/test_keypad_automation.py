"""A keypad code entered at the Front door fires the activity bus event, which runs the
automation in config/configuration.yaml (event trigger on the method -> input_boolean.turn_on)."""

from __future__ import annotations

from typing import Any

from .harness import Stack, wait_until

LOCK = "lock.front_door"
HELPER = "input_boolean.keypad_used"
AUTOMATION = "automation.keypad_used_at_the_front_door"
KEYPAD_CODE_AUTH = 13  # Nuki's auth type of a keypad code
ACTION_UNLOCK = 1
TRIGGER_KEYPAD = 255  # Nuki's log trigger of a keypad entry


def _keypad_logs(stack: Stack, smartlock_id: int) -> int:
    logs = stack.sim("GET", "/_sim/state")["logs"]
    return sum(
        1 for log in logs if log["smartlockId"] == smartlock_id and log["trigger"] == TRIGGER_KEYPAD
    )


def test_keypad_use_turns_the_helper_on(stack: Stack, nuki_entry: dict[str, Any]) -> None:
    """Keypad unlock in the simulator -> new Nuki log entry -> event -> automation -> helper on."""
    stack.api("POST", "/api/services/input_boolean/turn_off", {"entity_id": HELPER})
    stack.wait_for_state(HELPER, "off")
    sim = stack.sim("GET", "/_sim/state")
    door = next(dev for dev in sim["devices"] if dev["name"] == "Front door")
    code = next(
        auth["code"]
        for auth in sim["auths"]
        if auth["smartlockId"] == door["smartlockId"] and auth["type"] == KEYPAD_CODE_AUTH
    )

    logs_before = _keypad_logs(stack, door["smartlockId"])
    stack.sim(
        "POST",
        f"/_sim/devices/{door['smartlockId']}/keypad",
        {"code": code, "action": ACTION_UNLOCK},
    )
    wait_until(
        lambda: _keypad_logs(stack, door["smartlockId"]) > logs_before,
        "the simulator's keypad log entry",
    )
    # Read Nuki now instead of waiting for the next poll.
    stack.api("POST", "/api/services/homeassistant/update_entity", {"entity_id": LOCK})

    stack.wait_for_state(HELPER, "on")
    automation = stack.state(AUTOMATION)
    assert automation is not None
    assert automation["attributes"]["last_triggered"] is not None
