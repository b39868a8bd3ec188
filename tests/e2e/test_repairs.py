"""The device without Smart Hosting explains itself: under Settings -> Repairs and on its page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .harness import DOMAIN, Stack
from .ui import call_ws, open_ui, text_pattern, translations


def _unhosted_device(page: Page, stack: Stack) -> dict[str, Any]:
    """The registry device of the simulator's device without Smart Hosting (UI open)."""
    devices = stack.sim("GET", "/_sim/state")["devices"]
    (unhosted,) = (str(dev["smartlockId"]) for dev in devices if not dev["_sim"]["smartHosting"])
    return next(
        device
        for device in call_ws(page, {"type": "config/device_registry/list"})
        if [DOMAIN, unhosted] in device["identifiers"]
    )


def test_smart_hosting_repair_is_listed(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """The issue's translated title is listed; opening it shows the translated description.

    Home Assistant never saw the demo's device without Smart Hosting named, so its issue
    explains the name and gives the model and Nuki ID.
    """
    issue = translations("en")["issues"]["smart_hosting_unnamed"]
    open_ui(page, stack, "/config/repairs")
    listed = page.get_by_text(text_pattern(issue["title"]))
    expect(listed).to_be_visible()
    listed.click()
    description = page.get_by_text(text_pattern(issue["description"]))
    expect(description).to_be_visible()
    expect(description).to_contain_text(f"Nuki ID {_unhosted_device(page, stack)['serial_number']}")


def test_device_page_shows_why_it_is_unavailable(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """On the page of the device without Smart Hosting, the Smart Hosting sensor reads Missing."""
    sensor = translations("en")["entity"]["binary_sensor"]["smart_hosting"]
    open_ui(page, stack, "/config/devices/dashboard")
    device = _unhosted_device(page, stack)
    open_ui(page, stack, f"/config/devices/device/{device['id']}")
    expect(page.get_by_text(device["name"], exact=True).first).to_be_visible()
    # The device page's entity row: its name, then its (translated) state.
    row = page.locator("hui-simple-entity-row").filter(has_text=sensor["name"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(sensor["state"]["off"])
