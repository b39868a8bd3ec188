"""The coordinator against the simulator: requests per cycle, logs, outages, devices, the cursor."""

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.nuki_web_api.api import (
    MAX_LOG_PAGES,
    NukiBadRequestError,
    NukiConflictError,
    NukiError,
    NukiRequestError,
)
from custom_components.nuki_web_api.api import LockState as NukiLockState
from custom_components.nuki_web_api.const import CONF_API_TOKEN, DOMAIN, LOG_PAGE_SIZE
from custom_components.nuki_web_api.coordinator import NukiCoordinator, log_cursor_store
from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from simulator.core import Actor
from simulator.testing import SimulatorServer

from .platform_helpers import advance_simulator, refresh

FRONT_DOOR = 17618910285
GARDEN_DOOR = 13896605295
OFFICE = 22772871024  # unlocked in the demo
HOLIDAY_FLAT = 18764230785  # no Smart Hosting in the demo scenario
CYCLE = timedelta(seconds=30)
ONE_CYCLE = {"GET /smartlock": 1, "GET /smartlock/log": 1}


async def next_cycle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta = CYCLE
) -> None:
    """Let the polling interval pass and wait for the refresh to finish.

    The clock only moves while no request is in flight (else the client would time out).
    """
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def let_devices_move(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: SimulatorServer
) -> None:
    """Advance the frozen clock in small steps until no simulated device is busy."""
    for _ in range(100):
        await hass.async_block_till_done(wait_background_tasks=True)
        if not any(device.busy for device in simulator.state.devices.values()):
            return
        freezer.tick(timedelta(seconds=0.05))
    pytest.fail("the simulated devices did not settle")


def coordinator_of(entry: MockConfigEntry) -> NukiCoordinator:
    return entry.runtime_data.coordinator


def entity_of(hass: HomeAssistant, platform: str, smartlock_id: int, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{smartlock_id}_{key}")
    assert entity_id is not None
    return entity_id


def front_door_lock(hass: HomeAssistant) -> str:
    return entity_of(hass, LOCK_DOMAIN, FRONT_DOOR, "lock")


def warnings_and_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith("custom_components")
    ]


def infos(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.INFO and record.name.startswith("custom_components")
    ]


# --- requests per cycle ------------------------------------------------------------------


