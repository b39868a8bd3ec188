"""Malformed or error items from Nuki cost only their own device, and only after a grace period.

Issue 11 §1 and §2: one bad item must not take down the others, and a device whose item
carries an error (not Smart Hosting) keeps its last state through the grace period.
"""

from __future__ import annotations

import logging

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import DOMAIN
from simulator.testing import SimulatorServer

from .test_coordinator import let_devices_move, next_cycle

FRONT_DOOR = 17618910285
OFFICE = 22772871024  # unlocked in the demo
GARDEN_DOOR = 13896605295
HOLIDAY_FLAT = 18764230785  # no Smart Hosting


def lock_state(hass: HomeAssistant, smartlock_id: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{smartlock_id}_lock")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components")
    ]


@pytest.mark.parametrize("route", ["GET /smartlock", "GET /smartlock/log"])
async def test_bad_items_keep_the_rest_of_the_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    route: str,
) -> None:
    """Unparsable items (null, a string, no id, id as string, null type/action/date, odd dates,
    a numeric log id) are skipped; the good answer of the same cycle is applied."""
    coordinator = setup_integration.runtime_data.coordinator
    assert lock_state(hass, FRONT_DOOR) == "locked"
    simulator.press_button(FRONT_DOOR)  # unlocks, and logs it
    await let_devices_move(hass, freezer, simulator)
    simulator.fail_next("bad-items", count=3, route=route)
    await next_cycle(hass, freezer)

    assert coordinator.last_update_success
    assert lock_state(hass, FRONT_DOOR) == "unlocked"
    assert [entry.smartlock_id for entry in coordinator.data.new_logs] == [FRONT_DOOR]
    assert lock_state(hass, OFFICE) == "unlocked"
    assert coordinator.data.unavailable == frozenset()
    for _ in range(2):
        await next_cycle(hass, freezer)
    unavailable = [
        state.entity_id
        for state in hass.states.async_all("lock")
        if state.state == STATE_UNAVAILABLE
    ]
    assert unavailable == [
        er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{HOLIDAY_FLAT}_lock")
    ]
    assert warnings(caplog) == []


async def test_device_with_an_unreadable_item_is_kept_through_the_grace_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A device whose item cannot be parsed is not taken for gone: it keeps its last state
    for two minutes, then becomes unavailable, and returns when the item is readable again."""
    office = simulator.device(OFFICE)
    office.data["type"] = None  # Nuki sends "type": null for it
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    for _ in range(4):  # 0 .. 90 s since the item became unreadable
        await next_cycle(hass, freezer)
        assert lock_state(hass, OFFICE) == "unlocked"
    assert lock_state(hass, FRONT_DOOR) == "unlocked"  # the others follow Nuki as usual
    assert warnings(caplog) == []  # the grace period hides it
    await next_cycle(hass, freezer)  # 120 s
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert warnings(caplog) == [
        "Nuki Web API sends no usable data for Office (its item cannot be read); "
        "unavailable until it does"
    ]
    assert lock_state(hass, FRONT_DOOR) == "unlocked"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(OFFICE)), setup_integration.entry_id
    )
    assert device is not None  # not taken for a device that left the account

    office.data["type"] = 5
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "unlocked"
    assert "Nuki Web API sends usable data again for Office" in caplog.text
    assert len(warnings(caplog)) == 1


async def test_error_item_keeps_the_last_state_through_the_grace_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An item with an error that is not Smart Hosting: the lock is never shown "unknown"."""
    coordinator = setup_integration.runtime_data.coordinator
    simulator.fail_next("error-items", count=6, route="GET /smartlock")
    for _ in range(4):  # 0 .. 90 s
        await next_cycle(hass, freezer)
        assert lock_state(hass, FRONT_DOOR) == "locked"
        assert lock_state(hass, OFFICE) == "unlocked"
    assert coordinator.data.smart_hosting_missing == {HOLIDAY_FLAT}  # not the other devices
    await next_cycle(hass, freezer)  # 120 s
    assert lock_state(hass, FRONT_DOOR) == STATE_UNAVAILABLE
    assert lock_state(hass, GARDEN_DOOR) == STATE_UNAVAILABLE
    # One warning; the device without Smart Hosting was unavailable (with its issue) already.
    reason = "(Internal error, please try again later)"
    names = ("Building entrance", "Garden door", "Front door", "Office")
    assert warnings(caplog) == [
        f"Nuki Web API sends no usable data for {', '.join(f'{n} {reason}' for n in names)}; "
        "unavailable until it does"
    ]
    await next_cycle(hass, freezer)
    await next_cycle(hass, freezer)
    assert lock_state(hass, FRONT_DOOR) == "locked"


async def test_error_item_of_one_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The error of one device's item affects that device only."""
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    simulator.device(OFFICE).state["state"] = 1
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "unlocked"  # the last state, not the item's
    for _ in range(4):
        await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert lock_state(hass, FRONT_DOOR) == "locked"
    del simulator.device(OFFICE).data["error"]
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "locked"


async def test_error_item_at_setup_is_unavailable_not_unknown(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a last state to keep, a device whose item carries an error is unavailable."""
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert lock_state(hass, FRONT_DOOR) not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    assert warnings(caplog) == [
        "Nuki Web API sends no usable data for Office (Internal error, please try again later); "
        "unavailable until it does"
    ]


async def test_a_pushed_state_makes_a_failing_device_available(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A device unavailable for want of data shows the state that push delivers at once.

    With push healthy the next poll may be 10 minutes away.
    """
    coordinator = setup_integration.runtime_data.coordinator
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    for _ in range(5):
        await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    device = coordinator.data.devices[OFFICE]
    pushed = device.from_json({**device.raw, "state": {**device.raw["state"], "state": 1}})
    coordinator.async_set_pushed_device(pushed)
    await hass.async_block_till_done()
    assert lock_state(hass, OFFICE) == "locked"
    assert OFFICE not in coordinator.data.unavailable
