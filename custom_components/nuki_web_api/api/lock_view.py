"""A Nuki lock or Opener as a lock: what it shows (locked, unlocking, open ...), how it is operated.

An Opener is a lock in these words: "locked" means ring to open is off, the electric strike
is "open".
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

from .enums import DeviceMode, DeviceType, LockAction, LockState, OpenerAction, OpenerState
from .models import Smartlock


class Shown(StrEnum):
    """A lock's state as a lock shows it."""

    LOCKED = "locked"
    UNLOCKING = "unlocking"
    UNLOCKED = "unlocked"
    LOCKING = "locking"
    OPEN = "open"
    OPENING = "opening"
    JAMMED = "jammed"


class LockActions(NamedTuple):
    """The action codes that lock, unlock and open a device."""

    lock: int
    unlock: int
    open: int


_LOCK_ACTIONS = LockActions(LockAction.LOCK, LockAction.UNLOCK, LockAction.UNLATCH)
_OPENER_ACTIONS = LockActions(
    OpenerAction.DEACTIVATE_RING_TO_OPEN, OpenerAction.ACTIVATE_RING_TO_OPEN, OpenerAction.OPEN
)

# The rest (uncalibrated, undefined, error codes, future codes) is unknown.
_LOCK_STATES: Mapping[int | None, Shown] = {
    LockState.LOCKED: Shown.LOCKED,
    LockState.UNLOCKING: Shown.UNLOCKING,
    LockState.UNLOCKED: Shown.UNLOCKED,
    LockState.LOCKING: Shown.LOCKING,
    LockState.UNLATCHED: Shown.OPEN,
    LockState.UNLOCKED_LOCK_N_GO: Shown.UNLOCKED,
    LockState.UNLATCHING: Shown.OPENING,
    LockState.MOTOR_BLOCKED: Shown.JAMMED,
}
_OPENER_STATES: Mapping[int | None, Shown] = {
    OpenerState.ONLINE: Shown.LOCKED,
    OpenerState.RING_TO_OPEN_ACTIVE: Shown.UNLOCKED,
    OpenerState.OPEN: Shown.OPEN,
    OpenerState.OPENING: Shown.OPENING,
}

# What a lock does first after an accepted action (Nuki's state table): lock 'n' go
# unlocks (2 unlocking, 6 unlocked (lock 'n' go), then 4 locking, 1 locked), with unlatch
# it unlatches first (7 unlatching).
_LOCK_ACTION_STATES: Mapping[int, Shown] = {
    LockAction.UNLOCK: Shown.UNLOCKING,
    LockAction.LOCK: Shown.LOCKING,
    LockAction.UNLATCH: Shown.OPENING,
    LockAction.LOCK_N_GO: Shown.UNLOCKING,
    LockAction.LOCK_N_GO_UNLATCH: Shown.OPENING,
}
# Opener: ring to open on and off, and the strike. Continuous mode (6, 7) has no
# transitional state: it changes the mode, and may leave what the lock shows as it was.
_OPENER_ACTION_STATES: Mapping[int, Shown] = {
    OpenerAction.ACTIVATE_RING_TO_OPEN: Shown.UNLOCKING,
    OpenerAction.DEACTIVATE_RING_TO_OPEN: Shown.LOCKING,
    OpenerAction.OPEN: Shown.OPENING,
}


def shown_state(device: Smartlock, accepted_action: int | None = None) -> Shown | None:
    """Return what the device shows: the first state of an action Nuki just accepted, if any.

    An Opener in continuous mode is unlocked unless the strike opens.
    """
    opener = device.type is DeviceType.OPENER
    if accepted_action is not None:
        actions = _OPENER_ACTION_STATES if opener else _LOCK_ACTION_STATES
        if (action_state := actions.get(accepted_action)) is not None:
            return action_state
    if not opener:
        return _LOCK_STATES.get(device.lock_state)
    state = _OPENER_STATES.get(device.lock_state)
    if device.state is None or device.state.mode != DeviceMode.CONTINUOUS:
        return state
    return state if state in (Shown.OPEN, Shown.OPENING) else Shown.UNLOCKED


def lock_actions(device: Smartlock) -> LockActions:
    """Return the action codes that lock, unlock and open the device."""
    return _OPENER_ACTIONS if device.type is DeviceType.OPENER else _LOCK_ACTIONS
