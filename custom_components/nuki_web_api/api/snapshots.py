"""The account as polls and pushes show it, one snapshot at a time.

A poll reads GET /smartlock and the log; push delivers single devices and log entries in
between. ``Snapshots`` merges both into ``Snapshot``s: a device without usable data keeps its
last object for a while (``FailingDevices``), each log entry is reported once whichever way it
came first (``LogCursor``), a failing log read costs the log alone (``LogTrouble``), and a
device pushed while a poll was in flight is not replaced by that poll's older read. A device whose JSON did not change is the identical object in the next
snapshot (the client reuses it), so that "unchanged" is a test of identity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .activity import is_operation
from .failing_devices import FailingDevices
from .log_cursor import LogCursor, PageFetcher
from .models import Smartlock, SmartlockLog
from .trouble import LogTrouble


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The account after one poll or push."""

    devices: dict[int, Smartlock]
    smart_hosting_missing: frozenset[int]
    new_logs: tuple[SmartlockLog, ...]  # entries first seen now, oldest first
    last_log: dict[int, SmartlockLog] = field(default_factory=dict)  # the newest per device
    # Devices Nuki sent no usable data for, past the grace period or ever (FailingDevices).
    unavailable: frozenset[int] = frozenset()
    # Actions Nuki accepted that no read has shown under way yet (smartlockId -> action code).
    accepted_actions: dict[int, int] = field(default_factory=dict)
    # The newest entry per device in which someone operated it (the last actor), since setup.
    actors: dict[int, SmartlockLog] = field(default_factory=dict)
    # new_logs by smartlockId, so that each entity finds its device's entries in one lookup.
    new_logs_by_device: dict[int, tuple[SmartlockLog, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Group the new entries by device (``dataclasses.replace`` groups again)."""
        grouped: dict[int, list[SmartlockLog]] = {}
        for entry in self.new_logs:
            grouped.setdefault(entry.smartlock_id, []).append(entry)
        object.__setattr__(
            self, "new_logs_by_device", {sid: tuple(logs) for sid, logs in grouped.items()}
        )

    def changed(self, before: Snapshot, smartlock_id: int) -> bool:
        """Tell whether anything shown of the device may differ from ``before``."""
        last, last_before = self.last_log.get(smartlock_id), before.last_log.get(smartlock_id)
        return (
            self.devices.get(smartlock_id) is not before.devices.get(smartlock_id)
            or smartlock_id in self.new_logs_by_device
            or (smartlock_id in self.smart_hosting_missing)
            != (smartlock_id in before.smart_hosting_missing)
            or (smartlock_id in self.unavailable) != (smartlock_id in before.unavailable)
            or (None if last is None else last.id)
            != (None if last_before is None else last_before.id)
            or self.accepted_actions.get(smartlock_id) != before.accepted_actions.get(smartlock_id)
        )


class Snapshots:
    """Builds the snapshots of one account from polls and pushes."""

    def __init__(self, cursor: LogCursor, *, grace: timedelta) -> None:
        """Report log entries through ``cursor``; keep a failing device's data for ``grace``."""
        self.cursor = cursor
        self._failing = FailingDevices(grace)
        self._log_trouble = LogTrouble(grace)
        self._names: dict[int, str] = {}
        # Devices pushed so far, and per device the number of its last push (keep_pushed).
        self.pushes = 0
        self._pushed: dict[int, int] = {}

    def name(self, smartlock_id: int) -> str | None:
        """Return the device's name as last sent (Nuki sends none without Smart Hosting)."""
        return self._names.get(smartlock_id)

    async def read_log(
        self, fetch_page: PageFetcher, page_size: int, now: datetime
    ) -> tuple[list[SmartlockLog], bool | None]:
        """Read the new log pages (``LogCursor.fetch``) through the log's own trouble.

        Return the entries and whether the token may read the log (``LogTrouble.read``).
        """
        return await self._log_trouble.read(self.cursor.fetch(fetch_page, page_size), now)

    def polled(
        self,
        shown: Snapshot | None,
        devices: Sequence[Smartlock],
        logs: Sequence[SmartlockLog],
        name: Callable[[int], str],
        now: datetime,
    ) -> Snapshot:
        """Return the snapshot after a poll of the device list and the log."""
        for device in devices:
            if device.name:
                self._names[device.smartlock_id] = device.name
        previous = {} if shown is None else shown.devices
        by_id, unavailable = self._failing.apply(previous, devices, name, now)
        new_logs, last_log, actors = self._read_logs(shown, logs, by_id)
        return Snapshot(
            devices=by_id,
            smart_hosting_missing=frozenset(i for i, d in by_id.items() if d.smart_hosting_missing),
            new_logs=new_logs,
            last_log=last_log,
            unavailable=unavailable,
            actors=actors,
        )

    def polled_log(self, shown: Snapshot, logs: Sequence[SmartlockLog]) -> Snapshot:
        """Return the snapshot after a read of the log alone."""
        new_logs, last_log, actors = self._read_logs(shown, logs, shown.devices)
        return replace(shown, new_logs=new_logs, last_log=last_log, actors=actors)

    def _read_logs(
        self, shown: Snapshot | None, logs: Sequence[SmartlockLog], devices: dict[int, Smartlock]
    ) -> tuple[tuple[SmartlockLog, ...], dict[int, SmartlockLog], dict[int, SmartlockLog]]:
        # Error-only items (a fault, or no Smart Hosting) are not remembered: the real entry
        # behind the same id must still be reported once it can be read.
        activity = [entry for entry in logs if entry.error is None]
        last_log = {} if shown is None else dict(shown.last_log)
        for entry in reversed(activity):
            last_log[entry.smartlock_id] = entry
        new_logs = self.cursor.advance(activity)
        last_log = {sid: entry for sid, entry in last_log.items() if sid in devices}
        return new_logs, last_log, _actors(shown, new_logs, last_log)

    def keep_pushed(self, polled: Snapshot, shown: Snapshot | None, started: int) -> Snapshot:
        """Keep the devices pushed since the poll started (``pushes`` then): it read them earlier."""
        if shown is None:
            return polled
        newer = {
            smartlock_id: shown.devices[smartlock_id]
            for smartlock_id, number in self._pushed.items()
            if number > started and smartlock_id in polled.devices.keys() & shown.devices.keys()
        }
        return replace(polled, devices={**polled.devices, **newer}) if newer else polled

    def pushed_device(self, shown: Snapshot, device: Smartlock) -> Snapshot:
        """Return the snapshot with a pushed device (newer than what a poll in flight brings)."""
        self.pushes += 1
        self._pushed[device.smartlock_id] = self.pushes
        return replace(
            shown,
            devices={**shown.devices, device.smartlock_id: device},
            new_logs=(),
            # Usable data for a device that had none: shown at once.
            unavailable=shown.unavailable
            - ({device.smartlock_id} if device.error is None else set()),
        )

    def pushed_log(self, shown: Snapshot, entry: SmartlockLog) -> Snapshot | None:
        """Return the snapshot with a pushed entry, or None if a poll reported it already.

        An entry delivered late is reported, but never replaces a newer last entry.
        """
        new_logs = tuple(e for e in self.cursor.advance([entry]) if e.error is None)
        if not new_logs:
            return None
        last_log = dict(shown.last_log)
        last = last_log.get(entry.smartlock_id)
        if entry.smartlock_id in shown.devices and (last is None or entry.date >= last.date):
            last_log[entry.smartlock_id] = entry
        actors = _actors(shown, new_logs, last_log)
        return replace(shown, new_logs=new_logs, last_log=last_log, actors=actors)


def _actors(
    shown: Snapshot | None, new_logs: Sequence[SmartlockLog], last_log: dict[int, SmartlockLog]
) -> dict[int, SmartlockLog]:
    """Return each device's newest operation among the new entries, its last one and the known.

    The new entries count, not only the last one: a door event logged after an unlock in the
    same cycle would hide the unlock.
    """
    actors: dict[int, SmartlockLog] = {}
    known = () if shown is None else shown.actors.values()
    for entry in (*new_logs, *last_log.values(), *known):
        found = actors.get(entry.smartlock_id)
        if (
            entry.smartlock_id in last_log  # a device of the account
            and is_operation(entry)
            and (found is None or entry.date > found.date)
        ):
            actors[entry.smartlock_id] = entry
    return actors
