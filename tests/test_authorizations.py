"""Service actions of authorizations.py: keypad codes, app access, listing, their switches.

Nuki's rules and the read-back have their own tests in tests/api (test_authorizations.py,
test_ledger.py); here the actions run against the simulator, on one account or two.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.nuki_web_api import authorizations
from custom_components.nuki_web_api.api import ActionResult, NukiServerError
from custom_components.nuki_web_api.api.ledger import Stand, Verb
from custom_components.nuki_web_api.const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from custom_components.nuki_web_api.helpers import text
from simulator.testing import SimulatorServer

from .api.test_authorizations import follows_nuki_rules
from .platform_helpers import BUILDING_ENTRANCE, FRONT_DOOR, GARDEN_DOOR, HOLIDAY_FLAT, OFFICE
from .service_helpers import (
    CELLAR,
    DELETE_AUTHS,
    PUT_AUTHS,
    UPDATE_AUTH,
    add_auth,
    add_code,
    add_second_account,
    call,
    call_on,
    cause,
    codes,
    device_id,
    fail_request,
    fast_read_back,  # noqa: F401 - autouse below
    give_keypad,
    leaving_after,
    nuki_date,
    stands,
    wait_for_log,
)
from .test_push import EXTERNAL_URL, make_entry, running_push, setup_entry

pytestmark = pytest.mark.usefixtures("fast_read_back")

ANNA = 456789  # the demo's code on the Front door (and, with anna_on_both, the Cellar's)
USER = 1002
APP = 0
ADVANCED = "PUT /smartlock/auth/advanced"


# --- creating a keypad code -------------------------------------------------------------------


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
    await call_on(
        hass,
        setup_integration,
        FRONT_DOOR,
        "create_keypad_code",
        name="Winter guest",
        code="975318",
        allowed_from=f"{year}-01-10 08:00:00",
        allowed_until=f"{year}-07-10 08:00:00",
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
        await call_on(
            hass, setup_integration, GARDEN_DOOR, "create_keypad_code", name="Guest", code="975318"
        )
    assert err.value.translation_key == "no_keypad"
    assert err.value.translation_placeholders == {"device": "Garden door"}


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
        await call_on(
            hass, setup_integration, FRONT_DOOR, "create_keypad_code", name="Guest", code="975318"
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
        await call_on(
            hass, setup_integration, FRONT_DOOR, "create_keypad_code", name="Anna 2", code="456789"
        )
    assert err.value.translation_key == "keypad_duplicate"


async def test_create_times_out(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(authorizations.ActionWrite, "timeout", 0.2)
    simulator.state.actuation_delay = 60  # Nuki accepts, but the code does not show
    with pytest.raises(HomeAssistantError) as err:
        await call_on(
            hass, setup_integration, FRONT_DOOR, "create_keypad_code", name="Guest", code="975318"
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


# --- generated codes --------------------------------------------------------------------------


async def test_create_without_a_code_generates_and_returns_it(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The response carries the code; no log line and no diagnostics download does."""
    front = device_id(hass, setup_integration, FRONT_DOOR)
    response = await call(
        hass,
        "create_keypad_code",
        {"device_id": front, "name": "Guest Miller"},
        return_response=True,
    )
    created = codes(simulator, FRONT_DOOR)["Guest Miller"]
    assert response == {
        "code": str(created["code"]),
        "devices": [
            {
                "device_id": front,
                "device": "Front door",
                "auth_id": created["id"],
                "outcome": "created",
            }
        ],
    }
    assert follows_nuki_rules(response["code"])
    assert created["code"] != ANNA

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)
    assert response["code"] not in json.dumps(diagnostics)
    assert response["code"] not in caplog.text


