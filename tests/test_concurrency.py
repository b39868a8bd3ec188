"""Many lock/unlock calls at once: one action request per device at a time, no lost state."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from unittest.mock import patch

import pytest
from aiohttp import web
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.helpers import async_device_action, async_run_action
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    OFFICE,
    coordinator_of,
    refresh,
)

CALLS = 20
TRANSLATIONS = Path(__file__).parents[1] / "custom_components" / DOMAIN / "translations" / "en.json"
EXCEPTION_KEYS = set(json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["exceptions"])
# HA lock state for the simulator's settled state code (a lock, or an Opener's ring to open).
HA_STATE = {1: "locked", 3: "unlocked"}


class PerDeviceInFlight:
    """Counts action requests in flight per device, at the simulator (an extra middleware)."""

    def __init__(self) -> None:
        """Start with nothing in flight."""
        self.now: Counter[str] = Counter()
        self.max: Counter[str] = Counter()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Count POST …/action… requests by the smartlockId in the path."""
        device = request.match_info.get("smartlockId")
        if request.method != "POST" or device is None or "/action" not in request.path:
            return await handler(request)
        self.now[device] += 1
        self.max[device] = max(self.max[device], self.now[device])
        try:
            return await handler(request)
        finally:
            self.now[device] -= 1


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the lock platform."""
    return [Platform.LOCK]


@pytest.fixture
def in_flight() -> PerDeviceInFlight:
    """The per-device in-flight counter."""
    return PerDeviceInFlight()


@pytest.fixture
async def simulator(
    socket_enabled: None, in_flight: PerDeviceInFlight
) -> AsyncIterator[SimulatorServer]:
    """The demo scenario, with the per-device counter and slower requests (so that they overlap)."""
    server = SimulatorServer(scenario="demo", actuation_delay=0.05)
    server._app.middlewares.insert(0, in_flight.middleware)  # outermost, before the app starts
    server.set_faults(latency=0.01)
    async with server as sim:
        yield sim


def lock_entity(hass: HomeAssistant, smartlock_id: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(LOCK_DOMAIN, DOMAIN, f"{smartlock_id}_lock")
    assert entity_id is not None
    return entity_id


async def settle(simulator: SimulatorServer) -> None:
    """Wait until the simulator has finished every actuation (bounded)."""
    for _ in range(200):
        if not any(device.busy for device in simulator.state.devices.values()):
            return
        await asyncio.sleep(0.02)
    pytest.fail("the simulator kept a device busy")


def service_calls(hass: HomeAssistant, targets: list[int]) -> list[Awaitable[object]]:
    """Lock service calls (Home Assistant runs them one at a time: PARALLEL_UPDATES = 1)."""
    return [
        hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_UNLOCK if index % 2 == 0 else SERVICE_LOCK,
            {ATTR_ENTITY_ID: lock_entity(hass, targets[index % len(targets)])},
            blocking=True,
        )
        for index in range(CALLS)
    ]


def coordinator_calls(entry: MockConfigEntry, targets: list[int]) -> list[Awaitable[object]]:
    """The same actions straight to the coordinator, as other callers (services, buttons) do."""
    coordinator = coordinator_of(entry)

    def call(smartlock_id: int, action: int) -> Awaitable[None]:
        return async_run_action(
            coordinator,
            smartlock_id,
            lambda: async_device_action(coordinator, smartlock_id, action),
        )

    return [
        call(targets[index % len(targets)], 1 if index % 2 == 0 else 2) for index in range(CALLS)
    ]


async def storm(calls: list[Awaitable[object]]) -> list[BaseException | None]:
    """Run the calls at once; return each one's error (None for success)."""
    with patch("custom_components.nuki_web_api.helpers.ACTION_RETRY_DELAYS", (0.1, 0.2)):
        results = await asyncio.gather(*calls, return_exceptions=True)
    return [result if isinstance(result, BaseException) else None for result in results]


@pytest.mark.parametrize(
    "targets",
    [[FRONT_DOOR], [FRONT_DOOR, GARDEN_DOOR, OFFICE, BUILDING_ENTRANCE]],
    ids=["one_device", "four_devices"],
)
@pytest.mark.parametrize("via", ["service", "coordinator"])
async def test_simultaneous_calls(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    in_flight: PerDeviceInFlight,
    targets: list[int],
    via: str,
) -> None:
    """Each call succeeds or fails translated; one request per device; HA ends where Nuki is."""
    simulator.reset_counters()
    if via == "service":
        results = await storm(service_calls(hass, targets))
    else:
        results = await storm(coordinator_calls(setup_integration, targets))

    failures = [error for error in results if error is not None]
    for error in failures:
        assert isinstance(error, HomeAssistantError), repr(error)
        assert error.translation_domain == DOMAIN
        assert error.translation_key in EXCEPTION_KEYS
    assert len(failures) < CALLS  # the storm did reach the devices
    # Nothing but actions was retried or sent twice: one request per accepted call at most.
    assert max(in_flight.max.values()) == 1
    assert set(in_flight.max) == {str(smartlock_id) for smartlock_id in targets}
    sent = sum(
        count for route, count in simulator.counters()["requests"].items() if "action" in route
    )
    assert sent >= CALLS - len(failures)

    await settle(simulator)
    await refresh(hass, setup_integration)
    for smartlock_id in targets:
        expected = HA_STATE[int(simulator.device(smartlock_id).state["state"])]
        assert hass.states.get(lock_entity(hass, smartlock_id)).state == expected
