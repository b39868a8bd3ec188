"""Which reads follow an action, and when, until the device has settled.

Nuki answers an action with 204 before the device moves and reports the movement only in
GET /smartlock. So after an accepted action a caller reads the device list alone every
``FOLLOW_UP_STEP`` while the device has not moved or still moves, waits out a passing state
(the latch held unlatched, lock 'n' go, the Opener's strike) as long as the device's settings
say, and reads the log once the device has settled (the actor and the activity come with the
final state): at most ``FOLLOW_UP_REQUESTS`` requests per action, the last one the log. A
device that a poll finds in a passing state is followed the same way.

Until a read shows the device moving (or in the state its action ends in), the accepted
action is *shown* (the lock shows unlocking, locking, opening); it ends with the reads at the
latest. Times are the caller's clock (the event loop's); nothing here talks to Nuki.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from .enums import DeviceType, LockAction, LockState, OpenerAction, OpenerState
from .models import Smartlock

# Seconds between reads while the device has not moved or still moves.
FOLLOW_UP_STEP: Final = 1.0
# Requests for one action's reads at the most; the last one reads the log.
FOLLOW_UP_REQUESTS: Final = 6
# The longest passing state waited out in one step (lngTimeout goes up to 60 s).
FOLLOW_UP_MAX_HOLD: Final = 60.0
# Reads of the device list after a write that moves nothing (a setting), seconds after it.
WRITE_FOLLOW_UP_DELAYS: Final = (2.0, 5.0, 10.0)

# Passing states (Nuki's state table): moving, or held for a time the device's settings give.
_PASSING_LOCK = frozenset(
    {
        LockState.UNLOCKING,
        LockState.LOCKING,
        LockState.UNLATCHING,
        LockState.UNLATCHED,
        LockState.UNLOCKED_LOCK_N_GO,
    }
)
_PASSING_OPENER = frozenset({OpenerState.OPENING, OpenerState.OPEN})
# Where an action ends when that is a single state, by (Opener?, action code): a read that
# shows it ends the shown action even if the device was there already.
_TARGETS: dict[tuple[bool, int], int] = {
    (False, LockAction.UNLOCK): LockState.UNLOCKED,
    (False, LockAction.LOCK): LockState.LOCKED,
    (True, OpenerAction.ACTIVATE_RING_TO_OPEN): OpenerState.RING_TO_OPEN_ACTIVE,
    (True, OpenerAction.DEACTIVATE_RING_TO_OPEN): OpenerState.ONLINE,
}

# A device's state as the follow-ups compare it: the state code and the mode (continuous mode).
type StateKey = tuple[int | None, int | None]


class Read(Enum):
    """What one refresh reads."""

    ALL = "all"  # a polling cycle: GET /smartlock and GET /smartlock/log
    DEVICES = "devices"  # GET /smartlock alone
    LOG = "log"  # GET /smartlock/log alone


def state_key(device: Smartlock) -> StateKey:
    """Return what tells whether the device moved: its state code and mode."""
    if device.state is None:
        return (None, None)
    state, mode = device.state.state, device.state.mode
    return (None if state is None else int(state), None if mode is None else int(mode))


def is_passing(device: Smartlock) -> bool:
    """Tell whether the device is in a state it leaves by itself (moving, or holding)."""
    if device.state is None:
        return False
    passing = _PASSING_OPENER if device.type == DeviceType.OPENER else _PASSING_LOCK
    return device.state.state in passing


def hold(device: Smartlock) -> float | None:
    """Return how long the device stays in its holding state, from its settings.

    Swagger 4.20.0: ``unlatchDuration`` (s), ``lngTimeout`` (s), the Opener's
    ``electricStrikeDuration`` (ms). None when it holds nothing or does not say; clamped to
    one step .. ``FOLLOW_UP_MAX_HOLD``.
    """
    if device.state is None:
        return None
    state = device.state.state
    seconds: float | None = None
    if device.type == DeviceType.OPENER:
        config = device.opener_advanced_config
        if state == OpenerState.OPEN and config and config.electric_strike_duration is not None:
            seconds = config.electric_strike_duration / 1000
    else:
        lock_config = device.smartdoor_advanced_config or device.advanced_config
        if lock_config is not None and state == LockState.UNLATCHED:
            seconds = lock_config.unlatch_duration
        elif lock_config is not None and state == LockState.UNLOCKED_LOCK_N_GO:
            seconds = lock_config.lng_timeout
    return None if seconds is None else min(max(seconds, FOLLOW_UP_STEP), FOLLOW_UP_MAX_HOLD)


@dataclass(slots=True, kw_only=True)
class _Followed:
    """One followed device."""

    before: StateKey  # its state when the action was accepted (or it was seen passing)
    last: StateKey  # its state at the latest read
    due: float  # when it needs its next read
    shown: int | None = None  # the accepted action, until a read shows the device moving
    target: int | None = None  # the state its action ends in, if a single one
    moved: bool = False  # a read showed a state other than `before`
    settled: bool = False  # it moved and came to rest
    final: bool = False  # its next read is the log, and then it is done
    requests: int = 0
    writes: tuple[float, ...] | None = None  # a write: when its remaining reads are due


class FollowUps:
    """The followed devices of one account and the read each needs next."""

    def __init__(self) -> None:
        """Follow nothing yet."""
        self._followed: dict[int, _Followed] = {}
        # Passing states given up on: a poll that finds the device still there does not restart.
        self._given_up: dict[int, StateKey] = {}
        self._planned: float | None = None

    def start(self, device: Smartlock, action: int | None, now: float) -> None:
        """Follow a device after Nuki accepted an action, or a write (``action`` None).

        A write gets reads at ``WRITE_FOLLOW_UP_DELAYS``; an action's reads serve it as well.
        """
        smartlock_id, key = device.smartlock_id, state_key(device)
        if action is None:
            current = self._followed.get(smartlock_id)
            if current is None or current.writes is not None:
                writes = tuple(now + delay for delay in WRITE_FOLLOW_UP_DELAYS)
                self._followed[smartlock_id] = _Followed(
                    before=key, last=key, due=writes[0], writes=writes
                )
            return
        self._given_up.pop(smartlock_id, None)
        self._followed[smartlock_id] = _Followed(
            before=key,
            last=key,
            due=now + FOLLOW_UP_STEP,
            shown=action,
            target=_TARGETS.get((device.type == DeviceType.OPENER, action)),
        )

    def stop(self, smartlock_id: int) -> None:
        """Stop following a device (Nuki refused its action after accepting it)."""
        self._followed.pop(smartlock_id, None)

    def clear(self) -> None:
        """Follow nothing (reading failed, or Nuki asks to slow down)."""
        self._followed.clear()

    def shown(self) -> dict[int, int]:
        """Return the accepted actions whose transitional state the entities show."""
        return {sid: f.shown for sid, f in self._followed.items() if f.shown is not None}

    def next_read(self) -> tuple[float, Read] | None:
        """Return when the next read is due and what it reads (None: nothing followed)."""
        if not self._followed:
            self._planned = None
            return None
        first = min(self._followed.values(), key=lambda followed: followed.due)
        self._planned = first.due
        return first.due, Read.LOG if first.final else Read.DEVICES

    def observe(self, devices: Mapping[int, Smartlock], read: Read | None, now: float) -> None:
        """Take in what a refresh (``read``) or a push (``None``) shows.

        A follow-up read (DEVICES, LOG) serves the devices due with the planned read and
        counts for them; every observation can settle a device or start its hold.
        """
        served_until = None if self._planned is None else self._planned + FOLLOW_UP_STEP / 2
        if read in (Read.DEVICES, Read.LOG):
            self._planned = None
        for smartlock_id, followed in list(self._followed.items()):
            device = devices.get(smartlock_id)
            served = (
                read in (Read.DEVICES, Read.LOG)
                and served_until is not None
                and followed.due <= served_until
            )
            if (
                device is None
                or device.state is None
                or not self._keep(followed, device, read, served=served, now=now)
            ):
                self._end(smartlock_id, followed, device)
        if read is Read.ALL:
            self._follow_passing(devices, now)

    def _keep(
        self, followed: _Followed, device: Smartlock, read: Read | None, *, served: bool, now: float
    ) -> bool:
        """Update one followed device; return whether it still needs reads."""
        if read is Read.LOG:
            return not (served and followed.final)
        key = state_key(device)
        changed, followed.last = key != followed.last, key
        if key != followed.before:
            followed.moved = True
        if followed.moved or key[0] == followed.target:
            followed.shown = None
        if served:
            followed.requests += 1
        if followed.writes is not None:
            if served:
                followed.writes = followed.writes[1:]
                if not followed.writes:
                    return False
                followed.due = followed.writes[0]
            return True
        if followed.moved and not is_passing(device):
            if read is Read.ALL:
                return False  # the log came with this read
            if not followed.final:
                followed.settled = followed.final = True
                followed.due = now
        elif served and followed.requests >= FOLLOW_UP_REQUESTS - 1:
            followed.final, followed.due = True, now  # only the log read is left
        elif served or changed:
            followed.due = now + (hold(device) or FOLLOW_UP_STEP)
        return True

    def _end(self, smartlock_id: int, followed: _Followed, device: Smartlock | None) -> None:
        del self._followed[smartlock_id]
        if device is not None and not followed.settled and is_passing(device):
            self._given_up[smartlock_id] = state_key(device)

    def _follow_passing(self, devices: Mapping[int, Smartlock], now: float) -> None:
        """Follow the devices a poll finds in a passing state, unless given up on it."""
        self._given_up = {sid: key for sid, key in self._given_up.items() if sid in devices}
        for smartlock_id, device in devices.items():
            if smartlock_id in self._followed:
                continue
            key = state_key(device)
            if not is_passing(device):
                self._given_up.pop(smartlock_id, None)
            elif self._given_up.get(smartlock_id) != key:
                self._followed[smartlock_id] = _Followed(
                    before=key,
                    last=key,
                    moved=True,
                    due=now + (hold(device) or FOLLOW_UP_STEP),
                )
