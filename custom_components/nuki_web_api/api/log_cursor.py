"""Which activity-log entries are new, and when to read older pages of ``GET /smartlock/log``.

Nuki sends the log newest first, a page at a time (``limit``, ``id``: entries older than that
one). The entries already seen are recognised by id in a bounded memory; entries dated before
a cut-off (when the caller started watching) are history: remembered, never new. A caller
persists ``state()`` to survive restarts and ``load``s it back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final, NotRequired, TypedDict

from .models import ParsedList, SmartlockLog

DEFAULT_LOG_MEMORY: Final = 500
# Pages read back in one fetch at most when the newest page holds nothing already seen.
MAX_LOG_PAGES: Final = 5

# One page, newest first, of the entries strictly older than the given id (None: the newest).
type PageFetcher = Callable[[str | None], Awaitable[list[SmartlockLog]]]


class CursorState(TypedDict):
    """What a caller persists: the ids seen, oldest first, and the cut-off (ISO 8601)."""

    seen: list[str]
    since: NotRequired[str]  # missing in states saved before it was kept


class LogCursor:
    """Remembers the ids of the log entries already seen (bounded, oldest forgotten first)."""

    def __init__(
        self,
        *,
        since: datetime | None = None,
        memory: int = DEFAULT_LOG_MEMORY,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        """Report entries dated ``since`` or later (default: now), keep at most ``memory`` ids.

        ``on_change`` runs whenever ``advance`` remembered an id it had not seen (to save).
        """
        self._since = self._whole_second(datetime.now(UTC) if since is None else since)
        self._order: deque[str] = deque()
        self._seen: set[str] = set()
        self._memory = memory
        self._on_change = on_change

    @staticmethod
    def _whole_second(moment: datetime) -> datetime:
        # Nuki dates have at most millisecond precision: compare at whole seconds.
        return moment.replace(microsecond=0)

    @property
    def since(self) -> datetime:
        """The cut-off: entries dated before it are history."""
        return self._since

    def state(self) -> CursorState:
        """Return what to persist: the remembered ids and the cut-off."""
        return {"seen": self.seen_ids(), "since": self._since.isoformat()}

    def load(self, state: CursorState) -> bool:
        """Take back a persisted state; return whether it held a cut-off (else ours stays)."""
        self.remember(state.get("seen", []))
        try:
            since = datetime.fromisoformat(state.get("since", ""))
        except ValueError:
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        self._since = self._whole_second(since)
        return True

    def remember(self, ids: Iterable[str]) -> bool:
        """Mark ids as seen; return whether any was not seen before."""
        added = [self._add(log_id) for log_id in ids]
        return any(added)

    def seen_ids(self) -> list[str]:
        """Return the remembered ids, oldest first (for persistence)."""
        return list(self._order)

    def _is_new(self, entry: SmartlockLog) -> bool:
        return entry.id not in self._seen and entry.date >= self._since

    async def fetch(self, fetch_page: PageFetcher, page_size: int) -> list[SmartlockLog]:
        """Read the newest page, and older pages while a page holds only new entries.

        ``fetch_page(before_id)`` returns one page, newest first (``NukiWebApiClient.logs``
        with ``before_id``). Paging stops at the first entry already seen or dated before
        the cut-off, at a page shorter than ``page_size`` (items the client could not parse
        count: the page was full), or after MAX_LOG_PAGES. The result is newest first, without
        repeats; nothing is remembered until ``advance``.
        """
        entries = await fetch_page(None)
        page = entries
        for _ in range(MAX_LOG_PAGES - 1):
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

        ``entries`` come newest first, as Nuki sends them.
        """
        new = tuple(entry for entry in reversed(entries) if self._is_new(entry))
        if self.remember(entry.id for entry in reversed(entries)) and self._on_change is not None:
            self._on_change()
        return new

    def _add(self, log_id: str) -> bool:
        if log_id in self._seen:
            return False
        self._seen.add(log_id)
        self._order.append(log_id)
        if len(self._order) > self._memory:
            self._seen.discard(self._order.popleft())
        return True
