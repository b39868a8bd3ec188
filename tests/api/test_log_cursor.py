"""The log cursor: never twice, nothing from before the cut-off, paging on bursts (no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.nuki_web_api.api import (
    MAX_LOG_PAGES,
    CursorState,
    LogCursor,
    NukiServerError,
    ParsedList,
    SmartlockLog,
)

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
    cursor.advance(await cursor.fetch(log.page, 50))
    assert log.calls == [None]  # a short page: nothing older to read

    log.entries = newest_first(range(1, 131))  # 120 new entries
    fetched = await cursor.fetch(log.page, 50)
    assert len(log.calls) == 1 + 3  # 50 + 50 + 30 (with the 10 seen entries)
    new = cursor.advance(fetched)
    assert [e.id for e in new] == [entry(n).id for n in range(11, 131)]


async def test_burst_paging_is_bounded() -> None:
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 400)), page_size=50)
    fetched = await cursor.fetch(log.page, 50)
    assert len(log.calls) == MAX_LOG_PAGES
    assert len(fetched) == MAX_LOG_PAGES * 50


async def test_unparsable_entries_count_for_a_full_page() -> None:
    """A page of 50 with one entry the client skipped is full: older pages are read."""
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 121)))

    async def page(before: str | None) -> ParsedList[SmartlockLog]:
        entries = await log.page(before)
        parsed = ParsedList(entries[1:])  # the newest of each page could not be parsed
        parsed.skipped = 1
        return parsed

    await cursor.fetch(page, 50)
    assert len(log.calls) == 3


async def test_a_page_of_only_unparsable_entries_stops_paging() -> None:
    cursor = LogCursor(since=SETUP)
    calls = []

    async def page(before: str | None) -> ParsedList[SmartlockLog]:
        calls.append(before)
        parsed = ParsedList[SmartlockLog]()
        parsed.skipped = 50
        return parsed

    assert await cursor.fetch(page, 50) == []
    assert calls == [None]


async def test_no_paging_when_the_page_reaches_before_setup() -> None:
    cursor = LogCursor(since=SETUP)
    entries = [entry(n) for n in range(100, 60, -1)] + [
        entry(n, seconds=-60) for n in range(60, 0, -1)
    ]
    log = FakeLog(entries)
    await cursor.fetch(log.page, 50)
    assert log.calls == [None]


async def test_error_items_do_not_page() -> None:
    cursor = LogCursor(since=SETUP)
    items = [
        SmartlockLog.from_json(
            {**_json(n), "error": "No active Smart Hosting subscription for the Smart Lock"}
        )
        for n in range(60, 0, -1)
    ]
    log = FakeLog(items)
    await cursor.fetch(log.page, 50)
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


def test_on_change_runs_when_new_ids_are_remembered() -> None:
    """The caller saves then: new ids, also of history; not for entries seen before."""
    changes: list[None] = []
    cursor = LogCursor(since=SETUP, on_change=lambda: changes.append(None))
    cursor.advance([entry(1, seconds=-60)])
    assert len(changes) == 1
    cursor.advance([entry(1, seconds=-60)])
    cursor.advance([])
    assert len(changes) == 1


def test_state_round_trip() -> None:
    """What a caller persists brings the ids and the cut-off back."""
    cursor = LogCursor(since=SETUP)
    cursor.advance([entry(3), entry(2), entry(1)])
    assert cursor.state() == {
        "seen": [entry(n).id for n in (1, 2, 3)],
        "since": "2026-05-01T12:00:00+00:00",
    }
    restored = LogCursor(since=SETUP + timedelta(hours=1))
    assert restored.load(cursor.state())
    assert restored.since == SETUP.replace(microsecond=0)
    assert restored.advance([entry(4), entry(3)]) == (entry(4),)


@pytest.mark.parametrize("since", [None, "", "not a date"])
def test_load_without_a_cut_off_keeps_ours(since: str | None) -> None:
    """A state saved before the cut-off was kept (or a broken one): the ids still count."""
    state: CursorState = {"seen": [entry(1).id]}
    if since is not None:
        state["since"] = since
    cursor = LogCursor(since=SETUP)
    assert not cursor.load(state)
    assert cursor.since == SETUP.replace(microsecond=0)
    assert cursor.advance([entry(2), entry(1)]) == (entry(2),)


def test_load_takes_a_date_without_zone_as_utc() -> None:
    cursor = LogCursor(since=SETUP + timedelta(hours=1))
    assert cursor.load({"seen": [], "since": "2026-05-01T12:00:00"})
    assert cursor.since == SETUP.replace(microsecond=0)


async def test_a_page_that_fails_costs_the_whole_fetch_and_nothing_is_lost() -> None:
    """Older pages failing after the newest one: nothing is remembered, all come next time."""
    cursor = LogCursor(since=SETUP)
    log = FakeLog(newest_first(range(1, 121)))
    newest = log.page

    async def failing(before: str | None) -> list[SmartlockLog]:
        if before is not None:
            raise NukiServerError("GET /smartlock/log -> HTTP 502", status=502)
        return await newest(before)

    with pytest.raises(NukiServerError):
        await cursor.fetch(failing, 50)
    assert cursor.seen_ids() == []
    new = cursor.advance(await cursor.fetch(log.page, 50))
    assert [e.id for e in new] == [entry(n).id for n in range(1, 121)]
