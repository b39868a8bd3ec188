"""The logbook's sentence for an activity: "Front door unlocked by Anna with a keypad code".

The words are the ``common`` translations in Home Assistant's configured language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_cached_translations

from .api import OPERATIONS, REJECTED
from .const import DOMAIN
from .event import EVENT_NUKI_WEB_API

# The logbook shows no icon for a bus event without one.
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
DEFAULT_ICON = "mdi:history"  # the Activity entity's icon
# Nuki names the actor of these methods after the method ("Button"): no "by" for them.
_NOT_A_PERSON = frozenset({"button", "manual", "auto_lock"})
_TEXTS = f"component.{DOMAIN}.common."


def describe(texts: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """Return the sentence after the device name: "unlocked by Anna with a keypad code".

    Who and how only for operations and rejections. Events stored before events had a
    ``method`` fall back to their ``source``.
    """
    event_type = str(data.get("type"))
    activity = texts.get(f"{_TEXTS}activity_{event_type}") or event_type.replace("_", " ")
    if event_type not in OPERATIONS and event_type != REJECTED:
        return activity
    how = texts.get(f"{_TEXTS}method_{data.get('method', data.get('source'))}")
    actor = None if data.get("method") in _NOT_A_PERSON else data.get("actor")
    if not actor and not how:
        return activity
    variant = ("by_actor" if actor else "by") + ("_method" if how else "")
    # A type may word it its own way (German puts the participle last, "rejected" has none).
    template = texts.get(f"{_TEXTS}{event_type}_{variant}") or texts.get(f"{_TEXTS}{variant}")
    if template is None:
        return activity
    return template.format(activity=activity, actor=actor, method=how)


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
        # Loaded at setup and again when the language changes: the sentence follows it.
        texts = async_get_cached_translations(hass, hass.config.language, "common", DOMAIN)
        entry = {
            LOGBOOK_ENTRY_NAME: name or "Nuki",
            LOGBOOK_ENTRY_MESSAGE: describe(texts, event.data),
            LOGBOOK_ENTRY_ICON: _ICONS.get(str(event.data.get("type")), DEFAULT_ICON),
        }
        if entity_id := event.data.get(ATTR_ENTITY_ID):  # the lock: its dialog opens on a click
            entry[LOGBOOK_ENTRY_ENTITY_ID] = str(entity_id)
        return entry

    async_describe_event(DOMAIN, EVENT_NUKI_WEB_API, async_describe)
