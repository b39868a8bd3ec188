"""Operating a lock from its more-info dialog reaches Nuki (the simulator) and comes back."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .harness import Stack
from .ui import open_ui

ACTION_ROUTE = "POST /smartlock/{smartlockId}/action"
NUKI_UNLOCKED = 3


def _front_door(stack: Stack) -> dict[str, Any]:
    devices = stack.sim("GET", "/_sim/state")["devices"]
    return next(dev for dev in devices if dev["name"] == "Front door")


def test_unlock_from_the_more_info_dialog(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """Unlock -> 'Unlocking' (first follow-up refresh) -> 'Unlocked' (a later one)."""
    if stack.api("GET", "/api/states/lock.front_door")["state"] != "locked":
        # Another test unlocked it; lock it again and let the motor finish.
        stack.api("POST", "/api/services/lock/lock", {"entity_id": "lock.front_door"})
        stack.wait_for_state("lock.front_door", "locked")
    # Keep the motor running past the first follow-up refresh (2 s), so it sees "unlocking".
    stack.sim("POST", "/_sim/settings", {"actuation_delay": 4.0})
    actions_before = stack.sim("GET", "/_sim/counters")["requests"].get(ACTION_ROUTE, 0)

    open_ui(page, stack, "/config/integrations/dashboard?more-info-entity-id=lock.front_door")
    dialog = page.locator("ha-more-info-dialog")
    expect(dialog.get_by_text("Locked", exact=True)).to_be_visible()
    dialog.get_by_role("switch", name="Unlock").click()
    expect(dialog.get_by_text("Unlocking", exact=True)).to_be_visible()
    expect(dialog.get_by_text("Unlocked", exact=True)).to_be_visible()

    assert stack.sim("GET", "/_sim/counters")["requests"][ACTION_ROUTE] == actions_before + 1
    assert _front_door(stack)["state"]["state"] == NUKI_UNLOCKED
    assert stack.api("GET", "/api/states/lock.front_door")["state"] == "unlocked"