async def test_a_generated_code_is_unused_on_every_device(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
    draws: list[str],
) -> None:
    """One code for all devices: a code any of them uses is drawn again."""
    give_keypad(simulator, CELLAR)
    add_code(simulator, CELLAR, "Robin", 345678)  # only on the Cellar
    _, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    draws.extend(["345678", str(ANNA), "987654"])  # the Cellar's, the Front door's, a free one
    response = await call(
        hass,
        "create_keypad_code",
        {"device_id": devices, "name": "Guest"},
        return_response=True,
    )
    assert response["code"] == "987654"
    assert codes(simulator, FRONT_DOOR)["Guest"]["code"] == 987654
    assert codes(simulator, CELLAR)["Guest"]["code"] == 987654
    assert [d["outcome"] for d in response["devices"]] == ["created", "created"]


async def test_a_given_code_is_not_returned(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The caller knows the code already; a response does not repeat a secret needlessly."""
    response = await call_on(
        hass,
        setup_integration,
        FRONT_DOOR,
        "create_keypad_code",
        name="Cleaner",
        code="975318",
        return_response=True,
    )
    assert "code" not in response
    assert codes(simulator, FRONT_DOOR)["Cleaner"]["code"] == 975318


# --- updating and deleting a keypad code ------------------------------------------------------


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
        await call_on(
            hass, setup_integration, HOLIDAY_FLAT, "update_keypad_code", name="Guest", enabled=False
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


@pytest.mark.parametrize(("language", "verb"), [("en", "delete"), ("de", "löschen")])
def test_delete_keypad_code_texts_speak_of_deleting(language: str, verb: str) -> None:
    """The name field of the delete action names the code to delete, not one "to change"."""
    path = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
    texts = json.loads((path / f"{language}.json").read_text())["services"]
    fields = texts["delete_keypad_code"]["fields"]
    assert verb in fields["name"]["description"]
    # Either the name or the authorization ID picks the code: each field says so.
    assert fields["name"]["name"].lower() in fields["auth_id"]["description"].lower()


# --- several devices and accounts: every target checked first ---------------------------------


@pytest.fixture
async def anna_on_both(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> tuple[MockConfigEntry, list[str]]:
    """Robin's account too, the Cellar with a keypad and a code "Anna" like the Front door's."""
    give_keypad(simulator, CELLAR)
    add_code(simulator, CELLAR, "Anna", 456789)
    return await add_second_account(hass, simulator, setup_integration, secret_tokens)


@pytest.mark.parametrize(("keypad", "key"), [(False, "no_keypad"), (True, "code_exists")])
async def test_second_account_refusing_the_code_gets_nothing_written(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
    keypad: bool,
    key: str,
) -> None:
    """Cellar has no keypad, or the code already: the Front door gets no code either."""
    if keypad:
        give_keypad(simulator, CELLAR)
        add_code(simulator, CELLAR, "Robin", 975318)
    _, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "create_keypad_code", {"device_id": devices, "name": "Guest", "code": "975318"}
        )
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {"device": "Cellar"}
    assert PUT_AUTHS not in simulator.counters()["requests"]
    assert "Guest" not in codes(simulator, FRONT_DOOR)


async def test_a_new_code_that_another_code_has_is_refused(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Updating a code to one the device already has is refused before anything is sent."""
    add_code(simulator, FRONT_DOOR, "Ben", 975318)
    with pytest.raises(ServiceValidationError) as err:
        await call_on(
            hass, setup_integration, FRONT_DOOR, "update_keypad_code", name="Anna", code="975318"
        )
    assert err.value.translation_key == "code_exists"
    assert UPDATE_AUTH not in simulator.counters()["requests"]


@pytest.mark.parametrize(
    ("service", "data"),
    [("delete_keypad_code", {}), ("update_keypad_code", {"new_name": "Anna B"})],
)
async def test_code_missing_on_the_second_account_changes_nothing(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
    service: str,
    data: dict[str, Any],
) -> None:
    give_keypad(simulator, CELLAR)
    _, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"device_id": devices, "name": "Anna", **data})
    assert err.value.translation_key == "code_not_found"
    assert err.value.translation_placeholders == {"device": "Cellar", "code": "Anna"}
    assert "Anna" in codes(simulator, FRONT_DOOR)
    requests = simulator.counters()["requests"]
    assert "DELETE /smartlock/auth" not in requests
    assert UPDATE_AUTH not in requests


