"""The logbook: one translated sentence per activity, icons, and at most two lines per activity.

The recorder must be prepared before Home Assistant starts: this module's
``auto_enable_custom_integrations`` asks for the database first.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.nuki_web_api.api import LOCK_ACTIVITIES, METHODS, OPENER_ACTIVITIES
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from custom_components.nuki_web_api.logbook import DEFAULT_ICON, async_describe_events, describe
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, refresh

LANGUAGES = ("en", "de")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """The database first, then Home Assistant (the conftest's fixture of the same name)."""
    return


def describer(hass: HomeAssistant) -> Callable[[Event], dict[str, str]]:
    describers: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda d, e, fn: describers.__setitem__((d, e), fn))
    return describers[(DOMAIN, EVENT_NUKI_WEB_API)]


def icon_of(hass: HomeAssistant, event_type: Any) -> str:
    data = {ATTR_DEVICE_ID: "gone", "type": event_type}
    return describer(hass)(Event(EVENT_NUKI_WEB_API, data))["icon"]


async def texts(hass: HomeAssistant, language: str) -> dict[str, str]:
    return await async_get_translations(hass, language, "common", [DOMAIN])


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
    for event_type in {*LOCK_ACTIVITIES, *OPENER_ACTIVITIES}:
        assert icon_of(hass, event_type) != DEFAULT_ICON, event_type


async def test_unknown_or_missing_type_gets_the_activity_icon(hass: HomeAssistant) -> None:
    assert icon_of(hass, "new_thing") == DEFAULT_ICON
    assert icon_of(hass, None) == DEFAULT_ICON


ANNA = {"type": "unlocked", "actor": "Anna", "method": "keypad_code", "source": "keypad_code"}


@pytest.mark.parametrize(
    ("data", "english", "german"),
    [
        (ANNA, "unlocked by Anna with a keypad code", "von Anna mit einem Keypad-Code entriegelt"),
        ({"type": "locked", "actor": "Sam"}, "locked by Sam", "von Sam verriegelt"),
        (
            {"type": "locked", "actor": "Auto lock", "method": "auto_lock"},
            "locked by auto lock",
            "durch Auto Lock verriegelt",
        ),
        (
            {"type": "unlocked", "actor": "Button", "method": "button"},
            "unlocked with the button",
            "mit dem Knopf entriegelt",
        ),
        (
            {"type": "rejected", "actor": None, "method": "keypad_code"},
            "rejected an attempt with a keypad code",
            "hat einen Versuch mit einem Keypad-Code abgewiesen",
        ),
        (
            {"type": "rejected", "actor": "Mallory", "method": "tap_to_unlock"},
            "rejected an attempt by Mallory with Tap to Unlock",
            "hat einen Versuch von Mallory mit Tap to Unlock abgewiesen",
        ),
        (
            {"type": "door_ajar", "actor": "", "method": None},
            "was left open",
            "steht zu lange offen",
        ),
        ({"type": "ring", "actor": "Doorbell"}, "rang", "hat geklingelt"),
        (
            {"type": "opened", "actor": "Alex", "method": "app"},
            "opened by Alex with the Nuki app",
            "von Alex mit der Nuki App geöffnet",
        ),
        # Stored before the event had a method: its source says how.
        (
            {"type": "unlocked", "actor": "Anna", "source": "keypad_code"},
            "unlocked by Anna with a keypad code",
            "von Anna mit einem Keypad-Code entriegelt",
        ),
        ({"type": "new_thing", "actor": "Sam"}, "new thing", "new thing"),
        # A name with braces is text, not a placeholder.
        ({"type": "locked", "actor": "{method}"}, "locked by {method}", "von {method} verriegelt"),
    ],
)
async def test_sentences_in_both_languages(
    hass: HomeAssistant, data: dict[str, Any], english: str, german: str
) -> None:
    assert describe(await texts(hass, "en"), data) == english
    assert describe(await texts(hass, "de"), data) == german


def test_sentence_without_translations_is_the_event_type() -> None:
    """Before the translations are loaded, the event type itself (never an error)."""
    assert describe({}, ANNA) == "unlocked"
    assert describe({}, {"type": "door_ajar"}) == "door ajar"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_type_and_method_has_words(hass: HomeAssistant, language: str) -> None:
    """Each event type and method has its phrase; every template takes its placeholders."""
    common = await texts(hass, language)
    prefix = f"component.{DOMAIN}.common."
    for event_type in {*LOCK_ACTIVITIES, *OPENER_ACTIVITIES}:
        assert f"{prefix}activity_{event_type}" in common, event_type
    for method in METHODS:
        assert f"{prefix}method_{method}" in common, method
    for key, template in common.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        # What stands after a failed write (services.py) takes the write's verb.
        allowed = {"verb"} if key.startswith(f"{prefix}stand_") else {"activity", "actor", "method"}
        assert fields <= allowed, key


async def test_sentence_follows_the_configured_language(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Home Assistant's language, not English: German after a switch to German."""
    front_door = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert front_door is not None
    event = Event(EVENT_NUKI_WEB_API, {ATTR_DEVICE_ID: front_door.id, **ANNA})
    assert describer(hass)(event)["message"] == "unlocked by Anna with a keypad code"
    await hass.config.async_update(language="de")
    await hass.async_block_till_done()
    assert describer(hass)(event) == {
        "name": "Front door",
        "message": "von Anna mit einem Keypad-Code entriegelt",
        "icon": "mdi:lock-open-variant",
    }


async def test_keypad_unlock_gives_two_logbook_lines(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The lock's state change and one sentence, filed under the lock (its dialog shows both)."""
    assert await async_setup_component(hass, "logbook", {})
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    start = dt_util.utcnow()
    before = len(simulator.state.logs)
    assert simulator.use_keypad(FRONT_DOOR, 456789)
    while len(simulator.state.logs) <= before:  # noqa: ASYNC110 - the simulator offers no event
        await asyncio.sleep(0.01)
    await refresh(hass, setup_integration)
    await async_wait_recording_done(hass)

    assert [e.data["entity_id"] for e in events] == ["lock.front_door"]
    assert hass.states.get("event.front_door_activity") is None  # disabled by default
    client = await hass_ws_client(hass)
    # The whole logbook since the keypad was used: nothing else happened meanwhile.
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start.isoformat()})
    response = await client.receive_json()
    assert response["success"], response
    lines = [
        (line.get("entity_id"), line.get("state"), line.get("message"))
        for line in response["result"]
    ]
    assert lines == [
        ("lock.front_door", "unlocked", None),
        ("lock.front_door", None, "unlocked by Anna with a keypad code"),
    ]
