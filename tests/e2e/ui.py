"""Helpers for driving Home Assistant's web UI (Playwright's locators pierce its shadow DOM)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from .harness import DOMAIN, REPO

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .harness import Stack

TRANSLATIONS = REPO / "custom_components" / DOMAIN / "translations"


@cache
def translations(language: str) -> dict[str, Any]:
    """The integration's translation file, so that tests follow text changes."""
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text())
    return data


def text_pattern(template: str) -> re.Pattern[str]:
    """A regex for a translated text whose {placeholders} can be anything."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts))


def log_in(page: Page, stack: Stack) -> None:
    """Log the browser in the way the frontend remembers a login: tokens in localStorage."""
    page.goto(stack.hass_url + "/manifest.json")
    page.evaluate("t => localStorage.setItem('hassTokens', t)", stack.tokens.local_storage())


def open_ui(page: Page, stack: Stack, path: str) -> None:
    """Navigate to PATH and wait until the frontend is connected to Home Assistant."""
    page.goto(stack.hass_url + path)
    page.wait_for_function("() => document.querySelector('home-assistant')?.hass?.connected")


def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """Send a websocket command over the frontend's own connection."""
    return page.evaluate("m => document.querySelector('home-assistant').hass.callWS(m)", message)


SELECT_LANGUAGE = """language => document.querySelector('home-assistant').dispatchEvent(
    new CustomEvent('hass-language-select', {detail: language, bubbles: true, composed: true}))"""


def select_language(page: Page, language: str) -> None:
    """Do what the profile page's language picker does, and wait until it is stored."""
    page.evaluate(SELECT_LANGUAGE, language)
    page.wait_for_function(
        """language => document.querySelector('home-assistant').hass.callWS(
            {type: 'frontend/get_user_data', key: 'language'})
            .then(r => r.value?.language === language)""",
        arg=language,
    )


def pick(page: Page, field: str, option: str) -> None:
    """Open the drop-down FIELD and choose OPTION; again if the list was still loading.

    The editor reloads a list when the field before it changes, and closes an open
    drop-down when the list arrives.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: PLC0415 - see conftest

    for _ in range(5):
        page.get_by_label(field, exact=True).first.click()
        try:
            page.get_by_text(option, exact=True).click(timeout=5_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
        else:
            return
    raise AssertionError(f"{option!r} is not offered in {field!r}")


def fill_device_trigger(page: Page, stack: Stack) -> None:
    """A new automation's trigger: Device, Front door, "Activity: unlocked", keypad code, Anna."""
    en = translations("en")
    automation = en["device_automation"]
    open_ui(page, stack, "/config/automation/edit/new")
    page.get_by_role("button", name="Add trigger").click()
    page.get_by_placeholder("Search").fill("Device")
    page.get_by_text("Triggers when something happens to a device").click()
    pick(page, "Device", "Front door")
    pick(page, "Trigger", automation["trigger_type"]["unlocked"])
    pick(
        page,
        automation["extra_fields"]["method"],
        en["selector"]["method"]["options"]["keypad_code"],
    )
    anna = en["entity"]["switch"]["keypad_code_authorization"]["name"].format(name="Anna")
    pick(page, automation["extra_fields"]["auth_id"], anna)
