"""Tokens and scopes, auth endpoints, config endpoints, decentral webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from simulator.testing import SimulatorServer

from .conftest import CELLAR, FRONT_DOOR, OFFICE, OPENER, SMART_DOOR, client, wait_for

NOT_AUTHORIZED = {
    "detailMessage": "Your access token is not authorized",
    "stackTrace": [],
    "suppressedExceptions": [],
}


async def test_wrong_or_missing_token_is_401(sim: SimulatorServer) -> None:
    async with client(sim, "wrong") as api, api.get("/smartlock") as resp:
        assert resp.status == 401
        assert await resp.json() == NOT_AUTHORIZED
    async with (
        aiohttp.ClientSession(base_url=sim.url) as raw,
        raw.post(f"/smartlock/{FRONT_DOOR}/action/lock") as resp,
    ):
        assert resp.status == 401
    assert sim.device(FRONT_DOOR).state["state"] == 1


async def test_missing_scope_is_401_on_that_endpoint_only(sim: SimulatorServer) -> None:
    async with client(sim, "nuki-sim-no-log-token") as api:
        async with api.get("/smartlock/log") as resp:
            assert resp.status == 401
            assert await resp.json() == NOT_AUTHORIZED
        async with api.get(f"/smartlock/{FRONT_DOOR}/log") as resp:
            assert resp.status == 401
        async with api.get("/smartlock") as resp:
            assert resp.status == 200
    async with client(sim, "nuki-sim-readonly-token") as api:
        async with api.get(f"/smartlock/{FRONT_DOOR}") as resp:
            assert resp.status == 200
        async with api.post(f"/smartlock/{FRONT_DOOR}/action/lock") as resp:
            assert resp.status == 401


async def test_tokens_see_their_own_account(socket_enabled: None) -> None:
    async with SimulatorServer(tokens=["first", "second"]) as sim:
        assert sim.tokens[:2] == ["first", "second"]
        async with client(sim, "second") as api:
            async with api.get("/smartlock") as resp:
                assert [d["smartlockId"] for d in await resp.json()] == [CELLAR]
            async with api.get("/account") as resp:
                assert (await resp.json())["name"] == "Robin Demo"
        async with client(sim, "first") as api, api.get(f"/smartlock/{CELLAR}") as resp:
            assert resp.status == 404
    with pytest.raises(ValueError, match="tokens"):
        SimulatorServer(tokens=[str(i) for i in range(9)])


async def test_advanced_endpoints_need_advanced_api(sim: SimulatorServer) -> None:
    async with client(sim, "nuki-sim-second-account-token") as api:
        async with api.get("/api/decentralWebhook") as resp:
            assert resp.status == 403
        async with api.post(f"/smartlock/{CELLAR}/action/lock/advanced") as resp:
            assert resp.status == 403
        async with api.post(f"/smartlock/{CELLAR}/action/lock") as resp:
            assert resp.status == 204


async def test_auth_lifecycle(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.state.actuation_delay = 0.2
    create = {"name": "Bob", "type": 13, "code": 345678, "remoteAllowed": False}
    async with api.put(f"/smartlock/{FRONT_DOOR}/auth", json=create) as resp:
        assert resp.status == 204
    async with api.get(f"/smartlock/{FRONT_DOOR}/auth", params={"types": "13"}) as resp:
        assert [a["name"] for a in await resp.json()] == ["Anna"]  # not yet applied
    await wait_for(lambda: any(a["name"] == "Bob" for a in sim.state.auths.values()))
    async with api.get(f"/smartlock/{FRONT_DOOR}/auth", params={"types": "13"}) as resp:
        bob = next(a for a in await resp.json() if a["name"] == "Bob")
    assert (bob["code"], bob["type"], bob["enabled"], bob["smartlockId"]) == (
        345678,
        13,
        True,
        FRONT_DOOR,
    )
    async with api.post(
        f"/smartlock/{FRONT_DOOR}/auth/{bob['id']}", json={"name": "Bobby", "enabled": False}
    ) as resp:
        assert resp.status == 204
    async with api.post(
        f"/smartlock/{FRONT_DOOR}/auth/{bob['id']}", json={"name": "Again"}
    ) as resp:
        assert resp.status == 423  # change still pending
    await wait_for(lambda: sim.state.auths[bob["id"]]["name"] == "Bobby")
    async with api.get(f"/smartlock/{FRONT_DOOR}/auth/{bob['id']}") as resp:
        assert (await resp.json())["enabled"] is False
    async with api.delete(f"/smartlock/{FRONT_DOOR}/auth/{bob['id']}") as resp:
        assert resp.status == 204
    await wait_for(lambda: bob["id"] not in sim.state.auths)
    async with api.get(f"/smartlock/{FRONT_DOOR}/auth/{bob['id']}") as resp:
        assert resp.status == 404


async def test_keypad_code_keeps_20_characters_of_its_name(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    """Nuki keeps 20 characters of a keypad code's name; other authorizations keep 32."""
    long_name = "Cleaning service Mon-Fri"  # 24 characters
    create = {"name": long_name, "type": 13, "code": 345678, "remoteAllowed": False}
    async with api.put(f"/smartlock/{FRONT_DOOR}/auth", json=create) as resp:
        assert resp.status == 204
    app = {"name": "A" * 32, "accountUserId": 5, "remoteAllowed": True}
    async with api.put(f"/smartlock/{FRONT_DOOR}/auth", json=app) as resp:
        assert resp.status == 204
    await wait_for(
        lambda: {"Cleaning service Mon", "A" * 32} <= {a["name"] for a in sim.state.auths.values()}
    )
    code = next(a for a in sim.state.auths.values() if a.get("code") == 345678)
    async with api.post(
        f"/smartlock/{FRONT_DOOR}/auth/{code['id']}", json={"name": "B" * 32}
    ) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.state.auths[code["id"]]["name"] == "B" * 20)


