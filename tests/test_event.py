"""Activity and doorbell events from simulator-driven activity, on the entity and on the bus.

The Activity entities are disabled by default; these tests enable them (the bus event
without them: test_device_trigger.py, test_logbook.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.coordinator import NukiCoordinator, log_cursor_store
from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from custom_components.nuki_web_api.logbook import async_describe_events
from simulator.core import Actor
from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285  # keypad (code 456789 = Anna) and door sensor
BUILDING_ENTRANCE = 9315306846  # Opener
GARDEN_DOOR = 13896605295  # Smart Door, door sensor
HOLIDAY_FLAT = 18764230785  # no Smart Hosting; keypad code 735914

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


def coordinator_of(entry: MockConfigEntry) -> NukiCoordinator:
    return entry.runtime_data.coordinator  # type: ignore[no-any-return]


def entity_id(hass: HomeAssistant, smartlock_id: int, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id("event", DOMAIN, f"{smartlock_id}_{key}")
    assert found is not None
    return found


async def settle(simulator: SimulatorServer, count: int) -> None:
    """Wait until the simulator has written `count` log entries (actions run in the background)."""
    while len(simulator.state.logs) < count:  # noqa: ASYNC110 - the simulator offers no event
        await asyncio.sleep(0.01)


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await coordinator_of(entry).async_refresh()
    await hass.async_block_till_done()


async def test_keypad_unlock_fires_event_bus_event_and_logbook_text(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    activity = entity_id(hass, FRONT_DOOR, "activity")
    before = len(simulator.state.logs)
    assert simulator.use_keypad(FRONT_DOOR, 456789)
    await settle(simulator, before + 1)
    await refresh(hass, setup_integration)

    state = hass.states.get(activity)
    assert state is not None
    assert state.attributes["event_type"] == "unlocked"
    assert state.attributes["actor"] == "Anna"
    assert state.attributes["trigger"] == "keypad"
    assert state.attributes["source"] == "keypad_code"
    assert state.attributes["completion"] == "success"
    assert state.attributes["auto_unlock"] is False
    auth = next(a for a in simulator.state.auths.values() if a.get("code") == 456789)
    assert state.attributes["auth_id"] == auth["id"]
    assert state.attributes["log_id"] == simulator.state.logs[-1]["id"]
    assert "code" not in state.attributes
    assert "456789" not in str(state.attributes)

    assert len(events) == 1
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert device is not None
    assert events[0].data[ATTR_DEVICE_ID] == device.id
    assert events[0].data[ATTR_ENTITY_ID] == "lock.front_door"  # the logbook files it there
    assert events[0].data["type"] == "unlocked"
    assert events[0].data["actor"] == "Anna"

    describers: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda d, e, fn: describers.__setitem__((d, e), fn))
    describe = describers[(DOMAIN, EVENT_NUKI_WEB_API)]
    assert describe(events[0]) == {
        "name": "Front door",
        "message": "unlocked by Anna with a keypad code",
        "icon": "mdi:lock-open-variant",
        "entity_id": "lock.front_door",
    }


async def test_wrong_code_is_rejected(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    assert not simulator.use_keypad(FRONT_DOOR, 111111)
    await refresh(hass, setup_integration)
    assert [e.data["type"] for e in events] == ["rejected"]
    assert events[0].data["completion"] == "invalid_code"


async def test_long_actor_name_is_cut_in_event_and_changed_by(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The event's actor and the lock's changed_by are cut at 255 characters, like the state."""
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    simulator.state.add_log(simulator.state.devices[FRONT_DOOR], 1, Actor("B" * 1000, 4))
    await refresh(hass, setup_integration)
    cut = "B" * 254 + "…"
    assert [e.data["actor"] for e in events] == [cut]
    assert hass.states.get(entity_id(hass, FRONT_DOOR, "activity")).attributes["actor"] == cut  # type: ignore[union-attr]
    lock = er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{FRONT_DOOR}_lock")
    assert hass.states.get(lock).attributes["changed_by"] == cut  # type: ignore[arg-type, union-attr]


