"""The grant_app_access service: app authorizations for account users, with push off and on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime, time
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api import authorizations
from custom_components.nuki_web_api.const import DOMAIN
from simulator.testing import SimulatorServer
from tests.test_push import EXTERNAL_URL, make_entry, setup_entry

FRONT_DOOR = 17618910285
BUILDING_ENTRANCE = 9315306846  # Opener
HOLIDAY_FLAT = 18764230785  # no Smart Hosting
USER = 1002
APP = 0
ADVANCED = "PUT /smartlock/auth/advanced"
PLAIN = "PUT /smartlock/auth"


@pytest.fixture(autouse=True)
def fast_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read authorizations back quickly; the simulator stores them after 0.05 s."""
    monkeypatch.setattr(authorizations, "AUTH_POLL_INTERVAL", 0.01)
    monkeypatch.setattr(authorizations, "AUTH_POLL_TIMEOUT", 5.0)


@pytest.fixture
async def push_entry(
    hass: HomeAssistant, simulator: SimulatorServer, hass_client_no_auth: Callable[[], Any]
) -> AsyncIterator[MockConfigEntry]:
    """A loaded entry with push on; result webhooks reach Home Assistant."""
    hass.config.external_url = EXTERNAL_URL
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    assert entry.runtime_data.coordinator.push is not None
    client: TestClient = await hass_client_no_auth()
    simulator.webhooks.configure(redirect=str(client.make_url("/")))
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


def device_id(hass: HomeAssistant, entry: MockConfigEntry, smartlock_id: int) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(smartlock_id)), entry.entry_id
    )
    assert device is not None
    return device.id


def app_auths(simulator: SimulatorServer, name: str) -> dict[int, dict[str, Any]]:
    """The simulator's app authorizations of USER with this name, by device."""
    return {
        a["smartlockId"]: a
        for a in simulator.state.auths.values()
        if a["type"] == APP and a.get("accountUserId") == USER and a["name"] == name
    }


def requests(simulator: SimulatorServer, route: str) -> int:
    count: int = simulator.counters()["requests"].get(route, 0)
    return count


async def grant(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, "grant_app_access", data, blocking=True, return_response=True
    )


