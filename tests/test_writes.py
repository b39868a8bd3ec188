"""Optimistic setting writes against the simulator: full-object writes, confirmation, revert, errors.

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
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

import simulator.app as sim_app
from custom_components.nuki_web_api.api.settings import BATTERY_WARNING
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.helpers import async_run_action
from custom_components.nuki_web_api.issues import smart_hosting_issue_id
from custom_components.nuki_web_api.writes import not_confirmed_issue_id
from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, FRONT_DOOR, GARDEN_DOOR, refresh
from .settings_common import drive, expire, stored, wait_applied


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms of the settings entities."""
    return [Platform.NUMBER, Platform.SELECT, Platform.SWITCH]


@pytest.fixture(autouse=True)
def no_retry_pause() -> Any:
    """Retry a busy device (423) without pausing."""
    with patch("custom_components.nuki_web_api.helpers.ACTION_RETRY_DELAYS", (0.0, 0.0)):
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
    await expire(hass, freezer)
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
    await expire(hass, freezer)
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
    await expire(hass, freezer)
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

    action = hass.async_create_task(async_run_action(coordinator, FRONT_DOOR, held))
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
    await expire(hass, freezer)
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
    await expire(hass, freezer)
    assert hass.states.get("switch.front_door_auto_lock").state == "off"
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "autoLock")
    )


async def test_unload_forgets_the_writer(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A reload starts with a new writer and authorization coordinator in the runtime data."""
    before = setup_integration.runtime_data
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    after = setup_integration.runtime_data
    assert after.settings is not before.settings
    assert after.auth_coordinator is not before.auth_coordinator
    assert after.settings.value(after.coordinator.data.devices[FRONT_DOOR], BATTERY_WARNING) is True