@pytest.mark.parametrize(
    ("state", "reason"), [(0, "access_document_revoked"), (1, "send_nfc_failed")]
)
async def test_failed_tap_to_unlock_is_no_unlock_jam_or_actor(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    state: int,
    reason: str,
) -> None:
    """A failed Tap to Unlock (source 3, trigger 253) is a rejected attempt with its reason.

    Its state 0 means "access document revoked" and 1 "send NFC failed" (Swagger 4.20.0):
    neither an unlock nor a jam, and the person is not who operated the lock.
    """
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    lock = er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{FRONT_DOOR}_lock")
    assert lock is not None
    changed_by = hass.states.get(lock).attributes["changed_by"]  # type: ignore[union-attr]
    simulator.state.add_log(
        simulator.state.devices[FRONT_DOOR], 1, Actor("Mallory", 253, source=3), state=state
    )
    await refresh(hass, setup_integration)

    assert [(e.data["type"], e.data["completion"]) for e in events] == [("rejected", reason)]
    assert events[0].data["source"] == "tap_to_unlock"
    activity = hass.states.get(entity_id(hass, FRONT_DOOR, "activity"))
    assert activity.attributes["event_type"] == "rejected"  # type: ignore[union-attr]
    assert hass.states.get(lock).attributes["changed_by"] == changed_by == "Alex Demo"  # type: ignore[union-attr]
    assert hass.states.get(lock).state == "locked"  # type: ignore[union-attr]
    assert hass.states.get("sensor.front_door_last_actor").state == "Alex Demo"  # type: ignore[union-attr]
    assert events[0].data["method"] == "tap_to_unlock"


