"""Service actions against the simulator: success, every validation error, Nuki's failures."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api import auth_writes
from custom_components.nuki_web_api.const import DOMAIN
from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285  # keypad; code 456789 = Anna
BUILDING_ENTRANCE = 9315306846  # Opener
GARDEN_DOOR = 13896605295  # no keypad
HOLIDAY_FLAT = 18764230785  # keypad, no Smart Hosting
KEYPAD_CODE = 13


@pytest.fixture(autouse=True)
def fast_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read authorizations back quickly; the simulator stores them after 0.05 s."""
    monkeypatch.setattr(auth_writes, "AUTH_POLL_INTERVAL", 0.01)
    monkeypatch.setattr(auth_writes, "AUTH_POLL_TIMEOUT", 5.0)


def device_id(hass: HomeAssistant, entry: MockConfigEntry, smartlock_id: int) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(smartlock_id)), entry.entry_id
    )
    assert device is not None
    return device.id


def lock_entity(hass: HomeAssistant, smartlock_id: int) -> str:
    registry = er.async_get(hass)
    found = [
        e.entity_id
        for e in registry.entities.values()
        if e.platform == DOMAIN and e.domain == "lock" and e.unique_id.startswith(str(smartlock_id))
    ]
    assert len(found) == 1
    return found[0]


def codes(simulator: SimulatorServer, smartlock_id: int) -> dict[str, dict[str, Any]]:
    return {
        a["name"]: a
        for a in simulator.state.auths.values()
        if a["smartlockId"] == smartlock_id and a["type"] == KEYPAD_CODE
    }


async def call(hass: HomeAssistant, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return await hass.services.async_call(DOMAIN, name, data, blocking=True, **kwargs)


async def wait_for_log(simulator: SimulatorServer, count: int) -> dict[str, Any]:
    while len(simulator.state.logs) < count:  # noqa: ASYNC110 - the simulator offers no event
        await asyncio.sleep(0.01)
    return simulator.state.logs[-1]


# --- entity services -----------------------------------------------------------------------


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


# --- keypad codes ----------------------------------------------------------------------------


async def test_create_keypad_code_with_window(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    year = dt_util.utcnow().year + 1
    response = await call(
        hass,
        "create_keypad_code",
        {
            "device_id": front,
            "name": "Cleaner",
            "code": "987654",
            "allowed_from": f"{year}-06-01T08:00:00+00:00",
            "allowed_until": f"{year}-06-30T18:00:00+00:00",
            "allowed_week_days": ["mon", "fri"],
            "allowed_from_time": "08:00",
            "allowed_until_time": "12:30",
        },
        return_response=True,
    )
    created = codes(simulator, FRONT_DOOR)["Cleaner"]
    assert created["code"] == 987654
    assert created["allowedWeekDays"] == 64 + 4
    assert (created["allowedFromTime"], created["allowedUntilTime"]) == (480, 750)
    assert created["allowedFromDate"] == f"{year}-06-01T08:00:00.000Z"
    assert created["allowedUntilDate"] == f"{year}-06-30T18:00:00.000Z"
    assert response == {
        "devices": [
            {
                "device_id": front,
                "device": "Front door",
                "auth_id": created["id"],
                "outcome": "created",
            }
        ]
    }
    assert "987654" not in caplog.text


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"code": "12345"}, "invalid_code"),
        ({"code": "1234567"}, "invalid_code"),
        ({"code": "123456"}, "invalid_code"),  # starts with 12
        ({"code": "456089"}, "invalid_code"),  # a 0
        ({"code": "45678a"}, "invalid_code"),
        ({"name": "x" * 21}, "invalid_name"),  # Nuki keeps 20 characters of a keypad code's name
        ({"name": ""}, "invalid_name"),
        ({"code": "456789"}, "code_exists"),  # Anna's
    ],
)
async def test_create_keypad_code_validation(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    data: dict[str, str],
    key: str,
) -> None:
    fields = {
        "device_id": device_id(hass, setup_integration, FRONT_DOOR),
        "name": "Guest",
        "code": "975318",
    }
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_keypad_code", fields | data)
    assert err.value.translation_key == key
    assert "PUT /smartlock/auth" not in simulator.counters()["requests"]


