"""Entity updates per cycle: only entities whose device changed are called, only changes written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.sensor import NukiSensor
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, OFFICE, coordinator_of, refresh


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the entity id of every state write."""
    entity_ids: list[str] = []
    original = Entity.async_write_ha_state

    @callback
    def spy(self: Entity) -> None:
        entity_ids.append(self.entity_id)
        original(self)

    monkeypatch.setattr(Entity, "async_write_ha_state", spy)
    return entity_ids


async def test_unchanged_cycle_writes_nothing(
    hass: HomeAssistant, setup_integration: MockConfigEntry, written: list[str]
) -> None:
    """A cycle in which Nuki sends the same devices writes no state and parses no device."""
    await refresh(hass, setup_integration)
    before = dict(coordinator_of(setup_integration).data.devices)
    written.clear()
    await refresh(hass, setup_integration)
    assert written == []
    after = coordinator_of(setup_integration).data.devices
    assert all(after[smartlock_id] is device for smartlock_id, device in before.items())


async def test_changed_device_updates_only_its_changed_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    written: list[str],
) -> None:
    """A battery change writes that device's battery sensor, nothing of the other devices."""
    await refresh(hass, setup_integration)
    written.clear()
    battery = simulator.state.devices[FRONT_DOOR].state["batteryCharge"]
    simulator.state.devices[FRONT_DOOR].state["batteryCharge"] = battery - 10
    await refresh(hass, setup_integration)
    assert written == ["sensor.front_door_battery"]
    assert hass.states.get("sensor.front_door_battery").state == str(battery - 10)


async def test_state_change_during_outage_shows_after_recovery(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entities come back from unavailable, with what changed meanwhile and what did not."""
    simulator.state.faults.configure(rate=1.0, kinds=["500"])
    await refresh(hass, setup_integration)
    freezer.tick(timedelta(minutes=5))
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.office_battery").state == STATE_UNAVAILABLE
    office_battery = simulator.state.devices[OFFICE].state["batteryCharge"]

    simulator.state.devices[FRONT_DOOR].state["state"] = 3  # unlocked in the meantime
    simulator.state.faults.configure(rate=0.0)
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert hass.states.get("sensor.office_battery").state == str(office_battery)


async def test_state_change_within_the_grace_period(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    written: list[str],
) -> None:
    """The kept snapshot writes nothing; the first good cycle writes what changed."""
    await refresh(hass, setup_integration)
    simulator.state.faults.configure(rate=1.0, kinds=["500"])
    written.clear()
    await refresh(hass, setup_integration)
    assert written == []
    simulator.state.devices[FRONT_DOOR].state["state"] = 3
    simulator.state.faults.configure(rate=0.0)
    await refresh(hass, setup_integration)
    assert "lock.front_door" in written
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_firmware_update_touches_the_registry_once(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The registry is updated once per changed device, not once per entity of it."""
    registry = dr.async_get(hass)
    updates: list[str] = []
    original = registry.async_update_device

    def spy(device_id: str, **changes: Any) -> dr.DeviceEntry | None:
        updates.append(device_id)
        return original(device_id, **changes)

    monkeypatch.setattr(registry, "async_update_device", spy)
    simulator.state.devices[FRONT_DOOR].data["firmwareVersion"] = 0x040400
    await refresh(hass, setup_integration)
    await refresh(hass, setup_integration)
    device = registry.async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert device is not None
    assert device.sw_version == "4.4.0"
    assert updates == [device.id]


async def test_a_failing_entity_does_not_stop_the_others(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error in one entity's update is logged; the other entities still update."""
    original = NukiSensor._shown

    def broken(self: NukiSensor, available: bool) -> tuple[object, ...]:
        if self.entity_id == "sensor.front_door_battery":
            raise RuntimeError("broken sensor")
        return original(self, available)

    monkeypatch.setattr(NukiSensor, "_shown", broken)
    for smartlock_id in (FRONT_DOOR, OFFICE):
        simulator.state.devices[smartlock_id].state["batteryCharge"] = 42
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.office_battery").state == "42"
    assert "broken sensor" in caplog.text
