"""Push updates through the Advanced API: option, webhook, health, advanced actions, cleanup.

The simulator registers the https URL that Home Assistant reports (its external URL) and
delivers, through its redirect setting, to the real loopback server of `hass_client_no_auth`:
signed POSTs go the whole way through aiohttp and Home Assistant's webhook component.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from enum import Enum
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, patch

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from homeassistant import components
from homeassistant.components import webhook
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.nuki_web_api import async_setup_push, push
from custom_components.nuki_web_api.api import (
    SIGNATURE_HEADER,
    WEBHOOK_FEATURES,
    follow_ups,
)
from custom_components.nuki_web_api.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_PUSH,
    CONF_PUSH_REGISTRATION,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    OUTAGE_GRACE,
)
from custom_components.nuki_web_api.coordinator import log_cursor_store
from custom_components.nuki_web_api.diagnostics import async_get_config_entry_diagnostics
from custom_components.nuki_web_api.issues import push_issue_id
from custom_components.nuki_web_api.push import SAFETY_INTERVAL, NukiPush
from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285
HOLIDAY_FLAT = 18764230785  # no Smart Hosting
EXTERNAL_URL = "https://ha.example.com"
SECOND_ACCOUNT_TOKEN = "nuki-sim-second-account-token"
NORMAL_INTERVAL = timedelta(seconds=30)


async def until(predicate: Callable[[], bool]) -> None:
    """Let the loop run until `predicate()` holds (fails after 5 s; nothing is timed)."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110 - waits on deliveries over loopback
            await asyncio.sleep(0.01)


def make_entry(
    simulator: SimulatorServer, *, token: str | None = None, push_on: bool = False
) -> MockConfigEntry:
    """An entry for the simulator, with push on or off."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="demo@example.com",
        unique_id="682876543",
        data={CONF_API_TOKEN: token or simulator.token, CONF_API_URL: simulator.url},
        options={CONF_PUSH: True} if push_on else {},
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def external_url(hass: HomeAssistant) -> str:
    """Give Home Assistant an external https URL."""
    hass.config.external_url = EXTERNAL_URL
    return EXTERNAL_URL


@pytest.fixture
async def push_entry(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    external_url: str,
    hass_client_no_auth: Callable[[], Any],
) -> AsyncIterator[MockConfigEntry]:
    """A loaded entry with push on; deliveries reach the test HTTP server."""
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    client: TestClient = await hass_client_no_auth()
    simulator.webhooks.configure(redirect=str(client.make_url("/")))
    yield entry
    # Unload while the simulator still runs (it deletes the webhook there).
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def http(hass_client_no_auth: Callable[[], Any]) -> TestClient:
    """An unauthenticated client for the webhook endpoint."""
    client: TestClient = await hass_client_no_auth()
    return client


def registration(entry: MockConfigEntry) -> dict[str, Any]:
    stored: dict[str, Any] = entry.data[CONF_PUSH_REGISTRATION]
    return stored


def lock_entity(hass: HomeAssistant) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{FRONT_DOOR}_lock")
    assert entity_id is not None
    return entity_id


async def post_signed(
    http: TestClient, entry: MockConfigEntry, payload: Any, *, secret: str | None = None
) -> int:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    key = secret or registration(entry)["secret"]
    signature = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    response = await http.post(
        f"/api/webhook/{registration(entry)['webhook_id']}",
        data=body,
        headers={SIGNATURE_HEADER: signature},
    )
    return response.status


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged as an error, and no warning carries a traceback.

    (Home Assistant itself logs a setup retry's exception at debug level.)
    """
    bad = [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR or (r.exc_info and r.levelno >= logging.WARNING)
    ]
    assert not bad, [r.getMessage() for r in bad]


async def post_raw(http: TestClient, path: str, head: bytes, body: bytes) -> int:
    """POST with raw header bytes (aiohttp's client only sends text headers)."""
    url = http.make_url(path)
    assert url.host is not None
    assert url.port is not None
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\n"
        + head
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


def unlocked_status(**state: Any) -> dict[str, Any]:
    """A DEVICE_STATUS push in Nuki's documented shape: the front door is unlocked."""
    return {
        "feature": "DEVICE_STATUS",
        "smartlockId": FRONT_DOOR,
        "state": {"mode": 2, "state": 3, "trigger": 0, "lastAction": 1, **state},
        "serverState": 0,
        "adminPinState": 0,
    }


async def after_the_missed_push_grace(hass: HomeAssistant) -> None:
    """Let the time pass after which a change that push never delivered counts as missed."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=push.MISSED_PUSH_GRACE + 1))
    await hass.async_block_till_done()


def running_push(coordinator: Any) -> NukiPush:
    """The running push: the coordinator's route for Advanced API calls."""
    nuki_push = coordinator.config_entry.runtime_data.push
    assert isinstance(nuki_push, NukiPush)
    return nuki_push


def assert_push_healthy(coordinator: Any) -> None:
    """Push still runs: no fallback to the normal polling interval."""
    assert running_push(coordinator).healthy
    assert coordinator.update_interval == SAFETY_INTERVAL


# --- option -----------------------------------------------------------------------------