@pytest.mark.parametrize("devices", [1, 100])
async def test_two_requests_per_cycle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, socket_enabled: None, devices: int
) -> None:
    """A cycle reads the device list and the log once each, however many devices there are."""
    async with SimulatorServer(scenario=f"generated:{devices}") as sim:
        entry = MockConfigEntry(
            domain=DOMAIN,
            unique_id="1",
            data={"api_token": sim.token, "api_url": sim.url},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert len(coordinator_of(entry).data.devices) == devices
        # Setup also reads the authorizations once (for the authorization switches).
        assert sim.counters()["requests"] == ONE_CYCLE | {"GET /smartlock/auth": 1}

        sim.reset_counters()
        await next_cycle(hass, freezer)
        assert sim.counters()["requests"] == ONE_CYCLE
        assert max(sim.counters()["max_in_flight"].values()) == 1
        assert await hass.config_entries.async_unload(entry.entry_id)


# --- activity log ------------------------------------------------------------------------


async def test_new_logs_are_reported_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    coordinator = coordinator_of(setup_integration)
    assert coordinator.data.new_logs == ()  # history at start-up is not new
    assert FRONT_DOOR in coordinator.data.last_log

    simulator.press_button(GARDEN_DOOR)
    await let_devices_move(hass, freezer, simulator)
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    await next_cycle(hass, freezer)
    new = coordinator.data.new_logs
    assert [entry.smartlock_id for entry in new] == [GARDEN_DOOR, FRONT_DOOR]
    assert coordinator.data.last_log[FRONT_DOOR] == new[1]
    assert coordinator.data.last_log[GARDEN_DOOR] == new[0]

    await next_cycle(hass, freezer)
    assert coordinator.data.new_logs == ()


async def test_log_entries_with_error_are_not_activity(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    coordinator = coordinator_of(setup_integration)
    before = coordinator.data.last_log[FRONT_DOOR]
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    simulator.fail_next("error-items", route="GET /smartlock/log")
    await next_cycle(hass, freezer)
    assert coordinator.data.new_logs == ()
    assert coordinator.data.last_log[FRONT_DOOR] == before


# --- rate limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "retry_after", "first_delay"),
    [("429", 120, 120.0), ("429-no-retry-after", 120, 60.0)],
)
async def test_rate_limit_backs_off_and_keeps_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    retry_after: int,
    first_delay: float,
) -> None:
    coordinator = coordinator_of(setup_integration)
    lock = front_door_lock(hass)
    state = hass.states.get(lock)
    assert state is not None
    simulator.set_faults(retry_after=retry_after)
    simulator.fail_next(fault, count=2, route="GET /smartlock")

    await next_cycle(hass, freezer)
    assert coordinator.update_interval == timedelta(seconds=first_delay)
    current = hass.states.get(lock)
    assert current is not None
    assert current.state == state.state

    simulator.reset_counters()
    await next_cycle(hass, freezer)  # 30 s later: still waiting, no request
    assert simulator.counters()["total"] == 0, simulator.counters()

    await next_cycle(hass, freezer, timedelta(seconds=first_delay))  # second 429
    if fault == "429-no-retry-after":
        assert coordinator.update_interval == timedelta(seconds=120)
    assert hass.states.get(lock).state == state.state  # type: ignore[union-attr]

    await next_cycle(hass, freezer, coordinator.update_interval or CYCLE)
    assert coordinator.update_interval == CYCLE
    assert coordinator.last_update_success
    assert len(warnings_and_errors(caplog)) == 1
    assert "rate limit" in warnings_and_errors(caplog)[0]
    assert sum("accepts requests again" in line for line in infos(caplog)) == 1


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [
        ("1000000000", 900.0),  # decades: clamped to the longest back-off
        ("Fri, 31 Dec 9999 23:59:59 GMT", 900.0),
        ("1e20", 900.0),  # raised OverflowError in timedelta
        ("inf", 60.0),  # ignored: the back-off applies
        ("nan", 60.0),
        ("-5", 60.0),
        ("5", 60.0),  # no storm either: at least the shortest back-off
    ],
)
async def test_rate_limit_retry_after_is_clamped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    retry_after: str,
    delay: float,
) -> None:
    """A Retry-After out of bounds or not a number never parks polling for decades (issue 11)."""
    coordinator = coordinator_of(setup_integration)
    simulator.set_faults(retry_after=retry_after)
    simulator.fail_next("429", route="GET /smartlock")
    await next_cycle(hass, freezer)
    assert coordinator.update_interval == timedelta(seconds=delay)
    assert coordinator.last_update_success
    assert not [r for r in caplog.records if r.exc_info], "no traceback"

    await next_cycle(hass, freezer, timedelta(seconds=delay))
    assert coordinator.update_interval == CYCLE


async def test_rate_limit_at_start_retries_setup(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    simulator.fail_next("429", route="GET /smartlock")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


# --- outages -----------------------------------------------------------------------------


async def test_short_outage_keeps_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lock = front_door_lock(hass)
    state = hass.states.get(lock)
    assert state is not None
    simulator.fail_next("500", count=1, route="GET /smartlock")
    simulator.fail_next("malformed", count=1, route="GET /smartlock")
    simulator.fail_next("truncated", count=1, route="GET /smartlock")
    for _ in range(3):
        await next_cycle(hass, freezer)
        current = hass.states.get(lock)
        assert current is not None
        assert current.state == state.state

    await next_cycle(hass, freezer)
    assert coordinator_of(setup_integration).last_update_success
    assert len(warnings_and_errors(caplog)) == 1
    assert "not reachable" in warnings_and_errors(caplog)[0]
    assert sum("reachable again" in line for line in infos(caplog)) == 1


@pytest.mark.parametrize("route", ["GET /smartlock", "GET /smartlock/log"])
async def test_busy_read_keeps_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    route: str,
) -> None:
    """A read answered with 423 Locked passes like a short outage: entities keep their state."""
    lock = front_door_lock(hass)
    state = hass.states.get(lock)
    assert state is not None
    simulator.fail_next("423", route=route)
    await next_cycle(hass, freezer)
    assert coordinator_of(setup_integration).last_update_success
    assert hass.states.get(lock).state == state.state  # type: ignore[union-attr]
    assert simulator.state.faults.queue == []  # the fault was served