@pytest.mark.parametrize(
    ("device", "body", "status", "message"),
    [
        (FRONT_DOOR, {"name": "X", "type": 13, "code": 456789, "remoteAllowed": False}, 409, None),
        (
            FRONT_DOOR,
            {"name": "X", "type": 13, "code": 123456, "remoteAllowed": False},
            400,
            "'123456' for parameter 'code'",
        ),
        (
            FRONT_DOOR,
            {"name": "X", "type": 13, "code": 345670, "remoteAllowed": False},
            400,
            "parameter 'code'",
        ),
        (
            FRONT_DOOR,
            {"name": "X", "type": 13, "code": 34567, "remoteAllowed": False},
            400,
            "parameter 'code'",
        ),
        (
            OFFICE,
            {"name": "X", "type": 13, "code": 345678, "remoteAllowed": False},
            400,
            "'13' for parameter 'type'",
        ),
        (FRONT_DOOR, {"name": "X", "remoteAllowed": True}, 400, "parameter 'accountUserId'"),
        (FRONT_DOOR, {"name": "X", "accountUserId": 5}, 400, "parameter 'remoteAllowed'"),
        (
            FRONT_DOOR,
            {"name": "X" * 33, "remoteAllowed": True, "accountUserId": 5},
            400,
            "parameter 'name'",
        ),
        (
            FRONT_DOOR,
            {"name": "X", "remoteAllowed": True, "accountUserId": 5, "type": 3},
            400,
            "parameter 'type'",
        ),
        (
            FRONT_DOOR,
            {"name": "X", "remoteAllowed": "yes", "accountUserId": 5},
            400,
            "parameter 'remoteAllowed'",
        ),
    ],
)
async def test_auth_create_validation(
    api: aiohttp.ClientSession, device: int, body: dict[str, Any], status: int, message: str | None
) -> None:
    async with api.put(f"/smartlock/{device}/auth", json=body) as resp:
        assert resp.status == status
        if message:
            assert message in (await resp.json())["detailMessage"]


