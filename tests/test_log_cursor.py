"""The log cursor: never twice, nothing from before setup, paging on bursts, persistence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.activity import EVENT_NUKI_WEB_API
from custom_components.nuki_web_api.api import ParsedList, SmartlockLog
from custom_components.nuki_web_api.const import CONF_API_TOKEN, DOMAIN, LOG_PAGE_SIZE
from custom_components.nuki_web_api.logbook_cursor import (
    MAX_PAGES,
    STORAGE_VERSION,
    CursorData,
    LogCursor,
    storage_key,
)
from simulator.core import Actor
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, advance_simulator, refresh

SETUP = datetime(2026, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC)


def entry(number: int, *, seconds: float = 10.0) -> SmartlockLog:
    """A log entry `seconds` after setup; ids sort like Nuki's ObjectIds."""
    return SmartlockLog.from_json(
        {
            "id": f"{number:024x}",
            "smartlockId": 1,
            "action": 1,
            "trigger": 0,
            "state": 0,
            "date": (SETUP + timedelta(seconds=seconds)).isoformat(),
        }
    )


def newest_first(numbers: range) -> list[SmartlockLog]:
    return [entry(n) for n in reversed(numbers)]


def test_reports_each_entry_once_oldest_first() -> None:
    cursor = LogCursor(since=SETUP)
    assert [e.id for e in cursor.advance(newest_first(range(1, 4)))] == [
        entry(1).id,
        entry(2).id,
        entry(3).id,
    ]
    # The next page overlaps the previous one: only the new entry is reported.
    assert [e.id for e in cursor.advance(newest_first(range(2, 5)))] == [entry(4).id]
    assert cursor.advance(newest_first(range(1, 5))) == ()


def test_entries_before_setup_are_history() -> None:
    cursor = LogCursor(since=SETUP)
    old, same_second, new = entry(1, seconds=-5), entry(2, seconds=-0.4), entry(3)
    # Nuki dates have whole seconds (or milliseconds): the setup second itself counts.
    assert cursor.advance([new, same_second, old]) == (same_second, new)
    assert cursor.seen_ids() == [old.id, same_second.id, new.id]


def test_memory_is_bounded() -> None:
    cursor = LogCursor(since=SETUP, memory=3)
    cursor.advance(newest_first(range(1, 6)))
    assert cursor.seen_ids() == [entry(n).id for n in (3, 4, 5)]
    assert not cursor.remember([entry(5).id])


class FakeLog:
    """Pages like GET /smartlock/log: newest first, `id` = strictly older than."""

    def __init__(self, entries: list[SmartlockLog], page_size: int = 50) -> None:
        self.entries = entries  # newest first
        self.page_size = page_size
        self.calls: list[str | None] = []

    async def page(self, before: str | None) -> list[SmartlockLog]:
        self.calls.append(before)
        older = [e for e in self.entries if before is None or e.id < before]
        return older[: self.page_size]


async def test_burst_pages_back_until_a_seen_entry() -> None:
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 11)))
    cursor.advance(await cursor.async_fetch(log.page, 50))
    assert log.calls == [None]  # a short page: nothing older to read

    log.entries = newest_first(range(1, 131))  # 120 new entries
    fetched = await cursor.async_fetch(log.page, 50)
    assert len(log.calls) == 1 + 3  # 50 + 50 + 30 (with the 10 seen entries)
    new = cursor.advance(fetched)
    assert [e.id for e in new] == [entry(n).id for n in range(11, 131)]


async def test_burst_paging_is_bounded() -> None:
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 400)), page_size=50)
    fetched = await cursor.async_fetch(log.page, 50)
    assert len(log.calls) == MAX_PAGES
    assert len(fetched) == MAX_PAGES * 50


async def test_unparsable_entries_count_for_a_full_page() -> None:
    """A page of 50 with one entry the client skipped is full: older pages are read."""
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 121)))

    async def page(before: str | None) -> ParsedList[SmartlockLog]:
        entries = await log.page(before)
        parsed = ParsedList(entries[1:])  # the newest of each page could not be parsed
        parsed.skipped = 1
        return parsed

    await cursor.async_fetch(page, 50)
    assert len(log.calls) == 3


