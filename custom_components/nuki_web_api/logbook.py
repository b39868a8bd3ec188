"""Logbook lines for the `nuki_web_api_event` bus event: "Front door unlocked by Anna (keypad code)"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .activity import EVENT_NUKI_WEB_API
from .const import DOMAIN

# Event type -> the verb phrase of the sentence.
_PHRASES: Mapping[str, str] = {
    "locked": "locked",
    "unlocked": "unlocked",
    "unlatched": "unlatched",
    "lock_n_go": "locked with Lock 'n' Go",
    "lock_n_go_unlatch": "unlatched and locked with Lock 'n' Go",
    "door_opened": "was opened",
    "door_closed": "was closed",
    "door_ajar": "was left open",
    "jammed": "jammed",
    "rejected": "rejected an attempt",
    "ring": "rang",
    "opened": "opened",
    "ring_to_open_on": "ring to open on",
    "ring_to_open_off": "ring to open off",
    "continuous_mode_on": "continuous mode on",
    "continuous_mode_off": "continuous mode off",
}
# Event type -> the logbook icon (the logbook shows none for a bus event without one).
_ICONS: Mapping[str, str] = {
    "locked": "mdi:lock",
    "unlocked": "mdi:lock-open-variant",
    "unlatched": "mdi:lock-open-variant-outline",
    "lock_n_go": "mdi:lock-clock",
    "lock_n_go_unlatch": "mdi:lock-clock",
    "door_opened": "mdi:door-open",
    "door_closed": "mdi:door-closed",
    "door_ajar": "mdi:door-open",
    "jammed": "mdi:lock-alert",
    "rejected": "mdi:alert",
    "ring": "mdi:bell-ring",
    "opened": "mdi:door-open",
    "ring_to_open_on": "mdi:bell-check",
    "ring_to_open_off": "mdi:bell-cancel",
    "continuous_mode_on": "mdi:door-open",
    "continuous_mode_off": "mdi:door-closed",
}
DEFAULT_ICON = "mdi:history"  # the activity event entity's icon
_SOURCES: Mapping[str, str] = {
    "keypad_code": "keypad code",
    "fingerprint": "fingerprint",
    "tap_to_unlock": "tap to unlock",
}


def describe(data: Mapping[str, Any]) -> str:
    """Return the sentence after the device name: "unlocked by Anna (keypad code)"."""
    event_type = str(data.get("type"))
    message = _PHRASES.get(event_type, event_type.replace("_", " "))
    if actor := data.get("actor"):
        message += f" by {actor}"
    if source := _SOURCES.get(str(data.get("source"))):
        message += f" ({source})"
    return message


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the activity events for the logbook."""
    registry = dr.async_get(hass)

    @callback
    def async_describe(event: Event) -> dict[str, str]:
        device = registry.async_get(str(event.data.get(ATTR_DEVICE_ID)))
        name = (device.name_by_user or device.name) if device is not None else None
        return {
            LOGBOOK_ENTRY_NAME: name or "Nuki",
            LOGBOOK_ENTRY_MESSAGE: describe(event.data),
            LOGBOOK_ENTRY_ICON: _ICONS.get(str(event.data.get("type")), DEFAULT_ICON),
        }

    async_describe_event(DOMAIN, EVENT_NUKI_WEB_API, async_describe)
