"""Repair issues the user can act on: Smart Hosting missing or ending, API token lacks a scope."""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import Smartlock, default_name, nuki_id
from .const import DOMAIN, SMART_HOSTING_URL, SMART_HOSTING_WARNING

# A device's Smart Hosting ending soon: (in the grace period, the local end date or "").
type SmartHostingEnding = tuple[bool, str]


def smart_hosting_issue_id(smartlock_id: int) -> str:
    """Return the id of the Smart Hosting issue of one device."""
    return f"smart_hosting_{smartlock_id}"


def smart_hosting_ending_issue_id(smartlock_id: int) -> str:
    """Return the id of the early warning that a device's Smart Hosting ends."""
    return f"smart_hosting_ending_{smartlock_id}"


def smart_hosting_ending(device: Smartlock, now: datetime) -> SmartHostingEnding | None:
    """Tell whether the device's subscription is in its grace period or ends within 14 days.

    From ``currentSubscription`` (Swagger 4.20.0 ``ShsSubscription``: ``expirationDate``,
    ``isInGracePeriod``); nothing for a device Nuki already refuses (the error issue applies).
    """
    subscription = device.current_subscription
    if subscription is None or device.smart_hosting_missing:
        return None
    end = subscription.expiration_date
    date = "" if end is None else dt_util.as_local(end).date().isoformat()
    if subscription.is_in_grace_period:
        return (True, date)
    if end is not None and end - now <= SMART_HOSTING_WARNING:
        return (False, date)
    return None


@callback
def async_create_smart_hosting_ending_issue(
    hass: HomeAssistant, smartlock_id: int, name: str, ending: SmartHostingEnding
) -> None:
    """Warn that the device's Smart Hosting ends soon (or is in its grace period)."""
    grace_period, date = ending
    ir.async_create_issue(
        hass,
        DOMAIN,
        smart_hosting_ending_issue_id(smartlock_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="smart_hosting_grace_period" if grace_period else "smart_hosting_ending",
        translation_placeholders={"name": name, "date": date},
        learn_more_url=SMART_HOSTING_URL,
    )


@callback
def async_delete_smart_hosting_ending_issue(hass: HomeAssistant, smartlock_id: int) -> None:
    """Remove the early Smart Hosting warning of a device (no-op if there is none)."""
    ir.async_delete_issue(hass, DOMAIN, smart_hosting_ending_issue_id(smartlock_id))


def missing_scope_issue_id(entry_id: str) -> str:
    """Return the id of the missing-scope issue of one config entry."""
    return f"missing_scope_{entry_id}"


@callback
def async_create_smart_hosting_issue(
    hass: HomeAssistant, smartlock_id: int, name: str, model: str
) -> None:
    """Tell the user that Nuki refuses the device without a Smart Hosting subscription.

    The issue names the device with its model and Nuki ID. Nuki sends no name for such a
    device: one Home Assistant never saw named carries the Nuki app's default name ("Smart
    Lock 3.0/4.0 5E6F7081"), and its text says so.
    """
    ir.async_create_issue(
        hass,
        DOMAIN,
        smart_hosting_issue_id(smartlock_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=(
            "smart_hosting_unnamed" if name == default_name(smartlock_id) else "smart_hosting"
        ),
        translation_placeholders={"name": name, "model": model, "nuki_id": nuki_id(smartlock_id)},
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
