"""Lock platform: entities, state mapping for every Nuki code, actions against the simulator."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock.const import LockState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    advance_simulator,
    refresh,
    sim_state,
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the lock platform."""
    return [Platform.LOCK]


async def _call(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True)


async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every lock and the Opener get a lock entity (the Smart Hosting one unavailable)."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)
    # Nuki sends only ids for a device without Smart Hosting, so it has no name.
    assert hass.states.get("lock.smart_lock_3_0_4_0_5e6f7081").state == STATE_UNAVAILABLE
    front_door = hass.states.get("lock.front_door")
    assert front_door.state == LockState.LOCKED
    # The newest entry that operated the lock, not the door sensor events after it.
    assert front_door.attributes["changed_by"] == "Alex Demo"
    assert hass.states.get("lock.office").state == LockState.UNLOCKED


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, STATE_UNKNOWN),  # uncalibrated
        (1, LockState.LOCKED),
        (2, LockState.UNLOCKING),
        (3, LockState.UNLOCKED),
        (4, LockState.LOCKING),
        (5, LockState.OPEN),  # unlatched
        (6, LockState.UNLOCKED),  # unlocked (lock 'n' go)
        (7, LockState.OPENING),  # unlatching
        (224, STATE_UNKNOWN),  # error wrong entry code
        (225, STATE_UNKNOWN),  # error wrong fingerprint
        (254, LockState.JAMMED),  # motor blocked
        (255, STATE_UNKNOWN),  # undefined
        (99, STATE_UNKNOWN),  # a code Nuki adds later
    ],
)
async def test_lock_state_codes(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    code: int,
    expected: str,
) -> None:
    """Every Nuki lock state maps to a Home Assistant state; unclear ones are unknown."""
    simulator.state.devices[GARDEN_DOOR].state["state"] = code
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.garden_door").state == expected


@pytest.mark.parametrize(
    ("mode", "code", "expected"),
    [
        (2, 0, STATE_UNKNOWN),  # untrained
        (2, 1, LockState.LOCKED),  # online: ring to open off
        (2, 3, LockState.UNLOCKED),  # ring to open active
        (2, 5, LockState.OPEN),
        (2, 7, LockState.OPENING),
        (2, 253, STATE_UNKNOWN),  # boot run
        (2, 255, STATE_UNKNOWN),  # undefined
        (2, 42, STATE_UNKNOWN),  # a code Nuki adds later
        (3, 1, LockState.UNLOCKED),  # continuous mode
        (3, 7, LockState.OPENING),  # continuous mode, opening
    ],
)
async def test_opener_state_codes(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    mode: int,
    code: int,
    expected: str,
) -> None:
    """The Opener's ring-to-open states map onto locked/unlocked, the strike onto open."""
    state = simulator.state.devices[BUILDING_ENTRANCE].state
    state["mode"] = mode
    state["state"] = code
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.building_entrance").state == expected


@pytest.mark.parametrize(
    ("smartlock_id", "entity_id"),
    [(GARDEN_DOOR, "lock.garden_door"), (BUILDING_ENTRANCE, "lock.building_entrance")],
)
async def test_missing_state_is_unknown(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    smartlock_id: int,
    entity_id: str,
) -> None:
    """A device that reports no state object is unknown, never locked."""
    del simulator.state.devices[smartlock_id].data["state"]
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN


async def test_unlock_and_lock(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unlock shows unlocking, then unlocked; lock shows locking, then locked."""
    entity_id = "lock.garden_door"
    assert hass.states.get(entity_id).attributes["changed_by"] == "Button"

    await _call(hass, SERVICE_UNLOCK, entity_id)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.UNLOCKING

    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 3
    )
    await refresh(hass, setup_integration)
    state = hass.states.get(entity_id)
    assert state.state == LockState.UNLOCKED
    assert state.attributes["changed_by"] == "Alex Demo"

    await _call(hass, SERVICE_LOCK, entity_id)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.LOCKING
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 1
    )
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.LOCKED


async def test_open_unlatches(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Open sends unlatch (3): opening, open, then unlocked once the latch is released."""
    entity_id = "lock.front_door"
    await _call(hass, SERVICE_OPEN, entity_id)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.OPENING

    await advance_simulator(hass, freezer, simulator, lambda: sim_state(simulator, FRONT_DOOR) == 5)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.OPEN

    await advance_simulator(hass, freezer, simulator, lambda: sim_state(simulator, FRONT_DOOR) == 3)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.UNLOCKED


async def test_opener_actions(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Opener: unlock activates ring to open, lock deactivates it, open actuates the strike."""
    entity_id = "lock.building_entrance"

    await _call(hass, SERVICE_UNLOCK, entity_id)
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, BUILDING_ENTRANCE) == 3
    )
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.UNLOCKED

    await _call(hass, SERVICE_LOCK, entity_id)
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, BUILDING_ENTRANCE) == 1
    )
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.LOCKED

    await _call(hass, SERVICE_OPEN, entity_id)
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.OPENING
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, BUILDING_ENTRANCE) == 5
    )
    await refresh(hass, setup_integration)
    assert hass.states.get(entity_id).state == LockState.OPEN


async def test_action_error_is_translated(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A refused action raises the coordinator's translated error."""
    simulator.state.devices[GARDEN_DOOR].data["serverState"] = 4
    await refresh(hass, setup_integration)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_LOCK, "lock.garden_door")
    assert err.value.translation_key == "device_offline"
