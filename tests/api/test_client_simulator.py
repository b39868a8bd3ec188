"""Every client method against the Nuki Web API simulator (demo scenario)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.nuki_web_api.api import (
    AuthType,
    BuzzerVolume,
    DeviceType,
    LockAction,
    LockState,
    NukiAuthError,
    NukiBadRequestError,
    NukiConnectionError,
    NukiDeviceBusyError,
    NukiForbiddenError,
    NukiInvalidResponseError,
    NukiNotAllowedError,
    NukiRateLimitError,
    NukiServerError,
    NukiSmartHostingError,
    NukiTimeoutError,
    NukiWebApiClient,
    OpenerAction,
    OpenerState,
)
from simulator.testing import SimulatorServer

FRONT = 17618910285  # Smart Lock 3.0/4.0 with keypad and door sensor
OPENER = 9315306846
GARDEN = 13896605295  # Smart Door
OFFICE = 22772871024  # Smart Lock 5
HOLIDAY = 18764230785  # no Smart Hosting
CELLAR = 1869644178  # second account
ACCOUNT_USER = 1001


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(scenario="demo", actuation_delay=0.01) as server:
        yield server


@pytest.fixture
async def api(sim: SimulatorServer) -> AsyncIterator[NukiWebApiClient]:
    async with aiohttp.ClientSession() as session:
        yield NukiWebApiClient(session, sim.token, base_url=sim.url, timeout=5.0)


async def settle(sim: SimulatorServer) -> None:
    """Wait until the simulator has applied every accepted (asynchronous) change."""
    while tasks := set(sim.state._tasks):
        await asyncio.wait(tasks)


async def test_account_and_devices(api: NukiWebApiClient) -> None:
    account = await api.account()
    assert account.account_id == 682876543
    devices = {d.smartlock_id: d for d in await api.smartlocks()}
    assert set(devices) == {FRONT, OPENER, GARDEN, OFFICE, HOLIDAY}
    assert devices[FRONT].type is DeviceType.SMARTLOCK_3_4
    assert devices[OPENER].model == "Opener"
    assert devices[GARDEN].model == "Smart Door"
    assert devices[OFFICE].model.startswith("Smart Lock 5")
    assert devices[HOLIDAY].smart_hosting_missing
    assert devices[HOLIDAY].state is None
    assert all(not d.smart_hosting_missing for i, d in devices.items() if i != HOLIDAY)
    front = await api.smartlock(FRONT)
    assert front.name == "Front door"
    assert front.firmware is not None


@pytest.mark.parametrize("body", ["detailMessage", "error"])
async def test_smart_hosting_error_body_variants(
    api: NukiWebApiClient, sim: SimulatorServer, body: str
) -> None:
    """The message is recognised in the seed's body and in docs.nuki.io's {"error": ...}."""
    sim.state.set_smart_hosting_body(body)
    with pytest.raises(NukiSmartHostingError) as info:
        await api.action(HOLIDAY, LockAction.UNLOCK)
    assert info.value.smartlock_ids == (HOLIDAY,)
    assert info.value.status == 402


async def test_busy_device_without_message(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    """A 423 whose body has no detailMessage is still "device busy"."""
    sim.state.actuation_delay = 5
    await api.unlock(FRONT)
    with pytest.raises(NukiDeviceBusyError, match=r"-> HTTP 423$"):
        await api.lock(FRONT)


async def test_box_accepts_only_unlock(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    box = sim.add_device({"name": "Parcel box", "type": 1})
    with pytest.raises(NukiBadRequestError):
        await api.action(box, LockAction.LOCK)
    await api.action(box, LockAction.UNLOCK)


async def test_smart_hosting_on_single_device(api: NukiWebApiClient) -> None:
    with pytest.raises(NukiSmartHostingError) as info:
        await api.smartlock(HOLIDAY)
    assert info.value.smartlock_ids == (HOLIDAY,)
    with pytest.raises(NukiSmartHostingError):
        await api.unlock(HOLIDAY)


async def test_lock_unlock_action_sync(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    await api.unlock(FRONT)
    await settle(sim)
    state = (await api.smartlock(FRONT)).state
    assert state is not None
    assert state.state is LockState.UNLOCKED
    await api.lock(FRONT)
    await settle(sim)
    state = (await api.smartlock(FRONT)).state
    assert state is not None
    assert state.state is LockState.LOCKED
    await api.action(FRONT, LockAction.UNLOCK)
    await settle(sim)
    state = (await api.smartlock(FRONT)).state
    assert state is not None
    assert state.state is LockState.UNLOCKED
    await api.sync(FRONT)
    await api.sync(HOLIDAY)  # sync is accepted without Smart Hosting too


async def test_opener_actions(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    with pytest.raises(NukiNotAllowedError):
        await api.lock(OPENER)
    await api.action(OPENER, OpenerAction.ACTIVATE_RING_TO_OPEN)
    await settle(sim)
    state = (await api.smartlock(OPENER)).state
    assert state is not None
    assert state.state is OpenerState.RING_TO_OPEN_ACTIVE


async def test_advanced_actions(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    request_ids = [
        await api.advanced_unlock(FRONT),
        await api.advanced_action(GARDEN, LockAction.UNLOCK),
        await api.advanced_lock(OFFICE),
    ]
    assert all(isinstance(r, str) and r for r in request_ids)
    assert len(set(request_ids)) == 3
    await settle(sim)


async def test_logs(api: NukiWebApiClient) -> None:
    logs = await api.logs()
    assert logs
    dates = [entry.date for entry in logs]
    assert dates == sorted(dates, reverse=True)
    front = await api.logs(smartlock_id=FRONT, limit=2)
    assert len(front) == 2
    assert {entry.smartlock_id for entry in front} == {FRONT}
    older = await api.logs(smartlock_id=FRONT, before_id=front[-1].id)
    assert older
    assert all(entry.date <= front[-1].date for entry in older)
    assert front[-1].id not in {entry.id for entry in older}
    recent = await api.logs(from_date=logs[0].date)
    assert [entry.id for entry in recent] == [logs[0].id]


async def test_auth_lifecycle(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    keypad = await api.auths(smartlock_id=FRONT, types=[AuthType.KEYPAD_CODE])
    assert keypad
    assert {a.type for a in keypad} == {AuthType.KEYPAD_CODE}
    everything = await api.auths()
    assert {a.smartlock_id for a in everything} >= {FRONT, OPENER}

    await api.create_auth(
        FRONT, {"name": "Putzhilfe", "type": 13, "code": 345678, "remoteAllowed": False}
    )
    await settle(sim)
    (created,) = [a for a in await api.auths(smartlock_id=FRONT) if a.name == "Putzhilfe"]
    assert created.code == 345678
    assert created.id is not None

    await api.update_auth(FRONT, created.id, {"name": "Putzhilfe 2", "enabled": False})
    await settle(sim)
    (updated,) = [a for a in await api.auths(smartlock_id=FRONT) if a.id == created.id]
    assert updated.name == "Putzhilfe 2"
    assert updated.enabled is False

    await api.delete_auth(FRONT, created.id)
    await settle(sim)
    assert created.id not in {a.id for a in await api.auths(smartlock_id=FRONT)}


async def test_bulk_auths(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    await api.create_auths(
        [FRONT, GARDEN], {"name": "Gast", "remoteAllowed": True, "accountUserId": ACCOUNT_USER}
    )
    await settle(sim)
    guests = [a for a in await api.auths() if a.name == "Gast"]
    assert {a.smartlock_id for a in guests} == {FRONT, GARDEN}
    ids = [a.id for a in guests if a.id is not None]
    await api.update_auths([{"id": i, "name": "Gast 2"} for i in ids])
    await settle(sim)
    assert {a.id for a in await api.auths() if a.name == "Gast 2"} == set(ids)
    await api.delete_auths(ids)
    await settle(sim)
    assert not set(ids) & {a.id for a in await api.auths()}


async def test_create_auths_advanced_names_devices_without_smart_hosting(
    api: NukiWebApiClient, sim: SimulatorServer
) -> None:
    confirmation = await api.create_auths_advanced(
        [FRONT, HOLIDAY], {"name": "Gast", "remoteAllowed": True, "accountUserId": ACCOUNT_USER}
    )
    assert confirmation.request_id
    assert confirmation.smart_hosting_missing
    assert confirmation.smartlock_ids == (HOLIDAY,)
    await settle(sim)


async def test_config_writes(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    await api.update_config(FRONT, {"ledEnabled": False, "ledBrightness": 1})
    await api.update_advanced_config(OFFICE, {"autoLock": True, "autoLockTimeout": 120})
    await api.update_opener_advanced_config(OPENER, {"rtoTimeout": 25})
    await api.update_smartdoor_advanced_config(GARDEN, {"buzzerVolume": 0})
    await api.update_web_config(FRONT, {"batteryWarningPerMailEnabled": False})
    await api.bulk_web_config([GARDEN, OFFICE], {"batteryWarningPerMailEnabled": True})
    await api.set_admin_pin(FRONT, 4711)
    await settle(sim)
    devices = {d.smartlock_id: d for d in await api.smartlocks()}
    front, office = devices[FRONT], devices[OFFICE]
    assert front.config is not None
    assert front.config.led_enabled is False
    assert front.config.led_brightness == 1
    assert office.advanced_config is not None
    assert office.advanced_config.auto_lock is True
    assert office.advanced_config.auto_lock_timeout == 120
    opener_config = devices[OPENER].opener_advanced_config
    assert opener_config is not None
    assert opener_config.rto_timeout == 25
    door_config = devices[GARDEN].smartdoor_advanced_config
    assert door_config is not None
    assert door_config.buzzer_volume is BuzzerVolume.OFF
    assert front.web_config is not None
    assert front.web_config.battery_warning_per_mail_enabled is False
    for smartlock_id in (GARDEN, OFFICE):
        web_config = devices[smartlock_id].web_config
        assert web_config is not None
        assert web_config.battery_warning_per_mail_enabled is True


async def test_decentral_webhooks(api: NukiWebApiClient) -> None:
    hook = await api.register_decentral_webhook(
        "https://example.com/nuki", ["DEVICE_STATUS", "DEVICE_LOGS"]
    )
    assert hook.id is not None
    assert hook.secret
    assert hook.webhook_features == ("DEVICE_STATUS", "DEVICE_LOGS")
    assert hook.id in {h.id for h in await api.decentral_webhooks()}
    await api.delete_decentral_webhook(hook.id)
    assert hook.id not in {h.id for h in await api.decentral_webhooks()}


async def test_wrong_token(sim: SimulatorServer) -> None:
    async with aiohttp.ClientSession() as session:
        client = NukiWebApiClient(session, "not-a-token", base_url=sim.url)
        with pytest.raises(NukiAuthError):
            await client.smartlocks()


async def test_oversized_token_leaves_no_fragment_in_logs(
    sim: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A 10 kB token: aiohttp's server answers 400 and echoes the start of the header.

    (The simulator's own aiohttp server logs that start with a traceback: Nuki's side.)
    """
    caplog.set_level(logging.DEBUG)
    token = "a1B2c3D4e5" * 1024
    async with aiohttp.ClientSession() as session:
        client = NukiWebApiClient(session, token, base_url=sim.url)
        with pytest.raises(NukiBadRequestError) as info:
            await client.account()
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert ours
    shown = "\n".join([str(info.value), *ours])
    assert "Bearer ***" in str(info.value)
    assert not any(token[i : i + 8] in shown for i in range(len(token) - 7))


