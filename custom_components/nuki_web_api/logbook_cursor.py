"""The log cursor of a config entry, persisted with a `Store` (which entries are new: api.LogCursor).

The ids seen and the cut-off (the entry's first setup) survive a restart, so that nothing is
reported twice, and a reload (after a reauth, say) or a restart reports what happened while
the entry was not polling, at most what one bounded paging run reads (api.MAX_LOG_PAGES).
"""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import LogCursor
from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY = 10.0


class CursorData(TypedDict):
    """What is persisted: the remembered ids, oldest first, and the cut-off (ISO 8601)."""

    seen: list[str]
    since: NotRequired[str]  # missing in stores written before it was kept


def storage_key(entry_id: str) -> str:
    """Return the Store key of a config entry's cursor."""
    return f"{DOMAIN}.{entry_id}.log_cursor"


class StoredLogCursor(LogCursor):
    """A LogCursor whose ids and cut-off are saved (delayed) whenever it remembers new ids."""

    def __init__(
        self,
        store: Store[CursorData],
        *,
        since: datetime | None = None,
    ) -> None:
        """Persist in `store`; `since` defaults to now (Home Assistant's clock)."""
        super().__init__(
            since=dt_util.utcnow() if since is None else since,
            on_change=lambda: store.async_delay_save(self._data, SAVE_DELAY),
        )
        self._store = store

    @classmethod
    def for_entry(cls, hass: HomeAssistant, entry_id: str) -> StoredLogCursor:
        """Return a cursor persisted under the config entry's storage key."""
        return cls(Store[CursorData](hass, STORAGE_VERSION, storage_key(entry_id)))

    async def async_load(self) -> None:
        """Restore the ids seen and the cut-off; a new cursor persists its cut-off right away."""
        data = await self._store.async_load()
        if data is not None:
            since = dt_util.parse_datetime(data.get("since", ""))
            self.restore(data.get("seen", []), since)
            if since is not None:
                return
        # First setup (or an older store): now is the cut-off from here on.
        await self._store.async_save(self._data())

    async def async_save(self) -> None:
        """Write the ids and the cut-off now (on unload), not with the delayed save."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the persisted ids and cut-off (the config entry was removed)."""
        await self._store.async_remove()

    def _data(self) -> CursorData:
        return {"seen": self.seen_ids(), "since": self.since.isoformat()}