@pytest.mark.parametrize(
    "error",
    [
        NukiConflictError("GET /smartlock -> HTTP 409", status=409),
        NukiRequestError("GET /smartlock -> HTTP 408", status=408),
    ],
)
async def test_other_transient_read_errors_keep_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    error: NukiError,
) -> None:
    coordinator = coordinator_of(setup_integration)
    state = hass.states.get(front_door_lock(hass))
    assert state is not None
    with patch.object(coordinator.client, "smartlocks", side_effect=error):
        await next_cycle(hass, freezer)
    assert coordinator.last_update_success
    assert hass.states.get(front_door_lock(hass)).state == state.state  # type: ignore[union-attr]
    await next_cycle(hass, freezer)
    # The wording fits what happened: Nuki answered, just not normally.
    assert [line.split(" (")[0] for line in warnings_and_errors(caplog)] == [
        "Nuki Web API is not answering normally"
    ]
    assert sum("answers normally again" in line for line in infos(caplog)) == 1


@pytest.mark.parametrize(
    ("fault", "route", "warning", "info"),
    [
        ("502", "GET /smartlock", "is not reachable (", "reachable again"),
        ("500-json", "GET /smartlock", "is not reachable (", "reachable again"),
        # Nuki's outage of November 2024: a plain-text 403 that went away by itself (issue 11).
        ("403", "GET /smartlock", "is not answering normally (", "answers normally again"),
    ],
)
async def test_long_outage_makes_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    route: str,
    warning: str,
    info: str,
) -> None:
    """The last state is kept for two minutes, then entities are unavailable: one warning."""
    lock = front_door_lock(hass)
    state = hass.states.get(lock)
    assert state is not None
    simulator.fail_next(fault, count=6, route=route)
    for _ in range(4):  # 0 .. 90 s into the outage
        await next_cycle(hass, freezer)
        assert hass.states.get(lock).state == state.state  # type: ignore[union-attr]
    await next_cycle(hass, freezer)  # 120 s
    assert hass.states.get(lock).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    await next_cycle(hass, freezer)
    assert hass.states.get(lock).state == STATE_UNAVAILABLE  # type: ignore[union-attr]

    await next_cycle(hass, freezer)
    assert hass.states.get(lock).state == state.state  # type: ignore[union-attr]
    assert len(warnings_and_errors(caplog)) == 1
    assert warning in warnings_and_errors(caplog)[0]
    assert sum(info in line for line in infos(caplog)) == 1
    assert not [line for line in infos(caplog) if "recovered" in line]


# --- the activity log's own trouble (api.LogTrouble): the device list still counts ---------

LOG_ROUTE = "GET /smartlock/log"
LOG_WARNING = "The activity log of Nuki Web is not readable ("
LOG_BACK = "The activity log of Nuki Web is readable again"


@pytest.mark.parametrize("fault", ["502", "403", "malformed", "truncated"])
async def test_log_outage_costs_the_log_alone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """States come from the device list; one warning past the grace, one info when it is back."""
    coordinator, lock = coordinator_of(setup_integration), front_door_lock(hass)
    simulator.fail_next(fault, count=6, route=LOG_ROUTE)
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    for number in range(6):  # 0 .. 150 s into the log's outage
        await next_cycle(hass, freezer)
        assert coordinator.last_update_success
        assert hass.states.get(lock).state == LockState.UNLOCKED  # type: ignore[union-attr]
        assert coordinator.data.new_logs == ()
        assert len(warnings_and_errors(caplog)) == (number >= 4)
    assert warnings_and_errors(caplog)[0].startswith(LOG_WARNING)
    assert LOG_BACK not in infos(caplog)

    await next_cycle(hass, freezer)
    assert [entry.id for entry in coordinator.data.new_logs] == [simulator.state.logs[-1]["id"]]
    await next_cycle(hass, freezer)
    assert len(warnings_and_errors(caplog)) == 1
    assert infos(caplog).count(LOG_BACK) == 1
    assert simulator.state.faults.queue == []