async def test_bulk_auth_update_and_delete(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    anna = next(a for a in sim.state.auths.values() if a["name"] == "Anna")
    async with api.post(
        "/smartlock/auth", json=[{"id": anna["id"], "name": "Anna B", "code": 456788}]
    ) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.state.auths[anna["id"]]["name"] == "Anna B")
    assert sim.state.auths[anna["id"]]["code"] == 456788
    async with api.get("/smartlock/auth", params={"types": "13"}) as resp:
        assert {a["smartlockId"] for a in await resp.json()} >= {FRONT_DOOR}
    async with api.delete("/smartlock/auth", json=[anna["id"]]) as resp:
        assert resp.status == 204
    await wait_for(lambda: anna["id"] not in sim.state.auths)
    async with api.delete("/smartlock/auth", json=["0" * 24]) as resp:
        assert resp.status == 404


@pytest.mark.parametrize(
    ("device", "suffix", "key", "body"),
    [
        (FRONT_DOOR, "config", "config", {"ledBrightness": 1, "name": "Main door"}),
        (FRONT_DOOR, "advanced/config", "advancedConfig", {"autoLock": True, "lngTimeout": 30}),
        (OPENER, "advanced/openerconfig", "openerAdvancedConfig", {"soundLevel": 100}),
        (SMART_DOOR, "advanced/smartdoorconfig", "smartdoorAdvancedConfig", {"buzzerVolume": 0}),
        (OFFICE, "web/config", "webConfig", {"batteryWarningPerMailEnabled": False}),
    ],
)
async def test_config_applies_after_delay(
    sim: SimulatorServer,
    api: aiohttp.ClientSession,
    device: int,
    suffix: str,
    key: str,
    body: dict[str, Any],
) -> None:
    sim.state.actuation_delay = 0.2
    full = {**sim.device(device).data[key], **body}  # the whole object, read-only fields included
    async with api.post(f"/smartlock/{device}/{suffix}", json=full) as resp:
        assert resp.status == 204
    async with api.get(f"/smartlock/{device}") as resp:
        before = (await resp.json())[key]
    assert any(before[k] != v for k, v in body.items())
    await wait_for(lambda: all(sim.device(device).data[key][k] == v for k, v in body.items()))
    if "name" in body:
        assert sim.device(device).data["name"] == body["name"]


@pytest.mark.parametrize(
    ("device", "suffix", "body", "param"),
    [
        (FRONT_DOOR, "config", {"ledBrightness": 9}, "ledBrightness"),
        (FRONT_DOOR, "config", {"ledEnabled": "yes"}, "ledEnabled"),
        (FRONT_DOOR, "config", {"colour": "red"}, "colour"),
        (FRONT_DOOR, "advanced/openerconfig", {"soundLevel": 1}, "smartlockId"),
        (OPENER, "advanced/config", {"autoLock": True}, "smartlockId"),
        (FRONT_DOOR, "admin/pin", {"adminPin": "x"}, "adminPin"),
    ],
)
async def test_config_validation(
    api: aiohttp.ClientSession, device: int, suffix: str, body: dict[str, Any], param: str
) -> None:
    async with api.post(f"/smartlock/{device}/{suffix}", json=body) as resp:
        assert resp.status == 400
        assert f"for parameter '{param}' is not valid" in (await resp.json())["detailMessage"]


