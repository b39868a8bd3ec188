"""The stored log cursor: persistence per entry, and activity across reloads and restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.nuki_web_api.api import MAX_LOG_PAGES
from custom_components.nuki_web_api.const import CONF_API_TOKEN, DOMAIN, LOG_PAGE_SIZE
from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from custom_components.nuki_web_api.logbook_cursor import (
    SAVE_DELAY,
    STORAGE_VERSION,
    CursorData,
    StoredLogCursor,
    storage_key,
)
from simulator.core import Actor
from simulator.testing import SimulatorServer

from .api.test_log_cursor import SETUP, entry, newest_first
from .platform_helpers import FRONT_DOOR, advance_simulator, refresh


async def test_store_round_trip(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    key = storage_key("entry1")
    store = Store[CursorData](hass, STORAGE_VERSION, key)
    cursor = StoredLogCursor(store, since=SETUP)
    cursor.advance(newest_first(range(1, 4)))
    await cursor.async_save()  # what the delayed save writes
    assert hass_storage[key]["data"] == {
        "seen": [entry(n).id for n in range(1, 4)],
        "since": "2026-05-01T12:00:00+00:00",
    }

    restored = StoredLogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    await restored.async_load()
    assert [e.id for e in restored.advance(newest_first(range(1, 5)))] == [entry(4).id]

    await restored.async_remove()
    assert key not in hass_storage


async def test_new_ids_are_saved_after_a_delay(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    key = storage_key("entry1")
    cursor = StoredLogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    cursor.advance(newest_first(range(1, 3)))
    await hass.async_block_till_done()
    assert key not in hass_storage
    freezer.tick(timedelta(seconds=SAVE_DELAY + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass_storage[key]["data"]["seen"] == [entry(1).id, entry(2).id]


async def test_nothing_stored_loads_empty(hass: HomeAssistant) -> None:
    cursor = StoredLogCursor.for_entry(hass, "missing")
    await cursor.async_load()
    assert cursor.seen_ids() == []


async def test_cut_off_is_the_first_setup(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A later cursor of the same entry keeps the first cut-off (entries in between are new)."""
    key = storage_key("entry1")
    first = StoredLogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
    await first.async_load()  # nothing stored: the cut-off is saved at once
    assert hass_storage[key]["data"] == {"seen": [], "since": "2026-05-01T12:00:00+00:00"}

    later = StoredLogCursor(
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
    cursor = StoredLogCursor(Store[CursorData](hass, STORAGE_VERSION, key), since=SETUP)
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
    for _ in range(3 * MAX_LOG_PAGES * LOG_PAGE_SIZE):
        freezer.tick(timedelta(minutes=30))
        missed.append(simulator.state.add_log(device, 2, actor)["id"])
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert fired == missed[-MAX_LOG_PAGES * LOG_PAGE_SIZE :]

    await refresh(hass, setup_integration)
    assert len(fired) == MAX_LOG_PAGES * LOG_PAGE_SIZE
