"""Device state machines, the log entries they write, physical events and batteries."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from simulator.testing import SimulatorServer

from .conftest import FRONT_DOOR, OFFICE, OPENER, SMART_DOOR, wait_for


async def _state(api: aiohttp.ClientSession, smartlock_id: int) -> dict[str, Any]:
    async with api.get(f"/smartlock/{smartlock_id}") as resp:
        assert resp.status == 200
        state: dict[str, Any] = (await resp.json())["state"]
        return state


async def _logs(
    api: aiohttp.ClientSession, path: str = "/smartlock/log", **query: str
) -> list[dict[str, Any]]:
    async with api.get(path, params=query) as resp:
        assert resp.status == 200
        logs: list[dict[str, Any]] = await resp.json()
        return logs


async def test_unlock_passes_through_unlocking_and_logs(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    sim.state.actuation_delay = 0.2
    async with api.post(f"/smartlock/{FRONT_DOOR}/action/unlock") as resp:
        assert resp.status == 204
    state = await _state(api, FRONT_DOOR)
    assert state["state"] == 2  # unlocking
    assert state["lastAction"] == 1
    assert "operationId" in state
    await wait_for(lambda: sim.device(FRONT_DOOR).state["state"] == 3)
    state = await _state(api, FRONT_DOOR)
    assert "operationId" not in state
    newest = (await _logs(api, f"/smartlock/{FRONT_DOOR}/log", limit="1"))[0]
    assert newest["action"] == 1
    assert newest["trigger"] == 4
    assert newest["state"] == 0
    assert newest["name"] == "Alex Demo"
    assert newest["accountUserId"] == 1001
    assert newest["deviceType"] == 4
    assert newest["date"].endswith("Z")


async def test_busy_device_answers_423(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.state.actuation_delay = 5
    async with api.post(f"/smartlock/{FRONT_DOOR}/action/unlock") as resp:
        assert resp.status == 204
    async with api.post(f"/smartlock/{FRONT_DOOR}/action", json={"action": 2}) as resp:
        assert resp.status == 423
        # Nuki's 423 carries no detailMessage (developer.nuki.io/t/1178)
        assert await resp.json() == {"stackTrace": [], "suppressedExceptions": []}
    sim.state.busy_conflicts = False
    async with api.post(f"/smartlock/{OFFICE}/action", json={"action": 2}) as resp:
        assert resp.status == 204


async def test_box_accepts_only_unlock(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    """Swagger 4.20.0 SmartlockAction.action: "type=1: 1 .. unlock"."""
    box = sim.add_device({"name": "Parcel box", "type": 1})
    for action in (2, 3, 4, 5):
        async with api.post(f"/smartlock/{box}/action", json={"action": action}) as resp:
            assert resp.status == 400
    async with api.post(f"/smartlock/{box}/action/lock") as resp:
        assert resp.status == 400
    async with api.post(f"/smartlock/{box}/action", json={"action": 1}) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.device(box).state["state"] == 3)


async def test_lock_action_with_body(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    async with api.post(f"/smartlock/{OFFICE}/action", json={"action": 2, "option": 0}) as resp:
        assert resp.status == 204
    await wait_for(lambda: sim.device(OFFICE).state["state"] == 1)
    assert sim.device(OFFICE).state["lastAction"] == 2


async def test_unlatch_returns_to_unlocked(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    seen: list[int] = []
    sim.state.listeners.append(
        lambda _a, feature, payload: (
            seen.append(payload["state"]["state"]) if feature == "DEVICE_STATUS" else None
        )
    )
    async with api.post(f"/smartlock/{SMART_DOOR}/action", json={"action": 3}) as resp:
        assert resp.status == 204
    await wait_for(lambda: seen[-1:] == [3])
    assert seen == [7, 5, 3]


def _timed_states(sim: SimulatorServer, smartlock_id: int) -> list[tuple[int, float]]:
    """Record each DEVICE_STATUS state of the device with the loop time it came at."""
    seen: list[tuple[int, float]] = []
    loop = asyncio.get_running_loop()
    sim.state.listeners.append(
        lambda _a, feature, payload: (
            seen.append((payload["state"]["state"], loop.time()))
            if feature == "DEVICE_STATUS" and payload["smartlockId"] == smartlock_id
            else None
        )
    )
    return seen


def _held(seen: list[tuple[int, float]], state: int) -> float:
    """Return how long the device stayed in `state` (until the next status)."""
    index = next(i for i, (value, _) in enumerate(seen) if value == state)
    return seen[index + 1][1] - seen[index][1]


@pytest.mark.parametrize(
    ("smartlock_id", "action", "held_state", "setting"),
    [
        (FRONT_DOOR, 3, 5, ("advancedConfig", "unlatchDuration", 30, 1.0)),
        (SMART_DOOR, 3, 5, ("smartdoorAdvancedConfig", "unlatchDuration", 30, 1.0)),
        (OFFICE, 4, 6, ("advancedConfig", "lngTimeout", 45, 1.0)),
        (OPENER, 3, 5, ("openerAdvancedConfig", "electricStrikeDuration", 25_000, 0.001)),
    ],
)
async def test_passing_states_last_as_the_device_settings_say(
    sim: SimulatorServer,
    api: aiohttp.ClientSession,
    smartlock_id: int,
    action: int,
    held_state: int,
    setting: tuple[str, str, int, float],
) -> None:
    """Swagger 4.20.0: the latch is held `unlatchDuration` s, lock 'n' go waits `lngTimeout` s,
    the Opener's strike is actuated `electricStrikeDuration` ms (times the simulator's hold_scale).
    """
    key, field, value, unit = setting
    sim.device(smartlock_id).data[key][field] = value
    sim.state.hold_scale = 0.004  # 30 s -> 0.12 s
    seen = _timed_states(sim, smartlock_id)
    async with api.post(f"/smartlock/{smartlock_id}/action", json={"action": action}) as resp:
        assert resp.status == 204
    await wait_for(lambda: len(seen) >= 3 and seen[-1][0] != held_state)
    expected = value * unit * 0.004
    assert expected * 0.9 <= _held(seen, held_state) <= expected + 0.1


async def test_a_device_without_the_setting_holds_twice_the_delay(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    del sim.device(FRONT_DOOR).data["advancedConfig"]["unlatchDuration"]
    sim.state.actuation_delay = 0.05
    seen = _timed_states(sim, FRONT_DOOR)
    async with api.post(f"/smartlock/{FRONT_DOOR}/action", json={"action": 3}) as resp:
        assert resp.status == 204
    await wait_for(lambda: [state for state, _ in seen] == [7, 5, 3])
    assert 0.09 <= _held(seen, 5) <= 0.2


async def test_lock_n_go_ends_locked(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    seen: list[int] = []
    sim.state.listeners.append(
        lambda _a, feature, payload: (
            seen.append(payload["state"]["state"]) if feature == "DEVICE_STATUS" else None
        )
    )
    sim.device(OFFICE).state["state"] = 3
    async with api.post(f"/smartlock/{OFFICE}/action", json={"action": 4}) as resp:
        assert resp.status == 204
    await wait_for(lambda: seen[-1:] == [1])
    assert seen == [2, 6, 4, 1]
    assert (await _logs(api, limit="1"))[0]["action"] == 4


async def test_invalid_action_is_400(api: aiohttp.ClientSession) -> None:
    async with api.post(f"/smartlock/{FRONT_DOOR}/action", json={"action": 6}) as resp:
        assert resp.status == 400
        assert (await resp.json())["detailMessage"] == (
            "The supplied value '6' for parameter 'action' is not valid"
        )
    async with api.post(f"/smartlock/{FRONT_DOOR}/action", json={"option": 0}) as resp:
        assert resp.status == 400
    async with api.post(f"/smartlock/{FRONT_DOOR}/action", data=b"nonsense") as resp:
        assert resp.status == 400


async def test_unknown_device_is_404(api: aiohttp.ClientSession) -> None:
    for path in ("/smartlock/1", "/smartlock/abc", "/smartlock/1869644178"):  # last: other account
        async with api.get(path) as resp:
            assert resp.status == 404
            assert "detailMessage" in await resp.json()


async def test_opener_actions(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    dev = sim.device(OPENER)
    async with api.post(f"/smartlock/{OPENER}/action/unlock") as resp:
        assert resp.status == 405
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 1}) as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["state"] == 3 and not dev.busy)
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 3}) as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["state"] == 7)
    await wait_for(lambda: dev.state["state"] == 1)
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 6}) as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["mode"] == 3)
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 7}) as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["mode"] == 2 and not dev.busy)
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 4}) as resp:
        assert resp.status == 400
    logs = await _logs(api, f"/smartlock/{OPENER}/log", limit="4")
    assert [e["action"] for e in logs] == [7, 6, 3, 1]
    assert logs[0]["openerLog"]["source"] == 2
    assert logs[1]["openerLog"]["activeCm"] is True


async def test_ring_logs_and_opens_with_rto(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    dev = sim.device(OPENER)
    sim.ring(OPENER)
    assert not dev.busy
    dev.state["state"] = 3
    sim.ring(OPENER)
    await wait_for(lambda: dev.state["state"] == 1 and not dev.busy)
    logs = await _logs(api, f"/smartlock/{OPENER}/log", limit="3")
    assert [e["action"] for e in logs] == [3, 224, 224]


async def test_button_toggles_lock(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    dev = sim.device(FRONT_DOOR)
    sim.press_button(FRONT_DOOR)
    await wait_for(lambda: dev.state["state"] == 3 and not dev.busy)
    assert dev.state["trigger"] == 2
    sim.press_button(FRONT_DOOR)
    await wait_for(lambda: dev.state["state"] == 1 and not dev.busy)
    logs = await _logs(api, f"/smartlock/{FRONT_DOOR}/log", limit="2")
    assert [(e["action"], e["trigger"]) for e in logs] == [(2, 2), (1, 2)]


async def test_door_sensor_events(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    sim.set_door(FRONT_DOOR, "open")
    assert (await _state(api, FRONT_DOOR))["doorState"] == 3
    sim.set_door(FRONT_DOOR, "ajar", 10)
    sim.set_door(FRONT_DOOR, "closed")
    assert (await _state(api, FRONT_DOOR))["doorState"] == 2
    logs = await _logs(api, f"/smartlock/{FRONT_DOOR}/log", limit="3")
    assert [e["action"] for e in logs] == [241, 208, 240]
    assert logs[1]["ajarTimeout"] == 10


async def test_keypad_valid_and_invalid_code(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    dev = sim.device(FRONT_DOOR)
    assert sim.use_keypad(FRONT_DOOR, 111111) is False
    assert sim.use_keypad(FRONT_DOOR, 456789) is True
    await wait_for(lambda: dev.state["state"] == 3 and not dev.busy)
    ok, failed = await _logs(api, f"/smartlock/{FRONT_DOOR}/log", limit="2")
    assert (ok["trigger"], ok["source"], ok["name"], ok["state"]) == (255, 1, "Anna", 0)
    assert ok["authId"] in sim.state.auths
    assert (failed["trigger"], failed["source"], failed["state"]) == (255, 1, 224)


async def test_battery_drains(sim: SimulatorServer) -> None:
    dev = sim.device(OFFICE)
    start = dev.state["batteryCharge"]
    sim.state.battery_drain = 50
    sim.press_button(OFFICE)
    await wait_for(lambda: not dev.busy)
    assert dev.state["batteryCharge"] == start - 50
    assert dev.state["batteryCritical"] is False
    sim.press_button(OFFICE)
    await wait_for(lambda: not dev.busy)
    assert dev.state["batteryCharge"] == 0
    assert dev.state["batteryCritical"] is True


async def test_offline_device_accepts_but_does_not_move(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    dev = sim.device(OFFICE)
    dev.data["serverState"] = 4
    async with api.post(f"/smartlock/{OFFICE}/action/lock") as resp:
        assert resp.status == 204
    await wait_for(lambda: not dev.busy)
    assert dev.state["state"] == 3


async def test_log_paging_and_filters(sim: SimulatorServer, api: aiohttp.ClientSession) -> None:
    everything = await _logs(api, limit="50")
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True)
    assert len(await _logs(api)) == min(20, len(everything))
    older = await _logs(api, id=ids[1], limit="50")
    assert [e["id"] for e in older] == ids[2:]
    newest_date = everything[0]["date"]
    assert [e["id"] for e in await _logs(api, fromDate=newest_date)] == [ids[0]]
    assert all(
        e["date"] <= everything[3]["date"] for e in await _logs(api, toDate=everything[3]["date"])
    )
    assert {e["action"] for e in await _logs(api, action="240")} == {240}
    async with api.get("/smartlock/log", params={"limit": "51"}) as resp:
        assert resp.status == 400
    async with api.get("/smartlock/log", params={"fromDate": "yesterday"}) as resp:
        assert resp.status == 400


async def test_new_action_cancels_stale_follow_ups(
    sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    dev = sim.device(SMART_DOOR)
    sim.state.actuation_delay = 0.1
    sim.state.hold_scale = 0.1  # unlatched -> unlocked would follow 0.3 s after unlatching
    async with api.post(f"/smartlock/{SMART_DOOR}/action", json={"action": 3}) as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["state"] == 5 and not dev.busy)
    sim.state.actuation_delay = 0.01  # the lock settles long before that
    async with api.post(f"/smartlock/{SMART_DOOR}/action/lock") as resp:
        assert resp.status == 204
    await wait_for(lambda: dev.state["state"] == 1)
    generation = dev.generation
    await wait_for(lambda: not any(not t.done() for t in sim.state._tasks))
    assert (dev.state["state"], dev.generation) == (1, generation)