async def test_option_enables_push(
    hass: HomeAssistant, simulator: SimulatorServer, external_url: str
) -> None:
    entry = make_entry(simulator)
    await setup_entry(hass, entry)
    assert entry.runtime_data.coordinator.update_interval == NORMAL_INTERVAL
    assert not simulator.state.webhooks

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30, CONF_PUSH: True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PUSH] is True
    assert entry.state is ConfigEntryState.LOADED

    (hook,) = simulator.state.webhooks.values()
    stored = registration(entry)
    assert hook["webhookUrl"] == f"{EXTERNAL_URL}/api/webhook/{stored['webhook_id']}"
    assert set(hook["webhookFeatures"]) == set(WEBHOOK_FEATURES)
    assert stored["secret"] == hook["secret"]
    assert stored["nuki_id"] == hook["id"]
    assert len(stored["webhook_id"]) == 64  # webhook.async_generate_id(): unguessable
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == SAFETY_INTERVAL
    running_push(coordinator)


async def test_option_refused_without_advanced_api(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    external_url: str,
    secret_tokens: set[str],
) -> None:
    secret_tokens.add(SECOND_ACCOUNT_TOKEN)
    entry = make_entry(simulator, token=SECOND_ACCOUNT_TOKEN)
    await setup_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30, CONF_PUSH: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "advanced_api_forbidden"}
    assert CONF_PUSH not in entry.options
    assert entry.runtime_data.coordinator.update_interval == NORMAL_INTERVAL
    assert not simulator.state.webhooks


async def test_option_needs_external_https_url(
    hass: HomeAssistant, simulator: SimulatorServer
) -> None:
    hass.config.external_url = "http://ha.example.com"  # not https
    entry = make_entry(simulator)
    await setup_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30, CONF_PUSH: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_external_url"}
    assert CONF_PUSH not in entry.options


async def test_option_reports_unreachable_nuki(
    hass: HomeAssistant, simulator: SimulatorServer, external_url: str
) -> None:
    entry = make_entry(simulator)
    await setup_entry(hass, entry)
    simulator.fail_next("500", route="GET /api/decentralWebhook")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30, CONF_PUSH: True}
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_option_off_deletes_the_webhook(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    assert simulator.state.webhooks
    result = await hass.config_entries.options.async_init(push_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30, CONF_PUSH: False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not simulator.state.webhooks
    assert CONF_PUSH_REGISTRATION not in push_entry.data
    assert push_entry.runtime_data.push is None
    assert push_entry.runtime_data.coordinator.update_interval == NORMAL_INTERVAL


@pytest.mark.parametrize(
    ("token", "external", "issue"),
    [
        (SECOND_ACCOUNT_TOKEN, EXTERNAL_URL, "push_advanced_api_forbidden"),
        (None, None, "push_no_external_url"),
    ],
)
async def test_setup_without_push_access_keeps_polling(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    secret_tokens: set[str],
    token: str | None,
    external: str | None,
    issue: str,
) -> None:
    secret_tokens.add(SECOND_ACCOUNT_TOKEN)
    hass.config.external_url = external
    entry = make_entry(simulator, token=token, push_on=True)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.push is None
    assert entry.runtime_data.coordinator.update_interval == NORMAL_INTERVAL
    found = ir.async_get(hass).async_get_issue(DOMAIN, push_issue_id(entry.entry_id))
    assert found is not None
    assert found.translation_key == issue


async def test_stored_registration_is_reused(
    hass: HomeAssistant, simulator: SimulatorServer, external_url: str
) -> None:
    """After a restart (no unload), the registration Nuki still lists is used as it is."""
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    stored = registration(entry)
    # A restart: the entry keeps its data; the HA webhook is registered again.
    await entry.runtime_data.coordinator.async_shutdown()
    running_push(entry.runtime_data.coordinator).stop()
    hass.config_entries.async_update_entry(entry, data={**entry.data})
    simulator.reset_counters()
    await async_setup_push(hass, entry)
    assert registration(entry) == stored
    assert simulator.counters()["requests"].get("PUT /api/decentralWebhook", 0) == 0
    assert len(simulator.state.webhooks) == 1


async def test_stale_registration_is_replaced(
    hass: HomeAssistant, simulator: SimulatorServer, external_url: str
) -> None:
    stale = {"webhook_id": "a" * 64, "nuki_id": 999, "secret": "old", "cloudhook": False}
    entry = make_entry(simulator, push_on=True)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PUSH_REGISTRATION: stale}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registration(entry)["nuki_id"] != 999
    assert registration(entry)["secret"] != "old"


async def test_setup_with_option_off_removes_a_leftover(
    hass: HomeAssistant, simulator: SimulatorServer, external_url: str
) -> None:
    hook = await _register_directly(hass, simulator)
    entry = make_entry(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PUSH_REGISTRATION: hook})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert not simulator.state.webhooks
    assert CONF_PUSH_REGISTRATION not in entry.data


