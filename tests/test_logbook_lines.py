"""What the logbook shows of one activity: the lock's state change and one sentence.

Needs the recorder, which must be prepared before Home Assistant starts: this module's
``auto_enable_custom_integrations`` asks for the database first.
"""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, refresh


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """The database first, then Home Assistant (the conftest's fixture of the same name)."""
    return


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
