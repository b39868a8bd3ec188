"""Service actions of services.py: targets, device actions, settings actions, all or nothing."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service import async_get_all_descriptions
from pytest_homeassistant_custom_component.common import MockConfigEntry

import simulator.app as sim_app
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.writes import not_confirmed_issue_id
from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, FRONT_DOOR, HOLIDAY_FLAT, refresh
from .service_helpers import (
    CELLAR,
    add_second_account,
    call,
    cause,
    device_id,
    fail_request,
    fast_read_back,  # noqa: F401 - autouse below
    leaving_after,
    lock_entity,
    stands,
    wait_for_log,
)
from .settings_common import expire, wait_applied

pytestmark = pytest.mark.usefixtures("fast_read_back")

ADMIN_PIN_ROUTE = "POST /smartlock/{smartlockId}/admin/pin"


# --- device actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("unlatch", "action"), [(False, 4), (True, 5)])
async def test_lock_n_go(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    unlatch: bool,
    action: int,
) -> None:
    before = len(simulator.state.logs)
    await call(
        hass,
        "lock_n_go",
        {"entity_id": lock_entity(hass, FRONT_DOOR), "unlatch": unlatch},
    )
    entry = await wait_for_log(simulator, before + 1)
    assert (entry["smartlockId"], entry["action"]) == (FRONT_DOOR, action)


async def test_lock_n_go_on_an_opener_is_refused(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "lock_n_go", {"entity_id": lock_entity(hass, BUILDING_ENTRANCE)})
    assert err.value.translation_key == "not_a_lock"
    assert simulator.counters()["requests"].get("POST /smartlock/{smartlockId}/action") is None


async def test_set_continuous_mode(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    before = len(simulator.state.logs)
    opener = lock_entity(hass, BUILDING_ENTRANCE)
    await call(hass, "set_continuous_mode", {"entity_id": opener, "enable": True})
    assert (await wait_for_log(simulator, before + 1))["action"] == 6
    await call(hass, "set_continuous_mode", {"entity_id": opener, "enable": False})
    assert (await wait_for_log(simulator, before + 2))["action"] == 7

    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "set_continuous_mode",
            {"entity_id": lock_entity(hass, FRONT_DOOR), "enable": True},
        )
    assert err.value.translation_key == "not_an_opener"


# --- targets ----------------------------------------------------------------------------------


async def test_device_targets_are_validated(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    fields = {"name": "Guest", "code": "975318"}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_keypad_code", fields | {"device_id": "nope"})
    assert err.value.translation_key == "unknown_device"

    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}, name="Kettle"
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_authorizations", {"device_id": foreign.id}, return_response=True)
    assert err.value.translation_key == "not_nuki_device"

    front = device_id(hass, setup_integration, FRONT_DOOR)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    assert setup_integration.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_keypad_code", fields | {"device_id": front})
    assert err.value.translation_key == "entry_not_loaded"


async def test_device_gone_from_the_account(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    coordinator = setup_integration.runtime_data.coordinator
    coordinator.data.devices.pop(FRONT_DOOR)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_authorizations", {"device_id": front}, return_response=True)
    assert err.value.translation_key == "unknown_device"


async def test_a_device_named_twice_is_written_once(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    response = await call(
        hass,
        "create_keypad_code",
        {"device_id": [front, front], "name": "Twice", "code": "975318"},
        return_response=True,
    )
    assert [d["device_id"] for d in response["devices"]] == [front]
    twice = [a for a in simulator.state.auths.values() if a["name"] == "Twice"]
    assert len(twice) == 1


# --- settings actions -------------------------------------------------------------------------


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
            {"device_id": device_id(hass, setup_integration, FRONT_DOOR), "pin": "482913"},
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
            {"device_id": device_id(hass, setup_integration, FRONT_DOOR), "pin": pin},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_admin_pin"
    assert pin not in str(err.value) or not pin
    assert ADMIN_PIN_ROUTE not in simulator.counters()["requests"]


async def test_set_admin_pin_unknown_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A device id that is not a loaded Nuki device is a validation error."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    for picked in ("no-such-device", foreign.id):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "set_admin_pin", {"device_id": picked, "pin": "1234"}, blocking=True
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
            {"device_id": device_id(hass, setup_integration, HOLIDAY_FLAT), "pin": "1234"},
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
            "device_id": [
                device_id(hass, setup_integration, FRONT_DOOR),
                device_id(hass, setup_integration, HOLIDAY_FLAT),
            ],
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
    await expire(hass, freezer)
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
            {"device_id": device_id(hass, setup_integration, FRONT_DOOR), "enabled": False},
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
            {
                "device_id": [device_id(hass, setup_integration, FRONT_DOOR), "nope"],
                "enabled": True,
            },
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


# --- battery warnings on several accounts, all or nothing -------------------------------------


async def test_battery_warning_failing_on_the_second_account_is_undone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> None:
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        fail_request(simulator, second, "bulk_web_config", "500", "POST /bulk-web-config"),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "set_battery_warning", {"device_id": devices, "enabled": False})
    assert cause(err) == "settings_write_failed"
    assert stands(err) == (
        "Front door: written, then undone; Cellar: not confirmed (may still apply)"
    )
    assert simulator.counters()["requests"]["POST /bulk-web-config"] == 3
    await asyncio.sleep(0.3)  # both writes to the Front door applied, in order
    web_config = simulator.device(FRONT_DOOR).data["webConfig"]
    assert web_config["batteryWarningPerMailEnabled"] is True


async def test_battery_warning_of_a_device_that_left_meanwhile(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> None:
    """Nuki accepted the write, then the device left: a translated error names it."""
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        leaving_after(simulator, second, "bulk_web_config", CELLAR),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "set_battery_warning", {"device_id": devices, "enabled": False})
    assert cause(err) == "device_left"
    assert stands(err) == "Front door: written; Cellar: left the account"
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "off"

    with (
        leaving_after(simulator, setup_integration, "bulk_web_config", FRONT_DOOR),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "set_battery_warning", {"device_id": devices[0], "enabled": True})
    assert err.value.translation_key == "device_left"  # one device: the reason alone
    assert err.value.translation_placeholders == {"device": "Front door"}
