"""The activity in the real UI: one logbook sentence per keypad unlock (in German on a German
server), and a device trigger "unlocked with a keypad code by Anna" made in the automation editor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .harness import Stack, wait_until
from .ui import call_ws, fill_device_trigger, open_ui, translations

DOOR = "Front door"
LOCK = "lock.front_door"
AUTOMATION = "automation.anna_is_home"
KEYPAD_CODE_AUTH = 13  # Nuki's auth type of a keypad code
ACTUATION_DELAY = 2.0  # the simulator's (the harness starts it with its default)


def _front_door(stack: Stack) -> tuple[int, int, str]:
    """The Front door's smartlockId, Anna's keypad code and her authorization id."""
    sim = stack.sim("GET", "/_sim/state")
    door = next(dev for dev in sim["devices"] if dev["name"] == DOOR)
    anna = next(
        auth
        for auth in sim["auths"]
        if auth["smartlockId"] == door["smartlockId"] and auth["type"] == KEYPAD_CODE_AUTH
    )
    return door["smartlockId"], anna["code"], anna["id"]


def _locked(stack: Stack) -> None:
    """Lock the Front door (an earlier test may have left it open) and wait until it shows."""
    if (stack.state(LOCK) or {}).get("state") != "locked":
        stack.api("POST", "/api/services/lock/lock", {"entity_id": LOCK})
        stack.wait_for_state(LOCK, "locked")


def _keypad_unlock(stack: Stack) -> None:
    """Anna enters her code; Home Assistant reads Nuki at once instead of at the next poll."""
    smartlock_id, code, _ = _front_door(stack)
    logs = len(stack.sim("GET", "/_sim/state")["logs"])
    stack.sim("POST", f"/_sim/devices/{smartlock_id}/keypad", {"code": code, "action": 1})
    wait_until(
        lambda: len(stack.sim("GET", "/_sim/state")["logs"]) > logs, "the keypad's log entry"
    )
    stack.api("POST", "/api/services/homeassistant/update_entity", {"entity_id": LOCK})
    stack.wait_for_state(LOCK, "unlocked")


@pytest.fixture
def quick_lock(stack: Stack) -> Iterator[None]:
    """Actions settle at once, so that no poll sees the lock half-way (a line of its own)."""
    stack.sim("POST", "/_sim/settings", {"actuation_delay": 0.1})
    yield
    stack.sim("POST", "/_sim/settings", {"actuation_delay": ACTUATION_DELAY})


@pytest.fixture
def german_server(german: Page, nuki_entry: dict[str, Any]) -> Iterator[Page]:
    """Home Assistant's own language German (the logbook's sentences), English afterwards.

    The entry exists before: entity ids are made in the server's language when an entity
    is registered, and the other tests expect English ones (event.front_door_activity).
    """
    call_ws(german, {"type": "config/core/update", "language": "de"})
    yield german
    call_ws(german, {"type": "config/core/update", "language": "en"})


def _front_door_lines(page: Page, since: str) -> list[dict[str, Any]]:
    """The logbook entries about the Front door since SINCE (its entities and its sentences)."""
    entries: list[dict[str, Any]] = call_ws(
        page, {"type": "logbook/get_events", "start_time": since}
    )
    return [
        entry
        for entry in entries
        if str(entry.get("entity_id", "")).split(".")[-1].startswith("front_door")
        or (entry.get("domain") == "nuki_web_api" and entry.get("name") == DOOR)
    ]


@pytest.mark.usefixtures("quick_lock")
def test_keypad_unlock_gives_two_logbook_lines_in_german(german_server: Page, stack: Stack) -> None:
    """The lock's state change and one sentence, in the server's language; shown in the logbook."""
    page = german_server
    _locked(stack)
    since = datetime.now(UTC).isoformat()
    _keypad_unlock(stack)
    common = translations("de")["common"]
    sentence = common["by_actor_method"].format(
        actor="Anna", method=common["method_keypad_code"], activity=common["activity_unlocked"]
    )
    wait_until(
        lambda: any(e.get("message") == sentence for e in _front_door_lines(page, since)),
        "the German sentence in the logbook",
    )
    time.sleep(2)  # anything else the unlock logs comes with the same refresh
    lines = _front_door_lines(page, since)
    assert [(e.get("entity_id"), e.get("state"), e.get("message")) for e in lines] == [
        (LOCK, "unlocked", None),
        (LOCK, None, sentence),
    ]
    open_ui(page, stack, "/logbook")
    expect(page.get_by_text(sentence)).to_be_visible()


def _add_device_trigger(page: Page, stack: Stack, name: str) -> None:
    """In a new automation: Device trigger, Front door, "Activity: unlocked", keypad code, Anna."""
    fill_device_trigger(page, stack)
    page.get_by_role("button", name="Save", exact=True).click()
    page.keyboard.press("Control+A")  # the name field of the save dialog
    page.keyboard.type(name)
    page.get_by_role("button", name="Save", exact=True).last.click()


def test_device_trigger_made_in_the_editor_fires_on_a_keypad_unlock(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """ "When Anna unlocks the Front door with her keypad code", clicked together, then used."""
    _add_device_trigger(page, stack, "Anna is home")
    wait_until(lambda: stack.state(AUTOMATION) is not None, "the saved automation")
    automation_id = stack.state(AUTOMATION)["attributes"]["id"]  # type: ignore[index]
    try:
        saved = stack.api("GET", f"/api/config/automation/config/{automation_id}")
        _, _, anna = _front_door(stack)
        assert saved["triggers"] == [
            {
                "trigger": "device",
                "domain": "nuki_web_api",
                "device_id": saved["triggers"][0]["device_id"],
                "type": "unlocked",
                "method": "keypad_code",
                "auth_id": anna,
            }
        ]
        _locked(stack)
        assert _last_triggered(stack) is None
        _keypad_unlock(stack)
        wait_until(lambda: _last_triggered(stack) is not None, "the automation to run")
    finally:  # later tests add the entry anew: its devices get new ids
        stack.api("DELETE", f"/api/config/automation/config/{automation_id}")


def _last_triggered(stack: Stack) -> str | None:
    state = stack.state(AUTOMATION)
    assert state is not None
    last: str | None = state["attributes"]["last_triggered"]
    return last
