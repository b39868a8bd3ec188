"""Fault injection, latency, counters and the in-flight gauge."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from simulator.faults import Faults
from simulator.testing import SimulatorServer

from .conftest import FRONT_DOOR, client


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("401", 401, "application/json"),
        ("403", 403, "text/plain"),
        ("423", 423, "application/json"),
        ("429", 429, "text/html"),
        ("429-no-retry-after", 429, "text/html"),
        ("500", 500, "text/html"),
        ("502", 502, "text/html"),
        ("500-json", 500, "application/json"),
    ],
)
async def test_fail_next_kinds(
    sim: SimulatorServer, api: aiohttp.ClientSession, kind: str, status: int, content_type: str
) -> None:
    sim.fail_next(kind)
    async with api.get("/smartlock") as resp:
        assert resp.status == status
        assert resp.content_type == content_type
        assert ("Retry-After" in resp.headers) == (kind == "429")
        text = await resp.text()
    if content_type == "text/html":
        assert f"<center><h1>{status} " in text
        assert "nginx" in text
    if kind == "403":  # as GET /smartlock answered in Nuki's outage of November 2024
        assert text == "403 Forbidden"
    if kind == "423":  # no detailMessage (developer.nuki.io/t/1178)
        assert json.loads(text) == {"stackTrace": [], "suppressedExceptions": []}
    if kind == "500-json":  # Restlet's own body
        body = json.loads(text)
        assert body["code"] == 500
        assert body["reasonPhrase"] == "Internal Server Error"
        assert body["description"]
    async with api.get("/smartlock") as resp:
        assert resp.status == 200


async def test_fail_next_counts_and_route_filter(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    sim.fail_next("500", count=2, route="GET /smartlock/log")
    async with api.get("/smartlock") as resp:
        assert resp.status == 200
    statuses = []
    for _ in range(3):
        async with api.get("/smartlock/log") as resp:
            statuses.append(resp.status)
    assert statuses == [500, 500, 200]


async def test_malformed_and_truncated(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.fail_next("malformed")
    async with api.get("/smartlock") as resp:
        assert resp.status == 200
        with pytest.raises(json.JSONDecodeError):
            await resp.json()
    sim.fail_next("truncated")
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.get("/smartlock") as resp:
            await resp.read()


async def test_error_items(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.fail_next("error-items")
    async with api.get("/smartlock") as resp:
        items = await resp.json()
    assert items
    assert all(
        set(i) <= {"smartlockId", "accountId", "type", "authId", "error"} and i["error"]
        for i in items
    )


async def test_timeout(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.set_faults(timeout_seconds=30)
    sim.fail_next("timeout")
    with pytest.raises(TimeoutError):
        async with api.get("/smartlock", timeout=aiohttp.ClientTimeout(total=0.2)):
            pass


async def test_random_rate_is_seedable() -> None:
    def run(seed: int) -> list[str | None]:
        faults = Faults(rate=0.5, kinds=("500", "502"), seed=seed)
        return [faults.pick("GET /smartlock") for _ in range(40)]

    first = run(7)
    assert first == run(7)
    assert {None, "500", "502"} <= set(first)
    assert Faults(rate=0.0).pick("GET /smartlock") is None
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(kinds=("418",))
    with pytest.raises(ValueError, match="rate"):
        Faults(rate=2)


async def test_rate_one_fails_every_request(socket_enabled: None) -> None:
    async with (
        SimulatorServer(error_rate=1.0, error_kinds=["502"], seed=1) as sim,
        client(sim) as api,
    ):
        for _ in range(3):
            async with api.get("/account") as resp:
                assert resp.status == 502


async def test_counters_and_in_flight(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.set_faults(latency=0.05)
    await asyncio.gather(*(api.get("/smartlock") for _ in range(5)))
    async with api.get(f"/smartlock/{FRONT_DOOR}") as resp:
        assert resp.status == 200
    counters = sim.counters()
    assert counters["requests"] == {"GET /smartlock": 5, "GET /smartlock/{smartlockId}": 1}
    assert counters["total"] == 6
    assert counters["max_in_flight"]["GET /smartlock"] > 1
    assert counters["in_flight"] == {}
    sim.reset_counters()
    assert sim.counters()["total"] == 0


async def test_control_endpoints(sim: SimulatorServer) -> None:
    async with aiohttp.ClientSession(base_url=sim.url) as raw:
        async with raw.post("/_sim/faults/next", json={"kind": "500", "count": 1}) as resp:
            assert resp.status == 200
        async with raw.post("/_sim/faults/next", json={"kind": "nope"}) as resp:
            assert resp.status == 400
        async with raw.get("/smartlock", headers={"Authorization": f"Bearer {sim.token}"}) as resp:
            assert resp.status == 500
        async with raw.post(
            "/_sim/faults", json={"rate": 0.25, "kinds": ["429"], "seed": 3}
        ) as resp:
            assert (await resp.json())["rate"] == 0.25
        async with raw.delete("/_sim/faults") as resp:
            assert resp.status == 200
        assert sim.state.faults.rate == 0
        async with raw.get("/_sim/counters") as resp:
            assert (await resp.json())["requests"] == {"GET /smartlock": 1}
        async with raw.delete("/_sim/counters") as resp:
            assert resp.status == 200
        assert sim.counters()["total"] == 0
        async with raw.post(
            "/_sim/settings", json={"actuation_delay": 0.5, "smart_hosting_status": 426}
        ) as resp:
            assert (await resp.json())["smart_hosting_status"] == 426
        assert sim.state.actuation_delay == 0.5
        async with raw.post(f"/_sim/devices/{FRONT_DOOR}/door", json={"door": "open"}) as resp:
            assert resp.status == 200
        async with raw.post(f"/_sim/devices/{FRONT_DOOR}/door", json={"door": "sideways"}) as resp:
            assert resp.status == 400
        async with raw.post(f"/_sim/devices/{FRONT_DOOR}/keypad", json={"code": 999999}) as resp:
            assert await resp.json() == {"accepted": False}
        async with raw.post(f"/_sim/devices/{FRONT_DOOR}/button") as resp:
            assert resp.status == 200
        async with raw.post(f"/_sim/devices/{FRONT_DOOR}/ring") as resp:
            assert resp.status == 400  # not an Opener
        async with raw.post(
            f"/_sim/devices/{FRONT_DOOR}/smart-hosting", json={"active": False}
        ) as resp:
            assert resp.status == 200
        assert sim.device(FRONT_DOOR).no_subscription
        async with raw.patch(
            f"/_sim/devices/{FRONT_DOOR}", json={"serverState": 4, "state": {"batteryCharge": 12}}
        ) as resp:
            assert resp.status == 200
        assert sim.device(FRONT_DOOR).data["serverState"] == 4
        assert sim.device(FRONT_DOOR).state["batteryCharge"] == 12
        assert sim.device(FRONT_DOOR).state["doorState"] == 3
        async with raw.put("/_sim/devices", json={"name": "New lock", "type": 4}) as resp:
            new_id = (await resp.json())["smartlockId"]
        assert sim.device(new_id).data["name"] == "New lock"
        async with raw.delete(f"/_sim/devices/{new_id}") as resp:
            assert resp.status == 200
        async with raw.delete(f"/_sim/devices/{new_id}") as resp:
            assert resp.status == 404
        async with raw.get("/_sim/state") as resp:
            state = await resp.json()
        assert {"devices", "auths", "logs", "faults", "counters", "webhook_deliveries"} <= set(
            state
        )
        assert sim.token not in str(state)
