"""Setting numbers: entities per device type (snapshot), ranges and integer writes."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, GARDEN_DOOR, HOLIDAY_FLAT, refresh
from .settings_common import stored, wait_applied


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the number platform."""
    return [Platform.NUMBER]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The numbers of the demo account; none for the device Nuki hides (no Smart Hosting)."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)
    assert not [
        entry
        for entry in entity_registry.entities.values()
        if entry.unique_id.startswith(f"{HOLIDAY_FLAT}_")
    ]


async def test_smart_door_auto_lock_timeout(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Smart Door's timeout goes to its own endpoint as an integer."""
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garden_door_auto_lock_timeout", "value": 30.4},
        blocking=True,
    )
    await wait_applied(
        hass, freezer, simulator, GARDEN_DOOR, "smartdoorAdvancedConfig", "autoLockTimeout", 30
    )
    await refresh(hass, setup_integration)
    assert hass.states.get("number.garden_door_auto_lock_timeout").state == "30"


async def test_out_of_range_is_refused(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """Home Assistant refuses a value outside the range before anything is sent."""
    with pytest.raises(ServiceValidationError, match="outside valid range"):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": "number.building_entrance_led_brightness", "value": 6},
            blocking=True,
        )
    assert "POST /smartlock/{smartlockId}/config" not in simulator.counters()["requests"]


async def test_unreadable_value_is_unknown(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A value that is not an integer shows as unknown."""
    stored(simulator, BUILDING_ENTRANCE, "openerAdvancedConfig")["rtoTimeout"] = True
    await refresh(hass, setup_integration)
    assert hass.states.get("number.building_entrance_ring_to_open_timeout").state == "unknown"
