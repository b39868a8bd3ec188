"""What a lock shows of a Nuki lock or Opener, and of an action Nuki just accepted."""

from __future__ import annotations

import pytest

from custom_components.nuki_web_api.api import LockAction, OpenerAction, Smartlock
from custom_components.nuki_web_api.api.lock_view import Shown, lock_actions, shown_state

LOCK, OPENER = 4, 2


def _device(device_type: int, state: int | None, mode: int = 2) -> Smartlock:
    payload: dict[str, object] = {"smartlockId": 1, "type": device_type}
    if state is not None:
        payload["state"] = {"mode": mode, "state": state}
    return Smartlock.from_json(payload)


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (0, None),  # uncalibrated
        (1, Shown.LOCKED),
        (2, Shown.UNLOCKING),
        (3, Shown.UNLOCKED),
        (4, Shown.LOCKING),
        (5, Shown.OPEN),  # unlatched
        (6, Shown.UNLOCKED),  # unlocked (lock 'n' go)
        (7, Shown.OPENING),  # unlatching
        (224, None),  # wrong entry code
        (254, Shown.JAMMED),  # motor blocked
        (255, None),  # undefined
        (99, None),  # a code Nuki may add
        (None, None),  # no state reported
    ],
)
def test_lock_states(state: int | None, shown: Shown | None) -> None:
    assert shown_state(_device(LOCK, state)) is shown


@pytest.mark.parametrize(
    ("state", "mode", "shown"),
    [
        (1, 2, Shown.LOCKED),  # online: ring to open off
        (3, 2, Shown.UNLOCKED),  # ring to open active
        (5, 2, Shown.OPEN),  # the strike is open
        (7, 2, Shown.OPENING),
        (0, 2, None),  # untrained
        (1, 3, Shown.UNLOCKED),  # continuous mode: unlocked ...
        (5, 3, Shown.OPEN),  # ... unless the strike opens
        (7, 3, Shown.OPENING),
    ],
)
def test_opener_states(state: int, mode: int, shown: Shown | None) -> None:
    assert shown_state(_device(OPENER, state, mode)) is shown


@pytest.mark.parametrize(
    ("device_type", "action", "shown"),
    [
        (LOCK, LockAction.UNLOCK, Shown.UNLOCKING),
        (LOCK, LockAction.LOCK, Shown.LOCKING),
        (LOCK, LockAction.UNLATCH, Shown.OPENING),
        (LOCK, LockAction.LOCK_N_GO, Shown.UNLOCKING),  # lock 'n' go unlocks first
        (LOCK, LockAction.LOCK_N_GO_UNLATCH, Shown.OPENING),
        (OPENER, OpenerAction.ACTIVATE_RING_TO_OPEN, Shown.UNLOCKING),
        (OPENER, OpenerAction.DEACTIVATE_RING_TO_OPEN, Shown.LOCKING),
        (OPENER, OpenerAction.OPEN, Shown.OPENING),
        # Continuous mode has no transitional state: the device's state shows.
        (OPENER, OpenerAction.ACTIVATE_CONTINUOUS_MODE, Shown.LOCKED),
    ],
)
def test_an_accepted_action_shows_its_first_state(
    device_type: int, action: int, shown: Shown
) -> None:
    assert shown_state(_device(device_type, 1), action) is shown


def test_lock_actions() -> None:
    """A lock locks, unlocks, unlatches; an Opener switches ring to open and opens the strike."""
    lock, opener = lock_actions(_device(LOCK, 1)), lock_actions(_device(OPENER, 1))
    assert lock == (LockAction.LOCK, LockAction.UNLOCK, LockAction.UNLATCH)
    assert opener.lock == OpenerAction.DEACTIVATE_RING_TO_OPEN
    assert opener.unlock == OpenerAction.ACTIVATE_RING_TO_OPEN
    assert opener.open == OpenerAction.OPEN
