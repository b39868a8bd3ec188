"""The coordinator against the simulator: requests per cycle, logs, errors, repairs, devices."""

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from unittest.mock import AsyncMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock import SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.nuki_web_api.api import (
    NukiBadRequestError,
    NukiConflictError,
    NukiError,
    NukiInvalidResponseError,
    NukiRequestError,
    NukiWebApiClient,
)
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.coordinator import NukiCoordinator
from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285
GARDEN_DOOR = 13896605295
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
        ("403", "GET /smartlock/log", "is not answering normally (", "answers normally again"),
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


# --- repairs -----------------------------------------------------------------------------


async def test_missing_log_scope_raises_and_clears_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"missing_scope_{setup_integration.entry_id}"
    token = simulator.state.tokens[simulator.token]
    simulator.state.tokens[simulator.token] = replace(
        token, scopes=token.scopes - {"smartlock.log"}
    )
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    await next_cycle(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "scope": "smartlock.log",
        "scope_name": "Activity log",
    }
    coordinator = coordinator_of(setup_integration)
    assert coordinator.data.new_logs == ()
    assert coordinator.last_update_success
    assert hass.states.get(front_door_lock(hass)).state != STATE_UNAVAILABLE  # type: ignore[union-attr]

    simulator.state.tokens[simulator.token] = token
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert [entry.smartlock_id for entry in coordinator.data.new_logs] == [FRONT_DOOR]


async def test_smart_hosting_issue_from_device_list(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"smart_hosting_{HOLIDAY_FLAT}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    # Nuki's list item without Smart Hosting has no name, and this one was never seen before.
    assert issue.translation_key == "smart_hosting_unnamed"
    assert issue.translation_placeholders == {
        "name": "Smart Lock 3.0/4.0 5E6F7081",
        "model": "Smart Lock 3.0/4.0",
        "nuki_id": "5E6F7081",
    }
    assert issue.learn_more_url == "https://nuki.io/en/smart-hosting/"
    assert HOLIDAY_FLAT in coordinator_of(setup_integration).data.smart_hosting_missing
    assert hass.states.get(entity_of(hass, LOCK_DOMAIN, HOLIDAY_FLAT, "lock")).state == (  # type: ignore[union-attr]
        STATE_UNAVAILABLE
    )

    simulator.set_smart_hosting(HOLIDAY_FLAT, True)
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(entity_of(hass, LOCK_DOMAIN, HOLIDAY_FLAT, "lock")).state != (  # type: ignore[union-attr]
        STATE_UNAVAILABLE
    )


@pytest.mark.parametrize("body", ["detailMessage", "error"])
async def test_smart_hosting_issue_from_action(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    body: str,
) -> None:
    """The refusal is recognised in the seed's body and in docs.nuki.io's {"error": ...}."""
    issue_id = f"smart_hosting_{FRONT_DOOR}"
    simulator.state.set_smart_hosting_body(body)
    simulator.set_smart_hosting(FRONT_DOOR, False)
    with pytest.raises(HomeAssistantError) as exc_info:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: front_door_lock(hass)}, blocking=True
        )
    assert exc_info.value.translation_key == "smart_hosting_required"
    assert exc_info.value.translation_placeholders == {"name": "Front door"}
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await next_cycle(hass, freezer)  # the list now carries the error as well
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get(front_door_lock(hass)).state == STATE_UNAVAILABLE  # type: ignore[union-attr]

    simulator.set_smart_hosting(FRONT_DOOR, True)
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


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


# --- actions -----------------------------------------------------------------------------

OPENER = 9315306846
ACTION_ROUTE = "POST /smartlock/{smartlockId}/action"


@pytest.fixture
def no_retry_pause() -> Iterator[None]:
    """Retry a busy device at once (the frozen clock would never end a real pause)."""
    with patch("custom_components.nuki_web_api.coordinator.ACTION_RETRY_DELAYS", (0.0, 0.0)):
        yield


async def call_lock_service(hass: HomeAssistant, service: str = SERVICE_LOCK) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: front_door_lock(hass)}, blocking=True
    )


async def test_busy_device_is_retried(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    no_retry_pause: None,
) -> None:
    simulator.fail_next("423", count=2, route=ACTION_ROUTE)
    await call_lock_service(hass, SERVICE_UNLOCK)
    assert simulator.counters()["requests"][ACTION_ROUTE] == 3


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ("423", "device_busy"),
        ("429", "rate_limited"),
        ("500", "cannot_connect"),
        ("502", "cannot_connect"),
    ],
)
async def test_action_fault_is_translated(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    no_retry_pause: None,
    fault: str,
    key: str,
) -> None:
    simulator.fail_next(fault, count=3, route=ACTION_ROUTE)
    with pytest.raises(HomeAssistantError) as exc_info:
        await call_lock_service(hass, SERVICE_UNLOCK)
    assert exc_info.value.translation_domain == DOMAIN
    assert exc_info.value.translation_key == key
    assert exc_info.value.translation_placeholders == {"name": "Front door"}


async def test_action_with_rejected_token_starts_reauth(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    simulator.fail_next("401", route=ACTION_ROUTE)
    with pytest.raises(HomeAssistantError) as exc_info:
        await call_lock_service(hass, SERVICE_UNLOCK)
    assert exc_info.value.translation_key == "auth_failed"
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_offline_device_is_refused_before_sending(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    simulator.device(FRONT_DOOR).data["serverState"] = 4
    await next_cycle(hass, freezer)
    simulator.reset_counters()
    with pytest.raises(HomeAssistantError) as exc_info:
        await call_lock_service(hass, SERVICE_UNLOCK)
    assert exc_info.value.translation_key == "device_offline"
    assert simulator.counters()["total"] == 0


@pytest.mark.parametrize(
    ("target", "send", "key", "name"),
    [
        (OPENER, lambda client: client.lock(OPENER), "not_allowed", "Building entrance"),
        (424242, lambda client: client.lock(424242), "not_found", "Smart Lock 1.0/2.0 00067932"),
        (FRONT_DOOR, lambda client: client.action(FRONT_DOOR, 99), "unknown_error", "Front door"),
    ],
)
async def test_action_answer_is_translated(
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    target: int,
    send: Callable[[NukiWebApiClient], Awaitable[None]],
    key: str,
    name: str,
) -> None:
    """Nuki's 405, 404 and 400 answers become translated errors naming the device."""
    coordinator = coordinator_of(setup_integration)
    with pytest.raises(HomeAssistantError) as exc_info:
        await coordinator.async_run_action(target, lambda: send(coordinator.client))
    assert exc_info.value.translation_key == key
    assert exc_info.value.translation_placeholders == {"name": name}


async def test_invalid_response_to_action(
    simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    coordinator = coordinator_of(setup_integration)
    call = AsyncMock(side_effect=NukiInvalidResponseError("GET /x: not JSON"))
    with pytest.raises(HomeAssistantError) as exc_info:
        await coordinator.async_run_action(FRONT_DOOR, call)
    assert exc_info.value.translation_key == "invalid_response"
    call.assert_awaited_once()


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
