"""Multi-device service actions: every target is checked first, a failure midway is undone or named.

Two accounts of the demo scenario take part: Alex's (Front door with a keypad) and Robin's
(Cellar, given a keypad where a test needs one). Nuki's failures come from the simulator,
queued just before the request that is to fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api import authorizations
from custom_components.nuki_web_api.api import NukiServerError
from custom_components.nuki_web_api.const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from simulator.testing import SimulatorServer

from .test_services import FRONT_DOOR, call, codes, device_id

CELLAR = 1869644178  # Robin's account
OFFICE = 22772871024  # Alex's account, no keypad in the demo
SECOND_TOKEN = "nuki-sim-second-account-token"
PUT_AUTHS = "PUT /smartlock/auth"
UPDATE_AUTH = "POST /smartlock/{smartlockId}/auth/{id}"


@pytest.fixture(autouse=True)
def fast_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read back quickly; give up on a change that cannot show after half a second."""
    monkeypatch.setattr(authorizations, "AUTH_POLL_INTERVAL", 0.01)
    monkeypatch.setattr(authorizations, "AUTH_POLL_TIMEOUT", 0.5)


def give_keypad(simulator: SimulatorServer, smartlock_id: int) -> None:
    """Pair a keypad with a device (before its entry is set up)."""
    device = simulator.device(smartlock_id)
    device.keypad = True
    device.data["config"]["keypadPaired"] = True


def add_code(simulator: SimulatorServer, smartlock_id: int, name: str, code: int) -> None:
    """Store a keypad code on a device, as if made in the Nuki app."""
    state = simulator.state
    fields = {"name": name, "type": 13, "code": code, "remoteAllowed": False}
    auth = state.new_auth(state.devices[smartlock_id], fields)
    state.auths[auth["id"]] = auth


async def add_second_account(
    hass: HomeAssistant, simulator: SimulatorServer, first: MockConfigEntry, tokens: set[str]
) -> tuple[MockConfigEntry, list[str]]:
    """Set up Robin's account (Cellar) next to Alex's; return it and [Front door, Cellar]."""
    tokens.add(SECOND_TOKEN)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="robin@example.com",
        unique_id="682876544",
        data={CONF_API_TOKEN: SECOND_TOKEN, CONF_API_URL: simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, [device_id(hass, first, FRONT_DOOR), device_id(hass, entry, CELLAR)]


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


@contextmanager
def fail_request(
    simulator: SimulatorServer, entry: MockConfigEntry, method: str, kind: str, route: str
) -> Iterator[None]:
    """Let the simulator answer the entry's next `method` request with the fault `kind`."""
    client = entry.runtime_data.client
    real = getattr(client, method)

    async def failing(*args: Any, **kwargs: Any) -> Any:
        simulator.fail_next(kind, route=route)
        return await real(*args, **kwargs)

    with patch.object(client, method, failing):
        yield


@contextmanager
def leaving_after(
    simulator: SimulatorServer, entry: MockConfigEntry, method: str, smartlock_id: int
) -> Iterator[None]:
    """Let the device leave the account right after the entry's next `method` request."""
    client = entry.runtime_data.client
    real = getattr(client, method)

    async def then_the_device_leaves(*args: Any) -> None:
        await real(*args)
        simulator.remove_device(smartlock_id)
        await entry.runtime_data.coordinator.async_refresh()

    with patch.object(client, method, then_the_device_leaves):
        yield


def stands(err: pytest.ExceptionInfo[HomeAssistantError]) -> str:
    """Return what the error says stands on each device."""
    assert err.value.translation_key == "write_incomplete"
    assert err.value.translation_placeholders is not None
    return err.value.translation_placeholders["devices"]


def cause(err: pytest.ExceptionInfo[HomeAssistantError]) -> str | None:
    """Return the translation key of the failure behind the error."""
    assert isinstance(err.value.__cause__, HomeAssistantError)
    return err.value.__cause__.translation_key


# --- every target is checked before the first write -----------------------------------------


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
        await call(
            hass,
            "update_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                "name": "Anna",
                "code": "975318",
            },
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


# --- a failure midway is undone, or named ----------------------------------------------------


async def test_create_failing_on_the_second_account_is_undone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    secret_tokens: set[str],
) -> None:
    """A 500 may or may not have created the code: the error says it is not confirmed."""
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
    assert stands(err) == (
        "Front door: created, then undone; Cellar: not confirmed (may still apply)"
    )
    assert "Guest" not in codes(simulator, FRONT_DOOR)
    assert "Guest" not in codes(simulator, CELLAR)


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
        await call(
            hass,
            "create_keypad_code",
            {
                "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                "name": "Guest",
                "code": "975318",
            },
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


# --- a device that leaves during a write ------------------------------------------------------


async def test_device_leaving_during_the_read_back(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The read-back gives up at once with a translated error, not after the timeout."""
    simulator.state.actuation_delay = 60  # Nuki accepts, the code does not show
    with (
        patch.object(authorizations, "AUTH_POLL_TIMEOUT", 30.0),
        leaving_after(simulator, setup_integration, "create_auths", FRONT_DOOR),
        pytest.raises(HomeAssistantError) as err,
    ):
        async with asyncio.timeout(5):
            await call(
                hass,
                "create_keypad_code",
                {
                    "device_id": device_id(hass, setup_integration, FRONT_DOOR),
                    "name": "Guest",
                    "code": "975318",
                },
            )
    assert err.value.translation_key == "device_left"
    assert err.value.translation_placeholders == {"device": "Front door"}


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