# --- a failure midway is undone, or named -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "what_stands", "why"),
    [
        (
            "en",
            "Front door: created, then undone; Cellar: not confirmed (may still apply)",
            "Nuki Web refused the keypad code change: PUT /smartlock/auth -> HTTP 500",
        ),
        (
            "de",
            "Front door: angelegt, dann rückgängig gemacht; "
            "Cellar: nicht bestätigt (kann noch wirksam werden)",
            "Nuki Web hat die Änderung des Keypad-Codes abgelehnt: PUT /smartlock/auth -> HTTP 500",
        ),
    ],
)
async def test_create_failing_on_the_second_account_is_undone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
    language: str,
    what_stands: str,
    why: str,
) -> None:
    """A 500 may or may not have created the code: the error says it is not confirmed.

    In Home Assistant's language, the failure behind it too (its own str() is English).
    """
    await hass.config.async_update(language=language)
    await hass.async_block_till_done()
    give_keypad(simulator, CELLAR)
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        fail_request(simulator, second, "create_auths", "500", PUT_AUTHS),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass, "create_keypad_code", {"device_id": devices, "name": "Guest", "code": "975318"}
        )
    assert cause(err) == "keypad_write_failed"
    assert stands(err) == what_stands
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["error"].startswith(why)
    assert what_stands in str(err.value)
    assert "Guest" not in codes(simulator, FRONT_DOOR)
    assert "Guest" not in codes(simulator, CELLAR)


@pytest.mark.parametrize("language", ["en", "de"])
async def test_every_stand_and_verb_has_words(hass: HomeAssistant, language: str) -> None:
    """api/ledger.py gives keys; each has its words in both languages, and no key is shown."""
    common = await async_get_translations(hass, language, "common", [DOMAIN])
    for key in [*(f"stand_{stand}" for stand in Stand), *(f"verb_{verb}" for verb in Verb)]:
        assert common.get(f"component.{DOMAIN}.common.{key}"), key
    assert text(hass, "common.verb_unknown") == "common.verb_unknown"  # unknown: the key itself


async def test_an_undo_that_fails_names_the_code_that_stands(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    give_keypad(simulator, CELLAR)
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        fail_request(simulator, second, "create_auths", "423", PUT_AUTHS),
        fail_request(simulator, setup_integration, "delete_auths", "500", "DELETE /smartlock/auth"),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass, "create_keypad_code", {"device_id": devices, "name": "Guest", "code": "975318"}
        )
    assert stands(err) == "Front door: created; Cellar: unchanged"
    assert "Guest" in codes(simulator, FRONT_DOOR)
    assert "Could not undo the change on Front door" in caplog.text