async def test_button_press_and_door_sensor_in_order(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    before = len(simulator.state.logs)
    simulator.press_button(GARDEN_DOOR)  # locked -> unlock
    await settle(simulator, before + 1)
    simulator.set_door(GARDEN_DOOR, "open")
    simulator.set_door(GARDEN_DOOR, "ajar", 30)
    simulator.set_door(GARDEN_DOOR, "closed")
    await refresh(hass, setup_integration)

    assert [e.data["type"] for e in events] == [
        "unlocked",
        "door_opened",
        "door_ajar",
        "door_closed",
    ]
    assert events[0].data["trigger"] == "button"
    assert events[0].data["actor"] == "Button"
    assert {e.data[ATTR_ENTITY_ID] for e in events} == {"lock.garden_door"}
    state = hass.states.get(entity_id(hass, GARDEN_DOOR, "activity"))
    assert state is not None
    assert state.attributes["event_type"] == "door_closed"


async def test_opener_ring_fires_activity_and_doorbell(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    simulator.ring(BUILDING_ENTRANCE)
    await refresh(hass, setup_integration)

    assert [e.data["type"] for e in events] == ["ring"]  # the doorbell entity fires no bus event
    doorbell = hass.states.get(entity_id(hass, BUILDING_ENTRANCE, "doorbell"))
    assert doorbell is not None
    assert doorbell.attributes["event_type"] == "ring"
    assert doorbell.attributes["device_class"] == "doorbell"
    activity = hass.states.get(entity_id(hass, BUILDING_ENTRANCE, "opener_activity"))
    assert activity is not None
    assert activity.attributes["event_type"] == "ring"

    before = len(simulator.state.logs)
    simulator.press_button(BUILDING_ENTRANCE)  # opens
    await settle(simulator, before + 1)
    await refresh(hass, setup_integration)
    assert [e.data["type"] for e in events] == ["ring", "opened"]
    doorbell = hass.states.get(entity_id(hass, BUILDING_ENTRANCE, "doorbell"))
    assert doorbell is not None
    assert doorbell.attributes["event_type"] == "ring"
    assert len([e for e in events if e.data["log_id"] == events[0].data["log_id"]]) == 1


async def test_entries_that_are_no_activity_fire_nothing(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Housekeeping (a calibration) and a failure that is no rejection fire no event at all."""
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    activity = entity_id(hass, FRONT_DOOR, "activity")
    device = simulator.state.devices[FRONT_DOOR]
    simulator.state.add_log(device, 253, Actor("Nuki", 0))  # calibration
    simulator.state.add_log(device, 1, Actor("Anna", 5), state=3)  # too recent
    await refresh(hass, setup_integration)
    assert events == []
    assert hass.states.get(activity).state == "unknown"  # type: ignore[union-attr]


async def test_no_duplicates_across_cycles(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    simulator.set_door(FRONT_DOOR, "open")
    await refresh(hass, setup_integration)
    await refresh(hass, setup_integration)
    simulator.set_door(FRONT_DOOR, "closed")
    await refresh(hass, setup_integration)
    await refresh(hass, setup_integration)
    assert [e.data["type"] for e in events] == ["door_opened", "door_closed"]


async def test_history_and_error_entries_are_not_fired(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    sim = simulator.state
    old = sim.add_log(sim.devices[FRONT_DOOR], 2, Actor("Sam", 5))
    old["date"] = "2020-01-01T00:00:00.000Z"  # newly listed, but from before setup
    before = len(sim.logs)
    assert simulator.use_keypad(HOLIDAY_FLAT, 735914)  # no Smart Hosting: an error item
    await settle(simulator, before + 1)
    await refresh(hass, setup_integration)
    assert events == []


async def test_burst_of_120_entries_fired_once_oldest_first(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    sim = simulator.state
    door = sim.devices[FRONT_DOOR]
    ids = [sim.add_log(door, 240 + n % 2, Actor("", 0))["id"] for n in range(120)]
    simulator.reset_counters()
    await refresh(hass, setup_integration)
    assert [e.data["log_id"] for e in events] == ids
    assert simulator.counters()["requests"]["GET /smartlock/log"] == 3  # 50 + 50 + 50

    simulator.reset_counters()
    await refresh(hass, setup_integration)
    assert len(events) == 120
    assert simulator.counters()["requests"] == {"GET /smartlock": 1, "GET /smartlock/log": 1}


async def test_restart_does_not_fire_seen_entries_again(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    sim = simulator.state
    door = sim.devices[FRONT_DOOR]
    # Entries dated after setup (a device clock ahead of Home Assistant's), one seen before.
    future = dt_util.utcnow().replace(year=dt_util.utcnow().year + 1)
    seen = sim.add_log(door, 2, Actor("Sam", 5))
    unseen = sim.add_log(door, 1, Actor("Sam", 5))
    for item in (seen, unseen):
        item["date"] = future.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    key = log_cursor_store(hass, config_entry.entry_id).key
    hass_storage[key] = {"version": 1, "key": key, "data": {"seen": [seen["id"]]}}

    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    # The first cycle runs before the entities exist; they report its entries when added.
    assert [e.data["log_id"] for e in events] == [unseen["id"]]

    # The cursor is saved a little later, and on unload; it survives a new setup.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=30))
    await hass.async_block_till_done()
    assert unseen["id"] in hass_storage[key]["data"]["seen"]
    hass_storage[key]["data"]["seen"].remove(unseen["id"])
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert unseen["id"] in hass_storage[key]["data"]["seen"]
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert coordinator_of(config_entry).data.new_logs == ()
    assert len(events) == 1


async def test_event_entity_trigger_in_an_automation(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    calls = async_mock_service(hass, "test", "automation")
    activity = entity_id(hass, FRONT_DOOR, "activity")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {"trigger": "state", "entity_id": activity},
                "conditions": {
                    "condition": "state",
                    "entity_id": activity,
                    "attribute": "event_type",
                    "state": "unlocked",
                },
                "actions": {
                    "action": "test.automation",
                    "data": {"who": "{{ trigger.to_state.attributes.actor }}"},
                },
            }
        },
    )
    simulator.set_door(FRONT_DOOR, "open")
    await refresh(hass, setup_integration)
    assert calls == []
    before = len(simulator.state.logs)
    assert simulator.use_keypad(FRONT_DOOR, 456789)
    await settle(simulator, before + 1)
    await refresh(hass, setup_integration)
    assert [call.data["who"] for call in calls] == ["Anna"]


async def test_logbook_for_a_removed_device(hass: HomeAssistant) -> None:
    describers: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}
    async_describe_events(hass, lambda d, e, fn: describers.__setitem__((d, e), fn))
    event: Event[Any] = Event(EVENT_NUKI_WEB_API, {ATTR_DEVICE_ID: "gone", "type": "ring"})
    assert describers[(DOMAIN, EVENT_NUKI_WEB_API)](event) == {
        "name": "Nuki",
        "message": "rang",
        "icon": "mdi:bell-ring",
    }
