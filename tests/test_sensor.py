"""Sensor platform: battery, door state (every code) and the last actor."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.sensor import SENSORS
from simulator.core import Actor
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    HOLIDAY_FLAT,
    advance_simulator,
    refresh,
    sim_state,
    snapshot_entities,
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the sensor platform."""
    return [Platform.SENSOR]


def _unique_ids(entity_registry: er.EntityRegistry, smartlock_id: int) -> set[str]:
    return {
        entry.unique_id
        for entry in entity_registry.entities.values()
        if entry.unique_id.startswith(f"{smartlock_id}_")
    }


async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Battery and door state only where reported or paired; the last actor everywhere.

    The door state is disabled by default: the Door binary sensor shows open and closed. The last
    actor is disabled by default: the lock's changed_by and the activity's logbook sentence say
    the same, and an enabled sensor adds a logbook line to each operation.
    """
    await snapshot_entities(hass, entity_registry, snapshot, setup_integration.entry_id, SENSORS)

    assert hass.states.get("sensor.front_door_battery").state == "84"
    door_state = entity_registry.async_get("sensor.front_door_door_state")
    assert door_state.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get("sensor.front_door_door_state") is None
    actor = entity_registry.async_get("sensor.front_door_last_actor")
    assert actor is not None
    assert actor.disabled_by is er.RegistryEntryDisabler.INTEGRATION

    # The Opener reports neither a battery level nor a door sensor.
    opener = _unique_ids(entity_registry, BUILDING_ENTRANCE)
    assert f"{BUILDING_ENTRANCE}_battery" not in opener
    assert f"{BUILDING_ENTRANCE}_door_state" not in opener
    assert f"{BUILDING_ENTRANCE}_last_actor" in opener

    # Without Smart Hosting Nuki sends no state: only the last actor.
    assert _unique_ids(entity_registry, HOLIDAY_FLAT) == {f"{HOLIDAY_FLAT}_last_actor"}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_last_actor_at_setup(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """Enabled, the last actor shows the newest operation with its action, trigger and source."""
    actor = hass.states.get("sensor.front_door_last_actor")
    assert actor.state == "Alex Demo"
    assert actor.attributes["action"] == "lock"
    assert actor.attributes["trigger"] == "web"
    assert actor.attributes["source"] == "default"
    # Without Smart Hosting it is unavailable.
    assert (
        hass.states.get("sensor.smart_lock_3_0_4_0_5e6f7081_last_actor").state == STATE_UNAVAILABLE
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, "not_paired"),
        (1, "deactivated"),
        (2, "closed"),
        (3, "opened"),
        (4, STATE_UNKNOWN),  # door state unknown
        (5, "calibrating"),
        (16, "uncalibrated"),
        (240, "removed"),
        (255, STATE_UNKNOWN),
        (77, STATE_UNKNOWN),  # a code Nuki adds later
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_door_state_codes(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    code: int,
    expected: str,
) -> None:
    """Every door sensor code maps to a translated state or unknown."""
    simulator.state.devices[FRONT_DOOR].state["doorState"] = code
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.front_door_door_state").state == expected


async def test_battery_unknown_when_not_reported(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A battery level that stops being reported is unknown."""
    del simulator.state.devices[FRONT_DOOR].state["batteryCharge"]
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.front_door_battery").state == STATE_UNKNOWN


@pytest.mark.parametrize(
    ("charge", "expected"), [(-5, STATE_UNKNOWN), (250, STATE_UNKNOWN), (0, "0")]
)
async def test_battery_out_of_range_is_unknown(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    charge: int,
    expected: str,
) -> None:
    """A percentage outside 0..100 is no reading: unknown, never -5 % or 250 % (issue 11)."""
    simulator.state.devices[FRONT_DOOR].state["batteryCharge"] = charge
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.front_door_battery").state == expected


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_long_actor_name_is_cut(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An actor name beyond 255 characters is cut so that Home Assistant can store the state."""
    name = "A" * 300
    simulator.state.add_log(simulator.state.devices[FRONT_DOOR], 1, Actor(name, 4))
    await refresh(hass, setup_integration)
    state = hass.states.get("sensor.front_door_last_actor").state
    assert state == "A" * 254 + "…"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_last_actor_follows_the_log(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A keypad unlock shows up as the last actor; door events after it do not replace it."""
    assert simulator.state.use_keypad(FRONT_DOOR, 456789)
    await advance_simulator(hass, freezer, simulator, lambda: sim_state(simulator, FRONT_DOOR) == 3)
    simulator.state.set_door(FRONT_DOOR, "open")
    await refresh(hass, setup_integration)

    actor = hass.states.get("sensor.front_door_last_actor")
    assert actor.state == "Anna"
    assert actor.attributes == actor.attributes | {
        "action": "unlock",
        "trigger": "keypad",
        "source": "keypad_code",
    }


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_failed_keypad_attempt_is_no_actor(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A wrong keypad code is logged, but nobody operated the lock."""
    assert not simulator.state.use_keypad(FRONT_DOOR, 111111)
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.front_door_last_actor").state == "Alex Demo"