async def test_activity_reported_once_in_order_across_a_log_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The log cursor waits for the entries it could not read: each comes once, in order."""
    fired: list[str] = []
    hass.bus.async_listen(EVENT_NUKI_WEB_API, lambda event: fired.append(event.data["log_id"]))
    first = len(simulator.state.logs)
    simulator.fail_next("500", count=3, route=LOG_ROUTE)
    for number in range(3):
        simulator.press_button(FRONT_DOOR)
        await let_devices_move(hass, freezer, simulator)
        simulator.press_button(GARDEN_DOOR)
        await let_devices_move(hass, freezer, simulator)
        await next_cycle(hass, freezer)
        # The device list of each cycle is shown although its log read failed.
        shown = LockState.UNLOCKED if number % 2 == 0 else LockState.LOCKED
        assert hass.states.get(front_door_lock(hass)).state == shown  # type: ignore[union-attr]
    await hass.async_block_till_done()
    assert fired == []

    await next_cycle(hass, freezer)
    await next_cycle(hass, freezer)
    await hass.async_block_till_done()
    entries = [raw["id"] for raw in simulator.state.logs[first:]]
    assert len(entries) == 6
    assert fired == entries


async def test_log_rate_limit_backs_off_with_the_cycles_device_list(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 429 on the log: the device list read before it is shown, polling backs off."""
    coordinator, lock = coordinator_of(setup_integration), front_door_lock(hass)
    simulator.set_faults(retry_after=120)
    simulator.fail_next("429", route=LOG_ROUTE)
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    await next_cycle(hass, freezer)
    assert hass.states.get(lock).state == LockState.UNLOCKED  # type: ignore[union-attr]
    assert coordinator.update_interval == timedelta(seconds=120)
    assert coordinator.data.new_logs == ()

    await next_cycle(hass, freezer, timedelta(seconds=120))
    assert [entry.id for entry in coordinator.data.new_logs] == [simulator.state.logs[-1]["id"]]
    assert coordinator.update_interval == CYCLE
    assert len(warnings_and_errors(caplog)) == 1
    assert "rate limit" in warnings_and_errors(caplog)[0]