def _days(days: float) -> str:
    return (dt_util.utcnow() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("window", "key"),
    [
        ({"allowed_from": _days(2), "allowed_until": _days(1)}, "window_reversed"),
        ({"allowed_from": (moment := _days(1)), "allowed_until": moment}, "window_reversed"),
        ({"allowed_until": _days(-1)}, "window_ended"),
        ({"allowed_from": _days(-10), "allowed_until": _days(-1)}, "window_ended"),
        ({"allowed_week_days": []}, "window_no_week_day"),
        ({"allowed_from_time": "08:00"}, "window_times_incomplete"),
        ({"allowed_until_time": "08:00"}, "window_times_incomplete"),
        ({"allowed_from_time": "08:00", "allowed_until_time": "08:00:30"}, "window_empty"),
        ({"allowed_from_time": "22:00", "allowed_until_time": "06:00"}, "window_overnight"),
    ],
)
async def test_windows_that_never_work_are_refused(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    window: dict[str, Any],
    key: str,
) -> None:
    """Reversed or past dates, no week day, an empty or overnight daily window: nothing is sent."""
    fields = {"name": "Guest", "code": "975318"}
    front = device_id(hass, setup_integration, FRONT_DOOR)
    for service, data in (
        ("create_keypad_code", {"device_id": front, **fields}),
        ("update_keypad_code", {"device_id": front, "name": "Anna"}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, data | window)
        assert err.value.translation_key == key
    requests = simulator.counters()["requests"]
    assert "PUT /smartlock/auth" not in requests
    assert "POST /smartlock/{smartlockId}/auth/{id}" not in requests


async def test_update_checks_the_window_with_the_code_s_current_times(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """A daily window that one changed time would turn overnight is refused; one that fits is sent."""
    front = device_id(hass, setup_integration, FRONT_DOOR)
    anna = codes(simulator, FRONT_DOOR)["Anna"]
    anna.update(allowedFromTime=480, allowedUntilTime=720)  # 08:00-12:00
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "update_keypad_code",
            {"device_id": front, "name": "Anna", "allowed_until_time": "07:00"},
        )
    assert err.value.translation_key == "window_overnight"
    await call(
        hass,
        "update_keypad_code",
        {"device_id": front, "name": "Anna", "allowed_from_time": "09:00"},
    )
    anna = codes(simulator, FRONT_DOOR)["Anna"]
    assert (anna["allowedFromTime"], anna["allowedUntilTime"]) == (540, 720)


async def test_naive_moments_are_in_home_assistant_s_time_zone(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The date-time selector sends local time without a zone; Nuki wants UTC."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    year = dt_util.utcnow().year + 1
    await call(
        hass,
        "create_keypad_code",
        {
            "device_id": device_id(hass, setup_integration, FRONT_DOOR),
            "name": "Winter guest",
            "code": "975318",
            "allowed_from": f"{year}-01-10 08:00:00",
            "allowed_until": f"{year}-07-10 08:00:00",
        },
    )
    created = codes(simulator, FRONT_DOOR)["Winter guest"]
    assert created["allowedFromDate"] == f"{year}-01-10T07:00:00.000Z"  # CET
    assert created["allowedUntilDate"] == f"{year}-07-10T06:00:00.000Z"  # CEST


async def test_a_name_nuki_would_cut_is_refused(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Nuki keeps 20 characters of a keypad code's name: 20 work, 21 are refused at once.

    (With 21, the read-back would never find the name as sent and end in a timeout although
    the code exists.)
    """
    front = device_id(hass, setup_integration, FRONT_DOOR)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "create_keypad_code", {"device_id": front, "name": "N" * 21, "code": "975318"}
        )
    assert err.value.translation_key == "invalid_name"
    assert err.value.translation_placeholders == {"max": "20"}
    assert "PUT /smartlock/auth" not in simulator.counters()["requests"]
    response = await call(
        hass,
        "create_keypad_code",
        {"device_id": front, "name": "N" * 20, "code": "975318"},
        return_response=True,
    )
    assert response["devices"][0]["auth_id"] == codes(simulator, FRONT_DOOR)["N" * 20]["id"]


async def test_create_keypad_code_without_keypad(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, GARDEN_DOOR),
                "name": "Guest",
                "code": "975318",
            },
        )
    assert err.value.translation_key == "no_keypad"
    assert err.value.translation_placeholders == {"device": "Garden door"}


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


@pytest.mark.parametrize("code", [{"code": "975318"}, {}], ids=["given", "generated"])
async def test_smart_hosting_is_checked_before_any_write(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    code: dict[str, str],
) -> None:
    """Nuki's bulk create would skip a device without Smart Hosting silently (204).

    So the call is refused before anything is written: no code on the other device either.
    The error explains what the repair issue explains.
    """
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": [
                    device_id(hass, setup_integration, FRONT_DOOR),
                    device_id(hass, setup_integration, HOLIDAY_FLAT),
                ],
                "name": "Visitor",
                **code,
            },
        )
    assert err.value.translation_key == "keypad_smart_hosting"
    # Nuki sends no name for a device without Smart Hosting.
    assert err.value.translation_placeholders == {"device": "Smart Lock 3.0/4.0 5E6F7081"}
    assert "renew the subscription for the device in Nuki Web" in str(err.value)
    assert "Settings → Repairs" in str(err.value)
    assert "PUT /smartlock/auth" not in simulator.counters()["requests"]
    assert "Visitor" not in codes(simulator, FRONT_DOOR)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")


async def test_smart_hosting_seen_only_in_the_read_back(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Smart Hosting ended after the last refresh: the authorizations show the error."""
    simulator.set_smart_hosting(FRONT_DOOR, False)
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                "name": "Guest",
                "code": "975318",
            },
        )
    assert err.value.translation_key == "keypad_smart_hosting"
    coordinator = setup_integration.runtime_data.coordinator
    assert FRONT_DOOR in coordinator.issues._missing


async def test_duplicate_code_from_nuki(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The code appeared between our check and the write: Nuki answers 409."""
    client = setup_integration.runtime_data.client
    real_auths = client.auths
    reads = 0

    async def first_read_misses_it(**kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        return [] if reads == 1 else await real_auths(**kwargs)

    with (
        patch.object(client, "auths", first_read_misses_it),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                "name": "Anna 2",
                "code": "456789",
            },
        )
    assert err.value.translation_key == "keypad_duplicate"


async def test_create_times_out(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth_writes, "AUTH_POLL_TIMEOUT", 0.2)
    simulator.state.actuation_delay = 60  # Nuki accepts, but the code does not show
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                "name": "Guest",
                "code": "975318",
            },
        )
    assert err.value.translation_key == "keypad_timeout"
    assert err.value.translation_placeholders == {"device": "Front door"}
    assert simulator.counters()["requests"]["GET /smartlock/auth"] >= 2


async def test_write_and_read_failures(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    fields = {
        "device_id": device_id(hass, setup_integration, FRONT_DOOR),
        "name": "Guest",
        "code": "975318",
    }
    simulator.fail_next("500", route="GET /smartlock/auth")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_keypad_code", fields)
    assert err.value.translation_key == "auth_read_failed"
    simulator.fail_next("500", route="PUT /smartlock/auth")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_keypad_code", fields)
    assert err.value.translation_key == "keypad_write_failed"


async def test_update_keypad_code(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    anna = codes(simulator, FRONT_DOOR)["Anna"]
    response = await call(
        hass,
        "update_keypad_code",
        {"device_id": front, "name": "Anna", "new_name": "Anna B", "code": "456781"},
        return_response=True,
    )
    changed = codes(simulator, FRONT_DOOR)["Anna B"]
    assert (changed["id"], changed["code"], changed["enabled"]) == (anna["id"], 456781, True)
    assert response["devices"][0]["auth_id"] == anna["id"]
    assert response["devices"][0]["outcome"] == "updated"

    await call(
        hass,
        "update_keypad_code",
        {"device_id": front, "auth_id": anna["id"], "enabled": False, "allowed_week_days": "sat"},
    )
    changed = codes(simulator, FRONT_DOOR)["Anna B"]
    assert (changed["enabled"], changed["allowedWeekDays"]) == (False, 2)


async def test_update_on_a_device_without_smart_hosting(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "update_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, HOLIDAY_FLAT),
                "name": "Guest",
                "enabled": False,
            },
        )
    assert err.value.translation_key == "keypad_smart_hosting"


async def test_update_refused_by_nuki_for_smart_hosting(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The per-device endpoint answers with the Smart Hosting error (not silently)."""
    client = setup_integration.runtime_data.client
    real_auths = client.auths
    answers = iter([await real_auths()])
    simulator.set_smart_hosting(FRONT_DOOR, False)

    async def read_before_it_ended(**kwargs: Any) -> Any:
        return next(answers, None) or await real_auths(**kwargs)

    with (
        patch.object(client, "auths", read_before_it_ended),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "update_keypad_code",
            {"device_id": device_id(hass, setup_integration, FRONT_DOOR), "name": "Anna"},
        )
    assert err.value.translation_key == "keypad_smart_hosting"


@pytest.mark.parametrize(
    ("pick", "key"),
    [
        ({}, "pick_one_code"),
        ({"name": "Anna", "auth_id": "x"}, "pick_one_code"),
        ({"name": "Nobody"}, "code_not_found"),
        ({"auth_id": "000000000000000000000000"}, "code_not_found"),
    ],
)
async def test_picking_a_code(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    pick: dict[str, str],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "delete_keypad_code",
            {"device_id": device_id(hass, setup_integration, FRONT_DOOR)} | pick,
        )
    assert err.value.translation_key == key


async def test_update_validation(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "update_keypad_code", {"device_id": front, "name": "Anna", "code": "1"})
    assert err.value.translation_key == "invalid_code"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "update_keypad_code", {"device_id": front, "name": "Anna", "new_name": "y" * 21}
        )
    assert err.value.translation_key == "invalid_name"
    assert err.value.translation_placeholders == {"max": "20"}


async def test_delete_keypad_code(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    anna = codes(simulator, FRONT_DOOR)["Anna"]
    response = await call(
        hass,
        "delete_keypad_code",
        {"device_id": device_id(hass, setup_integration, FRONT_DOOR), "name": "Anna"},
        return_response=True,
    )
    assert "Anna" not in codes(simulator, FRONT_DOOR)
    assert response["devices"][0]["auth_id"] == anna["id"]
    assert response["devices"][0]["outcome"] == "deleted"


async def test_list_authorizations(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    response = await call(hass, "list_authorizations", {"device_id": front}, return_response=True)
    items = {item["name"]: item for item in response["authorizations"]}
    assert set(items) == {"Alex Demo", "Sam", "Anna", "Key fob"}
    assert items["Anna"]["type"] == "keypad_code"
    assert "code" not in items["Anna"]
    assert items["Sam"]["allowed_week_days"] == ["mon", "tue", "wed", "thu", "fri"]
    # Daily times as the create form takes them (Nuki sends minutes: 420, 1200).
    assert (items["Sam"]["allowed_from_time"], items["Sam"]["allowed_until_time"]) == (
        "07:00",
        "20:00",
    )
    assert items["Anna"]["device"] == "Front door"

    response = await call(
        hass,
        "list_authorizations",
        {"device_id": front, "include_codes": True},
        return_response=True,
    )
    items = {item["name"]: item for item in response["authorizations"]}
    assert items["Anna"]["code"] == "456789"
    assert "code" not in items["Sam"]


async def test_listed_auth_id_is_what_the_actions_take(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """One identifier, one name: the listed auth_id picks the code in update and delete.

    It is the id an activity event reports too; the lock-internal number is not listed.
    """
    front = device_id(hass, setup_integration, FRONT_DOOR)
    response = await call(hass, "list_authorizations", {"device_id": front}, return_response=True)
    anna = next(item for item in response["authorizations"] if item["name"] == "Anna")
    assert anna["auth_id"] == codes(simulator, FRONT_DOOR)["Anna"]["id"]
    assert "id" not in anna
    logged = len(simulator.state.logs)
    assert simulator.state.use_keypad(FRONT_DOOR, 456789)
    assert (await wait_for_log(simulator, logged + 1))["authId"] == anna["auth_id"]

    await call(
        hass,
        "update_keypad_code",
        {"device_id": front, "auth_id": anna["auth_id"], "enabled": False},
    )
    assert codes(simulator, FRONT_DOOR)["Anna"]["enabled"] is False
    await call(hass, "delete_keypad_code", {"device_id": front, "auth_id": anna["auth_id"]})
    assert "Anna" not in codes(simulator, FRONT_DOOR)


@pytest.mark.parametrize("minutes", [-1, 1441, 10**9])
async def test_listed_times_outside_the_day_are_unknown(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    minutes: int,
) -> None:
    """A daily time Nuki sends outside 0..1440 minutes is listed as unknown, not as "-1:59"."""
    sam = next(a for a in simulator.state.auths.values() if a.get("name") == "Sam")
    sam["allowedUntilTime"] = minutes
    front = device_id(hass, setup_integration, FRONT_DOOR)
    response = await call(hass, "list_authorizations", {"device_id": front}, return_response=True)
    listed = next(item for item in response["authorizations"] if item["name"] == "Sam")
    assert (listed["allowed_from_time"], listed["allowed_until_time"]) == ("07:00", None)


@pytest.mark.parametrize(("language", "verb"), [("en", "delete"), ("de", "löschen")])
def test_delete_keypad_code_texts_speak_of_deleting(language: str, verb: str) -> None:
    """The name field of the delete action names the code to delete, not one "to change"."""
    path = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
    texts = json.loads((path / f"{language}.json").read_text())["services"]
    fields = texts["delete_keypad_code"]["fields"]
    assert verb in fields["name"]["description"]
    # Either the name or the authorization ID picks the code: each field says so.
    assert fields["name"]["name"].lower() in fields["auth_id"]["description"].lower()
