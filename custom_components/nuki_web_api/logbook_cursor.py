"""Recognise new Nuki activity-log entries by id, so that none is reported twice.

The ids seen are kept in a bounded memory and persisted per config entry with a
`Store`, so that a restart of Home Assistant does not report them again. Entries dated
before the config entry was first set up are history: they are remembered, never reported.
That moment is persisted too: a reload (after a reauth, say) or a restart reports what
happened while the entry was not polling, at most what one bounded paging run reads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import NotRequired, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import ParsedList, SmartlockLog
from .const import DOMAIN

DEFAULT_MEMORY = 500
# Pages read back in one cycle at most when the newest page holds nothing already seen.
MAX_PAGES = 5
STORAGE_VERSION = 1
SAVE_DELAY = 10.0

type PageFetcher = Callable[[str | None], Awaitable[list[SmartlockLog]]]


class CursorData(TypedDict):
    """What is persisted: the remembered ids, oldest first, and the cut-off (ISO 8601)."""

    seen: list[str]
    since: NotRequired[str]  # missing in stores written before it was kept


def storage_key(entry_id: str) -> str:
    """Return the Store key of a config entry's cursor."""
    return f"{DOMAIN}.{entry_id}.log_cursor"


class LogCursor:
    """Remembers the ids of the log entries already seen (bounded, oldest forgotten first)."""

    def __init__(
        self,
        store: Store[CursorData] | None = None,
        *,
        since: datetime | None = None,
        memory: int = DEFAULT_MEMORY,
    ) -> None:
        """Report only entries dated `since` or later (default: now), keep at most `memory` ids."""
        self._store = store
        # Nuki dates have at most millisecond precision: compare at whole seconds.
        self._since = (dt_util.utcnow() if since is None else since).replace(microsecond=0)
        self._order: deque[str] = deque()
        self._seen: set[str] = set()
        self._memory = memory

    @classmethod
    def for_entry(cls, hass: HomeAssistant, entry_id: str) -> LogCursor:
        """Return a cursor persisted under the config entry's storage key."""
        return cls(Store[CursorData](hass, STORAGE_VERSION, storage_key(entry_id)))

    async def async_load(self) -> None:
        """Restore the ids seen and the cut-off; a new cursor persists its cut-off right away."""
        if self._store is None:
            return
        data = await self._store.async_load()
        if data is not None:
            self.remember(data.get("seen", []))
            since = dt_util.parse_datetime(data.get("since", ""))
            if since is not None:
                self._since = since
                return
        # First setup (or an older store): now is the cut-off from here on.
        await self._store.async_save(self._data())

    async def async_save(self) -> None:
        """Write the ids and the cut-off now (on unload), not with the delayed save."""
        if self._store is not None:
            await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the persisted ids and cut-off (the config entry was removed)."""
        if self._store is not None:
            await self._store.async_remove()

    def remember(self, ids: Iterable[str]) -> bool:
        """Mark ids as seen; return whether any was not seen before."""
        added = [self._add(log_id) for log_id in ids]
        return any(added)

    def seen_ids(self) -> list[str]:
        """Return the remembered ids, oldest first (for persistence)."""
        return list(self._order)

    def _is_new(self, entry: SmartlockLog) -> bool:
        return entry.id not in self._seen and entry.date >= self._since

    async def async_fetch(self, fetch_page: PageFetcher, page_size: int) -> list[SmartlockLog]:
        """Read the newest page, and older pages while a page holds only new entries.

        `fetch_page(before_id)` returns one page, newest first. Paging stops at the first
        entry already seen or dated before setup, at a page shorter than `page_size` (items
        the client could not parse count: the page was full), or after MAX_PAGES.
        The result is newest first, without repeats.
        """
        entries = await fetch_page(None)
        page = entries
        for _ in range(MAX_PAGES - 1):
            received = len(page) + (page.skipped if isinstance(page, ParsedList) else 0)
            # Error-only items (no Smart Hosting) are never remembered: they do not page.
            if (
                not page
                or received < page_size
                or not all(self._is_new(entry) and entry.error is None for entry in page)
            ):
                break
            page = await fetch_page(page[-1].id)
            entries.extend(page)
        unique = {entry.id: entry for entry in entries}
        return list(unique.values())

    def advance(self, entries: Sequence[SmartlockLog]) -> tuple[SmartlockLog, ...]:
        """Return the entries not seen before, oldest first, and remember all of them.

        `entries` come newest first, as Nuki sends them.
        """
        new = tuple(entry for entry in reversed(entries) if self._is_new(entry))
        if self.remember(entry.id for entry in reversed(entries)) and self._store is not None:
            self._store.async_delay_save(self._data, SAVE_DELAY)
        return new

    def _data(self) -> CursorData:
        return {"seen": self.seen_ids(), "since": self._since.isoformat()}

    def _add(self, log_id: str) -> bool:
        if log_id in self._seen:
            return False
        self._seen.add(log_id)
        self._order.append(log_id)
        if len(self._order) > self._memory:
            self._seen.discard(self._order.popleft())
        return True