async def _register_directly(hass: HomeAssistant, simulator: SimulatorServer) -> dict[str, Any]:
    from homeassistant.helpers.aiohttp_client import async_get_clientsession  # noqa: PLC0415

    from custom_components.nuki_web_api.api import NukiWebApiClient  # noqa: PLC0415

    client = NukiWebApiClient(
        async_get_clientsession(hass), simulator.token, base_url=simulator.url
    )
    hook = await client.register_decentral_webhook(
        f"{EXTERNAL_URL}/api/webhook/x", ["DEVICE_STATUS"]
    )
    return {"webhook_id": "x", "nuki_id": hook.id, "secret": hook.secret, "cloudhook": False}


# --- receiving ----------------------------------------------------------------------------


async def test_state_change_arrives_by_push_without_a_poll(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    entity_id = lock_entity(hass)
    assert hass.states.get(entity_id).state == "locked"
    simulator.reset_counters()
    simulator.press_button(FRONT_DOOR)  # the lock unlocks by hand
    await until(lambda: hass.states.get(entity_id).state == "unlocked")
    assert simulator.counters()["requests"].get("GET /smartlock", 0) == 0
    deliveries = simulator.webhooks.deliveries
    assert {d["feature"] for d in deliveries} >= {"DEVICE_STATUS", "DEVICE_LOGS"}
    assert all(d["status"] == 200 for d in deliveries)


async def test_a_poll_in_flight_does_not_undo_a_push(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    """The poll read the device before the push came: the pushed state stays until a newer poll."""
    coordinator = push_entry.runtime_data.coordinator
    entity_id = lock_entity(hass)
    assert hass.states.get(entity_id).state == "locked"
    read_logs = coordinator.client.logs
    devices_read = asyncio.Event()
    pushed = asyncio.Event()

    async def logs_after_the_push(**kwargs: Any) -> Any:
        devices_read.set()  # GET /smartlock answered: the device is still locked
        await pushed.wait()
        return await read_logs(**kwargs)

    with patch.object(coordinator.client, "logs", side_effect=logs_after_the_push):
        poll = hass.async_create_task(coordinator.async_refresh())
        await devices_read.wait()
        simulator.press_button(FRONT_DOOR)  # unlocks by hand; the push says so
        await until(lambda: hass.states.get(entity_id).state == "unlocked")
        pushed.set()
        await poll
    await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert hass.states.get(entity_id).state == "unlocked"

    # A poll that starts after the push takes over again.
    simulator.state.devices[FRONT_DOOR].state["state"] = 1  # locked (changed at Nuki)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == "locked"


async def test_wrong_or_missing_signature_is_rejected(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    http: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    before = coordinator.data
    unlocked = unlocked_status()
    assert await post_signed(http, push_entry, unlocked, secret="wrong") == 401
    path = f"/api/webhook/{registration(push_entry)['webhook_id']}"
    response = await http.post(path, json=unlocked)
    assert response.status == 401
    # A signature header that is not text (raw bytes): 401 too, without a traceback.
    body = json.dumps(unlocked).encode()
    for value in (b"\xff\xfe\xfd", b"\xc3\x28" * 32, "\u00e9".encode("latin-1") * 64):
        head = SIGNATURE_HEADER.encode() + b": " + value + b"\r\n"
        assert await post_raw(http, path, head, body) == HTTPStatus.UNAUTHORIZED
    no_traceback(caplog)
    assert coordinator.data is before
    assert hass.states.get(lock_entity(hass)).state == "locked"
    assert registration(push_entry)["secret"] not in caplog.text

    assert await post_signed(http, push_entry, unlocked) == 200
    assert hass.states.get(lock_entity(hass)).state == "unlocked"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        [1, 2],
        {"feature": "ACCOUNT_USER", "id": 1},
        {"no": "feature"},
        {"feature": "DEVICE_STATUS", "state": {}},  # no smartlockId
        {"feature": "DEVICE_STATUS", "smartlockId": str(FRONT_DOOR), "state": {"state": 3}},
        {"feature": "DEVICE_STATUS", "smartlockId": FRONT_DOOR + 0.5, "state": {"state": 3}},
        {"feature": "DEVICE_LOGS", "smartlockLog": "x"},
    ],
)
async def test_unusable_pushes_are_ignored(
    hass: HomeAssistant, push_entry: MockConfigEntry, http: TestClient, payload: Any
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    before = coordinator.data
    assert await post_signed(http, push_entry, payload) == 200
    assert coordinator.data is before


HUGE_NESTING = b"[" * 100_000 + b"]" * 100_000
DEEP_NESTING = b"[" * 200 + b"]" * 200


@pytest.mark.parametrize(
    "state",
    [
        b'{"state": 3, "batteryCharge": 1e400}',
        b'{"state": 3, "batteryCharge": -1e400}',
        b'{"state": Infinity}',
        b'{"state": 3, "batteryCharge": -Infinity}',
        b'{"state": NaN}',
        b'{"state": 3, "doorState": ' + HUGE_NESTING + b"}",
        b'{"state": 3, "doorState": ' + DEEP_NESTING + b"}",
    ],
    ids=["1e400", "-1e400", "Infinity", "-Infinity", "NaN", "nesting-100000", "nesting-200"],
)
async def test_absurd_signed_payloads_are_dropped_quietly(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    http: TestClient,
    caplog: pytest.LogCaptureFixture,
    state: bytes,
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    before = coordinator.data
    body = (
        b'{"feature": "DEVICE_STATUS", "smartlockId": '
        + str(FRONT_DOOR).encode()
        + b', "state": '
        + state
        + b', "serverState": 0, "adminPinState": 0}'
    )
    assert await post_signed(http, push_entry, body) == HTTPStatus.OK
    await hass.async_block_till_done()
    assert coordinator.data is before
    assert hass.states.get(lock_entity(hass)).state == "locked"
    no_traceback(caplog)


async def test_push_and_poll_never_double_an_activity_event(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    reported: list[str] = []
    push_entry.async_on_unload(
        coordinator.async_add_listener(
            lambda: reported.extend(entry.id for entry in coordinator.data.new_logs)
        )
    )
    # Push first, then the poll sees the same entry.
    simulator.press_button(FRONT_DOOR)
    await until(lambda: len(reported) == 1)
    await coordinator.async_refresh()
    # Poll first (delivery delayed), then the push of the same entry arrives.
    simulator.webhooks.configure(delay=0.3)
    logs_before = len(simulator.state.logs)
    simulator.press_button(FRONT_DOOR)
    await until(lambda: len(simulator.state.logs) > logs_before)
    await coordinator.async_refresh()
    await until(
        lambda: sum(d["feature"] == "DEVICE_LOGS" for d in simulator.webhooks.deliveries) == 2
    )
    await hass.async_block_till_done()
    assert len(reported) == 2
    assert len(set(reported)) == 2
    assert set(reported) <= {entry["id"] for entry in simulator.state.logs}


# --- replays: a pushed state never replaces a newer one ----------------------------------------


async def delivered(
    simulator: SimulatorServer, feature: str, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Wait until the simulator recorded a delivered `feature` body that passes `check`.

    (A delivery is recorded when Home Assistant has answered it, so after it took effect.)
    """

    def newest() -> dict[str, Any] | None:
        for delivery in reversed(simulator.webhooks.deliveries):
            body: dict[str, Any] | None = delivery.get("body")
            if delivery["feature"] == feature and body is not None and check(body):
                return body
        return None

    await until(lambda: newest() is not None)
    body = newest()
    assert body is not None
    return body


async def unlock_and_lock_by_hand(
    hass: HomeAssistant, simulator: SimulatorServer
) -> dict[str, Any]:
    """Unlock and lock the front door by its button; return the pushed 'unlocked' body."""
    entity_id = lock_entity(hass)
    simulator.press_button(FRONT_DOOR)
    unlocked = await delivered(simulator, "DEVICE_STATUS", lambda b: b["state"]["state"] == 3)
    simulator.press_button(FRONT_DOOR)
    await delivered(simulator, "DEVICE_STATUS", lambda b: b["state"]["state"] == 1)
    assert hass.states.get(entity_id).state == "locked"
    return unlocked


@pytest.mark.parametrize("unlocked_again", [False, True], ids=["replay", "unlocked-again"])
async def test_a_repeated_status_is_read_back(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    http: TestClient,
    unlocked_again: bool,
) -> None:
    """Nuki's DEVICE_STATUS has no date: a body received before is not applied, a read decides.

    A replay (or late re-delivery) changes nothing. A lock that really unlocked again may
    push the same bytes: it shows after the read, and push stays on (the change was pushed).
    """
    coordinator = push_entry.runtime_data.coordinator
    entity_id = lock_entity(hass)
    unlocked = await unlock_and_lock_by_hand(hass, simulator)
    shown: list[str] = []
    push_entry.async_on_unload(
        async_track_state_change_event(
            hass, entity_id, lambda event: shown.append(event.data["new_state"].state)
        )
    )
    if unlocked_again:
        simulator.device(FRONT_DOOR).state["state"] = 3  # at Nuki
    simulator.reset_counters()
    assert await post_signed(http, push_entry, unlocked) == HTTPStatus.OK
    await until(lambda: simulator.counters()["requests"].get("GET /smartlock/log", 0) == 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert shown == (["unlocked"] if unlocked_again else [])
    await after_the_missed_push_grace(hass)
    assert_push_healthy(coordinator)


async def test_a_replay_of_a_push_that_changed_nothing_is_not_applied(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, http: TestClient
) -> None:
    """A push that only repeated what a poll had shown is remembered too."""
    coordinator = push_entry.runtime_data.coordinator
    entity_id = lock_entity(hass)
    device = simulator.device(FRONT_DOOR)

    def status() -> dict[str, Any]:
        return {
            "feature": "DEVICE_STATUS",
            "smartlockId": FRONT_DOOR,
            "state": dict(device.state),
            "serverState": device.data["serverState"],
            "adminPinState": device.data["adminPinState"],
        }

    device.state["state"] = 3
    await coordinator.async_refresh()  # the poll shows "unlocked" first
    unlocked = status()
    assert await post_signed(http, push_entry, unlocked) == HTTPStatus.OK  # changes nothing
    device.state["state"] = 1
    assert await post_signed(http, push_entry, status()) == HTTPStatus.OK
    assert hass.states.get(entity_id).state == "locked"
    assert await post_signed(http, push_entry, unlocked) == HTTPStatus.OK  # replayed
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(entity_id).state == "locked"


async def test_older_masterdata_is_ignored(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, http: TestClient
) -> None:
    """DEVICE_MASTERDATA carries Nuki's updateDate: an older one changes nothing."""
    coordinator = push_entry.runtime_data.coordinator
    await rename(simulator, "Main door")
    first = await delivered(simulator, "DEVICE_MASTERDATA", lambda b: b["name"] == "Main door")
    await rename(simulator, "Back door")
    await delivered(simulator, "DEVICE_MASTERDATA", lambda b: b["name"] == "Back door")
    assert coordinator.data.devices[FRONT_DOOR].name == "Back door"
    simulator.reset_counters()
    late = {**first, "name": "Old door"}  # never seen, but older than what is shown
    assert await post_signed(http, push_entry, late) == HTTPStatus.OK
    assert await post_signed(http, push_entry, first) == HTTPStatus.OK
    await hass.async_block_till_done()
    assert coordinator.data.devices[FRONT_DOOR].name == "Back door"
    assert simulator.counters()["requests"].get("GET /smartlock", 0) == 0


async def rename(simulator: SimulatorServer, name: str) -> None:
    """Rename the front door through Nuki's API (POST /smartlock/{id})."""
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {simulator.token}"}) as api,
        api.post(f"{simulator.url}/smartlock/{FRONT_DOOR}", json={"name": name}) as response,
    ):
        assert response.status == HTTPStatus.NO_CONTENT


async def test_an_older_log_entry_does_not_replace_the_last_actor(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, http: TestClient
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    simulator.press_button(FRONT_DOOR)
    pushed = (await delivered(simulator, "DEVICE_LOGS", lambda _: True))["smartlockLog"]
    newest = coordinator.data.last_log[FRONT_DOOR]
    assert newest.id == pushed["id"]
    older = {
        **pushed,
        "id": "0" * 23 + "1",  # never seen: re-delivered late
        "name": "Anna",
        "date": (newest.date - timedelta(milliseconds=1)).isoformat(),
    }
    assert await post_signed(http, push_entry, {"feature": "DEVICE_LOGS", "smartlockLog": older})
    await hass.async_block_till_done()
    assert coordinator.data.last_log[FRONT_DOOR] is newest


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_older_authorization_push_is_ignored(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, http: TestClient
) -> None:
    """SmartlockAuth carries updateDate: an older pushed authorization changes nothing."""
    anna = next(a for a in simulator.state.auths.values() if a["name"] == "Anna")
    switch = "switch.front_door_keypad_code_anna"
    assert hass.states.get(switch).state == "on"
    stored = dt_util.parse_datetime(anna["updateDate"])
    assert stored is not None
    newer = {**anna, "enabled": False, "updateDate": (stored + timedelta(seconds=1)).isoformat()}
    for auth in (newer, anna):  # the older one arrives late
        body = {"feature": "DEVICE_AUTHS", "deleted": False, "smartlockAuth": auth}
        assert await post_signed(http, push_entry, body) == HTTPStatus.OK
        await hass.async_block_till_done()
    assert hass.states.get(switch).state == "off"


async def test_config_masterdata_and_auth_pushes(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, http: TestClient
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    auths = push_entry.runtime_data.auth_coordinator
    await coordinator.client.update_config(FRONT_DOOR, {"ledEnabled": False})
    await until(
        lambda: (
            coordinator.data.devices[FRONT_DOOR].config is not None
            and coordinator.data.devices[FRONT_DOOR].config.led_enabled is False
        )
    )
    masterdata = {"feature": "DEVICE_MASTERDATA", "deleted": False, "smartlockId": FRONT_DOOR}
    assert await post_signed(http, push_entry, {**masterdata, "name": "Main door"}) == 200
    assert coordinator.data.devices[FRONT_DOOR].name == "Main door"

    await coordinator.client.create_auth(
        FRONT_DOOR,
        {"name": "Guest", "type": 13, "code": 246813, "remoteAllowed": False},
    )
    await until(lambda: any(auth.name == "Guest" for auth in auths.data.values()))

    simulator.reset_counters()
    with patch.object(coordinator, "async_request_refresh", AsyncMock()) as refresh:
        assert await post_signed(http, push_entry, {**masterdata, "deleted": True}) == 200
        assert (
            await post_signed(
                http, push_entry, {"feature": "DEVICE_STATUS", "smartlockId": 1, "state": {}}
            )
            == 200
        )
        await hass.async_block_till_done()
    assert refresh.await_count == 2


# --- health and fallback -------------------------------------------------------------------


async def test_pushes_do_not_postpone_the_safety_poll(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    http: TestClient,
    freezer: Any,
) -> None:
    """The safety poll (registration check, missed pushes) keeps its own schedule."""
    await push_entry.runtime_data.coordinator.async_refresh()  # the next one is due in 10 min
    simulator.reset_counters()
    for minute in range(1, 10):  # a push every minute, more often than the safety interval
        freezer.tick(timedelta(minutes=1))
        assert await post_signed(http, push_entry, unlocked_status(batteryCharge=100 - minute))
    freezer.tick(timedelta(minutes=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.counters()["requests"].get("GET /smartlock", 0) == 1


async def test_a_push_does_not_end_an_outage(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    http: TestClient,
    freezer: Any,
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    entity_id = lock_entity(hass)
    simulator.fail_next("502", count=2, route="GET /smartlock")
    await coordinator.async_refresh()  # the outage starts: the last state is kept
    assert hass.states.get(entity_id).state == "locked"
    freezer.tick(OUTAGE_GRACE + timedelta(seconds=1))
    await coordinator.async_refresh()  # past the grace period: unavailable
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE

    assert await post_signed(http, push_entry, unlocked_status()) == HTTPStatus.OK
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE

    await coordinator.async_refresh()  # Nuki answers again: the poll ends the outage
    assert hass.states.get(entity_id).state == "locked"


async def test_fallback_to_polling_when_pushes_stop(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    assert coordinator.update_interval == SAFETY_INTERVAL
    simulator.webhooks.configure(loss=1.0)
    simulator.press_button(FRONT_DOOR)
    await until(lambda: simulator.device(FRONT_DOOR).state["state"] == 3)
    await coordinator.async_refresh()  # the safety poll finds what push never delivered
    assert hass.states.get(lock_entity(hass)).state == "unlocked"
    assert coordinator.update_interval == SAFETY_INTERVAL  # a push may still be on its way
    await after_the_missed_push_grace(hass)
    assert coordinator.update_interval == NORMAL_INTERVAL
    issue = ir.async_get(hass).async_get_issue(DOMAIN, push_issue_id(push_entry.entry_id))
    assert issue is not None
    assert issue.translation_key == "push_missed"
    assert not running_push(coordinator).healthy

    # Actions no longer wait for a webhook: they use the plain endpoint.
    simulator.reset_counters()
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
    )
    counters = simulator.counters()["requests"]
    assert counters.get("POST /smartlock/{smartlockId}/action", 0) == 1


async def test_a_late_push_keeps_push_healthy(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    simulator.webhooks.configure(delay=0.3)
    simulator.press_button(FRONT_DOOR)
    await until(lambda: simulator.device(FRONT_DOOR).state["state"] == 3)
    await until(lambda: bool(simulator.state.logs) and len(simulator.webhooks.deliveries) == 0)
    await coordinator.async_refresh()  # sees state and log before their pushes arrive
    await until(lambda: len(simulator.webhooks.deliveries) >= 3)
    await hass.async_block_till_done()
    await after_the_missed_push_grace(hass)
    assert_push_healthy(coordinator)


async def test_fallback_when_the_registration_disappears(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    freezer: Any,
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    await coordinator.async_refresh()  # before the safety interval: no check
    assert running_push(coordinator).healthy
    simulator.state.webhooks.clear()
    freezer.tick(SAFETY_INTERVAL)
    await coordinator.async_refresh()
    assert not running_push(coordinator).healthy
    assert coordinator.update_interval == NORMAL_INTERVAL
    issue = ir.async_get(hass).async_get_issue(DOMAIN, push_issue_id(push_entry.entry_id))
    assert issue is not None
    assert issue.translation_key == "push_webhook_gone"


async def test_registration_check_tolerates_an_outage(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry, freezer: Any
) -> None:
    coordinator = push_entry.runtime_data.coordinator
    freezer.tick(SAFETY_INTERVAL)
    simulator.fail_next("500", route="GET /api/decentralWebhook")
    await coordinator.async_refresh()
    assert running_push(coordinator).healthy


# --- advanced actions -----------------------------------------------------------------------


async def test_advanced_action_succeeds(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    simulator.reset_counters()
    entity_id = lock_entity(hass)
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    counters = simulator.counters()["requests"]
    assert counters.get("POST /smartlock/{smartlockId}/action/advanced", 0) == 1
    assert counters.get("POST /smartlock/{smartlockId}/action", 0) == 0
    # The device's new state arrives by push too (deliveries may overtake each other).
    await until(lambda: hass.states.get(entity_id).state == "unlocked")
    await until(
        lambda: any(
            d["feature"] == "API" and d["body"]["success"] for d in simulator.webhooks.deliveries
        )
    )


@pytest.mark.parametrize(
    ("code", "key", "cause"),
    [
        ("45", "device_busy", "busy"),
        ("4f", "night_mode_rejected", "night mode"),
        ("ff", "device_offline", "offline"),
        ("13", "action_failed", "0x13"),
    ],
)
async def test_failed_result_raises_a_translated_error(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    code: str,
    key: str,
    cause: str,
) -> None:
    simulator.state.advanced_errors[FRONT_DOOR] = code
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
        )
    assert err.value.translation_key == key
    assert cause in str(err.value)
    assert "Front door" in str(err.value)
    assert hass.states.get(lock_entity(hass)).state == "locked"


async def test_follow_ups_confirm_an_action_whose_result_never_comes(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    """Nuki does not document results for decentral webhooks: polling confirms the action.

    The follow-up reads start when Nuki accepts the action, not when the wait for its
    result ends, and the wait is short (no call waits 20 s).
    """
    assert push.ACTION_RESULT_WAIT <= 5
    simulator.webhooks.configure(loss=1.0)  # neither the result nor the new state arrive
    entity_id = lock_entity(hass)
    call = hass.async_create_task(
        hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    )
    await until(lambda: simulator.device(FRONT_DOOR).state["state"] == 3)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2.1))  # 1st follow-up
    await until(lambda: hass.states.get(entity_id).state == "unlocked")
    assert not call.done()  # still waiting for the result meanwhile
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=push.ACTION_RESULT_WAIT))
    await call  # no result: the action counts as sent, no error


async def test_a_result_refreshes_at_once(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follow_ups, "FOLLOW_UP_STEP", 60.0)  # out of the way
    simulator.reset_counters()
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
    )
    await until(lambda: simulator.counters()["requests"].get("GET /smartlock", 0) == 1)


async def test_a_failed_result_after_the_wait_is_logged(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    push_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(push, "ACTION_RESULT_WAIT", 0.05)
    simulator.state.actuation_delay = 0.5  # the result comes after the call returned
    simulator.state.advanced_errors[FRONT_DOOR] = "45"
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
    )
    await until(
        lambda: any(
            r.levelno == logging.WARNING and "Front door is busy" in r.getMessage()
            for r in caplog.records
        )
    )
    assert hass.states.get(lock_entity(hass)).state == "locked"


async def test_a_result_may_beat_the_answer_to_the_post(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    """The result webhook may arrive before Nuki's answer with the requestId."""
    coordinator = push_entry.runtime_data.coordinator
    send = coordinator.client.advanced_action

    async def answer_late(*args: Any) -> str:
        request_id = await send(*args)
        await until(
            lambda: any(
                d["feature"] == "API" and d["body"]["requestId"] == request_id
                for d in simulator.webhooks.deliveries
            )
        )
        return request_id

    simulator.state.advanced_errors[FRONT_DOOR] = "4f"
    with (
        patch.object(coordinator.client, "advanced_action", side_effect=answer_late),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
        )
    assert err.value.translation_key == "night_mode_rejected"


async def test_unload_while_an_action_waits_ends_in_a_translated_error(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    simulator.webhooks.configure(loss=1.0)  # the result never comes
    call = hass.async_create_task(
        hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock_entity(hass)}, blocking=True
        )
    )
    advanced = "POST /smartlock/{smartlockId}/action/advanced"
    await until(lambda: simulator.counters()["requests"].get(advanced, 0) == 1)
    await asyncio.sleep(0.05)
    assert not call.done()
    assert await hass.config_entries.async_unload(push_entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await call
    assert err.value.translation_key == "push_stopped"
    assert "Front door" in str(err.value)


# --- keypad codes (advanced auth create) -------------------------------------------------


async def test_advanced_auth_create_names_devices_without_smart_hosting(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    nuki_push = running_push(push_entry.runtime_data.coordinator)
    # Swagger's SmartlocksAuthAdvancedCreate has no type or code: an account user's auth.
    auth = {"name": "Cleaner", "accountUserId": 1001, "remoteAllowed": True}
    with pytest.raises(HomeAssistantError) as err:
        await nuki_push.async_create_auths([FRONT_DOOR, HOLIDAY_FLAT], auth)
    assert err.value.translation_key == "smart_hosting_refused"
    assert "Smart Lock 3.0/4.0 5E6F7081" in str(err.value)  # Nuki never sent its name
    assert "Front door" not in str(err.value)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")
    assert any(
        a["name"] == "Cleaner" and a["smartlockId"] == FRONT_DOOR
        for a in simulator.state.auths.values()
    )
    await nuki_push.async_create_auths([FRONT_DOOR], {**auth, "name": "Cook"})


# --- cleanup and privacy --------------------------------------------------------------------


async def test_unload_deletes_both_webhooks(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    webhook_id = registration(push_entry)["webhook_id"]
    assert await hass.config_entries.async_unload(push_entry.entry_id)
    await hass.async_block_till_done()
    assert not simulator.state.webhooks
    assert CONF_PUSH_REGISTRATION not in push_entry.data
    # The HA webhook is free again (registering a taken id raises).
    webhook.async_register(hass, "test", "test", webhook_id, AsyncMock())
    webhook.async_unregister(hass, webhook_id)


async def test_unload_survives_an_unreachable_nuki(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    simulator.fail_next("500", route="DELETE /api/decentralWebhook/{id}")
    assert await hass.config_entries.async_unload(push_entry.entry_id)
    assert push_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize("loaded", [True, False], ids=["loaded", "setup-retry"])
async def test_remove_is_clean(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    external_url: str,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    loaded: bool,
) -> None:
    """Removal deletes the webhook at Nuki and the stored log cursor, without an error.

    An entry that could not be set up (setup retry) still holds last run's registration
    and cursor: Home Assistant removes it without unloading it first.
    """
    entry = make_entry(simulator, push_on=True)
    entry.add_to_hass(hass)
    if loaded:
        assert await hass.config_entries.async_setup(entry.entry_id)
    else:
        hook = await _register_directly(hass, simulator)
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_PUSH_REGISTRATION: hook}
        )
        since = dt_util.utcnow().isoformat()
        await log_cursor_store(hass, entry.entry_id).async_save({"seen": [], "since": since})
        simulator.fail_next("502", route="GET /smartlock")
        await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
    assert simulator.state.webhooks
    assert log_cursor_store(hass, entry.entry_id).key in hass_storage

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not simulator.state.webhooks
    assert log_cursor_store(hass, entry.entry_id).key not in hass_storage
    no_traceback(caplog)


async def test_diagnostics_hide_webhook_id_and_secret(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    stored = registration(push_entry)
    text = json.dumps(await async_get_config_entry_diagnostics(hass, push_entry))
    assert stored["webhook_id"] not in text
    assert stored["secret"] not in text


class CloudNotAvailable(HomeAssistantError):  # noqa: N818 - the cloud component's name
    """The cloud component's error: the cloud is not available."""


class CloudNotConnected(CloudNotAvailable):
    """The cloud component's error: not connected (yet)."""


class CloudConnectionState(Enum):
    """The cloud component's connection states."""

    CLOUD_CONNECTED = "cloud_connected"
    CLOUD_DISCONNECTED = "cloud_disconnected"


class FakeCloud(SimpleNamespace):
    """A stand-in for the cloud component (importing the real one pulls in camera
    libraries that the test requirements do not have), with the names the push setup uses."""

    CloudNotAvailable = CloudNotAvailable
    CloudNotConnected = CloudNotConnected
    CloudConnectionState = CloudConnectionState

    def __init__(self, *, connected: bool = True) -> None:
        super().__init__()
        self.connected = connected
        self.listeners: list[Callable[[CloudConnectionState], None]] = []
        self.async_create_cloudhook = AsyncMock(side_effect=self._create)
        self.async_delete_cloudhook = AsyncMock()

    @staticmethod
    def async_active_subscription(_hass: HomeAssistant) -> bool:
        return True

    async def _create(self, _hass: HomeAssistant, webhook_id: str) -> str:
        if not self.connected:
            raise CloudNotConnected
        return f"https://hooks.nabu.casa/{webhook_id[:8]}"

    def async_listen_connection_change(
        self, _hass: HomeAssistant, target: Callable[[CloudConnectionState], None]
    ) -> Callable[[], None]:
        self.listeners.append(target)
        return lambda: self.listeners.remove(target)

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        state = CloudConnectionState["CLOUD_CONNECTED" if connected else "CLOUD_DISCONNECTED"]
        for listener in list(self.listeners):
            listener(state)


@pytest.fixture
def cloud(hass: HomeAssistant) -> Iterator[FakeCloud]:
    """Home Assistant Cloud is loaded (with a subscription); there is no external URL."""
    hass.config.components.add("cloud")
    fake = FakeCloud()
    with (
        patch.dict(sys.modules, {"homeassistant.components.cloud": fake}),
        patch.object(components, "cloud", fake, create=True),
    ):
        yield fake


async def test_cloudhook_when_there_is_no_external_url(
    hass: HomeAssistant, simulator: SimulatorServer, cloud: FakeCloud
) -> None:
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    (hook,) = simulator.state.webhooks.values()
    assert hook["webhookUrl"].startswith("https://hooks.nabu.casa/")
    assert registration(entry)["cloudhook"] is True
    cloud.async_delete_cloudhook.side_effect = HomeAssistantError("cloud is gone")
    assert await hass.config_entries.async_unload(entry.entry_id)
    cloud.async_delete_cloudhook.assert_awaited_once()
    assert not simulator.state.webhooks


async def test_push_registers_once_the_cloud_connects(
    hass: HomeAssistant, simulator: SimulatorServer, cloud: FakeCloud
) -> None:
    """At startup Nabu Casa may not be connected yet: polling goes on, push follows."""
    cloud.connected = False
    entry = make_entry(simulator, push_on=True)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    assert entry.runtime_data.push is None
    assert coordinator.update_interval == NORMAL_INTERVAL
    assert hass.states.get(lock_entity(hass)).state == "locked"
    assert not simulator.state.webhooks
    assert ir.async_get(hass).async_get_issue(DOMAIN, push_issue_id(entry.entry_id)) is None

    cloud.set_connected(True)
    await hass.async_block_till_done(wait_background_tasks=True)
    running_push(coordinator)
    assert coordinator.update_interval == SAFETY_INTERVAL
    (hook,) = simulator.state.webhooks.values()
    assert hook["webhookUrl"].startswith("https://hooks.nabu.casa/")
    # A later reconnection changes nothing; unloading stops listening.
    cloud.set_connected(False)
    cloud.set_connected(True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.state.webhooks) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert not cloud.listeners


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_authorization_deleted_in_nuki_loses_its_switch_by_push(
    hass: HomeAssistant, simulator: SimulatorServer, push_entry: MockConfigEntry
) -> None:
    """A DEVICE_AUTHS push with ``deleted`` removes the switch from the registry, no read needed."""
    registry = er.async_get(hass)
    anna = next(a for a in simulator.state.auths.values() if a["name"] == "Anna")
    switch = "switch.front_door_keypad_code_anna"
    assert registry.async_get(switch) is not None
    simulator.reset_counters()
    simulator.state.delete_auth_later(anna)  # deleted in the Nuki app
    await delivered(simulator, "DEVICE_AUTHS", lambda body: body["deleted"] is True)
    await hass.async_block_till_done()
    assert registry.async_get(switch) is None
    assert hass.states.get(switch) is None
    assert "GET /smartlock/auth" not in simulator.counters()["requests"]
