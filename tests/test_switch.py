"""Switch platform: continuous mode, setting switches, authorization switches (read slowly, confirmed)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.nuki_web_api.api import SmartlockAuth
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.switch import AUTH_SWITCHES, CONFIG_SWITCHES, SWITCHES
from custom_components.nuki_web_api.writes import AUTH_SCAN_INTERVAL, CONFIRM_DELAYS
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    HOLIDAY_FLAT,
    OFFICE,
    advance_simulator,
    coordinator_of,
    refresh,
    snapshot_entities,
)
from .settings_common import stored, wait_applied

CONTINUOUS_MODE = "switch.building_entrance_continuous_mode"
SUPPRESS = "switch.building_entrance_suppress_doorbell"
SUPPRESS_RTO = "switch.building_entrance_suppress_doorbell_during_ring_to_open"
SUPPRESS_CM = "switch.building_entrance_suppress_doorbell_during_continuous_mode"
ANNA = "switch.front_door_keypad_code_anna"
FOB = "switch.front_door_fob_access_key_fob"
SAM = "switch.front_door_app_access_sam"
AUTH_READ = "GET /smartlock/auth"
AUTH_WRITE = "POST /smartlock/{smartlockId}/auth/{id}"


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


# --- setting switches ------------------------------------------------------------------------


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


# --- authorization switches ------------------------------------------------------------------


def _sim_auth(simulator: SimulatorServer, name: str) -> dict[str, Any]:
    auth: dict[str, Any] = next(
        a
        for a in simulator.state.auths.values()
        if a["smartlockId"] == FRONT_DOOR and a["name"] == name
    )
    return auth


def _auth_switches(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> dict[str, str]:
    """Return unique id -> entity id of the entry's authorization switches."""
    return {
        e.unique_id: e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if "_auth_" in e.unique_id
    }


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)


