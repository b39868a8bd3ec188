"""Smart Hosting: each endpoint answers for a device without a subscription as the seed's table says."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from simulator.testing import SimulatorServer

from .conftest import FRONT_DOOR, HOLIDAY_FLAT, OPENER, SMART_HOSTING, client, wait_for

ERROR_BODY = {"detailMessage": SMART_HOSTING, "stackTrace": [], "suppressedExceptions": []}
ID = HOLIDAY_FLAT


def _guest_auth(sim: SimulatorServer) -> str:
    return next(
        str(a["id"]) for a in sim.state.auths.values() if a["smartlockId"] == ID and a["type"] == 13
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/smartlock/{ID}", None),
        ("POST", f"/smartlock/{ID}", {"name": "x"}),
        ("DELETE", f"/smartlock/{ID}", None),
        ("POST", f"/smartlock/{ID}/action", {"action": 1}),
        ("POST", f"/smartlock/{ID}/action/lock", None),
        ("POST", f"/smartlock/{ID}/action/unlock", None),
        ("POST", f"/smartlock/{ID}/admin/pin", {"adminPin": 1234}),
        ("POST", f"/smartlock/{ID}/advanced/config", {"autoLock": True}),
        ("POST", f"/smartlock/{ID}/advanced/smartdoorconfig", {"autoLock": True}),
        ("POST", f"/smartlock/{ID}/config", {"ledBrightness": 2}),
        ("GET", f"/smartlock/{ID}/auth", None),
        (
            "PUT",
            f"/smartlock/{ID}/auth",
            {"name": "New", "remoteAllowed": True, "accountUserId": 1001},
        ),
        ("GET", f"/smartlock/{ID}/auth/GUEST", None),
        ("POST", f"/smartlock/{ID}/auth/GUEST", {"name": "Guest 2"}),
        ("DELETE", f"/smartlock/{ID}/auth/GUEST", None),
        ("GET", f"/smartlock/{ID}/log", None),
        ("POST", f"/smartlock/{ID}/action/advanced", {"action": 1}),
        ("POST", f"/smartlock/{ID}/action/lock/advanced", None),
        ("POST", f"/smartlock/{ID}/action/unlock/advanced", None),
        ("POST", "/smartlock/auth", [{"id": "GUEST", "name": "Guest 2"}]),
    ],
)
async def test_single_device_endpoints_answer_the_error(
    sim: SimulatorServer, api: aiohttp.ClientSession, method: str, path: str, body: Any
) -> None:
    guest = _guest_auth(sim)
    if isinstance(body, list):
        body = [{**item, "id": guest} for item in body]
    async with api.request(method, path.replace("GUEST", guest), json=body) as resp:
        assert resp.status == 402
        assert await resp.json() == ERROR_BODY
    assert ID in sim.state.devices
    assert guest in sim.state.auths


async def test_status_is_configurable(socket_enabled: None) -> None:
    async with (
        SimulatorServer(smart_hosting_status=403) as sim,
        client(sim) as api,
        api.get(f"/smartlock/{ID}") as resp,
    ):
        assert resp.status == 403
        assert await resp.json() == ERROR_BODY


async def test_error_body_variant(socket_enabled: None) -> None:
    """docs.nuki.io shows the message as {"error": ...} (guide/shs/examples): a switch."""
    async with (
        SimulatorServer(smart_hosting_body="error") as sim,
        client(sim) as api,
        api.post(f"/smartlock/{ID}/action", json={"action": 1}) as resp,
    ):
        assert resp.status == 402
        assert await resp.json() == {"error": SMART_HOSTING}
        async with api.post("/_sim/settings", json={"smart_hosting_body": "detailMessage"}):
            pass
        async with api.get(f"/smartlock/{ID}") as again:
            assert await again.json() == ERROR_BODY
        async with api.post("/_sim/settings", json={"smart_hosting_body": "message"}) as bad:
            assert bad.status == 400


async def test_list_item_has_the_seed_shape(api: aiohttp.ClientSession) -> None:
    async with api.get("/smartlock") as resp:
        items = {i["smartlockId"]: i for i in await resp.json()}
    assert items[ID] == {
        "smartlockId": ID,
        "accountId": 0,
        "type": 0,
        "favorite": False,
        "serverState": 1,
        "adminPinState": 1,
        "virtualDevice": False,
        "error": SMART_HOSTING,
        "subscriptions": [],
    }
    assert "error" not in items[FRONT_DOOR]
    assert items[FRONT_DOOR]["currentSubscription"]["state"] == "ACTIVE"


async def test_auth_and_log_list_items_carry_the_error(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    async with api.get("/smartlock/auth") as resp:
        auths = [a for a in await resp.json() if a["smartlockId"] == ID]
    assert auths
    assert set(auths[0]) == {
        "smartlockId",
        "authId",
        "type",
        "enabled",
        "remoteAllowed",
        "lockCount",
        "error",
    }
    assert all(a["error"] == SMART_HOSTING for a in auths)
    async with api.get("/smartlock/log", params={"limit": "50"}) as resp:
        logs = [e for e in await resp.json() if e["smartlockId"] == ID]
    assert logs
    for entry in logs:
        assert (entry["action"], entry["trigger"], entry["state"], entry["source"]) == (
            255,
            255,
            255,
            6,
        )
        assert entry["deviceType"] == 0
        assert entry["error"] == SMART_HOSTING
        assert set(entry) == {
            "id", "smartlockId", "deviceType", "action", "trigger", "state", "autoUnlock", "date", "source", "error"
        }  # fmt: skip


async def test_bulk_auth_writes_skip_the_device_silently(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    guest = _guest_auth(sim)
    before = len(sim.state.auths)
    create = {
        "name": "Cleaner",
        "remoteAllowed": True,
        "accountUserId": 1003,
        "smartlockIds": [ID, FRONT_DOOR],
    }
    async with api.put("/smartlock/auth", json=create) as resp:
        assert resp.status == 204
    async with api.delete("/smartlock/auth", json=[guest]) as resp:
        assert resp.status == 204
    await wait_for(lambda: len(sim.state.auths) == before + 1)
    created = [a for a in sim.state.auths.values() if a["name"] == "Cleaner"]
    assert [a["smartlockId"] for a in created] == [FRONT_DOOR]
    assert guest in sim.state.auths


async def test_advanced_auth_create_reports_the_ids(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    create = {
        "name": "Cleaner",
        "remoteAllowed": True,
        "accountUserId": 1003,
        "smartlockIds": [ID, FRONT_DOOR],
    }
    async with api.put("/smartlock/auth/advanced", json=create) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["requestId"]
    assert body["error"] == (
        f"Auths cannot be created. Please get Smart Hosting subscription for the Smart Locks with ID: {ID}"
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/smartlock/{ID}/sync", None),
        (f"/smartlock/{ID}/web/config", {"batteryWarningPerMailEnabled": False}),
        (
            "/bulk-web-config",
            {
                "webConfigRequests": [
                    {"smartlockId": ID, "webConfig": {"batteryWarningPerMailEnabled": False}}
                ]
            },
        ),
    ],
)
async def test_unchanged_endpoints(
    sim: SimulatorServer, api: aiohttp.ClientSession, path: str, body: Any
) -> None:
    async with api.post(path, json=body) as resp:
        assert resp.status == 204
    if body is not None:  # applied as for any device
        web_config = sim.device(ID).data["webConfig"]
        await wait_for(lambda: web_config["batteryWarningPerMailEnabled"] is False)


async def test_opener_advanced_config_is_not_gated(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    sim.set_smart_hosting(OPENER, False)
    async with api.post(
        f"/smartlock/{OPENER}/advanced/openerconfig", json={"soundLevel": 7}
    ) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.device(OPENER).data["openerAdvancedConfig"]["soundLevel"] == 7)


async def test_toggling_smart_hosting(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.set_smart_hosting(ID, True)
    async with api.get(f"/smartlock/{ID}") as resp:
        assert resp.status == 200
        assert (await resp.json())["currentSubscription"]["state"] == "ACTIVE"
    sim.set_smart_hosting(FRONT_DOOR, False)
    async with api.get(f"/smartlock/{FRONT_DOOR}") as resp:
        assert resp.status == 402
    assert sim.device(FRONT_DOOR).data["currentSubscription"]["state"] == "INACTIVE"
