"""Switch platform: the Opener's continuous mode against the simulator."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.switch import SWITCHES
from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, advance_simulator, refresh, snapshot_entities

CONTINUOUS_MODE = "switch.building_entrance_continuous_mode"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the switch platform."""
    return [Platform.SWITCH]


async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The switches of the demo account."""
    await snapshot_entities(hass, entity_registry, snapshot, setup_integration.entry_id, SWITCHES)
    assert hass.states.get(CONTINUOUS_MODE).state == STATE_OFF
    assert entity_registry.async_get_entity_id(
        SWITCH_DOMAIN, "nuki_web_api", f"{BUILDING_ENTRANCE}_continuous_mode"
    )
    # Locks have no continuous mode.
    continuous = [
        entry.unique_id
        for entry in entity_registry.entities.values()
        if entry.unique_id.split("_", 1)[1] == "continuous_mode"
    ]
    assert continuous == [f"{BUILDING_ENTRANCE}_continuous_mode"]


async def test_continuous_mode(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Turning on sends action 6 (mode 3, the lock shows unlocked); off sends 7."""
    state = simulator.state.devices[BUILDING_ENTRANCE].state

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: CONTINUOUS_MODE}, blocking=True
    )
    await advance_simulator(hass, freezer, simulator, lambda: state["mode"] == 3)
    await refresh(hass, setup_integration)
    assert hass.states.get(CONTINUOUS_MODE).state == STATE_ON

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CONTINUOUS_MODE}, blocking=True
    )
    await advance_simulator(hass, freezer, simulator, lambda: state["mode"] == 2)
    await refresh(hass, setup_integration)
    assert hass.states.get(CONTINUOUS_MODE).state == STATE_OFF
