"""The blueprint "guest keypad code from a calendar" with a calendar we control (issue 14).

Time is frozen; the clock moves to the bookings' offsets, and in small steps while the
automation talks to the simulator (its read-back waits on the clock too).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
    setup_test_component_platform,
)

from custom_components.nuki_web_api.const import DOMAIN
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, HOLIDAY_FLAT, OFFICE
from .service_helpers import (
    add_auth,
    codes,
    device_id,
    fast_read_back,  # noqa: F401 - used below
    give_keypad,
    nuki_date,
)
from .test_device_trigger import install_blueprint

pytestmark = pytest.mark.usefixtures("fast_read_back")

BEFORE = timedelta(hours=2)
AFTER = timedelta(hours=1)
STAY = "Miller family, 2 adults, 1 child"
NAME = STAY[:20]  # "Miller family, 2 adu": Nuki keeps 20 characters


class Bookings(CalendarEntity):
    """A calendar whose events the test sets (entity id calendar.bookings)."""

    _attr_name = "Bookings"

    def __init__(self) -> None:
        self.stays: list[CalendarEvent] = []

    @property
    def event(self) -> CalendarEvent | None:
        return None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        return [
            stay
            for stay in self.stays
            if stay.start_datetime_local < end_date and stay.end_datetime_local > start_date
        ]


@pytest.fixture
async def bookings(hass: HomeAssistant) -> Bookings:
    calendar = Bookings()
    setup_test_component_platform(hass, "calendar", [calendar])
    assert await async_setup_component(hass, "calendar", {"calendar": {"platform": "test"}})
    await hass.async_block_till_done()
    return calendar


@pytest.fixture
def notified(hass: HomeAssistant) -> list[ServiceCall]:
    return async_mock_service(hass, "test", "notify")


def automations(locks: list[str], *, notify: bool = True) -> dict[str, Any]:
    """The configuration of one automation from the blueprint, as the UI would save it."""
    inputs: dict[str, Any] = {
        "calendar": "calendar.bookings",
        "locks": locks,
        "before_check_in": {"hours": 2, "minutes": 0, "seconds": 0},
        "after_check_out": {"hours": 1, "minutes": 0, "seconds": 0},
    }
    if notify:
        inputs["notify_action"] = [
            {"action": "test.notify", "data": {"message": "{{ message }}", "code": "{{ code }}"}}
        ]
    blueprint = {"path": f"{DOMAIN}/guest_keypad_code.yaml", "input": inputs}
    return {"automation": [{"id": "guests", "alias": "Guests", "use_blueprint": blueprint}]}


type StartAutomation = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
async def start_automation(hass: HomeAssistant) -> AsyncIterator[StartAutomation]:
    """Set up the automation; turn it off in the end (its calendar listener polls on)."""

    async def start(config: dict[str, Any]) -> None:
        await hass.async_add_executor_job(install_blueprint, hass.config.path("blueprints"))
        assert await async_setup_component(hass, "automation", config)
        await hass.async_block_till_done()
        assert hass.states.get("automation.guests") is not None

    yield start
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "automation.guests"}, blocking=True
    )


def stay(start: datetime, end: datetime, summary: str = STAY) -> CalendarEvent:
    return CalendarEvent(start=start, end=end, summary=summary)


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    """Jump the clock to ``when`` and run what became due."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    for _ in range(20):
        await asyncio.sleep(0)


async def run_until(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, done: Callable[[], bool]
) -> None:
    """Let the clock run in steps of 0.1 s until ``done()`` (bounded).

    Each step first gives the loopback HTTP and the executor 20 ms of real time: on a
    loaded machine the frozen clock must not outrun them (a read-back would time out).
    """
    for _ in range(300):
        if done():
            return
        await hass.async_add_executor_job(time.sleep, 0.02)
        for _ in range(10):
            await asyncio.sleep(0)
        freezer.tick(timedelta(milliseconds=100))
        async_fire_time_changed(hass)
        for _ in range(10):
            await asyncio.sleep(0)
    assert done()


