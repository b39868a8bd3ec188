"""Operating a lock from its more-info dialog reaches Nuki (the simulator) and comes back."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from .harness import Stack
from .ui import open_ui

ACTION_ROUTE = "POST /smartlock/{smartlockId}/action"
NUKI_UNLOCKED = 3
FEEDBACK = 1.0  # s from the click to the transitional state
BACK = 2.0  # s from the lock's return (unlatched -> unlocked) to `unlocked` shown
LOADED = 30_000  # ms for the dialog to render on 2 shared cores (no timing is claimed there)


def _front_door(stack: Stack) -> dict[str, Any]:
    devices = stack.sim("GET", "/_sim/state")["devices"]
    return next(dev for dev in devices if dev["name"] == "Front door")


def _front_door_to(stack: Stack, service: str, state: str) -> None:
    """Put the front door into `state` (another test may have left it otherwise)."""
    if stack.api("GET", "/api/states/lock.front_door")["state"] != state:
        stack.api("POST", f"/api/services/lock/{service}", {"entity_id": "lock.front_door"})
        stack.wait_for_state("lock.front_door", state)


def test_unlock_from_the_more_info_dialog(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """Unlock -> 'Unlocking' within a second of the click (Nuki accepted it) -> 'Unlocked'."""
    _front_door_to(stack, "lock", "locked")
    stack.sim("POST", "/_sim/settings", {"actuation_delay": 2.0})  # Nuki's motor, about
    actions_before = stack.sim("GET", "/_sim/counters")["requests"].get(ACTION_ROUTE, 0)

    open_ui(page, stack, "/config/integrations/dashboard?more-info-entity-id=lock.front_door")
    dialog = page.locator("ha-more-info-dialog")
    expect(dialog.get_by_text("Locked", exact=True)).to_be_visible(timeout=LOADED)
    dialog.get_by_role("switch", name="Unlock").click()
    expect(dialog.get_by_text("Unlocking", exact=True)).to_be_visible(timeout=FEEDBACK * 1000)
    expect(dialog.get_by_text("Unlocked", exact=True)).to_be_visible()

    assert stack.sim("GET", "/_sim/counters")["requests"][ACTION_ROUTE] == actions_before + 1
    assert _front_door(stack)["state"]["state"] == NUKI_UNLOCKED
    assert stack.api("GET", "/api/states/lock.front_door")["state"] == "unlocked"


def test_open_door_ends_unlocked_soon_after_the_latch_is_back(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """Open door -> 'Open' -> 'Unlocked' within 2 s of the simulator's lock returning.

    The latch is held `unlatchDuration` (3 s in the demo); before, 'Open' stayed until the next
    poll, half a minute later.
    """
    _front_door_to(stack, "unlock", "unlocked")
    stack.sim("POST", "/_sim/settings", {"actuation_delay": 2.0})

    open_ui(page, stack, "/config/integrations/dashboard?more-info-entity-id=lock.front_door")
    dialog = page.locator("ha-more-info-dialog")
    expect(dialog.get_by_text("Unlocked", exact=True)).to_be_visible(timeout=LOADED)
    dialog.get_by_role("button", name="Open door").click()
    dialog.get_by_role("button", name="Really open?").click()
    expect(dialog.get_by_text("Open", exact=True)).to_be_visible()

    deadline = time.monotonic() + 30
    while _front_door(stack)["state"]["state"] != NUKI_UNLOCKED:
        assert time.monotonic() < deadline, "the simulated latch did not come back"
        time.sleep(0.05)
    back = time.monotonic()
    expect(dialog.get_by_text("Unlocked", exact=True)).to_be_visible(timeout=BACK * 1000)
    assert time.monotonic() - back <= BACK
    assert stack.api("GET", "/api/states/lock.front_door")["state"] == "unlocked"
