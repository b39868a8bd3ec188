"""Adding the integration through Home Assistant's own UI."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from simulator import DEMO_TOKEN

from . import harness
from .harness import Stack
from .ui import open_ui, translations

# The demo account's devices that Home Assistant can reach (the fifth lacks Smart Hosting).
DEMO_DEVICES = ("Front door", "Building entrance", "Garden door", "Office")


def test_add_integration_through_the_ui(page: Page, stack: Stack) -> None:
    """Settings -> Devices & services -> Add integration -> Nuki Web API, token + Advanced URL."""
    for entry in harness.config_entries(stack.hass_url, stack.tokens.access_token):
        stack.api("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
    user_step = translations("en")["config"]["step"]["user"]
    advanced = user_step["sections"]["advanced"]

    open_ui(page, stack, "/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("Nuki Web API")
    page.locator("ha-dialog").get_by_text("Nuki Web API", exact=True).click()
    expect(page.get_by_text(user_step["title"])).to_be_visible()
    page.get_by_role("textbox", name=user_step["data"]["api_token"]).fill(DEMO_TOKEN)
    page.get_by_text(advanced["name"], exact=True).click()
    page.get_by_role("textbox", name=advanced["data"]["api_url"]).fill(stack.sim_url)
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Skip and finish").click()

    entries = harness.config_entries(stack.hass_url, stack.tokens.access_token)
    assert [entry["state"] for entry in entries] == ["loaded"]
    open_ui(page, stack, f"/config/integrations/integration/{harness.DOMAIN}")
    for name in DEMO_DEVICES:
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    for entity_id in ("lock.front_door", "lock.building_entrance", "lock.office"):
        assert stack.api("GET", f"/api/states/{entity_id}")["state"] != "unavailable"
