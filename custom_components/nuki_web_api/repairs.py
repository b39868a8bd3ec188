"""Repair issues the user can act on: Smart Hosting missing, API token lacks a scope."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, SMART_HOSTING_URL


def smart_hosting_issue_id(smartlock_id: int) -> str:
    """Return the id of the Smart Hosting issue of one device."""
    return f"smart_hosting_{smartlock_id}"


def missing_scope_issue_id(entry_id: str) -> str:
    """Return the id of the missing-scope issue of one config entry."""
    return f"missing_scope_{entry_id}"


@callback
def async_create_smart_hosting_issue(hass: HomeAssistant, smartlock_id: int, name: str) -> None:
    """Tell the user that Nuki refuses the device without a Smart Hosting subscription."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        smart_hosting_issue_id(smartlock_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="smart_hosting",
        translation_placeholders={"name": name},
        learn_more_url=SMART_HOSTING_URL,
    )


@callback
def async_delete_smart_hosting_issue(hass: HomeAssistant, smartlock_id: int) -> None:
    """Remove the Smart Hosting issue of a device (no-op if there is none)."""
    ir.async_delete_issue(hass, DOMAIN, smart_hosting_issue_id(smartlock_id))


@callback
def async_create_missing_scope_issue(
    hass: HomeAssistant, entry_id: str, *, scope: str, scope_name: str
) -> None:
    """Tell the user which permission to add to the API token in Nuki Web."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        missing_scope_issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="missing_scope",
        translation_placeholders={"scope": scope, "scope_name": scope_name},
    )


@callback
def async_delete_missing_scope_issue(hass: HomeAssistant, entry_id: str) -> None:
    """Remove the missing-scope issue of an entry (no-op if there is none)."""
    ir.async_delete_issue(hass, DOMAIN, missing_scope_issue_id(entry_id))