async def test_a_page_of_only_unparsable_entries_stops_paging() -> None:
    cursor = LogCursor(since=SETUP)
    calls = []

    async def page(before: str | None) -> ParsedList[SmartlockLog]:
        calls.append(before)
        parsed = ParsedList[SmartlockLog]()
        parsed.skipped = 50
        return parsed

    assert await cursor.async_fetch(page, 50) == []
    assert calls == [None]


async def test_no_paging_when_the_page_reaches_before_setup() -> None:
    cursor = LogCursor(since=SETUP)
    entries = [entry(n) for n in range(100, 60, -1)] + [
        entry(n, seconds=-60) for n in range(60, 0, -1)
    ]
    log = FakeLog(entries)
    await cursor.async_fetch(log.page, 50)
    assert log.calls == [None]


async def test_store_round_trip(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    key = storage_key("entry1")
    store = Store[CursorData](hass, STORAGE_VERSION, key)
    cursor = LogCursor(store, since=SETUP)
    cursor.advance(newest_first(range(1, 4)))
    await cursor.async_save()  # what the delayed save writes
    assert hass_storage[key]["data"] == {
        "seen": [entry(n).id for n in range(1, 4)],
        "since": "2026-05-01T12:00:00+00:00",
    }

    restored = LogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    await restored.async_load()
    assert [e.id for e in restored.advance(newest_first(range(1, 5)))] == [entry(4).id]

    await restored.async_remove()
    assert key not in hass_storage


async def test_nothing_stored_loads_empty(hass: HomeAssistant) -> None:
    cursor = LogCursor.for_entry(hass, "missing")
    await cursor.async_load()
    assert cursor.seen_ids() == []
    unstored = LogCursor(since=SETUP)
    await unstored.async_load()
    assert unstored.advance([entry(1, seconds=-60)]) == ()


async def test_cut_off_is_the_first_setup(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A later cursor of the same entry keeps the first cut-off (entries in between are new)."""
    key = storage_key("entry1")
    first = LogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    await first.async_load()  # nothing stored: the cut-off is saved at once
    assert hass_storage[key]["data"] == {"seen": [], "since": "2026-05-01T12:00:00+00:00"}

    later = LogCursor(
        Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP + timedelta(hours=1)
    )
    await later.async_load()
    between = entry(1, seconds=60)
    assert later.advance([between]) == (between,)


async def test_store_without_cut_off_starts_now(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A store written before the cut-off was kept: history stays history, the ids still count."""
    key = storage_key("entry1")
    hass_storage[key] = {"version": STORAGE_VERSION, "key": key, "data": {"seen": [entry(1).id]}}
    cursor = LogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    await cursor.async_load()
    assert cursor.advance([entry(2), entry(1), entry(3, seconds=-60)]) == (entry(2),)
    assert hass_storage[key]["data"]["since"] == "2026-05-01T12:00:00+00:00"


async def test_removing_the_entry_deletes_the_cursor(
    hass: HomeAssistant, hass_storage: dict[str, Any], setup_integration: MockConfigEntry
) -> None:
    key = storage_key(setup_integration.entry_id)
    await Store[CursorData](hass, STORAGE_VERSION, key).async_save({"seen": ["a"]})
    assert key in hass_storage
    assert await hass.config_entries.async_remove(setup_integration.entry_id)
    assert key not in hass_storage


async def test_error_items_do_not_page() -> None:
    cursor = LogCursor(since=SETUP)
    items = [
        SmartlockLog.from_json(
            {**_json(n), "error": "No active Smart Hosting subscription for the Smart Lock"}
        )
        for n in range(60, 0, -1)
    ]
    log = FakeLog(items)
    await cursor.async_fetch(log.page, 50)
    assert log.calls == [None]


def _json(number: int) -> dict[str, Any]:
    return {
        "id": f"{number:024x}",
        "smartlockId": 1,
        "action": 255,
        "trigger": 255,
        "state": 255,
        "date": (SETUP + timedelta(seconds=10)).isoformat(),
    }


# --- across reloads, reauth and restarts (against the simulator) --------------------------


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
    for _ in range(3 * MAX_PAGES * LOG_PAGE_SIZE):
        freezer.tick(timedelta(minutes=30))
        missed.append(simulator.state.add_log(device, 2, actor)["id"])
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert fired == missed[-MAX_PAGES * LOG_PAGE_SIZE :]

    await refresh(hass, setup_integration)
    assert len(fired) == MAX_PAGES * LOG_PAGE_SIZE
