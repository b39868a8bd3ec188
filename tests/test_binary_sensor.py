"""Binary sensor platform: door, batteries, ring to open, night mode, connectivity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.const import (
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.binary_sensor import BINARY_SENSORS
from custom_components.nuki_web_api.const import DOMAIN
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    HOLIDAY_FLAT,
    refresh,
    snapshot_entities,
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the binary sensor platform."""
    return [Platform.BINARY_SENSOR]


def _keys(entity_registry: er.EntityRegistry, smartlock_id: int) -> set[str]:
    return {
        entry.unique_id.split("_", 1)[1]
        for entry in entity_registry.entities.values()
        if entry.unique_id.startswith(f"{smartlock_id}_")
    }


async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Binary sensors for optional hardware exist only where it is paired."""
    await snapshot_entities(
        hass, entity_registry, snapshot, setup_integration.entry_id, BINARY_SENSORS
    )
    assert _keys(entity_registry, FRONT_DOOR) == {
        "door",
        "battery_critical",
        "battery_charging",
        "keypad_battery_critical",
        "keypad_tamper",
        "door_sensor_battery_critical",
        "night_mode",
        "smart_hosting",
        "connectivity",
    }
    # No keypad at the garden door.
    assert _keys(entity_registry, GARDEN_DOOR) == {
        "door",
        "battery_critical",
        "battery_charging",
        "door_sensor_battery_critical",
        "night_mode",
        "smart_hosting",
        "connectivity",
    }
    # The Opener: no door sensor, no keypad, no charging report; ring to open instead.
    assert _keys(entity_registry, BUILDING_ENTRANCE) == {
        "battery_critical",
        "ring_to_open",
        "night_mode",
        "smart_hosting",
        "connectivity",
    }
    # Without Smart Hosting: no state, so no hardware known; what exists is unavailable.
    assert _keys(entity_registry, HOLIDAY_FLAT) == {
        "battery_critical",
        "night_mode",
        "smart_hosting",
        "connectivity",
    }
    assert (
        hass.states.get("binary_sensor.smart_lock_3_0_4_0_5e6f7081_connectivity").state
        == STATE_UNAVAILABLE
    )
    assert hass.states.get("binary_sensor.front_door_door").state == STATE_OFF
    assert hass.states.get("binary_sensor.front_door_connectivity").state == STATE_ON


@pytest.mark.parametrize(
    ("code", "expected"),
    [(2, STATE_OFF), (3, STATE_ON), (1, STATE_UNKNOWN), (4, STATE_UNKNOWN), (240, STATE_UNKNOWN)],
)
async def test_door(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    code: int,
    expected: str,
) -> None:
    """The door is open for 3, closed for 2 and unknown otherwise."""
    simulator.state.devices[FRONT_DOOR].state["doorState"] = code
    await refresh(hass, setup_integration)
    assert hass.states.get("binary_sensor.front_door_door").state == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [(1, STATE_OFF), (2, STATE_ON), (255, STATE_ON), (0, STATE_UNKNOWN), (7, STATE_UNKNOWN)],
)
async def test_keypad_tamper(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    code: int,
    expected: str,
) -> None:
    """keypadMountingState: 2 moved (dismounted) and 255 theft detection are tampering."""
    entity_id = "binary_sensor.front_door_keypad_tamper"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_OFF
    assert state.attributes["device_class"] == "tamper"
    simulator.state.devices[FRONT_DOOR].state["keypadMountingState"] = code
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == expected


async def test_no_keypad_tamper_without_a_mounting_state(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    simulator: SimulatorServer,
) -> None:
    """A paired keypad that reports no mounting state (no theft detection) gets no sensor."""
    simulator.state.devices[GARDEN_DOOR].data["config"]["keypadPaired"] = True
    await refresh(hass, setup_integration)
    keys = _keys(entity_registry, GARDEN_DOOR)
    assert "keypad_battery_critical" in keys
    assert "keypad_tamper" not in keys


async def test_batteries_and_night_mode(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """The critical flags, charging and night mode follow the device's state."""
    state = simulator.state.devices[FRONT_DOOR].state
    state.update(
        batteryCritical=True,
        batteryCharging=True,
        keypadBatteryCritical=True,
        doorsensorBatteryCritical=True,
        nightMode=True,
    )
    await refresh(hass, setup_integration)
    for key in ("battery", "charging", "keypad_battery", "door_sensor_battery", "night_mode"):
        assert hass.states.get(f"binary_sensor.front_door_{key}").state == STATE_ON, key


