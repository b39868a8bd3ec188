"""The base entity: device info, availability, dynamic devices and hardware, updates per cycle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.entity import Entity
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.api import DeviceType, nuki_id
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.sensor import NukiSensor
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, GARDEN_DOOR, HOLIDAY_FLAT, OFFICE, coordinator_of, refresh

NEW_OPENER = 0x2_1234_ABCD


@pytest.fixture
def platforms() -> list[Platform]:
    """The entity platforms of this module's owner."""
    return [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.LOCK, Platform.SENSOR]


def _entity_ids(entity_registry: er.EntityRegistry, smartlock_id: int) -> set[str]:
    return {
        entry.entity_id
        for entry in entity_registry.entities.values()
        if entry.unique_id.startswith(f"{smartlock_id}_")
    }


async def test_device_info(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every device is registered with model, firmware, hardware and its Nuki ID."""
    devices = dr.async_entries_for_config_entry(device_registry, setup_integration.entry_id)
    assert sorted(devices, key=lambda device: device.name or "") == snapshot
    front_door = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert front_door.manufacturer == "Nuki Home Solutions"
    assert front_door.model == "Smart Lock 3.0/4.0"
    assert front_door.model_id is None  # the page would show "Smart Lock 3.0/4.0 (4)"
    assert front_door.sw_version == "4.3.4"  # 262916 = 0x040304
    assert front_door.hw_version == "1291"
    assert front_door.serial_number == "1A2B3C4D"  # smartlockId 0x4_1A2B3C4D
    assert front_door.configuration_url == "https://web.nuki.io"


async def test_stored_model_id_is_cleared(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Nuki's type number, stored as model_id by earlier versions, goes at the first refresh."""
    config_entry.add_to_hass(hass)
    for smartlock_id in (FRONT_DOOR, HOLIDAY_FLAT):  # HOLIDAY_FLAT lacks Smart Hosting
        device_registry.async_get_or_create(
            config_entry_id=config_entry.entry_id,
            identifiers={(DOMAIN, str(smartlock_id))},
            model="Smart Lock 3.0/4.0",
            model_id="4",
        )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await refresh(hass, config_entry)
    for smartlock_id in (FRONT_DOOR, HOLIDAY_FLAT):
        device = registry_device(device_registry, config_entry, smartlock_id)
        assert (device.model, device.model_id) == ("Smart Lock 3.0/4.0", None)


def test_nuki_id() -> None:
    """The Nuki ID is the smartlockId's last 8 hex digits (the type prefix goes)."""
    assert nuki_id(0x2_1234ABCD) == "1234ABCD"
    assert nuki_id(0xABC) == "00000ABC"


def registry_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, smartlock_id: int
) -> dr.DeviceEntry:
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(smartlock_id)), entry.entry_id
    )
    assert device is not None
    return device


@pytest.mark.parametrize(
    ("smartlock_id", "name", "model", "device_type"),
    [
        (GARDEN_DOOR, "Garden door", "Smart Door", DeviceType.SMARTDOOR),
        (OFFICE, "Office", "Smart Lock 5 Ultra", DeviceType.SMARTLOCK_5),
    ],
)
async def test_smart_hosting_lapse_keeps_what_is_known(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
    issue_registry: ir.IssueRegistry,
    smartlock_id: int,
    name: str,
    model: str,
    device_type: DeviceType,
) -> None:
    """Nuki's list item without Smart Hosting says type 0 and has no name or firmware.

    Those are placeholders: the registry keeps the name, model, firmware and hardware version,
    also after a restart, and the device keeps its type (read out of its smartlockId).
    """
    before = registry_device(device_registry, setup_integration, smartlock_id)
    assert (before.name, before.model) == (name, model)
    assert before.sw_version is not None

    simulator.state.set_smart_hosting(smartlock_id, False)
    await refresh(hass, setup_integration)
    coordinator = setup_integration.runtime_data.coordinator
    assert coordinator.data.devices[smartlock_id].type is device_type
    after = registry_device(device_registry, setup_integration, smartlock_id)
    fields = ("name", "model", "model_id", "sw_version", "hw_version")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    issue = issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{smartlock_id}")
    assert issue is not None
    assert issue.translation_key == "smart_hosting"
    # The model as last seen: the registry keeps the Smart Lock 5 variant.
    assert issue.translation_placeholders == {
        "name": name,
        "model": model,
        "nuki_id": nuki_id(smartlock_id),
    }

    # A restart: the coordinator has never seen the name, the registry still knows it.
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    again = registry_device(device_registry, setup_integration, smartlock_id)
    assert [getattr(again, f) for f in fields] == [getattr(before, f) for f in fields]
    assert setup_integration.runtime_data.coordinator.device_name(smartlock_id) == name


