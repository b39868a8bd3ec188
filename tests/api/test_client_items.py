"""List answers are parsed item by item: one bad item costs only itself (issue 11 §2)."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.nuki_web_api.api import NukiWebApiClient, ParsedList

from . import payloads
from .conftest import FakeNuki

GOOD_ID = payloads.SMARTLOCK_3_4["smartlockId"]

BAD_DEVICES: list[Any] = [
    None,
    "a string",
    {k: v for k, v in payloads.OPENER.items() if k != "smartlockId"},  # no id
    {**payloads.OPENER, "smartlockId": str(payloads.OPENER["smartlockId"])},  # id as string
    {**payloads.SMART_DOOR, "type": None},
]
BAD_LOGS: list[Any] = [
    {**payloads.LOG_LOCK, "id": "a1", "date": None},
    {**payloads.LOG_LOCK, "id": "a2", "date": "0000-00-00T00:00:00Z"},
    {**payloads.LOG_LOCK, "id": "a3", "date": "0001-01-01T00:00:00+01:00"},  # before year 1 in UTC
    {**payloads.LOG_LOCK, "id": "a4", "action": None},
    {**payloads.LOG_LOCK, "id": 12345},
    None,
]


def skipped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Skipped ")]


async def test_bad_device_items_are_skipped_one_by_one(
    client: NukiWebApiClient, nuki_server: FakeNuki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nuki_server.respond(200, [*BAD_DEVICES[:2], payloads.SMARTLOCK_3_4, *BAD_DEVICES[2:]])
    devices = await client.smartlocks()
    assert isinstance(devices, ParsedList)
    assert [d.smartlock_id for d in devices] == [GOOD_ID]
    assert devices.skipped == len(BAD_DEVICES)
    lines = skipped_lines(caplog)
    assert len(lines) == len(BAD_DEVICES)
    assert f"(id {payloads.SMART_DOOR['smartlockId']}): smartlock.type" in "\n".join(lines)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.getMessage() in lines)

    # The same bad items again: logged once only; the good device is the same object.
    caplog.clear()
    nuki_server.respond(200, [*BAD_DEVICES, copy.deepcopy(payloads.SMARTLOCK_3_4)])
    again = await client.smartlocks()
    assert again[0] is devices[0]
    assert again.skipped == len(BAD_DEVICES)
    assert skipped_lines(caplog) == []


async def test_bad_log_entries_are_skipped(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    good = [payloads.LOG_OPENER, payloads.LOG_LOCK]
    nuki_server.respond(200, [BAD_LOGS[0], good[0], *BAD_LOGS[1:], good[1]])
    entries = await client.logs()
    assert [e.id for e in entries] == [g["id"] for g in good]
    assert entries.skipped == len(BAD_LOGS)


async def test_bad_auth_and_webhook_items_are_skipped(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(200, [{"id": "x", "type": 13}, payloads.AUTH_KEYPAD, []])
    auths = await client.auths()
    assert [a.id for a in auths] == [payloads.AUTH_KEYPAD["id"]]
    assert auths.skipped == 2

    hook = {"id": 1, "webhookUrl": "https://example.com/x", "webhookFeatures": ["DEVICE_STATUS"]}
    nuki_server.respond(200, [{"id": 2, "webhookUrl": None}, hook])
    hooks = await client.decentral_webhooks()
    assert [h.id for h in hooks] == [1]
    assert hooks.skipped == 1


# --- against the simulator's "bad-items" fault -------------------------------------------


@pytest.fixture
async def sim_client(socket_enabled: None) -> AsyncIterator[tuple[Any, NukiWebApiClient]]:
    from simulator.testing import SimulatorServer  # noqa: PLC0415

    async with SimulatorServer() as sim, aiohttp.ClientSession() as session:
        yield sim, NukiWebApiClient(session, sim.token, base_url=sim.url)


@pytest.mark.parametrize(
    ("route", "read"),
    [
        ("GET /smartlock", lambda api: api.smartlocks()),
        ("GET /smartlock/log", lambda api: api.logs()),
        ("GET /smartlock/auth", lambda api: api.auths()),
    ],
)
async def test_simulated_bad_items(
    sim_client: tuple[Any, NukiWebApiClient], route: str, read: Any
) -> None:
    sim, api = sim_client
    clean = await read(api)
    assert clean.skipped == 0
    sim.fail_next("bad-items", route=route)
    spoiled = await read(api)
    assert spoiled.skipped >= 6
    # Every real item is kept (an authorization without id or type parses, as the
    # Smart Hosting error items do: those fields are optional).
    assert all(item in spoiled for item in clean)