async def test_no_follow_up_reads_while_the_log_is_rate_limited(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A lock moving in the device list of a cycle whose log got a 429 is not followed up."""
    coordinator = coordinator_of(setup_integration)
    simulator.state.actuation_delay = 100.0
    simulator.set_faults(retry_after=120)
    simulator.fail_next("429", route=LOG_ROUTE)
    simulator.press_button(FRONT_DOOR)  # the lock still moves at the next cycle
    await next_cycle(hass, freezer)
    assert coordinator.update_interval == timedelta(seconds=120)
    assert coordinator.data.devices[FRONT_DOOR].state.state == NukiLockState.UNLOCKING  # type: ignore[union-attr]
    reads = simulator.counters()["requests"]["GET /smartlock"]
    for _ in range(5):
        await next_cycle(hass, freezer, timedelta(seconds=1))
    assert simulator.counters()["requests"]["GET /smartlock"] == reads


async def test_a_failed_log_follow_up_keeps_the_devices(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The log read after an action fails: the devices stay as read, the next poll brings it."""
    coordinator, lock = coordinator_of(setup_integration), front_door_lock(hass)
    simulator.state.actuation_delay = 2.5
    logs = coordinator.client.logs
    failed: list[str | None] = []

    async def once_refused(**kwargs: Any) -> Any:
        if not failed:
            failed.append(kwargs.get("before_id"))
            raise NukiBadRequestError("GET /smartlock/log -> HTTP 400", status=400)
        return await logs(**kwargs)

    with patch.object(coordinator.client, "logs", side_effect=once_refused):
        await hass.services.async_call(LOCK_DOMAIN, "unlock", {"entity_id": lock}, blocking=True)
        for _ in range(20):  # the follow-up reads: the device list, then the log once
            await next_cycle(hass, freezer, timedelta(seconds=0.25))
        assert failed == [None]
        state = hass.states.get(lock)
        assert state is not None
        assert state.state == LockState.UNLOCKED
        assert coordinator.last_update_success
        newest = simulator.state.logs[-1]["id"]
        assert coordinator.data.last_log[FRONT_DOOR].id != newest  # the log waits
        assert [line.split(" (")[0] for line in warnings_and_errors(caplog)] == [
            LOG_WARNING.removesuffix(" (")
        ]

        await next_cycle(hass, freezer)
    assert coordinator.data.last_log[FRONT_DOOR].id == newest
    assert [entry.id for entry in coordinator.data.new_logs] == [newest]
    assert infos(caplog).count(LOG_BACK) == 1


# --- dynamic and stale devices -----------------------------------------------------------


async def test_device_added_and_removed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry_id = setup_integration.entry_id
    new_id = simulator.add_device({"name": "Back door", "type": 4})
    await next_cycle(hass, freezer)
    device = device_registry.async_get_device_by_identifier((DOMAIN, str(new_id)), entry_id)
    assert device is not None
    assert device.name == "Back door"
    new_lock = hass.states.get(entity_of(hass, LOCK_DOMAIN, new_id, "lock"))
    assert new_lock is not None
    assert new_lock.state != STATE_UNAVAILABLE

    simulator.remove_device(new_id)
    simulator.remove_device(HOLIDAY_FLAT)
    await next_cycle(hass, freezer)
    for smartlock_id in (new_id, HOLIDAY_FLAT):
        assert (
            device_registry.async_get_device_by_identifier((DOMAIN, str(smartlock_id)), entry_id)
            is None
        )
    assert issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{HOLIDAY_FLAT}") is None
    assert (
        device_registry.async_get_device_by_identifier((DOMAIN, str(FRONT_DOOR)), entry_id)
        is not None
    )


async def test_other_client_error_makes_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer that is no outage (e.g. 400) is not papered over with the last state."""
    coordinator = coordinator_of(setup_integration)
    with patch.object(
        coordinator.client,
        "smartlocks",
        side_effect=NukiBadRequestError("GET /smartlock -> 400", status=400),
    ):
        await next_cycle(hass, freezer)
    assert not coordinator.last_update_success
    assert hass.states.get(front_door_lock(hass)).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    await next_cycle(hass, freezer)
    assert coordinator.last_update_success
    assert warnings_and_errors(caplog) == [
        "Reading from Nuki Web API failed: GET /smartlock -> 400"
    ]
    assert sum("answers normally again" in line for line in infos(caplog)) == 1


# --- devices without usable data (api.FailingDevices): like a short outage of one device ----


def lock_state(hass: HomeAssistant, smartlock_id: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{smartlock_id}_lock")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


@pytest.mark.parametrize("route", ["GET /smartlock", "GET /smartlock/log"])
async def test_bad_items_keep_the_rest_of_the_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    route: str,
) -> None:
    """Unparsable items (null, a string, no id, id as string, null type/action/date, odd dates,
    a numeric log id) are skipped; the good answer of the same cycle is applied."""
    coordinator = setup_integration.runtime_data.coordinator
    assert lock_state(hass, FRONT_DOOR) == "locked"
    simulator.press_button(FRONT_DOOR)  # unlocks, and logs it
    await let_devices_move(hass, freezer, simulator)
    simulator.fail_next("bad-items", count=3, route=route)
    await next_cycle(hass, freezer)

    assert coordinator.last_update_success
    assert lock_state(hass, FRONT_DOOR) == "unlocked"
    assert [entry.smartlock_id for entry in coordinator.data.new_logs] == [FRONT_DOOR]
    assert lock_state(hass, OFFICE) == "unlocked"
    assert coordinator.data.unavailable == frozenset()
    for _ in range(2):
        await next_cycle(hass, freezer)
    unavailable = [
        state.entity_id
        for state in hass.states.async_all("lock")
        if state.state == STATE_UNAVAILABLE
    ]
    assert unavailable == [
        er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{HOLIDAY_FLAT}_lock")
    ]
    assert warnings_and_errors(caplog) == []


async def test_device_with_an_unreadable_item_is_kept_through_the_grace_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A device whose item cannot be parsed is not taken for gone: it keeps its last state
    for two minutes, then becomes unavailable, and returns when the item is readable again."""
    office = simulator.device(OFFICE)
    office.data["type"] = None  # Nuki sends "type": null for it
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    for _ in range(4):  # 0 .. 90 s since the item became unreadable
        await next_cycle(hass, freezer)
        assert lock_state(hass, OFFICE) == "unlocked"
    assert lock_state(hass, FRONT_DOOR) == "unlocked"  # the others follow Nuki as usual
    assert warnings_and_errors(caplog) == []  # the grace period hides it
    await next_cycle(hass, freezer)  # 120 s
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert warnings_and_errors(caplog) == [
        "Nuki Web API sends no usable data for Office (its item cannot be read); "
        "unavailable until it does"
    ]
    assert lock_state(hass, FRONT_DOOR) == "unlocked"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(OFFICE)), setup_integration.entry_id
    )
    assert device is not None  # not taken for a device that left the account

    office.data["type"] = 5
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "unlocked"
    assert "Nuki Web API sends usable data again for Office" in caplog.text
    assert len(warnings_and_errors(caplog)) == 1