async def test_update_failing_on_the_second_device_is_restored(
    hass: HomeAssistant, simulator: SimulatorServer, socket_enabled: None
) -> None:
    """Two devices of one account: the first one's code gets its name back."""
    give_keypad(simulator, OFFICE)
    add_code(simulator, OFFICE, "Anna", 456789)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="682876543",
        data={CONF_API_TOKEN: simulator.token, CONF_API_URL: simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    client = entry.runtime_data.client
    real = client.update_auth
    sent: list[int] = []

    async def second_one_busy(smartlock_id: int, *args: Any) -> None:
        sent.append(smartlock_id)
        if len(sent) == 2:
            simulator.fail_next("423", route=UPDATE_AUTH)
        await real(smartlock_id, *args)

    devices = [device_id(hass, entry, FRONT_DOOR), device_id(hass, entry, OFFICE)]
    with (
        patch.object(client, "update_auth", second_one_busy),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass, "update_keypad_code", {"device_id": devices, "name": "Anna", "new_name": "Anna B"}
        )
    assert cause(err) == "keypad_write_failed"
    assert stands(err) == "Front door: updated, then undone; Office: unchanged"
    assert sent == [FRONT_DOOR, OFFICE, FRONT_DOOR]  # the third write restores the name
    assert "Anna" in codes(simulator, FRONT_DOOR)
    assert "Anna" in codes(simulator, OFFICE)


async def test_update_that_added_a_window_cannot_be_taken_back(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    anna_on_both: tuple[MockConfigEntry, list[str]],
) -> None:
    """Nuki has no way to clear a window again: the error names the code as changed."""
    second, devices = anna_on_both
    with (
        fail_request(simulator, second, "update_auth", "423", UPDATE_AUTH),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "update_keypad_code",
            {"device_id": devices, "name": "Anna", "allowed_week_days": ["sat", "sun"]},
        )
    assert stands(err) == "Front door: updated; Cellar: unchanged"
    assert codes(simulator, FRONT_DOOR)["Anna"]["allowedWeekDays"] == 3


async def test_delete_failing_on_the_second_account_names_what_is_gone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    anna_on_both: tuple[MockConfigEntry, list[str]],
) -> None:
    """A deleted code is not re-created (that would give back an access): it is named."""
    second, devices = anna_on_both
    with (
        fail_request(simulator, second, "delete_auths", "423", "DELETE /smartlock/auth"),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "delete_keypad_code", {"device_id": devices, "name": "Anna"})
    assert cause(err) == "keypad_write_failed"
    assert stands(err) == "Front door: deleted; Cellar: unchanged"
    assert "Anna" not in codes(simulator, FRONT_DOOR)
    assert "Anna" in codes(simulator, CELLAR)