@pytest.mark.parametrize(
    ("kind", "exc"),
    [
        ("401", NukiAuthError),
        ("403", NukiForbiddenError),
        ("423", NukiDeviceBusyError),
        ("429", NukiRateLimitError),
        ("429-no-retry-after", NukiRateLimitError),
        ("500", NukiServerError),
        ("502", NukiServerError),
        ("500-json", NukiServerError),
        ("malformed", NukiInvalidResponseError),
        ("truncated", NukiConnectionError),
    ],
)
async def test_simulated_faults(
    api: NukiWebApiClient, sim: SimulatorServer, kind: str, exc: type[Exception]
) -> None:
    sim.fail_next(kind, route="GET /smartlock")
    with pytest.raises(exc) as info:
        await api.smartlocks()
    if kind == "429":
        assert isinstance(info.value, NukiRateLimitError)
        assert info.value.retry_after is not None
    if kind == "429-no-retry-after":
        assert isinstance(info.value, NukiRateLimitError)
        assert info.value.retry_after is None
    if kind == "403":
        assert str(info.value) == "GET /smartlock -> HTTP 403: 403 Forbidden"
    if kind == "423":
        assert str(info.value) == "GET /smartlock -> HTTP 423"
    if kind == "500-json":
        assert "unexpected condition" in str(info.value)
    assert len(await api.smartlocks()) == 5


async def test_simulated_error_items(api: NukiWebApiClient, sim: SimulatorServer) -> None:
    sim.fail_next("error-items", route="GET /smartlock")
    devices = await api.smartlocks()
    assert len(devices) == 5
    assert all(d.error for d in devices)
    assert all(d.state is None for d in devices)


async def test_simulated_timeout(sim: SimulatorServer) -> None:
    sim.set_faults(timeout_seconds=30)
    sim.fail_next("timeout", route="GET /account")
    async with aiohttp.ClientSession() as session:
        client = NukiWebApiClient(session, sim.token, base_url=sim.url, timeout=0.2)
        with pytest.raises(NukiTimeoutError):
            await client.account()