async def test_error_item_keeps_the_last_state_through_the_grace_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An item with an error that is not Smart Hosting: the lock is never shown "unknown"."""
    coordinator = setup_integration.runtime_data.coordinator
    simulator.fail_next("error-items", count=6, route="GET /smartlock")
    for _ in range(4):  # 0 .. 90 s
        await next_cycle(hass, freezer)
        assert lock_state(hass, FRONT_DOOR) == "locked"
        assert lock_state(hass, OFFICE) == "unlocked"
    assert coordinator.data.smart_hosting_missing == {HOLIDAY_FLAT}  # not the other devices
    await next_cycle(hass, freezer)  # 120 s
    assert lock_state(hass, FRONT_DOOR) == STATE_UNAVAILABLE
    assert lock_state(hass, GARDEN_DOOR) == STATE_UNAVAILABLE
    # One warning; the device without Smart Hosting was unavailable (with its issue) already.
    reason = "(Internal error, please try again later)"
    names = ("Building entrance", "Garden door", "Front door", "Office")
    assert warnings_and_errors(caplog) == [
        f"Nuki Web API sends no usable data for {', '.join(f'{n} {reason}' for n in names)}; "
        "unavailable until it does"
    ]
    await next_cycle(hass, freezer)
    await next_cycle(hass, freezer)
    assert lock_state(hass, FRONT_DOOR) == "locked"


async def test_error_item_of_one_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The error of one device's item affects that device only."""
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    simulator.device(OFFICE).state["state"] = 1
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "unlocked"  # the last state, not the item's
    for _ in range(4):
        await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert lock_state(hass, FRONT_DOOR) == "locked"
    del simulator.device(OFFICE).data["error"]
    await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == "locked"


async def test_error_item_at_setup_is_unavailable_not_unknown(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a last state to keep, a device whose item carries an error is unavailable."""
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    assert lock_state(hass, FRONT_DOOR) not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    assert warnings_and_errors(caplog) == [
        "Nuki Web API sends no usable data for Office (Internal error, please try again later); "
        "unavailable until it does"
    ]


async def test_a_pushed_state_makes_a_failing_device_available(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A device unavailable for want of data shows the state that push delivers at once.

    With push healthy the next poll may be 10 minutes away.
    """
    coordinator = setup_integration.runtime_data.coordinator
    simulator.device(OFFICE).data["error"] = "Internal error, please try again later"
    for _ in range(5):
        await next_cycle(hass, freezer)
    assert lock_state(hass, OFFICE) == STATE_UNAVAILABLE
    device = coordinator.data.devices[OFFICE]
    pushed = device.from_json({**device.raw, "state": {**device.raw["state"], "state": 1}})
    coordinator.async_set_pushed_device(pushed)
    await hass.async_block_till_done()
    assert lock_state(hass, OFFICE) == "locked"
    assert OFFICE not in coordinator.data.unavailable


# --- the log cursor across reloads, reauth and restarts ------------------------------------


async def _press(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: SimulatorServer
) -> str:
    """Press the front door's button; return the id of the log entry it writes."""
    count = len(simulator.state.logs)
    simulator.press_button(FRONT_DOOR)
    await advance_simulator(
        hass,
        freezer,
        simulator,
        lambda: len(simulator.state.logs) > count and not simulator.device(FRONT_DOOR).busy,
    )
    log_id: str = simulator.state.logs[count]["id"]
    return log_id


def _listen(hass: HomeAssistant) -> list[str]:
    fired: list[str] = []

    @callback
    def on_event(event: Event[Any]) -> None:
        fired.append(event.data["log_id"])

    hass.bus.async_listen(EVENT_NUKI_WEB_API, on_event)
    return fired


async def test_activity_during_reload_and_reauth_fires_once(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    secret_tokens: set[str],
) -> None:
    """What happens while the entry is not polling (reload, a failed 401 cycle, reauth) fires."""
    entry_id = setup_integration.entry_id
    fired = _listen(hass)
    assert await hass.config_entries.async_unload(entry_id)
    during_reload = await _press(hass, freezer, simulator)
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert fired == [during_reload]

    # The token is revoked and replaced by a new one of the same account.
    old = simulator.token
    secret_tokens.add(new := "nuki-sim-rotated-token")
    simulator.state.tokens[new] = replace(simulator.state.tokens.pop(old), value=new)
    in_failed_cycle = await _press(hass, freezer, simulator)
    await refresh(hass, setup_integration)  # 401: reauth starts
    (flow,) = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    during_reauth = await _press(hass, freezer, simulator)
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {CONF_API_TOKEN: new})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert setup_integration.state is ConfigEntryState.LOADED
    assert fired == [during_reload, in_failed_cycle, during_reauth]

    await refresh(hass, setup_integration)
    assert fired == [during_reload, in_failed_cycle, during_reauth]


