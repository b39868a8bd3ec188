"""Guest codes: generated keypad codes, and deleting the codes whose validity ended (issue 14)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.nuki_web_api.api import authorizations as rules
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, HOLIDAY_FLAT
from .test_services import call, codes, device_id, fast_read_back  # noqa: F401 - autouse
from .test_services_all_or_nothing import (
    CELLAR,
    add_code,
    add_second_account,
    anna_on_both,  # noqa: F401 - a fixture
    fail_request,
    give_keypad,
    stands,
)

ANNA = 456789  # the demo's code on the Front door (and, with anna_on_both, the Cellar's)
DELETE_AUTHS = "DELETE /smartlock/auth"


def follows_nuki_rules(code: str) -> bool:
    return len(code) == 6 and set(code) <= set("123456789") and not code.startswith("12")


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let ``secrets.choice`` give the digits of the codes put into the yielded list, in order."""
    planned: list[str] = []
    digits: Iterator[str] = iter(())

    def choice(alphabet: str) -> str:
        nonlocal digits
        assert alphabet == "123456789"
        if (digit := next(digits, None)) is None:
            digits = iter(planned.pop(0))
            digit = next(digits)
        return digit

    monkeypatch.setattr(rules.secrets, "choice", choice)
    return planned


# --- generating a code -----------------------------------------------------------------------


def test_generated_codes_follow_nuki_rules() -> None:
    """Many draws from ``secrets``: 6 digits from 1 to 9, never "12…", never a taken one."""
    taken = {ANNA, 987654}
    drawn = {rules.generate_keypad_code(taken) for _ in range(3000)}
    assert all(follows_nuki_rules(str(code)) for code in drawn)
    assert not drawn & taken
    assert len(drawn) > 2900  # random, not a fixed sequence


def test_a_draw_against_the_rules_or_taken_is_drawn_again(draws: list[str]) -> None:
    draws.extend(["121111", "456789", "111119"])
    assert rules.generate_keypad_code({ANNA}) == 111119
    assert draws == []


def test_no_free_code_ends_the_search(draws: list[str]) -> None:
    draws.extend(["444444"] * 1000)
    with pytest.raises(ServiceValidationError) as err:
        rules.generate_keypad_code({444444})
    assert err.value.translation_key == "no_free_code"


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
    response = await call(
        hass,
        "create_keypad_code",
        {
            "device_id": device_id(hass, setup_integration, FRONT_DOOR),
            "name": "Cleaner",
            "code": "975318",
        },
        return_response=True,
    )
    assert "code" not in response
    assert codes(simulator, FRONT_DOOR)["Cleaner"]["code"] == 975318


# --- deleting expired codes ------------------------------------------------------------------


def add_auth(simulator: SimulatorServer, smartlock_id: int, **fields: Any) -> str:
    """Store an authorization on a device, as if made in the Nuki app; return its id."""
    state = simulator.state
    auth = state.new_auth(state.devices[smartlock_id], fields)
    state.auths[auth["id"]] = auth
    return str(auth["id"])


def nuki_date(moment: datetime) -> str:
    """A moment as Nuki writes it."""
    return dt_util.as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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
