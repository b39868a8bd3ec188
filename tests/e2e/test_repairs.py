"""The device without Smart Hosting shows up under Settings -> Repairs with its text."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .harness import Stack
from .ui import open_ui, text_pattern, translations


def test_smart_hosting_repair_is_listed(
    page: Page, stack: Stack, nuki_entry: dict[str, Any]
) -> None:
    """The issue's translated title is listed; opening it shows the translated description."""
    issue = translations("en")["issues"]["smart_hosting"]
    open_ui(page, stack, "/config/repairs")
    listed = page.get_by_text(text_pattern(issue["title"]))
    expect(listed).to_be_visible()
    listed.click()
    expect(page.get_by_text(text_pattern(issue["description"]))).to_be_visible()
