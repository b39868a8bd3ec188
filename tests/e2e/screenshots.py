"""Take the README's screenshots (docs/images/*.png) of a real Home Assistant with the demo.

Run through `script/screenshots`. It starts the simulator and Home Assistant like
`script/develop --with-entry` (in a temporary config dir, on free ports), makes some activity
(an unlock from Home Assistant, a keypad entry at the door), and photographs the device page,
the lock's more-info dialog, the Smart Hosting repair, the activity logbook, a device trigger
in the automation editor and the form of the guest blueprint.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

from simulator import DEMO_TOKEN

from . import harness
from .conftest import CHROMIUM, CHROMIUM_ARGS
from .harness import Stack
from .ui import call_ws, fill_device_trigger, log_in, open_ui, text_pattern, translations

IMAGES = harness.REPO / "docs" / "images"
USER, PASSWORD = "alex", "demo"  # the name shows in the pictures ("By alex")
DOOR = "Front door"
LOCK = "lock.front_door"
ACTIVITY = "event.front_door_activity"
GUEST_BLUEPRINT = "Nuki - guest keypad code from a calendar"
KEYPAD_CODE_AUTH = 13
ACTION_UNLOCK = 1


def make_activity(stack: Stack) -> None:
    """Unlock and lock from Home Assistant, then enter a keypad code at the door."""
    for service, state in (("unlock", "unlocked"), ("lock", "locked")):
        stack.api("POST", f"/api/services/lock/{service}", {"entity_id": LOCK})
        stack.wait_for_state(LOCK, state)
    sim = stack.sim("GET", "/_sim/state")
    door = next(dev for dev in sim["devices"] if dev["name"] == DOOR)
    code = next(
        auth["code"]
        for auth in sim["auths"]
        if auth["smartlockId"] == door["smartlockId"] and auth["type"] == KEYPAD_CODE_AUTH
    )
    path = f"/_sim/devices/{door['smartlockId']}/keypad"
    stack.sim("POST", path, {"code": code, "action": ACTION_UNLOCK})
    stack.api("POST", "/api/services/homeassistant/update_entity", {"entity_id": LOCK})
    stack.wait_for_state(LOCK, "unlocked")


def device_id(page: Page, name: str) -> str:
    """The device registry id of the device called NAME."""
    devices: list[dict[str, Any]] = call_ws(page, {"type": "config/device_registry/list"})
    return str(next(dev["id"] for dev in devices if dev["name"] == name))


def shoot(page: Page, name: str) -> None:
    """Save the current viewport as docs/images/NAME.png."""
    time.sleep(1.0)  # let animations (dialogs opening, ripples) settle
    page.screenshot(path=IMAGES / f"{name}.png")
    print(f"wrote docs/images/{name}.png")


def take(page: Page, stack: Stack) -> None:
    """Visit the pages and take one picture of each."""
    open_ui(page, stack, "/config/integrations/dashboard")
    page.set_viewport_size({"width": 1280, "height": 1100})  # the device page is tall
    open_ui(page, stack, f"/config/devices/device/{device_id(page, DOOR)}")
    expect(page.get_by_text(DOOR, exact=True).first).to_be_visible()
    shoot(page, "device-page")
    page.set_viewport_size({"width": 1280, "height": 800})

    open_ui(page, stack, f"/config/integrations/dashboard?more-info-entity-id={LOCK}")
    expect(page.locator("ha-more-info-dialog").get_by_role("switch")).to_be_visible()
    shoot(page, "lock-more-info")

    open_ui(page, stack, "/config/repairs")
    issue = translations("en")["issues"]["smart_hosting_unnamed"]  # the Holiday flat
    page.get_by_text(text_pattern(issue["title"])).click()
    expect(page.get_by_text(text_pattern(issue["description"]))).to_be_visible()
    shoot(page, "repair-issue")

    open_ui(page, stack, f"/logbook?device_id={device_id(page, DOOR)}")
    expect(page.locator("ha-logbook")).to_be_visible()
    shoot(page, "activity-logbook")

    fill_device_trigger(page, stack)
    shoot(page, "device-trigger")

    shutil.copytree(
        harness.REPO / "blueprints", stack.config_dir / "blueprints", dirs_exist_ok=True
    )
    page.set_viewport_size({"width": 1280, "height": 960})  # every input of the form
    open_ui(page, stack, "/config/blueprint/dashboard")
    page.get_by_text(GUEST_BLUEPRINT, exact=True).click()  # a new automation from it
    expect(page.get_by_text("Booking calendar", exact=True)).to_be_visible()
    shoot(page, "guest-blueprint")


def main() -> int:
    """Start the stack, make activity, take the pictures, stop the stack."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="nuki-screenshots-") as tmp,
        harness.run_stack(Path(tmp), username=USER, password=PASSWORD) as stack,
    ):
        harness.create_entry(
            stack.hass_url, stack.tokens.access_token, token=DEMO_TOKEN, api_url=stack.sim_url
        )
        harness.wait_until(lambda: stack.state(LOCK) is not None, f"{LOCK} to appear")
        make_activity(stack)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            log_in(page, stack)
            take(page, stack)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
