"""With the user's language set to German, the integration's own texts appear in German."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .harness import DOMAIN, Stack
from .ui import open_ui, text_pattern, translations

SELECT_LANGUAGE = """language => document.querySelector('home-assistant').dispatchEvent(
    new CustomEvent('hass-language-select', {detail: language, bubbles: true, composed: true}))"""


def _select_language(page: Page, language: str) -> None:
    """Do what the profile page's language picker does, and wait until it is stored."""
    page.evaluate(SELECT_LANGUAGE, language)
    page.wait_for_function(
        """language => document.querySelector('home-assistant').hass.callWS(
            {type: 'frontend/get_user_data', key: 'language'})
            .then(r => r.value?.language === language)""",
        arg=language,
    )


@pytest.fixture
def german(page: Page, stack: Stack) -> Iterator[Page]:
    """The test user's profile language is German for one test, English again afterwards."""
    open_ui(page, stack, "/profile/general")
    _select_language(page, "de")
    yield page
    open_ui(page, stack, "/profile/general")
    _select_language(page, "en")


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
