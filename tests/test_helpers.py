"""The action runner: errors translated, the transitional state at once, reads until settled."""

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock import SERVICE_LOCK, SERVICE_OPEN, SERVICE_UNLOCK
from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.nuki_web_api.api import (
    FOLLOW_UP_REQUESTS,
    FOLLOW_UP_STEP,
    NukiInvalidResponseError,
    NukiWebApiClient,
)
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.helpers import async_run_action
from simulator.testing import SimulatorServer

from .platform_helpers import BUILDING_ENTRANCE, FRONT_DOOR, OFFICE, coordinator_of, refresh

ACTION_ROUTE = "POST /smartlock/{smartlockId}/action"
DEVICES = "GET /smartlock"
LOG = "GET /smartlock/log"


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move the frozen clock on and let the reads that come due finish.

    The clock only moves while no request is in flight (else the client would time out),
    and timers fire when due, not up to half a second early (as async_fire_time_changed does).
    """
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    for _ in range(2):  # a read may make the next one due at once (the log once settled)
        async_fire_time_changed_exact(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def ticks(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move the clock on by `seconds` in steps of a quarter second."""
    for _ in range(round(seconds * 4)):
        await tick(hass, freezer, 0.25)


def reads(simulator: SimulatorServer) -> dict[str, int]:
    """Return the reads counted since the last reset (the action request left out)."""
    return {
        route: count
        for route, count in simulator.counters()["requests"].items()
        if route in (DEVICES, LOG)
    }


@pytest.fixture
def states(hass: HomeAssistant) -> Iterator[list[str]]:
    """Record every state the lock entities take, in order, as 'entity: state'."""
    seen: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"].startswith("lock.") and new is not None:
            seen.append(f"{event.data['entity_id']}: {new.state}")

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    yield seen
    unsubscribe()


async def call(
    hass: HomeAssistant, service: str, entity_id: str, domain: str = LOCK_DOMAIN
) -> None:
    """Call a lock (or integration) service and wait for Nuki's answer."""
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity_id}, blocking=True)


# --- errors -----------------------------------------------------------------------------

ACTION_ROUTE = "POST /smartlock/{smartlockId}/action"


@pytest.fixture
def no_retry_pause() -> Iterator[None]:
    """Retry a busy device at once (the frozen clock would never end a real pause)."""
    with patch("custom_components.nuki_web_api.helpers.ACTION_RETRY_DELAYS", (0.0, 0.0)):
        yield


async def call_lock_service(hass: HomeAssistant, service: str = SERVICE_LOCK) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
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
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    simulator.device(FRONT_DOOR).data["serverState"] = 4
    await refresh(hass, setup_integration)
    simulator.reset_counters()
    with pytest.raises(HomeAssistantError) as exc_info:
        await call_lock_service(hass, SERVICE_UNLOCK)
    assert exc_info.value.translation_key == "device_offline"
    assert simulator.counters()["total"] == 0


