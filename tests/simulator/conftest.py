"""Fixtures: an in-process simulator and an HTTP session bound to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285  # Smart Lock 4, keypad + door sensor
OPENER = 9315306846  # "Building entrance"
SMART_DOOR = 13896605295  # "Garden door"
OFFICE = 22772871024  # Smart Lock 5 Ultra
HOLIDAY_FLAT = 18764230785  # no Smart Hosting
CELLAR = 1869644178  # second account
SMART_HOSTING = "No active Smart Hosting subscription for the Smart Lock, please get one!"


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[SimulatorServer]:
    """Return a running demo simulator with a tiny actuation delay and short holds."""
    async with SimulatorServer(actuation_delay=0.01, hold_scale=0.01) as server:
        yield server


def client(server: SimulatorServer, token: str | None = None) -> aiohttp.ClientSession:
    """Return a session for `server` with a bearer token (the demo token by default)."""
    headers = {"Authorization": f"Bearer {token or server.token}"}
    return aiohttp.ClientSession(base_url=server.url, headers=headers)


@pytest.fixture
async def api(sim: SimulatorServer) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a session with the demo token."""
    async with client(sim) as session:
        yield session


async def wait_for(predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds (fails after 5 s; no timing is asserted)."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110 - polls plain state, no event to wait on
            await asyncio.sleep(0.005)
