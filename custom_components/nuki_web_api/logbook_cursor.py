"""Recognise new Nuki activity-log entries by id, so that none is reported twice."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from .api import SmartlockLog

DEFAULT_MEMORY = 1000


class LogCursor:
    """Remembers the ids of the log entries already seen (bounded, oldest forgotten first).

    The first batch only primes the memory: entries that exist when Home Assistant
    starts are history, not new activity.
    """

    def __init__(self, memory: int = DEFAULT_MEMORY) -> None:
        """Keep at most `memory` ids."""
        self._order: deque[str] = deque()
        self._seen: set[str] = set()
        self._memory = memory
        self.primed = False

    def remember(self, ids: Iterable[str]) -> None:
        """Mark ids as seen (e.g. restored from storage) and prime the cursor."""
        for log_id in ids:
            self._add(log_id)
        self.primed = True

    def seen_ids(self) -> list[str]:
        """Return the remembered ids, oldest first (for persistence)."""
        return list(self._order)

    def advance(self, entries: Sequence[SmartlockLog]) -> tuple[SmartlockLog, ...]:
        """Return the entries not seen before, oldest first, and remember them.

        `entries` come newest first, as Nuki sends them.
        """
        if not self.primed:
            self.remember(entry.id for entry in entries)
            return ()
        new: list[SmartlockLog] = []
        for entry in reversed(entries):
            if entry.id not in self._seen:
                self._add(entry.id)
                new.append(entry)
        return tuple(new)

    def _add(self, log_id: str) -> None:
        if log_id in self._seen:
            return
        self._seen.add(log_id)
        self._order.append(log_id)
        if len(self._order) > self._memory:
            self._seen.discard(self._order.popleft())
