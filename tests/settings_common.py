"""Helpers for the settings tests (number, select, config switches, settings writer)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285  # type 4, Smart Lock 3.0/4.0
OPENER = 9315306846  # type 2
SMART_DOOR = 13896605295  # type 3
OFFICE = 22772871024  # type 5
HOLIDAY_FLAT = 18764230785  # type 4 without Smart Hosting
CELLAR = 1869644178  # type 0


async def wait_for(predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds (fails after 5 s; no timing is asserted)."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110 - polls plain state, no event to wait on
            await asyncio.sleep(0.005)


def stored(sim: SimulatorServer, smartlock_id: int, key: str) -> dict[str, Any]:
    """Return a config object as the simulator stores it."""
    config: dict[str, Any] = sim.device(smartlock_id).data[key]
    return config


async def wait_applied(
    sim: SimulatorServer, smartlock_id: int, key: str, field: str, value: object
) -> None:
    """Wait until the simulated device has applied a written value."""
    await wait_for(lambda: stored(sim, smartlock_id, key).get(field) == value)


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll Nuki Web once (as a follow-up refresh or the next cycle would)."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