@pytest.mark.parametrize(
    ("target", "send", "key", "name"),
    [
        (
            BUILDING_ENTRANCE,
            lambda client: client.lock(BUILDING_ENTRANCE),
            "not_allowed",
            "Building entrance",
        ),
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
        await async_run_action(coordinator, target, lambda: send(coordinator.client))
    assert exc_info.value.translation_key == key
    assert exc_info.value.translation_placeholders == {"name": name}


async def test_invalid_response_to_action(
    simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    coordinator = coordinator_of(setup_integration)
    call = AsyncMock(side_effect=NukiInvalidResponseError("GET /x: not JSON"))
    with pytest.raises(HomeAssistantError) as exc_info:
        await async_run_action(coordinator, FRONT_DOOR, call)
    assert exc_info.value.translation_key == "invalid_response"
    call.assert_awaited_once()


# --- the transitional state at once --------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_id", "domain", "service", "shown"),
    [
        ("lock.front_door", LOCK_DOMAIN, SERVICE_UNLOCK, LockState.UNLOCKING),
        ("lock.office", LOCK_DOMAIN, SERVICE_LOCK, LockState.LOCKING),
        ("lock.front_door", LOCK_DOMAIN, SERVICE_OPEN, LockState.OPENING),
        ("lock.front_door", DOMAIN, "lock_n_go", LockState.UNLOCKING),
        ("lock.building_entrance", LOCK_DOMAIN, SERVICE_UNLOCK, LockState.UNLOCKING),
        ("lock.building_entrance", LOCK_DOMAIN, SERVICE_LOCK, LockState.LOCKING),
        ("lock.building_entrance", LOCK_DOMAIN, SERVICE_OPEN, LockState.OPENING),
    ],
)
async def test_accepted_action_shows_its_transitional_state_at_once(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    entity_id: str,
    domain: str,
    service: str,
    shown: LockState,
) -> None:
    """Nuki's 204 is enough to show unlocking/locking/opening; no read has happened yet.

    Lock 'n' go unlocks first (Nuki's states 2, 6, 4, 1), so it shows unlocking.
    """
    simulator.reset_counters()
    await call(hass, service, entity_id, domain)
    assert hass.states.get(entity_id).state == shown
    assert reads(simulator) == {}


async def test_lock_n_go_with_unlatch_shows_opening(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    await hass.services.async_call(
        DOMAIN, "lock_n_go", {ATTR_ENTITY_ID: "lock.front_door", "unlatch": True}, blocking=True
    )
    assert hass.states.get("lock.front_door").state == LockState.OPENING


async def test_continuous_mode_shows_no_transitional_state(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """Continuous mode changes the Opener's mode, not its state: nothing to anticipate."""
    await hass.services.async_call(
        DOMAIN,
        "set_continuous_mode",
        {ATTR_ENTITY_ID: "lock.building_entrance", "enable": True},
        blocking=True,
    )
    assert hass.states.get("lock.building_entrance").state == LockState.LOCKED


async def test_refused_action_never_shows_a_transitional_state(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    states: list[str],
) -> None:
    simulator.fail_next("500", count=3, route=ACTION_ROUTE)
    with pytest.raises(HomeAssistantError):
        await call(hass, SERVICE_UNLOCK, "lock.front_door")
    await hass.async_block_till_done()
    assert states == []
    assert hass.states.get("lock.front_door").state == LockState.LOCKED


async def test_transitional_state_ends_with_the_follow_ups(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    states: list[str],
) -> None:
    """A device that never moves (offline at Nuki) is read at most six times, then shown as is."""
    simulator.device(FRONT_DOOR).data["serverState"] = 4  # accepts, never moves
    simulator.reset_counters()
    await call(hass, SERVICE_UNLOCK, "lock.front_door")
    await ticks(hass, freezer, 3 * FOLLOW_UP_STEP)
    assert hass.states.get("lock.front_door").state == LockState.UNLOCKING
    await ticks(hass, freezer, 10)
    assert states == ["lock.front_door: unlocking", "lock.front_door: locked"]
    assert reads(simulator) == {DEVICES: FOLLOW_UP_REQUESTS - 1, LOG: 1}


# --- reads until the device settles ------------------------------------------------------


async def test_unlock_is_confirmed_a_step_after_it_settles(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    states: list[str],
) -> None:
    """The device list alone while the lock moves, then the log once: the actor comes with it."""
    simulator.state.actuation_delay = 2.5
    simulator.reset_counters()
    await call(hass, SERVICE_UNLOCK, "lock.front_door")
    await ticks(hass, freezer, 2)
    assert hass.states.get("lock.front_door").state == LockState.UNLOCKING
    assert reads(simulator) == {DEVICES: 2}
    await ticks(hass, freezer, 1)
    state = hass.states.get("lock.front_door")
    assert state.state == LockState.UNLOCKED
    assert state.attributes["changed_by"] == "Alex Demo"
    assert reads(simulator) == {DEVICES: 3, LOG: 1}
    await ticks(hass, freezer, 10)
    assert reads(simulator) == {DEVICES: 3, LOG: 1}  # settled: nothing more
    assert states == ["lock.front_door: unlocking", "lock.front_door: unlocked"]


async def test_unlatch_is_followed_until_the_lock_is_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    states: list[str],
) -> None:
    """Unlatched is a passing state: the next read waits out Nuki's unlatchDuration (3 s)."""
    simulator.reset_counters()
    await call(hass, SERVICE_OPEN, "lock.front_door")
    await ticks(hass, freezer, FOLLOW_UP_STEP)
    assert hass.states.get("lock.front_door").state == LockState.OPEN
    await ticks(hass, freezer, 3)
    assert simulator.device(FRONT_DOOR).state["state"] == 3  # the latch is back
    assert hass.states.get("lock.front_door").state == LockState.UNLOCKED
    await ticks(hass, freezer, 10)
    assert states == [
        "lock.front_door: opening",
        "lock.front_door: open",
        "lock.front_door: unlocked",
    ]
    assert reads(simulator) == {DEVICES: 2, LOG: 1}


async def test_a_poll_that_finds_a_passing_state_follows_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """The Opener opens after a ring in continuous mode; its return shows without a poll."""
    opener = simulator.device(BUILDING_ENTRANCE)
    opener.state["mode"] = 3  # continuous mode
    await refresh(hass, setup_integration)
    simulator.ring(BUILDING_ENTRANCE)
    for _ in range(20):
        await tick(hass, freezer, 0.05)
        if opener.state["state"] == 5:
            break
    await refresh(hass, setup_integration)  # the poll sees the strike open
    assert hass.states.get("lock.building_entrance").state == LockState.OPEN
    simulator.reset_counters()
    await ticks(hass, freezer, 3.5)  # electricStrikeDuration 3000 ms, then one read
    assert hass.states.get("lock.building_entrance").state == LockState.UNLOCKED
    assert reads(simulator) == {DEVICES: 1, LOG: 1}


async def test_a_stuck_passing_state_is_given_up_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A device that Nuki reports unlatched for good costs one budget of reads, not one per poll."""
    simulator.device(OFFICE).state["state"] = 5
    await refresh(hass, setup_integration)
    simulator.reset_counters()
    await ticks(hass, freezer, 25)
    assert reads(simulator) == {DEVICES: FOLLOW_UP_REQUESTS - 1, LOG: 1}
    simulator.reset_counters()
    await refresh(hass, setup_integration)
    await ticks(hass, freezer, 10)
    assert reads(simulator) == {DEVICES: 1, LOG: 1}  # that poll, nothing after it
    assert hass.states.get("lock.office").state == LockState.OPEN


async def test_rate_limit_ends_the_follow_ups(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    simulator.device(FRONT_DOOR).data["serverState"] = 4  # accepts, never moves
    await call(hass, SERVICE_UNLOCK, "lock.front_door")
    simulator.fail_next("429", route=DEVICES)
    simulator.reset_counters()
    await ticks(hass, freezer, 10)
    assert reads(simulator) == {DEVICES: 1}
    assert hass.states.get("lock.front_door").state == LockState.LOCKED


async def test_a_write_is_read_back_at_two_five_and_ten_seconds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A setting moves nothing: three reads of the device list, which shows settings."""
    simulator.reset_counters()
    await async_run_action(
        coordinator_of(setup_integration), FRONT_DOOR, AsyncMock(return_value=None)
    )
    await ticks(hass, freezer, 1.5)
    assert reads(simulator) == {}
    await ticks(hass, freezer, 20)
    assert reads(simulator) == {DEVICES: 3}
