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
