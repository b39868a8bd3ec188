"""The settings writer against the simulator: full-object writes, confirmation, revert, errors.

Every entity type (config switch, number, select) goes through the same scenarios.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service import async_get_all_descriptions
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

import simulator.app as sim_app
from custom_components.nuki_web_api import settings
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.repairs import smart_hosting_issue_id
from custom_components.nuki_web_api.settings import CONFIRM_TIMEOUT, not_confirmed_issue_id
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    HOLIDAY_FLAT,
    foreign_device,
    refresh,
)
from .settings_common import drive, stored, wait_applied


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms of the settings entities."""
    return [Platform.NUMBER, Platform.SELECT, Platform.SWITCH]


@pytest.fixture(autouse=True)
def no_retry_pause() -> Any:
    """Retry a busy device (423) without pausing."""
    with patch("custom_components.nuki_web_api.coordinator.ACTION_RETRY_DELAYS", (0.0, 0.0)):
        yield


@dataclass(frozen=True)
class Case:
    """One setting: the entity, how to change it, and where the simulator stores it."""

    entity_id: str
    service: str
    data: dict[str, Any]
    smartlock_id: int
    key: str
    field: str
    before: str
    after: str
    value: object

    async def write(self, hass: HomeAssistant) -> None:
        """Change the setting through Home Assistant's service."""
        domain = self.entity_id.split(".")[0]
        await hass.services.async_call(
            domain, self.service, {"entity_id": self.entity_id, **self.data}, blocking=True
        )

    def state(self, hass: HomeAssistant) -> str:
        """Return the entity's state."""
        state = hass.states.get(self.entity_id)
        assert state is not None
        return state.state


CASES = [
    Case(
        "switch.front_door_auto_lock",
        "turn_on",
        {},
        FRONT_DOOR,
        "advancedConfig",
        "autoLock",
        "off",
        "on",
        True,
    ),
    Case(
        "number.front_door_led_brightness",
        "set_value",
        {"value": 5},
        FRONT_DOOR,
        "config",
        "ledBrightness",
        "3",
        "5",
        5,
    ),
    Case(
        "select.garden_door_buzzer_volume",
        "select_option",
        {"option": "low"},
        GARDEN_DOOR,
        "smartdoorAdvancedConfig",
        "buzzerVolume",
        "normal",
        "low",
        1,
    ),
    Case(
        "select.building_entrance_button_action_press_once",
        "select_option",
        {"option": "open"},
        BUILDING_ENTRANCE,
        "openerAdvancedConfig",
        "singleButtonPressAction",
        "toggle_ring_to_open",
        "open",
        7,
    ),
]
IDS = [case.entity_id for case in CASES]


async def _expire(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the confirmation time run out."""
    freezer.tick(timedelta(seconds=CONFIRM_TIMEOUT + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_write_round_trips(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
    case: Case,
) -> None:
    """The new value shows at once; the follow-up refresh confirms it; nothing is raised."""
    assert case.state(hass) == case.before
    before = dict(stored(simulator, case.smartlock_id, case.key))
    await case.write(hass)
    assert case.state(hass) == case.after
    await wait_applied(
        hass, freezer, simulator, case.smartlock_id, case.key, case.field, case.value
    )
    # Only the one field changed on the device.
    assert stored(simulator, case.smartlock_id, case.key) == {**before, case.field: case.value}
    freezer.tick(timedelta(seconds=2.5))  # the coordinator's first follow-up refresh
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _expire(hass, freezer)
    assert case.state(hass) == case.after
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(case.smartlock_id, case.field)
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_write_never_confirmed(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
    case: Case,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A value the device never reports is shown until the timeout, then reverted and reported."""
    with patch.object(simulator.state, "update_config_later"):
        await case.write(hass)
    await refresh(hass, setup_integration)
    assert case.state(hass) == case.after
    await _expire(hass, freezer)
    assert case.state(hass) == case.before
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(case.smartlock_id, case.field)
    )
    assert issue is not None
    assert issue.translation_key == "setting_not_confirmed"
    assert issue.translation_placeholders is not None
    # The issue names the device and the entity ("Front door" + "Auto lock").
    placeholders = issue.translation_placeholders
    friendly_name = hass.states.get(case.entity_id).attributes["friendly_name"]
    assert f"{placeholders['name']} {placeholders['setting']}" == friendly_name
    assert "did not apply the setting" in caplog.text

    # A later write that the device applies clears the issue.
    await case.write(hass)
    await wait_applied(
        hass, freezer, simulator, case.smartlock_id, case.key, case.field, case.value
    )
    await refresh(hass, setup_integration)
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(case.smartlock_id, case.field)
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_write_refused_without_smart_hosting(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    case: Case,
) -> None:
    """The Smart Hosting refusal raises a translated error, keeps the value, raises the issue."""
    if case.key == "openerAdvancedConfig":
        pytest.skip("Nuki does not gate the Opener's advanced config on Smart Hosting")
    simulator.set_smart_hosting(case.smartlock_id, False)
    with pytest.raises(HomeAssistantError) as err:
        await case.write(hass)
    assert err.value.translation_key == "smart_hosting_required"
    assert case.state(hass) == case.before
    assert ir.async_get(hass).async_get_issue(DOMAIN, smart_hosting_issue_id(case.smartlock_id))


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_busy_device_is_retried(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    case: Case,
) -> None:
    """A 423 is retried; a device that stays busy gives a translated error and no change."""
    route = f"POST /smartlock/{{smartlockId}}/{_path(case.key)}"
    simulator.fail_next("423", 1, route)
    await case.write(hass)
    assert case.state(hass) == case.after
    assert simulator.counters()["requests"][route] == 2


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_busy_device_gives_up(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    case: Case,
) -> None:
    """A device that stays busy (423) gives a translated error and keeps its value."""
    route = f"POST /smartlock/{{smartlockId}}/{_path(case.key)}"
    simulator.fail_next("423", 10, route)
    with pytest.raises(HomeAssistantError) as err:
        await case.write(hass)
    assert err.value.translation_key == "device_busy"
    assert case.state(hass) == case.before