async def test_restart_after_a_long_time_fires_bounded_history(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Days of activity while Home Assistant was off: one bounded paging run, no flood."""
    entry_id = setup_integration.entry_id
    fired = _listen(hass)
    assert await hass.config_entries.async_unload(entry_id)
    device = simulator.device(FRONT_DOOR)
    actor = Actor(name="Anna", trigger=0)
    missed = []
    for _ in range(3 * MAX_LOG_PAGES * LOG_PAGE_SIZE):
        freezer.tick(timedelta(minutes=30))
        missed.append(simulator.state.add_log(device, 2, actor)["id"])
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert fired == missed[-MAX_LOG_PAGES * LOG_PAGE_SIZE :]

    await refresh(hass, setup_integration)
    assert len(fired) == MAX_LOG_PAGES * LOG_PAGE_SIZE


async def test_log_cursor_is_saved_after_a_delay(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The ids seen are written 10 s after a cycle found new ones, not at every cycle."""
    key = log_cursor_store(hass, setup_integration.entry_id).key
    log_id = await _press(hass, freezer, simulator)
    await refresh(hass, setup_integration)
    assert log_id not in hass_storage[key]["data"]["seen"]
    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert log_id in hass_storage[key]["data"]["seen"]


async def test_log_cursor_cut_off_is_the_first_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    setup_integration: MockConfigEntry,
) -> None:
    """Entries dated before the entry was first set up are history; a reload keeps that date."""
    key = log_cursor_store(hass, setup_integration.entry_id).key
    since = hass_storage[key]["data"]["since"]
    assert dt_util.parse_datetime(since) == dt_util.utcnow().replace(microsecond=0)
    freezer.tick(timedelta(hours=1))
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[key]["data"]["since"] == since


async def test_log_cursor_stored_without_cut_off_starts_now(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
) -> None:
    """A store written before the cut-off was kept: history stays history, now is saved."""
    key = log_cursor_store(hass, config_entry.entry_id).key
    hass_storage[key] = {"version": 1, "key": key, "data": {"seen": ["seen-before"]}}
    fired = _listen(hass)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert fired == []  # the demo's log is older than now
    assert hass_storage[key]["data"]["seen"][0] == "seen-before"
    assert dt_util.parse_datetime(hass_storage[key]["data"]["since"]) is not None


async def test_removing_the_entry_deletes_the_log_cursor(
    hass: HomeAssistant, hass_storage: dict[str, Any], setup_integration: MockConfigEntry
) -> None:
    key = log_cursor_store(hass, setup_integration.entry_id).key
    assert key in hass_storage
    assert await hass.config_entries.async_remove(setup_integration.entry_id)
    assert key not in hass_storage