async def test_admin_pin_update_and_delete(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    sim.device(OFFICE).data["adminPinState"] = 1
    async with api.post(f"/smartlock/{OFFICE}/admin/pin", json={"adminPin": 4711}) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.device(OFFICE).data["adminPinState"] == 0)
    async with api.post(f"/smartlock/{OFFICE}", json={"name": "Study", "favorite": True}) as resp:
        assert resp.status == 204
    assert sim.device(OFFICE).data["favorite"] is True
    async with api.post(
        "/bulk-web-config",
        json={
            "webConfigRequests": [
                {"smartlockId": OFFICE, "webConfig": {"batteryWarningPerMailEnabled": False}}
            ]
        },
    ) as resp:
        assert resp.status == 204
    await wait_for(
        lambda: sim.device(OFFICE).data["webConfig"]["batteryWarningPerMailEnabled"] is False
    )
    async with api.delete(f"/smartlock/{OFFICE}") as resp:
        assert resp.status == 204
    async with api.get(f"/smartlock/{OFFICE}") as resp:
        assert resp.status == 404


async def test_decentral_webhooks_and_signed_delivery(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    received: list[tuple[dict[str, Any], bool]] = []
    secret: dict[str, str] = {}

    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        expected = hmac.new(secret["value"].encode(), raw, hashlib.sha256).hexdigest()
        received.append((json.loads(raw), request.headers["X-Nuki-Signature-SHA256"] == expected))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        async with api.put(
            "/api/decentralWebhook",
            json={"webhookUrl": "ftp://x", "webhookFeatures": ["DEVICE_STATUS"]},
        ) as resp:
            assert resp.status == 400
        async with api.put(
            "/api/decentralWebhook",
            json={"webhookUrl": url, "webhookFeatures": ["DEVICE_LOGS", "DEVICE_AUTHS"]},
        ) as resp:
            assert resp.status == 200
            hook = await resp.json()
        assert len(hook["secret"]) == 40
        secret["value"] = hook["secret"]
        async with api.get("/api/decentralWebhook") as resp:
            assert await resp.json() == [hook]
        async with api.post(f"/smartlock/{FRONT_DOOR}/action/unlock/advanced") as resp:
            request_id = (await resp.json())["requestId"]
        await wait_for(lambda: len(received) >= 2)
        bodies = [body for body, _ in received]
        assert all(ok for _, ok in received)
        assert {
            "type": "UnlockAction",
            "requestId": request_id,
            "smartlockId": FRONT_DOOR,
            "success": True,
        } in bodies
        log = next(b for b in bodies if b.get("feature") == "DEVICE_LOGS")
        assert log["smartlockLog"]["action"] == 1
        assert not any(b.get("feature") == "DEVICE_STATUS" for b in bodies)  # not subscribed
        async with api.delete(f"/api/decentralWebhook/{hook['id']}") as resp:
            assert resp.status == 204
        async with api.delete(f"/api/decentralWebhook/{hook['id']}") as resp:
            assert resp.status == 404
    finally:
        await runner.cleanup()


async def test_webhook_loss_is_recorded(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.webhooks.configure(loss=1.0)
    async with api.put(
        "/api/decentralWebhook",
        json={"webhookUrl": "https://example.invalid/x", "webhookFeatures": ["DEVICE_STATUS"]},
    ) as resp:
        assert resp.status == 200
    sim.set_door(FRONT_DOOR, "open")
    assert sim.webhooks.deliveries == [
        {"url": "https://example.invalid/x", "feature": "DEVICE_STATUS", "status": "lost"}
    ]


async def test_advanced_action_failure_result(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    results: list[dict[str, Any]] = []
    sim.state.listeners.append(
        lambda _a, feature, body: results.append(body) if feature == "API" else None
    )
    sim.device(OFFICE).data["serverState"] = 4  # offline: the device never answers
    async with api.post(f"/smartlock/{OFFICE}/action/advanced", json={"action": 2}) as resp:
        assert resp.status == 200
        request_id = (await resp.json())["requestId"]
    await wait_for(lambda: bool(results))
    assert results == [
        {
            "type": "LockAction",
            "requestId": request_id,
            "smartlockId": OFFICE,
            "success": False,
            "errorCode": "ff",
        }
    ]
