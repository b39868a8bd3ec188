"""With the user's language set to German, the integration's own texts appear in German."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .harness import DOMAIN, Stack
from .ui import open_ui, text_pattern, translations


def test_config_flow_and_repair_in_german(
    german: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """The config flow form (with its Advanced section) and the repair issue speak German."""
    page = german
    de = translations("de")
    user_step = de["config"]["step"]["user"]
    advanced = user_step["sections"]["advanced"]

    open_ui(page, stack, f"/config/integrations/dashboard/add?domain={DOMAIN}")
    page.get_by_role("button", name="OK").click()  # "Möchtest du Nuki Web API einrichten?"
    expect(page.get_by_text(user_step["title"])).to_be_visible()
    expect(page.get_by_role("textbox", name=user_step["data"]["api_token"])).to_be_visible()
    page.get_by_text(advanced["name"], exact=True).click()
    expect(page.get_by_role("textbox", name=advanced["data"]["api_url"])).to_be_visible()
    page.keyboard.press("Escape")

    open_ui(page, stack, "/config/repairs")
    expect(page.get_by_text(text_pattern(de["issues"]["smart_hosting"]["title"]))).to_be_visible()