async def test_switches_created_disabled_and_no_reads(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Apps, the fob and keypad codes get a disabled switch; disabled, nothing reads the auths."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.counters()["requests"][AUTH_READ] == 1  # the one read at setup

    switches = _auth_switches(entity_registry, config_entry)
    hosted = {
        f"{a['smartlockId']}_auth_{a['id']}"
        for a in simulator.state.auths.values()
        if a["smartlockId"] in coordinator_of(config_entry).data.devices
        and a["smartlockId"] != HOLIDAY_FLAT
    }
    assert set(switches) == hosted  # the device without Smart Hosting gets none
    assert {ANNA, FOB, SAM} <= set(switches.values())
    for entity_id in switches.values():
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.entity_category is EntityCategory.CONFIG
        assert hass.states.get(entity_id) is None

    simulator.reset_counters()
    for _ in range(3):
        await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    requests = simulator.counters()["requests"]
    assert AUTH_READ not in requests
    assert set(requests) == {"GET /smartlock", "GET /smartlock/log"}
    assert requests["GET /smartlock"] == requests["GET /smartlock/log"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_authorization_snapshot(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Names, translation keys, device and states of the authorization switches."""
    switches = _auth_switches(entity_registry, setup_integration)
    assert switches
    for entity_id in sorted(switches.values()):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        # The simulator makes up the auths' ids at start, so the unique id is left out.
        assert entry == snapshot(name=f"{entity_id}-entry", exclude=props("unique_id"))
        assert hass.states.get(entity_id) == snapshot(name=f"{entity_id}-state")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_reads_every_ten_minutes_while_enabled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """One account-wide read per interval; the regular cycle stays at two requests."""
    simulator.reset_counters()
    await _tick(hass, freezer, 30)
    assert simulator.counters()["requests"] == {"GET /smartlock": 1, "GET /smartlock/log": 1}

    simulator.reset_counters()
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert simulator.counters()["requests"][AUTH_READ] == 1

    _sim_auth(simulator, "Sam")["enabled"] = False  # changed in the Nuki app
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert hass.states.get(SAM).state == "off"  # type: ignore[union-attr]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_toggle_writes_and_confirms(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A write keeps the other fields, shows at once and is confirmed by one read."""
    anna = dict(_sim_auth(simulator, "Anna"))
    assert hass.states.get(ANNA).state == "on"  # type: ignore[union-attr]
    simulator.reset_counters()

    await _switch(hass, "turn_off", ANNA)
    assert hass.states.get(ANNA).state == "off"  # type: ignore[union-attr]
    assert simulator.counters()["requests"] == {AUTH_WRITE: 1}
    await _tick(hass, freezer, 1)  # the simulated device applies it
    stored = _sim_auth(simulator, "Anna")
    assert stored["enabled"] is False
    assert {k: stored[k] for k in ("name", "code")} == {k: anna[k] for k in ("name", "code")}

    await _tick(hass, freezer, CONFIRM_DELAYS[0])
    assert simulator.counters()["requests"][AUTH_READ] == 1
    assert hass.states.get(ANNA).state == "off"  # type: ignore[union-attr]
    await _tick(hass, freezer, CONFIRM_DELAYS[-1])
    assert simulator.counters()["requests"][AUTH_READ] == 1  # confirmed: no second read
    # Within the polling interval, and the write does not start the lock's follow-up reads.
    assert "GET /smartlock" not in simulator.counters()["requests"]

    await _switch(hass, "turn_on", ANNA)
    await _tick(hass, freezer, CONFIRM_DELAYS[0] + 1)
    assert _sim_auth(simulator, "Anna")["enabled"] is True
    assert hass.states.get(ANNA).state == "on"  # type: ignore[union-attr]
    assert str(anna["code"]) not in caplog.text  # keypad codes are never logged


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_unconfirmed_write_reverts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change Nuki never applies shows as written until the last read, then as reported."""
    monkeypatch.setattr(simulator.state, "update_auth_later", lambda auth, fields: None)
    simulator.reset_counters()
    await _switch(hass, "turn_off", FOB)

    await _tick(hass, freezer, CONFIRM_DELAYS[0])
    assert hass.states.get(FOB).state == "off"  # type: ignore[union-attr]
    assert "did not apply" not in caplog.text
    await _tick(hass, freezer, CONFIRM_DELAYS[1] - CONFIRM_DELAYS[0])
    assert hass.states.get(FOB).state == "on"  # type: ignore[union-attr]
    assert simulator.counters()["requests"][AUTH_READ] == len(CONFIRM_DELAYS)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    # One warning format for every optimistic write: the device and what did not apply.
    assert any(
        r.getMessage().startswith("Front door did not apply the change to authorization Key fob")
        for r in warnings
    )

    await _tick(hass, freezer, 30)  # no more confirmation reads
    assert simulator.counters()["requests"][AUTH_READ] == len(CONFIRM_DELAYS)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_writing_the_reported_state_needs_no_confirmation(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """Enabling an enabled authorization writes once and leaves nothing to confirm by reads."""
    assert hass.states.get(SAM).state == "on"
    simulator.reset_counters()
    await _switch(hass, "turn_on", SAM)
    await _tick(hass, freezer, CONFIRM_DELAYS[-1] + 1)
    assert simulator.counters()["requests"] == {AUTH_WRITE: 1}
    assert hass.states.get(SAM).state == "on"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_busy_device_and_smart_hosting_errors(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """423 after the retries and a missing Smart Hosting raise translated errors."""
    simulator.fail_next("423", count=3, route=AUTH_WRITE)
    with (
        patch("custom_components.nuki_web_api.helpers.ACTION_RETRY_DELAYS", (0.0, 0.0)),
        pytest.raises(HomeAssistantError) as err,
    ):
        await _switch(hass, "turn_off", SAM)
    assert err.value.translation_key == "device_busy"
    assert simulator.counters()["requests"][AUTH_WRITE] == 3
    assert hass.states.get(SAM).state == "on"  # type: ignore[union-attr]

    simulator.set_smart_hosting(FRONT_DOOR, False)
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "turn_off", SAM)
    assert err.value.translation_key == "smart_hosting_required"
    assert err.value.translation_domain == DOMAIN
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"smart_hosting_{FRONT_DOOR}") is not None

    await refresh(hass, setup_integration)  # the device list shows it: unavailable at once
    assert hass.states.get(SAM).state == "unavailable"  # type: ignore[union-attr]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_auth_error_items_and_failed_reads_make_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """Auths that come back as Smart Hosting error items, or a failed read: unavailable."""
    simulator.fail_next("500", route=AUTH_READ)
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert hass.states.get(ANNA).state == "unavailable"  # type: ignore[union-attr]
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert hass.states.get(ANNA).state == "on"  # type: ignore[union-attr]

    simulator.fail_next("error-items", route=AUTH_READ)
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert hass.states.get(ANNA).state == "unavailable"  # type: ignore[union-attr]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_new_auth_gets_a_switch_on_the_next_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """An authorization created later appears while the authorizations are read."""
    sim = simulator.state
    sim.create_auth_later(sim.devices[FRONT_DOOR], {"name": "Cleaner", "type": 13, "code": 354678})
    await _tick(hass, freezer, 1)
    before = len(_auth_switches(entity_registry, setup_integration))
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert len(_auth_switches(entity_registry, setup_integration)) == before + 1
    state = hass.states.get("switch.front_door_keypad_code_cleaner")
    assert state is not None
    assert state.state == "on"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_code_deleted_in_nuki_loses_its_switch_on_a_complete_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """Only a complete read removes the switch; the same id back brings it back.

    A failed read, one with unparsable items or with error items for the device prove nothing.
    """
    registry = er.async_get(hass)
    anna = simulator.state.auths.pop(_sim_auth(simulator, "Anna")["id"])  # in the Nuki app
    for fault in ("500", "bad-items", "error-items"):
        simulator.fail_next(fault, route=AUTH_READ)
        await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
        assert registry.async_get(ANNA) is not None, fault
        assert hass.states.get(ANNA).state == "unavailable", fault  # type: ignore[union-attr]
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert registry.async_get(ANNA) is None
    assert hass.states.get(ANNA) is None
    assert hass.states.get(FOB).state == "on"  # type: ignore[union-attr]

    simulator.state.auths[anna["id"]] = anna
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert registry.async_get(ANNA) is not None
    assert hass.states.get(ANNA).state == "on"  # type: ignore[union-attr]


async def test_setup_removes_switches_of_authorizations_deleted_meanwhile(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A switch from before a restart whose authorization is gone goes at setup.

    One of a device that Nuki answers with an error item (no Smart Hosting) stays.
    """
    config_entry.add_to_hass(hass)
    old = {
        smartlock_id: entity_registry.async_get_or_create(
            SWITCH_DOMAIN, DOMAIN, f"{smartlock_id}_auth_{'0' * 24}", config_entry=config_entry
        ).entity_id
        for smartlock_id in (FRONT_DOOR, HOLIDAY_FLAT)
    }
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(old[FRONT_DOOR]) is None
    assert entity_registry.async_get(old[HOLIDAY_FLAT]) is not None
    assert entity_registry.async_get(ANNA) is not None


async def test_failed_setup_read_adds_no_switches(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The entry sets up without authorization switches when the read at setup fails."""
    simulator.fail_next("401", route=AUTH_READ)  # a token without smartlock.auth
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert _auth_switches(entity_registry, config_entry) == {}
    assert hass.states.get("switch.front_door_led") is not None


def test_switchable_types() -> None:
    """One description per switchable authorization type: app, fob, keypad code."""
    assert [d.auth_type.value for d in AUTH_SWITCHES] == [0, 2, 13]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_pushed_authorizations_apply_at_once(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """DEVICE_AUTHS pushes change, add and remove switches without a read; one comes back."""
    apply = setup_integration.runtime_data.auth_coordinator.async_apply_pushed
    sam = {**_sim_auth(simulator, "Sam"), "enabled": False}
    simulator.reset_counters()
    apply(SmartlockAuth.from_json(sam), False)
    await hass.async_block_till_done()
    assert hass.states.get(SAM).state == "off"  # type: ignore[union-attr]

    guest = {**sam, "id": "0123456789abcdef01234567", "name": "Guest fob", "type": 2}
    apply(SmartlockAuth.from_json(guest), False)
    await hass.async_block_till_done()
    assert hass.states.get("switch.front_door_fob_access_guest_fob") is not None

    apply(SmartlockAuth.from_json(sam), True)
    no_id = {k: v for k, v in sam.items() if k != "id"}
    apply(SmartlockAuth.from_json(no_id), False)
    await hass.async_block_till_done()
    assert hass.states.get(SAM) is None
    assert entity_registry.async_get(SAM) is None  # removed, not left unavailable

    apply(SmartlockAuth.from_json(sam), False)  # the same id again
    await hass.async_block_till_done()
    assert hass.states.get(SAM).state == "off"  # type: ignore[union-attr]
    assert simulator.counters()["requests"] == {}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_device_leaving_and_unload_with_a_pending_confirmation(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device that leaves takes its switches; unloading cancels a pending confirmation."""
    await _switch(hass, "turn_off", SAM)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    await hass.async_block_till_done()
    simulator.reset_counters()
    await _tick(hass, freezer, CONFIRM_DELAYS[-1])
    assert AUTH_READ not in simulator.counters()["requests"]

    assert await hass.config_entries.async_setup(setup_integration.entry_id)
    await hass.async_block_till_done()
    simulator.remove_device(FRONT_DOOR)
    await refresh(hass, setup_integration)
    await _tick(hass, freezer, AUTH_SCAN_INTERVAL.total_seconds())
    assert entity_registry.async_get(SAM) is None
    assert hass.states.get(ANNA) is None
