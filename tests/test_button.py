"""Button platform: lock 'n' go (with unlatch) and sync with its cooldown, against the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.button import BUTTONS
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    GARDEN_DOOR,
    advance_simulator,
    sim_state,
    snapshot_entities,
)

SYNC_ROUTE = "POST /smartlock/{smartlockId}/sync"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the button platform."""
    return [Platform.BUTTON]


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _actions(simulator: SimulatorServer, smartlock_id: int) -> list[tuple[int, str]]:
    """Return the (action, name) of the device's log entries, oldest first."""
    return [
        (entry["action"], entry["name"])
        for entry in simulator.state.logs
        if entry["smartlockId"] == smartlock_id
    ]


async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Locks get lock 'n' go buttons (with unlatch disabled by default); every device syncs."""
    await snapshot_entities(hass, entity_registry, snapshot, setup_integration.entry_id, BUTTONS)
    assert hass.states.get("button.building_entrance_sync_with_device")
    assert not entity_registry.async_get_entity_id(
        BUTTON_DOMAIN, "nuki_web_api", f"{BUILDING_ENTRANCE}_lock_n_go"
    )
    unlatch = entity_registry.async_get("button.garden_door_lock_n_go_with_unlatch")
    assert unlatch.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_lock_n_go(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lock 'n' go sends action 4: the lock unlocks, then locks again."""
    before = _actions(simulator, GARDEN_DOOR)
    await _press(hass, "button.garden_door_lock_n_go")
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 6
    )
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 1
    )
    assert _actions(simulator, GARDEN_DOOR) == [*before, (4, "Alex Demo")]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_lock_n_go_with_unlatch(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lock 'n' go with unlatch sends action 5: the lock unlatches first."""
    before = _actions(simulator, GARDEN_DOOR)
    await _press(hass, "button.garden_door_lock_n_go_with_unlatch")
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 5
    )
    await advance_simulator(
        hass, freezer, simulator, lambda: sim_state(simulator, GARDEN_DOOR) == 1
    )
    assert _actions(simulator, GARDEN_DOOR) == [*before, (5, "Alex Demo")]


async def test_sync_cooldown(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sync calls POST /sync; a second press within a minute is refused with a translated error."""
    counters = simulator.state.counters
    entity_id = "button.building_entrance_sync_with_device"

    await _press(hass, entity_id)
    assert counters[SYNC_ROUTE] == 1

    freezer.tick(timedelta(seconds=30))
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, entity_id)
    assert err.value.translation_key == "button_cooldown"
    assert err.value.translation_placeholders == {"seconds": "30"}
    assert counters[SYNC_ROUTE] == 1

    # The cooldown is per device.
    await _press(hass, "button.garden_door_sync_with_device")
    assert counters[SYNC_ROUTE] == 2

    freezer.tick(timedelta(seconds=31))
    await _press(hass, entity_id)
    assert counters[SYNC_ROUTE] == 3


async def test_failed_sync_has_no_cooldown(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A refused sync raises the coordinator's error and may be retried at once."""
    entity_id = "button.building_entrance_sync_with_device"
    simulator.state.devices[BUILDING_ENTRANCE].data["serverState"] = 4
    await setup_integration.runtime_data.coordinator.async_refresh()
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, entity_id)
    assert err.value.translation_key == "device_offline"

    simulator.state.devices[BUILDING_ENTRANCE].data["serverState"] = 0
    await setup_integration.runtime_data.coordinator.async_refresh()
    await _press(hass, entity_id)
    assert simulator.state.counters[SYNC_ROUTE] == 1
