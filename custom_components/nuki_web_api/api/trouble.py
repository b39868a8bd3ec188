"""How a poller rides out Nuki's trouble: back off on 429, keep the last state through an outage.

One warning when an episode of trouble starts, one info line that matches it when it ends (a
rate limit within an outage, or the reverse, is the same episode). The activity log's own
trouble is a separate episode (``LogTrouble``): it costs the log alone, not the device list.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta

from .errors import (
    NukiAuthError,
    NukiConflictError,
    NukiConnectionError,
    NukiDeviceBusyError,
    NukiError,
    NukiForbiddenError,
    NukiInvalidResponseError,
    NukiRateLimitError,
    NukiRequestError,
    NukiServerError,
)
from .models import SmartlockLog

_LOGGER = logging.getLogger(__name__)

# Reads that fail only for the moment: server, network and garbled answers, 423 Locked,
# 409 Conflict, 408 Request Timeout, and 403: in Nuki's outage of November 2024 GET /smartlock
# answered a plain-text "403 Forbidden" and recovered by itself (ioBroker.nuki-extended #382).
_OUTAGE_ERRORS = (
    NukiServerError,
    NukiConnectionError,
    NukiInvalidResponseError,
    NukiDeviceBusyError,
    NukiConflictError,
    NukiForbiddenError,
)
_UNREACHABLE_ERRORS = (NukiServerError, NukiConnectionError)
_TRANSIENT_STATUSES = frozenset({408})


def is_outage(err: NukiError) -> bool:
    """Tell whether a failed read is passing trouble on Nuki's side, worth waiting out."""
    return isinstance(err, _OUTAGE_ERRORS) or (
        isinstance(err, NukiRequestError) and err.status in _TRANSIENT_STATUSES
    )


class PollTrouble:
    """The current episode of trouble of one poller: since when, and the back-off after 429."""

    def __init__(
        self, grace: timedelta, *, backoff_min: float = 60.0, backoff_max: float = 900.0
    ) -> None:
        """Keep the last state for ``grace``; back off from ``backoff_min`` to ``backoff_max`` s.

        Without Retry-After the back-off doubles from a minute to a quarter of an hour.
        """
        self._grace = grace
        self._backoff_min, self._backoff_max = backoff_min, backoff_max
        self._since: datetime | None = None
        self._end_line = ""  # the info line that ends the episode, matching its warning
        self.backoff: float | None = None  # seconds, while Nuki asks to slow down

    def rate_limited(self, err: NukiRateLimitError, interval: float, *, shown: bool) -> float:
        """Return the seconds until the next poll, at least ``interval``.

        Nuki's Retry-After is a hint within the back-off bounds (never decades, never a storm);
        without it the back-off doubles. ``shown``: a last state is kept (then it warns).
        """
        first = self.backoff is None and self._since is None
        self.backoff = (
            self._backoff_min if self.backoff is None else min(self.backoff * 2, self._backoff_max)
        )
        hint = (
            self.backoff
            if err.retry_after is None
            else min(max(err.retry_after, self._backoff_min), self._backoff_max)
        )
        delay = max(hint, interval)
        if first and shown:
            _LOGGER.warning(
                "Nuki Web API rate limit reached; polling again in %.0f s",
                delay,
            )
        return delay

    def keep(self, err: NukiError, now: datetime, *, shown: bool) -> bool:
        """Tell whether the last state stays after a failed read (``shown``: there is one).

        Only an outage (``is_outage``) is waited out, for the grace period; other errors fail
        at once. Either starts an episode (with its warning) when a state is shown.
        """
        outage = is_outage(err)
        if shown and self._since is None:
            self._since = now
            unreachable = isinstance(err, _UNREACHABLE_ERRORS)
            self._end_line = "Nuki Web API " + (
                "is reachable again" if unreachable else "answers normally again"
            )
            if not outage:
                _LOGGER.warning("Reading from Nuki Web API failed: %s", err)
            elif self.backoff is None:  # else the rate limit was reported already
                _LOGGER.warning(
                    "Nuki Web API is %s (%s); keeping the last state for up to %s",
                    "not reachable" if unreachable else "not answering normally",
                    err,
                    self._grace,
                )
        return outage and self._since is not None and now - self._since < self._grace

    def ended(self, interval: timedelta) -> bool:
        """End the episode after a good read; return whether polling goes back to ``interval``."""
        if self._since is not None:
            self._since = None
            _LOGGER.info(self._end_line)
        if self.backoff is None:
            return False
        self.backoff = None
        _LOGGER.info("Nuki Web API accepts requests again; polling every %s", interval)
        return True


class LogTrouble:
    """The activity log's own trouble: while it lasts the log waits, the device list counts.

    Nuki's log endpoint is the slower, more fragile one. A failed log read yields no entries;
    the log cursor remembered none of them, so the next read reports them, once and in order.
    """

    def __init__(self, grace: timedelta) -> None:
        """Warn once when the log fails past ``grace`` (at once for what is no outage)."""
        self._grace = grace
        self._since: datetime | None = None
        self._warned = False

    async def read(
        self, fetching: Awaitable[list[SmartlockLog]], now: datetime
    ) -> tuple[list[SmartlockLog], bool | None]:
        """Return the entries read, and whether the token may read the log (None: unknown).

        A 401 means the token lacks the log scope; any other failure but a 429 (back off: the
        caller's) yields no entries for now.
        """
        try:
            logs = await fetching
        except NukiAuthError:
            return [], False
        except NukiRateLimitError:
            raise
        except NukiError as err:
            self._since = self._since or now
            if not self._warned and (not is_outage(err) or now - self._since >= self._grace):
                self._warned = True
                _LOGGER.warning(
                    "The activity log of Nuki Web is not readable (%s); states still come "
                    "from the device list, activity is read again once the log answers",
                    err,
                )
            return [], None
        if self._warned:
            _LOGGER.info("The activity log of Nuki Web is readable again")
        self._since, self._warned = None, False
        return logs, True
