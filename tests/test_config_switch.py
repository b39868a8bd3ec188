"""Setting switches: which device types get which, and the Opener's doorbell suppression bits."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.config_switch import CONFIG_SWITCHES
from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, FRONT_DOOR, GARDEN_DOOR, OFFICE, refresh
from .settings_common import stored, wait_applied

SUPPRESS = "switch.building_entrance_suppress_doorbell"
SUPPRESS_RTO = "switch.building_entrance_suppress_doorbell_during_ring_to_open"
SUPPRESS_CM = "switch.building_entrance_suppress_doorbell_during_continuous_mode"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the switch platform."""
    return [Platform.SWITCH]


def _keys(entity_registry: er.EntityRegistry, smartlock_id: int) -> set[str]:
    """Return the setting switch keys a device got."""
    keys = {description.key for description in CONFIG_SWITCHES}
    prefix = f"{smartlock_id}_"
    return {
        entry.unique_id.removeprefix(prefix)
        for entry in entity_registry.entities.values()
        if entry.unique_id.startswith(prefix) and entry.unique_id.removeprefix(prefix) in keys
    }


async def test_switches_per_device_type(
    hass: HomeAssistant, setup_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Each device type gets the switches of the fields its config objects have."""
    lock = {
        "led_enabled",
        "button_enabled",
        "auto_unlatch",
        "pairing_enabled",
        "single_lock",
        "auto_lock",
        "auto_update",
        "slow_speed_during_night_mode",
        "battery_warning_email",
    }
    assert _keys(entity_registry, FRONT_DOOR) == lock
    assert _keys(entity_registry, OFFICE) == lock
    assert _keys(entity_registry, GARDEN_DOOR) == {
        "led_enabled",
        "button_enabled",
        "auto_unlatch",
        "pairing_enabled",
        "single_lock",
        "smartdoor_auto_lock",
        "battery_warning_email",
    }
    # The Opener has singleLock in its config, but locking once or twice means nothing to it.
    assert _keys(entity_registry, BUILDING_ENTRANCE) == {
        "led_enabled",
        "button_enabled",
        "pairing_enabled",
        "opener_auto_update",
        "doorbell_suppression_ring",
        "doorbell_suppression_ring_to_open",
        "doorbell_suppression_continuous_mode",
        "battery_warning_email",
    }
    entry = entity_registry.async_get("switch.front_door_auto_lock")
    assert entry is not None
    assert entry.entity_category is EntityCategory.CONFIG
    assert entry.disabled_by is None
    disabled = entity_registry.async_get("switch.front_door_pairing_via_button")
    assert disabled is not None
    assert disabled.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_doorbell_suppression_bits(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each switch sets or clears its own bit and leaves the others alone."""

    async def switch(entity_id: str, service: str, expected: int) -> None:
        await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)
        await wait_applied(
            hass,
            freezer,
            simulator,
            BUILDING_ENTRANCE,
            "openerAdvancedConfig",
            "doorbellSuppression",
            expected,
        )

    await switch(SUPPRESS_RTO, "turn_on", 2)
    await switch(SUPPRESS, "turn_on", 3)
    await switch(SUPPRESS_CM, "turn_on", 7)
    await switch(SUPPRESS_RTO, "turn_off", 5)
    await refresh(hass, setup_integration)
    states = [hass.states.get(e).state for e in (SUPPRESS, SUPPRESS_RTO, SUPPRESS_CM)]
    assert states == ["on", "off", "on"]


async def test_unreadable_bitmask_and_boolean(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A value of the wrong type is unknown, and writing a bit starts from no bits."""
    stored(simulator, BUILDING_ENTRANCE, "openerAdvancedConfig")["doorbellSuppression"] = None
    stored(simulator, BUILDING_ENTRANCE, "config")["ledEnabled"] = None
    await refresh(hass, setup_integration)
    assert hass.states.get(SUPPRESS).state == "unknown"
    assert hass.states.get("switch.building_entrance_led").state == "unknown"
    await hass.services.async_call("switch", "turn_on", {"entity_id": SUPPRESS}, blocking=True)
    assert hass.states.get(SUPPRESS).state == "on"
    assert hass.states.get(SUPPRESS_RTO).state == "off"
