"""Logbook icons of the activity bus event, per event type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant

from custom_components.nuki_web_api.activity import (
    EVENT_NUKI_WEB_API,
    LOCK_EVENT_TYPES,
    OPENER_EVENT_TYPES,
)
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.logbook import DEFAULT_ICON, async_describe_events


def describer(hass: HomeAssistant) -> Callable[[Event], dict[str, str]]:
    describers: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda d, e, fn: describers.__setitem__((d, e), fn))
    return describers[(DOMAIN, EVENT_NUKI_WEB_API)]


def icon_of(hass: HomeAssistant, event_type: Any) -> str:
    data = {ATTR_DEVICE_ID: "gone", "type": event_type}
    return describer(hass)(Event(EVENT_NUKI_WEB_API, data))["icon"]


@pytest.mark.parametrize(
    ("event_type", "icon"),
    [
        ("locked", "mdi:lock"),
        ("unlocked", "mdi:lock-open-variant"),
        ("door_opened", "mdi:door-open"),
        ("door_closed", "mdi:door-closed"),
        ("ring", "mdi:bell-ring"),
        ("jammed", "mdi:lock-alert"),
        ("rejected", "mdi:alert"),
        ("lock_n_go", "mdi:lock-clock"),
        ("continuous_mode_off", "mdi:door-closed"),
    ],
)
async def test_icon_by_event_type(hass: HomeAssistant, event_type: str, icon: str) -> None:
    assert icon_of(hass, event_type) == icon


async def test_every_event_type_has_its_own_icon(hass: HomeAssistant) -> None:
    """A new event type without an icon falls back; none of today's does."""
    for event_type in {*LOCK_EVENT_TYPES, *OPENER_EVENT_TYPES}:
        assert icon_of(hass, event_type) != DEFAULT_ICON, event_type


async def test_unknown_or_missing_type_gets_the_activity_icon(hass: HomeAssistant) -> None:
    assert icon_of(hass, "new_thing") == DEFAULT_ICON
    assert icon_of(hass, None) == DEFAULT_ICON