async def test_grant_with_push_off_reads_back(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    devices = [device_id(hass, setup_integration, i) for i in (FRONT_DOOR, BUILDING_ENTRANCE)]
    response = await grant(
        hass,
        {
            "device_id": devices,
            "account_user_id": USER,
            "name": "Cleaner",
            "remote_allowed": False,
            "allowed_from": datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            "allowed_week_days": ["mon", "fri"],
            "allowed_from_time": time(8, 30),
            "allowed_until_time": time(12, 0),
        },
    )
    created = app_auths(simulator, "Cleaner")
    assert set(created) == {FRONT_DOOR, BUILDING_ENTRANCE}
    auth = created[FRONT_DOOR]
    assert auth["remoteAllowed"] is False
    assert auth["allowedFromDate"] == "2026-12-01T08:00:00.000Z"
    assert auth["allowedWeekDays"] == 64 + 4
    assert (auth["allowedFromTime"], auth["allowedUntilTime"]) == (510, 720)
    assert response == {
        "devices": [
            {
                "device_id": devices[0],
                "device": "Front door",
                "auth_id": created[FRONT_DOOR]["id"],
                "outcome": "created",
            },
            {
                "device_id": devices[1],
                "device": "Building entrance",
                "auth_id": created[BUILDING_ENTRANCE]["id"],
                "outcome": "created",
            },
        ]
    }
    assert requests(simulator, ADVANCED) == 0


async def test_an_existing_auth_of_the_user_is_not_taken_for_the_new_one(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    data = {"device_id": [device_id(hass, setup_integration, FRONT_DOOR)], "account_user_id": USER}
    first = await grant(hass, {**data, "name": "Twice"})
    second = await grant(hass, {**data, "name": "Twice"})
    assert first["devices"][0]["auth_id"] != second["devices"][0]["auth_id"]
    assert second["devices"][0]["auth_id"] in simulator.state.auths


@pytest.mark.parametrize("push", [False, True])
async def test_smart_hosting_is_checked_before_any_write(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    hass_client_no_auth: Callable[[], Any],
    push: bool,
) -> None:
    """Nuki would skip (push off) or refuse (push on) a device without Smart Hosting.

    So the call is refused before anything is written: the other device gets nothing either.
    """
    if push:
        hass.config.external_url = EXTERNAL_URL
    entry = make_entry(simulator, push_on=push)
    await setup_entry(hass, entry)
    devices = [device_id(hass, entry, i) for i in (FRONT_DOOR, HOLIDAY_FLAT)]
    with pytest.raises(HomeAssistantError) as err:
        await grant(hass, {"device_id": devices, "account_user_id": USER, "name": "Guest"})
    assert err.value.translation_key == "app_access_smart_hosting"
    assert "Smart Lock 3.0/4.0 5E6F7081" in str(err.value)  # Nuki never sent its name
    assert "Front door" not in str(err.value)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")
    assert not app_auths(simulator, "Guest")
    assert requests(simulator, PLAIN) == requests(simulator, ADVANCED) == 0
    await hass.config_entries.async_unload(entry.entry_id)


async def test_grant_with_push_on_uses_the_advanced_api(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    devices = [device_id(hass, push_entry, i) for i in (FRONT_DOOR, BUILDING_ENTRANCE)]
    response = await grant(
        hass,
        {"device_id": devices, "account_user_id": USER, "name": "Dog sitter"},
    )
    assert requests(simulator, ADVANCED) == 1
    assert requests(simulator, PLAIN) == 0
    assert [d["outcome"] for d in response["devices"]] == ["created", "created"]
    assert [d["device_id"] for d in response["devices"]] == devices
    created = app_auths(simulator, "Dog sitter")
    assert set(created) == {FRONT_DOOR, BUILDING_ENTRANCE}
    assert created[FRONT_DOOR]["remoteAllowed"] is True  # the default


async def test_push_on_refusal_after_the_check_is_undone(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    """Smart Hosting ends between the check and the write: Nuki refuses that device.

    The device that got the access loses it again, and the error says so.
    """
    client = push_entry.runtime_data.client
    real_auths = client.auths
    reads = 0

    async def hosted_at_first(**kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        answer = await real_auths(**kwargs)
        return [a for a in answer if a.error is None] if reads == 1 else answer

    coordinator = push_entry.runtime_data.coordinator
    coordinator.data = replace(coordinator.data, smart_hosting_missing=frozenset())
    devices = [device_id(hass, push_entry, i) for i in (FRONT_DOOR, HOLIDAY_FLAT)]
    with (
        patch.object(client, "auths", hosted_at_first),
        pytest.raises(HomeAssistantError) as err,
    ):
        await grant(hass, {"device_id": devices, "account_user_id": USER, "name": "Guest"})
    assert err.value.translation_key == "write_incomplete"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["devices"] == (
        "Front door: created, then undone; Smart Lock 3.0/4.0 5E6F7081: unchanged"
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")
    assert not app_auths(simulator, "Guest")
    assert requests(simulator, ADVANCED) == 1
    assert requests(simulator, PLAIN) == 0


@pytest.mark.parametrize("route", [PLAIN, ADVANCED])
async def test_write_refused_by_nuki(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    hass_client_no_auth: Callable[[], Any],
    route: str,
) -> None:
    if route == ADVANCED:
        hass.config.external_url = EXTERNAL_URL
    entry = make_entry(simulator, push_on=route == ADVANCED)
    await setup_entry(hass, entry)
    simulator.fail_next("500", route=route)
    with pytest.raises(HomeAssistantError) as err:
        await grant(
            hass,
            {
                "device_id": [device_id(hass, entry, FRONT_DOOR)],
                "account_user_id": USER,
                "name": "Guest",
            },
        )
    assert err.value.translation_key == "app_access_failed"
    assert not app_auths(simulator, "Guest")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_failed_advanced_result(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A result webhook with success false is the service's error.

    The simulator created the authorization all the same (only the result is faked): the
    read-back finds it, it is deleted again, and the error says so.
    """
    nuki_push = push_entry.runtime_data.coordinator.push
    assert nuki_push is not None

    async def failing_wait(request_id: str, *_: Any) -> dict[str, Any]:
        return {"requestId": request_id, "success": False, "errorCode": "45"}

    monkeypatch.setattr(nuki_push, "_async_wait", failing_wait)
    with pytest.raises(HomeAssistantError) as err:
        await grant(
            hass,
            {
                "device_id": [device_id(hass, push_entry, FRONT_DOOR)],
                "account_user_id": USER,
                "name": "Guest",
            },
        )
    assert err.value.translation_key == "write_incomplete"
    assert isinstance(err.value.__cause__, HomeAssistantError)
    assert err.value.__cause__.translation_key == "device_busy"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["devices"] == "Front door: created, then undone"
    assert not app_auths(simulator, "Guest")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": "x" * 33}, "invalid_name"),
        ({"name": ""}, "invalid_name"),
        ({"account_user_id": 0}, "invalid_account_user"),
        ({"account_user_id": "anna"}, "invalid_account_user"),
        ({"account_user_id": 1002.5}, "invalid_account_user"),
        ({"account_user_id": True}, "invalid_account_user"),
        ({"account_user_id": None}, "invalid_account_user"),
        ({"device_id": ["no-such-device"]}, "unknown_device"),
    ],
)
async def test_validation(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    changes: dict[str, Any],
    key: str,
) -> None:
    data = {
        "device_id": [device_id(hass, setup_integration, FRONT_DOOR)],
        "account_user_id": USER,
        "name": "Guest",
        **changes,
    }
    with pytest.raises(ServiceValidationError) as err:
        await grant(hass, data)
    assert err.value.translation_key == key
    assert requests(simulator, PLAIN) == 0


@pytest.mark.parametrize("value", ["1002", 1002.0])
async def test_account_user_as_text_or_float(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    value: object,
) -> None:
    """The number selector may send a float, a template text."""
    data = {"device_id": [device_id(hass, setup_integration, FRONT_DOOR)], "name": "Guest"}
    await grant(hass, {**data, "account_user_id": value})
    assert set(app_auths(simulator, "Guest")) == {FRONT_DOOR}


async def test_an_app_authorization_may_have_a_32_character_name(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The Swagger's limit (32) holds for app authorizations; only keypad codes keep 20."""
    name = "Cleaning company, weekday access"[:32]
    data = {"device_id": [device_id(hass, setup_integration, FRONT_DOOR)], "name": name}
    await grant(hass, {**data, "account_user_id": USER})
    assert set(app_auths(simulator, name)) == {FRONT_DOOR}