async def test_a_write_answered_with_an_error_but_applied_is_found_and_undone(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Nuki answers 5xx, but the code was created: the read-back finds it and it goes again."""
    client = setup_integration.runtime_data.client
    real = client.create_auths

    async def applied_then_502(*args: Any) -> None:
        await real(*args)
        raise NukiServerError("Bad gateway", status=502)

    with (
        patch.object(client, "create_auths", applied_then_502),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call_on(
            hass, setup_integration, FRONT_DOOR, "create_keypad_code", name="Guest", code="975318"
        )
    assert cause(err) == "keypad_write_failed"
    assert stands(err) == "Front door: created, then undone"
    assert "Guest" not in codes(simulator, FRONT_DOOR)


async def test_grant_failing_on_the_second_account_is_undone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> None:
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        fail_request(simulator, second, "create_auths", "423", PUT_AUTHS),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass,
            "grant_app_access",
            {"device_id": devices, "account_user_id": 1002, "name": "Dog sitter"},
        )
    assert cause(err) == "app_access_failed"
    assert stands(err) == "Front door: created, then undone; Cellar: unchanged"
    assert not [a for a in simulator.state.auths.values() if a["name"] == "Dog sitter"]


async def test_device_leaving_during_the_read_back(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The read-back gives up at once with a translated error, not after the timeout."""
    simulator.state.actuation_delay = 60  # Nuki accepts, the code does not show
    with (
        patch.object(authorizations.ActionWrite, "timeout", 30.0),
        leaving_after(simulator, setup_integration, "create_auths", FRONT_DOOR),
        pytest.raises(HomeAssistantError) as err,
    ):
        async with asyncio.timeout(5):
            await call_on(
                hass,
                setup_integration,
                FRONT_DOOR,
                "create_keypad_code",
                name="Guest",
                code="975318",
            )
    assert err.value.translation_key == "device_left"
    assert err.value.translation_placeholders == {"device": "Front door"}


# --- deleting expired codes -------------------------------------------------------------------


def keypad_code(
    simulator: SimulatorServer,
    name: str,
    code: int,
    until: timedelta,
    since: timedelta | None = None,
) -> str:
    """Store a keypad code on the Front door valid until (and from) these times from now."""
    now = dt_util.utcnow()
    window = {"allowedUntilDate": nuki_date(now + until)}
    if since is not None:
        window["allowedFromDate"] = nuki_date(now + since)
    return add_auth(simulator, FRONT_DOOR, name=name, type=13, code=code, **window)


@pytest.fixture
def season(simulator: SimulatorServer) -> dict[str, str]:
    """The Front door after some bookings: two ended codes, a running one, an ended app access."""
    day = timedelta(days=1)
    return {
        "July": keypad_code(simulator, "July", 345678, until=-20 * day, since=-30 * day),
        "Yesterday": keypad_code(simulator, "Yesterday", 345679, until=-20 * day / 24),
        "Current guest": keypad_code(simulator, "Current guest", 345687, 2 * day, since=-day),
        "Old app": add_auth(
            simulator,
            FRONT_DOOR,
            name="Old app",
            type=0,
            accountUserId=1001,
            allowedUntilDate=nuki_date(dt_util.utcnow() - 3 * day),
        ),
    }


async def test_dry_run_lists_the_expired_codes_and_deletes_nothing(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    season: dict[str, str],
    setup_integration: MockConfigEntry,
) -> None:
    front = device_id(hass, setup_integration, FRONT_DOOR)
    before = dict(simulator.state.auths)
    response = await call(
        hass,
        "delete_expired_keypad_codes",
        {"device_id": front, "dry_run": True},
        return_response=True,
    )
    assert response["dry_run"] is True
    assert [(c["name"], c["auth_id"], c["device_id"]) for c in response["codes"]] == [
        ("July", season["July"], front),
        ("Yesterday", season["Yesterday"], front),
    ]
    assert dt_util.parse_datetime(response["codes"][0]["allowed_until"]) < dt_util.utcnow()
    assert simulator.state.auths == before
    assert DELETE_AUTHS not in simulator.counters()["requests"]


async def test_only_expired_keypad_codes_are_deleted(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    season: dict[str, str],
    setup_integration: MockConfigEntry,
) -> None:
    """A running code, a code without an end (Anna's) and an app access stay."""
    response = await call(
        hass,
        "delete_expired_keypad_codes",
        {"device_id": device_id(hass, setup_integration, FRONT_DOOR)},
        return_response=True,
    )
    assert response["dry_run"] is False
    assert [c["name"] for c in response["codes"]] == ["July", "Yesterday"]
    left = {a["name"] for a in simulator.state.auths.values() if a["smartlockId"] == FRONT_DOOR}
    assert {"Current guest", "Old app", "Anna"} <= left
    assert not {"July", "Yesterday"} & left
    assert simulator.counters()["requests"][DELETE_AUTHS] == 1  # both in one request

    again = await call(
        hass,
        "delete_expired_keypad_codes",
        {"device_id": device_id(hass, setup_integration, FRONT_DOOR)},
        return_response=True,
    )
    assert again == {"dry_run": False, "codes": []}
    assert simulator.counters()["requests"][DELETE_AUTHS] == 1  # nothing to delete, no request


async def test_expired_codes_on_two_accounts_and_a_failure_named(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    season: dict[str, str],
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> None:
    """Each account is written in turn; when the second fails, the error says what stands."""
    give_keypad(simulator, CELLAR)
    add_auth(
        simulator,
        CELLAR,
        name="Winter",
        type=13,
        code=456123,
        allowedUntilDate=nuki_date(dt_util.utcnow() - timedelta(days=90)),
    )
    second, devices = await add_second_account(hass, simulator, setup_integration, secret_tokens)
    with (
        fail_request(simulator, second, "delete_auths", "423", DELETE_AUTHS),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "delete_expired_keypad_codes", {"device_id": devices})
    assert stands(err) == "Front door: deleted; Cellar: unchanged"
    response = await call(
        hass, "delete_expired_keypad_codes", {"device_id": devices}, return_response=True
    )
    assert [(c["device"], c["name"]) for c in response["codes"]] == [("Cellar", "Winter")]


async def test_expired_codes_of_a_lock_without_smart_hosting_are_refused(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Nuki shows such a device's codes only as error items: even a dry run could list nothing."""
    for dry_run in (True, False):
        with pytest.raises(HomeAssistantError) as err:
            await call(
                hass,
                "delete_expired_keypad_codes",
                {
                    "device_id": [
                        device_id(hass, setup_integration, FRONT_DOOR),
                        device_id(hass, setup_integration, HOLIDAY_FLAT),
                    ],
                    "dry_run": dry_run,
                },
            )
        assert err.value.translation_key == "keypad_smart_hosting"
    assert DELETE_AUTHS not in simulator.counters()["requests"]


# --- app access -------------------------------------------------------------------------------


@pytest.fixture
async def push_entry(
    hass: HomeAssistant, simulator: SimulatorServer, hass_client_no_auth: Callable[[], Any]
) -> AsyncIterator[MockConfigEntry]:
    """A loaded entry with push on; result webhooks reach Home Assistant."""
    hass.config.external_url = EXTERNAL_URL
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    running_push(entry.runtime_data.coordinator)
    client: TestClient = await hass_client_no_auth()
    simulator.webhooks.configure(redirect=str(client.make_url("/")))
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


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
async def test_app_access_is_checked_for_smart_hosting_before_any_write(
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
    assert requests(simulator, PUT_AUTHS) == requests(simulator, ADVANCED) == 0
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
    assert requests(simulator, PUT_AUTHS) == 0
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
    assert requests(simulator, PUT_AUTHS) == 0


@pytest.mark.parametrize("route", [PUT_AUTHS, ADVANCED])
async def test_grant_refused_by_nuki(
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
    nuki_push = running_push(push_entry.runtime_data.coordinator)

    async def failing_wait(request_id: str, *_: Any) -> ActionResult:
        return ActionResult(request_id, success=False, smartlock_id=None, error_code=0x45)

    monkeypatch.setattr(nuki_push._results, "wait", failing_wait)
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
async def test_grant_validation(
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
    assert requests(simulator, PUT_AUTHS) == 0


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


# --- listing ----------------------------------------------------------------------------------


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


# --- the authorization switches follow the actions --------------------------------------------


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_code_written_by_an_action_shows_on_its_switch_without_a_reload(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The action's last read of the account goes to the authorization switches.

    Otherwise a new code's switch would appear only with the next read of the
    authorizations (every 10 minutes while a switch is enabled) or after a reload.
    """
    front = device_id(hass, setup_integration, FRONT_DOOR)
    cleaner = "switch.front_door_keypad_code_cleaner"
    data = {"device_id": front, "name": "Cleaner"}
    await call(hass, "create_keypad_code", data | {"code": "975318"})
    await hass.async_block_till_done()
    assert (state := hass.states.get(cleaner)) is not None
    assert state.state == "on"

    await call(hass, "update_keypad_code", data | {"enabled": False})
    await hass.async_block_till_done()
    assert hass.states.get(cleaner).state == "off"  # type: ignore[union-attr]

    await call(hass, "delete_keypad_code", data)
    # The action's read-back proves the code deleted: its switch is gone when the action returns.
    assert er.async_get(hass).async_get(cleaner) is None
    await hass.async_block_till_done()
    assert hass.states.get(cleaner) is None


async def test_a_code_created_then_undone_gets_no_switch(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Only the last read counts: a code that was taken back again leaves no switch behind."""
    client = setup_integration.runtime_data.client
    real = client.create_auths

    async def applied_then_502(*args: Any) -> None:
        await real(*args)
        raise NukiServerError("Bad gateway", status=502)

    def auth_switches() -> set[str]:
        entries = er.async_entries_for_config_entry(entity_registry, setup_integration.entry_id)
        return {e.unique_id for e in entries if "_auth_" in e.unique_id}

    before = auth_switches()
    assert before  # created disabled at setup
    front = device_id(hass, setup_integration, FRONT_DOOR)
    with (
        patch.object(client, "create_auths", applied_then_502),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(
            hass, "create_keypad_code", {"device_id": front, "name": "Guest", "code": "975318"}
        )
    await hass.async_block_till_done()
    assert stands(err) == "Front door: created, then undone"
    assert auth_switches() == before