def _path(key: str) -> str:
    return {
        "config": "config",
        "advancedConfig": "advanced/config",
        "openerAdvancedConfig": "advanced/openerconfig",
        "smartdoorAdvancedConfig": "advanced/smartdoorconfig",
        "webConfig": "web/config",
    }[key]


async def test_full_object_write_leaves_out_read_only_fields(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """The body is the reported object with the change, without the Swagger's read-only fields."""
    bodies: list[dict[str, Any]] = []
    check = sim_app.check_object

    def spy(body: Any, fields: dict[str, str], param: str = "body") -> dict[str, Any]:
        bodies.append(body)
        return check(body, fields, param)

    reported = dict(stored(simulator, FRONT_DOOR, "config"))
    with patch.object(sim_app, "check_object", spy):
        await CASES[1].write(hass)
    (body,) = bodies
    read_only = {
        "fobPaired",
        "fobAction1",
        "fobAction2",
        "fobAction3",
        "keypadPaired",
        "keypad2Paired",
        "homekitState",
        "matterState",
        "deviceType",
        "wifiEnabled",
    }
    assert body == {
        **{k: v for k, v in reported.items() if k not in read_only},
        "ledBrightness": 5,
    }


async def test_writes_to_one_device_are_serialised(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two writes at once: one request at a time, and the second keeps the first's change."""
    simulator.set_faults(latency=0.05)
    both = asyncio.gather(
        CASES[0].write(hass),
        hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": "number.front_door_auto_lock_timeout", "value": 60},
            blocking=True,
        ),
    )
    await drive(hass, freezer, asyncio.ensure_future(both))
    simulator.set_faults(latency=0)
    route = "POST /smartlock/{smartlockId}/advanced/config"
    assert simulator.counters()["requests"][route] == 2
    assert simulator.state.max_in_flight[route] == 1
    await wait_applied(
        hass, freezer, simulator, FRONT_DOOR, "advancedConfig", "autoLockTimeout", 60
    )
    await wait_applied(hass, freezer, simulator, FRONT_DOOR, "advancedConfig", "autoLock", True)
    await refresh(hass, setup_integration)
    assert hass.states.get("switch.front_door_auto_lock").state == "on"
    assert hass.states.get("number.front_door_auto_lock_timeout").state == "60"


async def test_pending_write_of_a_device_that_left(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device that leaves the account takes its unconfirmed values along (no issue later)."""
    with patch.object(simulator.state, "update_config_later"):
        await CASES[0].write(hass)
    simulator.remove_device(FRONT_DOOR)
    await refresh(hass, setup_integration)
    await _expire(hass, freezer)
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "autoLock")
    )


async def test_write_queued_behind_an_action_of_a_device_that_left(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """The write waits for the device's action; meanwhile the device leaves: a translated error."""
    coordinator = setup_integration.runtime_data.coordinator
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    action = hass.async_create_task(coordinator.async_run_action(FRONT_DOOR, held))
    await asyncio.sleep(0)
    write = hass.async_create_task(CASES[0].write(hass))
    await asyncio.sleep(0.05)
    simulator.remove_device(FRONT_DOOR)
    await coordinator.async_refresh()  # not refresh(): it would wait for the held action
    release.set()
    await action
    with pytest.raises(HomeAssistantError) as err:
        await write
    assert err.value.translation_key == "device_left"
    assert err.value.translation_placeholders == {"device": "Front door"}
    assert "POST /smartlock/{smartlockId}/advanced/config" not in simulator.counters()["requests"]


async def test_unload_cancels_the_confirmation_timers(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After an unload no warning comes for a write made before it."""
    with patch.object(simulator.state, "update_config_later"):
        await CASES[0].write(hass)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    await _expire(hass, freezer)
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "autoLock")
    )


async def test_writing_the_reported_value_needs_no_confirmation(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Writing the value the device already reports leaves nothing to confirm."""
    with patch.object(simulator.state, "update_config_later"):
        await hass.services.async_call(
            "switch",
            "turn_off",
            {"entity_id": "switch.front_door_auto_lock"},
            blocking=True,
        )
    await _expire(hass, freezer)
    assert hass.states.get("switch.front_door_auto_lock").state == "off"
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "autoLock")
    )


# --- service actions -------------------------------------------------------------------


def _device_id(hass: HomeAssistant, smartlock_id: int) -> str:
    """Return the registry device of a demo device (the other platforms would create it)."""
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    return (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(DOMAIN, str(smartlock_id))}
        )
        .id
    )


