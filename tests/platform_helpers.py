"""Helpers for the entity-platform tests: demo device ids, refreshes, simulator time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import EntityDescription
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.coordinator import NukiCoordinator
from simulator.testing import SimulatorServer

# Devices of the demo scenario.
FRONT_DOOR = 17618910285  # Smart Lock 3.0/4.0 with keypad and door sensor
BUILDING_ENTRANCE = 9315306846  # Opener
GARDEN_DOOR = 13896605295  # Smart Door with door sensor, no keypad
OFFICE = 22772871024  # Smart Lock 5 with door sensor, unlocked
HOLIDAY_FLAT = 18764230785  # Smart Lock 3.0/4.0 without Smart Hosting

# Longer than every simulator step, so one tick completes one step.
STEP = timedelta(seconds=30)


async def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    entry_id: str,
    descriptions: Iterable[EntityDescription],
) -> None:
    """Snapshot the registry entries and states of the entities of `descriptions`.

    Like `snapshot_platform`, but limited to these descriptions (the configuration
    entities on the same platforms have their own snapshots), and an entity that is
    disabled by default is recorded as such, with no state.
    """
    keys = {description.key for description in descriptions}
    entries = [
        entry
        for entry in er.async_entries_for_config_entry(entity_registry, entry_id)
        if entry.unique_id.split("_", 1)[1] in keys
    ]
    assert entries
    for entry in entries:
        assert entry == snapshot(name=f"{entry.entity_id}-entry")
        assert hass.states.get(entry.entity_id) == snapshot(name=f"{entry.entity_id}-state")


def coordinator_of(entry: MockConfigEntry) -> NukiCoordinator:
    """Return the entry's coordinator."""
    coordinator: NukiCoordinator = entry.runtime_data.coordinator
    return coordinator


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll the simulator now, as the next scheduled refresh would."""
    await coordinator_of(entry).async_refresh()
    await hass.async_block_till_done()


async def advance_simulator(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    until: Callable[[], bool],
) -> None:
    """Let the simulated devices move on (time is frozen) until `until()` holds.

    Each round moves the clock one step and runs the event loop a little; the number
    of rounds is bounded, so a device that never gets there fails the test.
    """
    sim = simulator.state
    for _ in range(20):
        if until():
            return
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        for _ in range(20):
            await asyncio.sleep(0)
            if until():
                break
    await hass.async_block_till_done()
    assert until(), f"the simulator did not get there: {[d.state for d in sim.devices.values()]}"


def sim_state(simulator: SimulatorServer, smartlock_id: int) -> int:
    """Return the simulated device's state code."""
    return int(simulator.state.devices[smartlock_id].state["state"])


def foreign_device(hass: HomeAssistant) -> str:
    """Return the registry id of a device of another integration."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    return (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=other.entry_id, identifiers={("other", "1")})
        .id
    )
