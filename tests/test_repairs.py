"""Repair issue helpers and their translations."""

import json
import re
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.repairs import (
    async_create_missing_scope_issue,
    async_create_smart_hosting_issue,
    async_delete_missing_scope_issue,
    async_delete_smart_hosting_issue,
)

TRANSLATIONS = Path(__file__).parents[1] / "custom_components" / DOMAIN / "translations"


async def test_smart_hosting_issue(hass: HomeAssistant, issue_registry: ir.IssueRegistry) -> None:
    async_create_smart_hosting_issue(hass, 42, "Back door")
    async_create_smart_hosting_issue(hass, 42, "Back door")  # idempotent
    issue = issue_registry.async_get_issue(DOMAIN, "smart_hosting_42")
    assert issue is not None
    assert issue.translation_key == "smart_hosting"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    assert issue.learn_more_url == "https://nuki.io/en/smart-hosting/"
    assert len(issue_registry.issues) == 1

    async_delete_smart_hosting_issue(hass, 42)
    async_delete_smart_hosting_issue(hass, 42)  # deleting a missing issue is fine
    assert issue_registry.async_get_issue(DOMAIN, "smart_hosting_42") is None


async def test_missing_scope_issue(hass: HomeAssistant, issue_registry: ir.IssueRegistry) -> None:
    async_create_missing_scope_issue(
        hass, "entry1", scope="smartlock.log", scope_name="Activity log"
    )
    issue = issue_registry.async_get_issue(DOMAIN, "missing_scope_entry1")
    assert issue is not None
    assert issue.translation_key == "missing_scope"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "scope": "smartlock.log",
        "scope_name": "Activity log",
    }

    async_delete_missing_scope_issue(hass, "entry1")
    assert issue_registry.async_get_issue(DOMAIN, "missing_scope_entry1") is None


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    ("key", "placeholders"),
    [("smart_hosting", {"name"}), ("missing_scope", {"scope", "scope_name"})],
)
def test_issue_texts_use_the_given_placeholders(
    language: str, key: str, placeholders: set[str]
) -> None:
    """Every placeholder in the texts is one the helper passes (else the frontend shows braces)."""
    issues = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))["issues"]
    texts = issues[key]["title"] + issues[key]["description"]
    assert set(re.findall(r"{(\w+)}", texts)) <= placeholders
