"""Delivery redirect and injected advanced-action failures (used by the push tests)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from simulator.testing import SimulatorServer
from simulator.webhooks import SIGNATURE_HEADER, sign

from .conftest import FRONT_DOOR, wait_for


async def _receiver(
    received: list[tuple[str, dict[str, Any], str]],
) -> web.AppRunner:
    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        received.append((request.path_qs, json.loads(raw), request.headers[SIGNATURE_HEADER]))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/webhook/{id}", receive)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def test_redirect_delivers_https_registration_to_loopback(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    received: list[tuple[str, dict[str, Any], str]] = []
    runner = await _receiver(received)
    try:
        sim.webhooks.configure(redirect=f"http://127.0.0.1:{runner.addresses[0][1]}/")
        async with api.put(
            "/api/decentralWebhook",
            json={
                "webhookUrl": "https://ha.example.com/api/webhook/abc?x=1",
                "webhookFeatures": ["DEVICE_STATUS"],
            },
        ) as resp:
            hook = await resp.json()
        sim.set_door(FRONT_DOOR, "open")
        await wait_for(lambda: bool(received))
        path, body, signature = received[0]
        assert path == "/api/webhook/abc?x=1"
        assert body["feature"] == "DEVICE_STATUS"
        raw = json.dumps(body, separators=(",", ":")).encode()
        assert signature == sign(hook["secret"], raw)
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def registered(
    api: aiohttp.ClientSession, features: list[str]
) -> AsyncIterator[list[tuple[str, dict[str, Any], str]]]:
    """A loopback receiver registered at the simulator for `features`; yields what it got."""
    received: list[tuple[str, dict[str, Any], str]] = []
    runner = await _receiver(received)
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/webhook/x"
        async with api.put(
            "/api/decentralWebhook", json={"webhookUrl": url, "webhookFeatures": features}
        ) as resp:
            assert resp.status == 200
        yield received
    finally:
        await runner.cleanup()


async def test_injected_advanced_error_code(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    async with registered(api, ["DEVICE_STATUS"]) as received:
        state = sim.device(FRONT_DOOR).state["state"]
        sim.state.advanced_errors[FRONT_DOOR] = "4f"
        async with api.post(f"/smartlock/{FRONT_DOOR}/action/advanced", json={"action": 1}) as resp:
            request_id = (await resp.json())["requestId"]
        await wait_for(lambda: bool(received))
        assert received[0][1] == {
            "type": "UnlockAction",
            "requestId": request_id,
            "smartlockId": FRONT_DOOR,
            "success": False,
            "errorCode": "4f",
        }
        assert sim.device(FRONT_DOOR).state["state"] == state  # the device did not move
        assert FRONT_DOOR not in sim.state.advanced_errors  # one result only


async def test_rename_delivers_masterdata_with_the_update_date(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    """DEVICE_MASTERDATA as in Nuki's webhook log example; DEVICE_STATUS has no date."""
    async with registered(api, ["DEVICE_MASTERDATA", "DEVICE_STATUS"]) as received:
        before = sim.device(FRONT_DOOR).data["updateDate"]
        async with api.post(f"/smartlock/{FRONT_DOOR}", json={"name": "Main door"}) as resp:
            assert resp.status == 204
        await wait_for(lambda: bool(received))
        body = received[0][1]
        assert body["feature"] == "DEVICE_MASTERDATA"
        assert body["deleted"] is False
        assert body["name"] == "Main door"
        assert body["updateDate"] > before
        assert body["updateDate"] == sim.device(FRONT_DOOR).data["updateDate"]
        assert {"smartlockId", "accountId", "type", "authId", "serverState"} <= body.keys()

        sim.set_door(FRONT_DOOR, "open")
        await wait_for(lambda: len(received) == 2)
        status = received[1][1]
        assert set(status) == {"feature", "smartlockId", "state", "serverState", "adminPinState"}