async def test_device_never_seen_with_smart_hosting_is_named_like_the_app(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Model and hex Nuki ID from the smartlockId (0x4_5E6F7081), never "Nuki device <id>"."""
    device = registry_device(device_registry, setup_integration, HOLIDAY_FLAT)
    assert device.name == "Smart Lock 3.0/4.0 5E6F7081"
    assert device.model == "Smart Lock 3.0/4.0"
    assert device.serial_number == "5E6F7081"
    issue = issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")
    assert issue is not None
    assert issue.translation_key == "smart_hosting_unnamed"  # its text explains the name
    assert issue.translation_placeholders == {
        "name": "Smart Lock 3.0/4.0 5E6F7081",
        "model": "Smart Lock 3.0/4.0",
        "nuki_id": "5E6F7081",
    }


async def test_unavailable_when_polling_fails(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once Nuki Web stays unreachable past the grace period, entities are unavailable."""
    simulator.state.faults.configure(rate=1.0, kinds=["500"])
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE
    freezer.tick(timedelta(minutes=5))
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_door_battery").state == STATE_UNAVAILABLE

    simulator.state.faults.configure(rate=0.0)
    await refresh(hass, setup_integration)
    assert hass.states.get("lock.front_door").state == "locked"


async def test_new_device_appears(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device added to the account gets its entities at the next refresh."""
    simulator.state.add_device(
        {"smartlockId": NEW_OPENER, "type": 2, "name": "Back gate", "accountId": 682876543}
    )
    await refresh(hass, setup_integration)
    assert _entity_ids(entity_registry, NEW_OPENER) == {
        "lock.back_gate",
        "button.back_gate_sync_with_device",
        "sensor.back_gate_last_actor",
        "binary_sensor.back_gate_battery",
        "binary_sensor.back_gate_night_mode",
        "binary_sensor.back_gate_smart_hosting",
        "binary_sensor.back_gate_connectivity",
        "binary_sensor.back_gate_ring_to_open",
    }
    assert hass.states.get("lock.back_gate").state == "locked"


async def test_device_leaves_and_returns(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device that leaves the account loses its entities; if it returns, it gets them back."""
    office = simulator.state.devices[OFFICE].data
    before = _entity_ids(entity_registry, OFFICE)
    assert "lock.office" in before

    simulator.state.remove_device(OFFICE)
    await refresh(hass, setup_integration)
    assert not _entity_ids(entity_registry, OFFICE)
    assert hass.states.get("lock.office") is None

    simulator.state.add_device(office)
    await refresh(hass, setup_integration)
    assert _entity_ids(entity_registry, OFFICE) == before
    assert hass.states.get("lock.office").state == "unlocked"


async def test_hardware_paired_later(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """A keypad paired after setup gets its entity without a reload."""
    entity_id = "binary_sensor.garden_door_keypad_battery"
    assert entity_id not in _entity_ids(entity_registry, GARDEN_DOOR)
    simulator.state.devices[GARDEN_DOOR].data["config"]["keypad2Paired"] = True
    await refresh(hass, setup_integration)
    assert entity_id in _entity_ids(entity_registry, GARDEN_DOOR)
    assert hass.states.get(entity_id).state == "off"


async def test_smart_hosting_activated(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Without Smart Hosting a device is unavailable; with it, it is complete."""
    lock = "lock.smart_lock_3_0_4_0_5e6f7081"
    assert hass.states.get(lock).state == STATE_UNAVAILABLE

    simulator.state.set_smart_hosting(HOLIDAY_FLAT, True)
    await refresh(hass, setup_integration)
    assert hass.states.get(lock).state == "locked"
    # Nuki now sends the name, so the entities new to the device are named after it.
    battery = entity_registry.async_get_entity_id("sensor", DOMAIN, f"{HOLIDAY_FLAT}_battery")
    assert battery == "sensor.holiday_flat_battery"
    assert hass.states.get(battery).state == "52"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_door_sensor_activated_later(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """A deactivated door sensor has no entities until it is activated."""
    front_door = simulator.state.devices[FRONT_DOOR]
    assert "sensor.front_door_door_state" in _entity_ids(entity_registry, FRONT_DOOR)
    simulator.state.remove_device(FRONT_DOOR)
    await refresh(hass, setup_integration)

    front_door.state["doorState"] = 1
    simulator.state.add_device(front_door.data)
    await refresh(hass, setup_integration)
    assert "sensor.front_door_door_state" not in _entity_ids(entity_registry, FRONT_DOOR)
    assert "binary_sensor.front_door_door" not in _entity_ids(entity_registry, FRONT_DOOR)

    simulator.state.devices[FRONT_DOOR].state["doorState"] = 3
    await refresh(hass, setup_integration)
    assert hass.states.get("sensor.front_door_door_state").state == "opened"
    assert hass.states.get("binary_sensor.front_door_door").state == "on"


async def test_firmware_update_and_rename(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A firmware update or a rename in Nuki reaches the device registry."""
    data = simulator.state.devices[FRONT_DOOR].data
    data["firmwareVersion"] = 0x040400
    data["name"] = "Main door"
    await refresh(hass, setup_integration)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), setup_integration.entry_id
    )
    assert device.sw_version == "4.4.0"
    assert device.name == "Main door"


# --- updates per cycle: only entities whose device changed are called, only changes written ---


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