async def test_opener_with_keypad(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    simulator: SimulatorServer,
) -> None:
    """Openers send keypadBatteryCritical and doorsensorBatteryCritical too (as users saw).

    The keypad battery sensor appears once a keypad is paired; no door sensor battery
    without a door sensor.
    """
    opener = simulator.state.devices[BUILDING_ENTRANCE]
    assert {"keypadBatteryCritical", "doorsensorBatteryCritical"} <= opener.state.keys()
    opener.data["config"]["keypadPaired"] = True
    opener.state["keypadBatteryCritical"] = True
    await refresh(hass, setup_integration)
    keys = _keys(entity_registry, BUILDING_ENTRANCE)
    assert "keypad_battery_critical" in keys
    assert "door_sensor_battery_critical" not in keys
    state = hass.states.get("binary_sensor.building_entrance_keypad_battery")
    assert state is not None
    assert state.state == STATE_ON


async def test_battery_triggers_read_naturally(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Battery entities are named for the battery: the device trigger adds "battery low".

    The frontend lists a trigger as Home Assistant's "{entity_name} battery low" with the
    entity's friendly name; "Battery critical" made that "… battery critical battery low".
    """
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert device is not None
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    names = sorted(
        hass.states.get(entity_registry.async_get(trigger["entity_id"]).entity_id).name
        for trigger in triggers[device.id]
        if trigger["type"] == "bat_low"
    )
    assert names == [
        "Front door Battery",
        "Front door Door sensor battery",
        "Front door Keypad battery",
    ]


async def test_smart_hosting_tells_why_the_device_is_unavailable(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Smart Hosting sensor stays available and reads off while the rest is unavailable.

    It is a diagnostic entity of every device, and follows the subscription both ways.
    """
    holiday_flat = "binary_sensor.smart_lock_3_0_4_0_5e6f7081_smart_hosting"
    assert hass.states.get(holiday_flat).state == STATE_OFF
    assert entity_registry.async_get(holiday_flat).entity_category is EntityCategory.DIAGNOSTIC
    assert (
        hass.states.get("binary_sensor.smart_lock_3_0_4_0_5e6f7081_night_mode").state
        == STATE_UNAVAILABLE
    )
    front_door = "binary_sensor.front_door_smart_hosting"
    assert hass.states.get(front_door).state == STATE_ON

    simulator.state.set_smart_hosting(FRONT_DOOR, False)
    simulator.state.set_smart_hosting(HOLIDAY_FLAT, True)
    await refresh(hass, setup_integration)
    assert hass.states.get(front_door).state == STATE_OFF
    assert hass.states.get("binary_sensor.front_door_night_mode").state == STATE_UNAVAILABLE
    assert hass.states.get(holiday_flat).state == STATE_ON

    # Nuki Web unreachable past the grace period: nothing is known, so it is unavailable too.
    simulator.state.faults.configure(rate=1.0, kinds=["500"])
    await refresh(hass, setup_integration)
    freezer.tick(timedelta(minutes=5))
    await refresh(hass, setup_integration)
    assert hass.states.get(front_door).state == STATE_UNAVAILABLE


async def test_connectivity(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """Server state 4 (offline) is disconnected; the sensor stays available to say so."""
    simulator.state.devices[FRONT_DOOR].data["serverState"] = 4
    await refresh(hass, setup_integration)
    assert hass.states.get("binary_sensor.front_door_connectivity").state == STATE_OFF


async def test_ring_to_open(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """Ring to open is on in state 3, or while its end lies in the future."""
    entity_id = "binary_sensor.building_entrance_ring_to_open"
    state = simulator.state.devices[BUILDING_ENTRANCE].state
    assert hass.states.get(entity_id).state == STATE_OFF

    state["state"] = 3
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == STATE_ON

    state["state"] = 1
    state["ringToOpenEnd"] = (dt_util.utcnow() + timedelta(minutes=5)).isoformat()
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == STATE_ON

    state["ringToOpenEnd"] = (dt_util.utcnow() - timedelta(minutes=5)).isoformat()
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == STATE_OFF
