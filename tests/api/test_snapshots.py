"""Snapshots: the last actor per device, kept by the snapshots rather than by each entity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from custom_components.nuki_web_api.api import (
    LogCursor,
    Smartlock,
    SmartlockLog,
    Snapshot,
    Snapshots,
)

SINCE = datetime(2026, 5, 1, 12, tzinfo=UTC)
NOW = SINCE + timedelta(hours=1)


def device(smartlock_id: int) -> Smartlock:
    return Smartlock.from_json(
        {"smartlockId": smartlock_id, "type": 4, "name": f"Lock {smartlock_id}"}
    )


def log(log_id: str, action: int, minute: int, smartlock_id: int = 1, **extra: Any) -> SmartlockLog:
    return SmartlockLog.from_json(
        {
            "id": log_id,
            "smartlockId": smartlock_id,
            "action": action,
            "trigger": 0,
            "state": 0,
            "date": (SINCE + timedelta(minutes=minute)).isoformat(),
            "name": f"Person {log_id}",
            **extra,
        }
    )


def poll(
    snapshots: Snapshots,
    shown: Snapshot | None,
    devices: list[Smartlock],
    logs: list[SmartlockLog],
) -> Snapshot:
    return snapshots.polled(shown, devices, logs, str, NOW)


def test_a_door_event_after_an_unlock_keeps_the_unlock_as_the_actor() -> None:
    """The cycle's new entries count, not only the device's last one (a door event)."""
    snapshots = Snapshots(LogCursor(since=SINCE), grace=timedelta(minutes=2))
    unlock, door = log("a", 1, 1), log("b", 240, 2)  # 240: door opened
    shown = poll(snapshots, None, [device(1)], [door, unlock])  # newest first, as Nuki sends
    assert shown.last_log[1] is door
    assert shown.actors == {1: unlock}


def test_an_older_or_failed_entry_does_not_replace_the_actor() -> None:
    """A late push of an older unlock and a rejected lock leave the newest operation."""
    snapshots = Snapshots(LogCursor(since=SINCE), grace=timedelta(minutes=2))
    lock = log("b", 2, 5)
    shown = poll(snapshots, None, [device(1)], [lock])
    pushed = snapshots.pushed_log(shown, log("a", 1, 1))
    assert pushed is not None
    assert pushed.actors == {1: lock}
    rejected = poll(snapshots, pushed, [device(1)], [log("c", 1, 9, state=10), lock])
    assert rejected.actors == {1: lock}


def test_a_device_that_left_loses_its_actor() -> None:
    """Only devices of the account have an actor; one that returns starts anew."""
    snapshots = Snapshots(LogCursor(since=SINCE), grace=timedelta(minutes=2))
    shown = poll(snapshots, None, [device(1), device(2)], [log("a", 1, 1, 2)])
    assert set(shown.actors) == {2}
    assert poll(snapshots, shown, [device(1)], []).actors == {}