ADMIN_PIN_ROUTE = "POST /smartlock/{smartlockId}/admin/pin"


async def test_set_admin_pin(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The PIN goes to Nuki as an integer and into no log line of the integration."""
    bodies: list[Any] = []
    read_json = sim_app.read_json

    async def spy(request: Any) -> Any:
        body = await read_json(request)
        bodies.append(body)
        return body

    with patch.object(sim_app, "read_json", spy):
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, FRONT_DOOR), "pin": "482913"},
            blocking=True,
        )
    assert bodies == [{"adminPin": 482913}]
    assert simulator.counters()["requests"][ADMIN_PIN_ROUTE] == 1
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert ours
    assert not [r for r in ours if "482913" in r.getMessage()]


@pytest.mark.parametrize("pin", ["123", "0123", "12a4", "1234567", " 1234", ""])
async def test_set_admin_pin_rejects_a_bad_pin(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    pin: str,
) -> None:
    """A PIN Nuki would not take (or would change) is refused before any request."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, FRONT_DOOR), "pin": pin},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_admin_pin"
    assert pin not in str(err.value) or not pin
    assert ADMIN_PIN_ROUTE not in simulator.counters()["requests"]


async def test_set_admin_pin_unknown_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A device id that is not a loaded Nuki device is a validation error."""
    for device_id in ("no-such-device", foreign_device(hass)):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "set_admin_pin", {"device_id": device_id, "pin": "1234"}, blocking=True
            )
        assert err.value.translation_key == "invalid_device"


async def test_set_admin_pin_without_smart_hosting(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Nuki refuses the admin PIN of a device without Smart Hosting: a translated error."""
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, HOLIDAY_FLAT), "pin": "1234"},
            blocking=True,
        )
    assert err.value.translation_key == "smart_hosting_required"


async def test_set_battery_warning(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One bulk request for several devices, Smart Hosting or not; the switches follow at once."""
    await hass.services.async_call(
        DOMAIN,
        "set_battery_warning",
        {
            "device_id": [_device_id(hass, FRONT_DOOR), _device_id(hass, HOLIDAY_FLAT)],
            "enabled": False,
        },
        blocking=True,
    )
    assert simulator.counters()["requests"]["POST /bulk-web-config"] == 1
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "off"
    assert hass.states.get("switch.office_battery_warning_by_e_mail").state == "on"
    await wait_applied(
        hass, freezer, simulator, FRONT_DOOR, "webConfig", "batteryWarningPerMailEnabled", False
    )
    await wait_applied(
        hass, freezer, simulator, HOLIDAY_FLAT, "webConfig", "batteryWarningPerMailEnabled", False
    )
    await refresh(hass, setup_integration)
    await _expire(hass, freezer)
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "off"
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "batteryWarningPerMailEnabled")
    )


async def test_set_battery_warning_failure(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A failed bulk request is a translated error, and the switches keep their state."""
    simulator.fail_next("500", route="POST /bulk-web-config")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_battery_warning",
            {"device_id": _device_id(hass, FRONT_DOOR), "enabled": False},
            blocking=True,
        )
    assert err.value.translation_key == "settings_write_failed"
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "on"


async def test_set_battery_warning_unknown_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """An unknown device fails the whole call before any request."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "set_battery_warning",
            {"device_id": [_device_id(hass, FRONT_DOOR), "nope"], "enabled": True},
            blocking=True,
        )
    assert "POST /bulk-web-config" not in simulator.counters()["requests"]


async def test_service_descriptions(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """services.yaml describes both actions; the fields match the schemas."""
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions["set_admin_pin"]["fields"]) == {"device_id", "pin"}
    assert set(descriptions["set_battery_warning"]["fields"]) == {"device_id", "enabled"}


async def test_unload_forgets_the_writer(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A reload starts with a new writer; the old one is not kept."""
    coordinator = setup_integration.runtime_data.coordinator
    assert coordinator in settings._WRITERS
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert coordinator not in settings._WRITERS
    assert setup_integration.runtime_data.coordinator in settings._WRITERS
