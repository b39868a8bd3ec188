"""Devices for which a read of GET /smartlock brought no usable data: a short outage of one device.

A list item may carry an ``error`` other than the Smart Hosting message (a fault on Nuki's
side), or the client may skip an item it cannot parse, which leaves its device out of the list.
Such a device keeps its last known object through the grace period; after that, or if it never
had data, it is unavailable. It is never taken for a device that left the account, and never
shown with a state made up of an error item. One warning when a device becomes unavailable
(a short episode logs at debug level only), one info line when its data is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from .models import ParsedList, Smartlock

_LOGGER = logging.getLogger(__name__)
_UNREADABLE = "its item cannot be read"
_REASON_MAX = 100


class FailingDevices:
    """Tracks since when each device has had no usable data; logs when that starts and ends."""

    def __init__(self, grace: timedelta) -> None:
        """Keep a failing device's last object for ``grace``."""
        self._grace = grace
        self._since: dict[int, datetime] = {}
        self._warned: set[int] = set()

    def apply(
        self,
        previous: Mapping[int, Smartlock],
        devices: Sequence[Smartlock],
        name: Callable[[int], str],
        now: datetime,
    ) -> tuple[dict[int, Smartlock], frozenset[int]]:
        """Return the devices to show, by id, and the ids to show unavailable.

        ``previous`` are the devices shown after the last read, ``devices`` what the client
        parsed now (a ``ParsedList`` tells whether items were skipped).
        """
        shown: dict[int, Smartlock] = {}
        failing: dict[int, str] = {}
        for device in devices:
            smartlock_id = device.smartlock_id
            before = previous.get(smartlock_id)
            if device.error is None or device.smart_hosting_missing:
                shown[smartlock_id] = device
            elif before is not None and before.smart_hosting_missing:
                shown[smartlock_id] = before  # unavailable anyway, with its repair issue
            else:
                failing[smartlock_id] = device.error[:_REASON_MAX]
                shown[smartlock_id] = before or device
        if isinstance(devices, ParsedList) and devices.skipped:
            # A device missing from a list with unreadable items may be one of them.
            for smartlock_id, device in previous.items():
                if smartlock_id not in shown:
                    shown[smartlock_id] = device
                    if not device.smart_hosting_missing:
                        failing[smartlock_id] = _UNREADABLE
        self._note(failing, shown, name, now)
        unavailable = frozenset(
            smartlock_id
            for smartlock_id in failing
            if shown[smartlock_id].error is not None  # no data to keep
            or now - self._since[smartlock_id] >= self._grace
        )
        if newly := sorted(unavailable - self._warned):
            self._warned.update(newly)
            _LOGGER.warning(
                "Nuki Web API sends no usable data for %s; unavailable until it does",
                ", ".join(f"{name(i)} ({failing[i]})" for i in newly),
            )
        return shown, unavailable

    def _note(
        self,
        failing: Mapping[int, str],
        shown: Mapping[int, Smartlock],
        name: Callable[[int], str],
        now: datetime,
    ) -> None:
        """Remember since when each device fails; an info line when a warned one is back."""
        for smartlock_id in [i for i in failing if i not in self._since]:
            self._since[smartlock_id] = now
            _LOGGER.debug(
                "Nuki Web API sends no usable data for %s (%s); keeping its last state for up to %s",
                name(smartlock_id),
                failing[smartlock_id],
                self._grace,
            )
        ended = [smartlock_id for smartlock_id in self._since if smartlock_id not in failing]
        for smartlock_id in ended:
            del self._since[smartlock_id]
        back = [i for i in ended if i in self._warned and i in shown]
        self._warned.difference_update(ended)
        if back:
            _LOGGER.info(
                "Nuki Web API sends usable data again for %s", ", ".join(name(i) for i in back)
            )
