"""Helpers for the settings tests (number, select, switch, writes, settings services)."""

from __future__ import annotations

import asyncio
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nuki_web_api.writes import CONFIRM_TIMEOUT
from simulator.testing import SimulatorServer


def stored(sim: SimulatorServer, smartlock_id: int, key: str) -> dict[str, Any]:
    """Return a config object as the simulator stores it."""
    config: dict[str, Any] = sim.device(smartlock_id).data[key]
    return config


async def wait_applied(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: SimulatorServer,
    smartlock_id: int,
    key: str,
    field: str,
    value: object,
) -> None:
    """Move the frozen clock in small steps until the simulated device applied a value.

    The number of steps is bounded, so a device that never applies it fails the test.
    """
    for _ in range(50):
        if stored(sim, smartlock_id, key).get(field) == value:
            return
        freezer.tick(0.1)
        async_fire_time_changed(hass)
        for _ in range(5):
            await asyncio.sleep(0)
    assert stored(sim, smartlock_id, key).get(field) == value


async def drive[T](hass: HomeAssistant, freezer: FrozenDateTimeFactory, task: asyncio.Task[T]) -> T:
    """Move the frozen clock in small steps until `task` is done (bounded), return its result."""
    for _ in range(200):
        if task.done():
            break
        freezer.tick(0.01)
        async_fire_time_changed(hass)
        for _ in range(5):
            await asyncio.sleep(0)
    assert task.done(), "the task did not finish"
    return await task


async def expire(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the confirmation time of a setting run out."""
    freezer.tick(CONFIRM_TIMEOUT + 1)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