async def test_a_booking_gets_a_code_at_its_start_offset_and_loses_it_at_its_end_offset(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    bookings: Bookings,
    start_automation: StartAutomation,
    notified: list[ServiceCall],
) -> None:
    """Created 2 h before check-in, deleted 1 h after check-out, with a restart in between.

    A code of the same name but another validity (made by hand) stays: the check-out finds
    its code by name and validity, since nothing of the check-in survives the restart.
    """
    now = dt_util.now().replace(microsecond=0)
    check_in, check_out = now + BEFORE + timedelta(minutes=10), now + timedelta(days=2)
    bookings.stays.append(stay(check_in, check_out))
    decoy = add_auth(
        simulator,
        FRONT_DOOR,
        name=NAME,
        type=13,
        code=345678,
        allowedFromDate=nuki_date(check_in),
        allowedUntilDate=nuki_date(check_out + timedelta(days=3)),
    )
    config = automations([device_id(hass, setup_integration, FRONT_DOOR)])
    await start_automation(config)

    await move_to(hass, freezer, check_in - BEFORE - timedelta(minutes=1))
    assert [a["id"] for a in codes_named(simulator, NAME)] == [decoy]
    assert not notified

    await move_to(hass, freezer, check_in - BEFORE + timedelta(seconds=1))
    await run_until(hass, freezer, lambda: bool(notified))
    created = next(a for a in codes_named(simulator, NAME) if a["id"] != decoy)
    assert created["allowedFromDate"] == nuki_date(check_in - BEFORE)
    assert created["allowedUntilDate"] == nuki_date(check_out + AFTER)
    code = str(created["code"])
    assert str(notified[0].data["code"]) == code
    assert notified[0].data["message"].startswith(f"Keypad code for {NAME}: {code}, valid from")

    # A restart: the integration and the automation start again from their configuration.
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    with patch("homeassistant.config.load_yaml_config_file", return_value=config):
        await hass.services.async_call("automation", "reload", blocking=True)
    await hass.async_block_till_done()

    await move_to(hass, freezer, check_out + AFTER - timedelta(minutes=1))
    assert created["id"] in {a["id"] for a in codes_named(simulator, NAME)}
    await move_to(hass, freezer, check_out + AFTER + timedelta(seconds=1))
    await run_until(hass, freezer, lambda: len(codes_named(simulator, NAME)) == 1)
    assert [a["id"] for a in codes_named(simulator, NAME)] == [decoy]
    assert "Anna" in codes(simulator, FRONT_DOOR)
    assert len(notified) == 1  # the check-out sends nothing


def codes_named(simulator: SimulatorServer, name: str) -> list[dict[str, Any]]:
    return [
        a
        for a in simulator.state.auths.values()
        if a["smartlockId"] == FRONT_DOOR and a.get("name") == name
    ]


async def test_one_code_on_several_locks_without_a_notification(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    bookings: Bookings,
    start_automation: StartAutomation,
) -> None:
    give_keypad(simulator, OFFICE)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    now = dt_util.now().replace(microsecond=0)
    check_in, check_out = now + BEFORE + timedelta(minutes=5), now + timedelta(hours=20)
    bookings.stays.append(stay(check_in, check_out, summary="Reserved"))
    locks = [device_id(hass, config_entry, lock) for lock in (FRONT_DOOR, OFFICE)]
    await start_automation(automations(locks, notify=False))

    await move_to(hass, freezer, check_in - BEFORE + timedelta(seconds=1))
    await run_until(
        hass,
        freezer,
        lambda: all("Reserved" in codes(simulator, lock) for lock in (FRONT_DOOR, OFFICE)),
    )
    front, office = (codes(simulator, lock)["Reserved"] for lock in (FRONT_DOOR, OFFICE))
    assert front["code"] == office["code"]

    await move_to(hass, freezer, check_out + AFTER + timedelta(seconds=1))
    await run_until(
        hass,
        freezer,
        lambda: not any("Reserved" in codes(simulator, lock) for lock in (FRONT_DOOR, OFFICE)),
    )


async def test_a_lock_without_smart_hosting_gets_no_code_and_the_notification_says_so(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    bookings: Bookings,
    start_automation: StartAutomation,
    notified: list[ServiceCall],
) -> None:
    now = dt_util.now().replace(microsecond=0)
    check_in = now + BEFORE + timedelta(minutes=5)
    bookings.stays.append(stay(check_in, check_in + timedelta(days=1)))
    await start_automation(automations([device_id(hass, setup_integration, HOLIDAY_FLAT)]))

    await move_to(hass, freezer, check_in - BEFORE + timedelta(seconds=1))
    await run_until(hass, freezer, lambda: bool(notified))
    assert notified[0].data["code"] == ""
    assert notified[0].data["message"].startswith(f"No keypad code could be made for {NAME}")
    assert "PUT /smartlock/auth" not in simulator.counters()["requests"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}")
