"""Lock entities: Nuki locks (lock, unlock, unlatch) and the Opener (ring to open, open)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.components.lock.const import LockEntityFeature, LockState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceMode, LockAction, OpenerAction, OpenerState, Smartlock, actor_name
from .api import LockState as NukiLockState
from .coordinator import NukiConfigEntry
from .entity import NukiEntity, NukiEntityDescription, async_add_nuki_entities, is_lock, is_opener

PARALLEL_UPDATES = 1

# Nuki lock states; the rest (uncalibrated, undefined, error codes, future codes) is unknown.
LOCK_STATES: Mapping[int | None, LockState] = {
    NukiLockState.LOCKED: LockState.LOCKED,
    NukiLockState.UNLOCKING: LockState.UNLOCKING,
    NukiLockState.UNLOCKED: LockState.UNLOCKED,
    NukiLockState.LOCKING: LockState.LOCKING,
    NukiLockState.UNLATCHED: LockState.OPEN,
    NukiLockState.UNLOCKED_LOCK_N_GO: LockState.UNLOCKED,
    NukiLockState.UNLATCHING: LockState.OPENING,
    NukiLockState.MOTOR_BLOCKED: LockState.JAMMED,
}

# Opener: "locked" means ring to open is off; the electric strike is "open".
OPENER_STATES: Mapping[int | None, LockState] = {
    OpenerState.ONLINE: LockState.LOCKED,
    OpenerState.RING_TO_OPEN_ACTIVE: LockState.UNLOCKED,
    OpenerState.OPEN: LockState.OPEN,
    OpenerState.OPENING: LockState.OPENING,
}


def opener_state(device: Smartlock) -> LockState | None:
    """Map an Opener's state; continuous mode counts as unlocked unless the strike opens."""
    state = OPENER_STATES.get(device.lock_state)
    if device.state is None or device.state.mode != DeviceMode.CONTINUOUS:
        return state
    return state if state in (LockState.OPEN, LockState.OPENING) else LockState.UNLOCKED


# What a lock does first after an accepted action (Nuki's state table): lock 'n' go
# unlocks (2 unlocking, 6 unlocked (lock 'n' go), then 4 locking, 1 locked), with unlatch
# it unlatches first (7 unlatching).
LOCK_ACTION_STATES: Mapping[int, LockState] = {
    LockAction.UNLOCK: LockState.UNLOCKING,
    LockAction.LOCK: LockState.LOCKING,
    LockAction.UNLATCH: LockState.OPENING,
    LockAction.LOCK_N_GO: LockState.UNLOCKING,
    LockAction.LOCK_N_GO_UNLATCH: LockState.OPENING,
}

# Opener: ring to open on and off, and the strike. Continuous mode (6, 7) has no
# transitional state: it changes the mode, and may leave what the entity shows as it was.
OPENER_ACTION_STATES: Mapping[int, LockState] = {
    OpenerAction.ACTIVATE_RING_TO_OPEN: LockState.UNLOCKING,
    OpenerAction.DEACTIVATE_RING_TO_OPEN: LockState.LOCKING,
    OpenerAction.OPEN: LockState.OPENING,
}


@dataclass(frozen=True, kw_only=True)
class NukiLockEntityDescription(LockEntityDescription, NukiEntityDescription):
    """A lock: how its state maps and which action codes lock, unlock and open it.

    ``action_states`` is what the entity shows from the moment Nuki accepts an action until
    a read shows the device under way (or the follow-up reads end).
    """

    state_fn: Callable[[Smartlock], LockState | None]
    action_states: Mapping[int, LockState]
    lock_action: int
    unlock_action: int
    open_action: int


LOCKS: tuple[NukiLockEntityDescription, ...] = (
    NukiLockEntityDescription(
        key="lock",
        translation_key="lock",
        name=None,
        exists_fn=is_lock,
        state_fn=lambda device: LOCK_STATES.get(device.lock_state),
        action_states=LOCK_ACTION_STATES,
        lock_action=LockAction.LOCK,
        unlock_action=LockAction.UNLOCK,
        open_action=LockAction.UNLATCH,
    ),
    NukiLockEntityDescription(
        key="lock",
        translation_key="opener",
        name=None,
        exists_fn=is_opener,
        state_fn=opener_state,
        action_states=OPENER_ACTION_STATES,
        lock_action=OpenerAction.DEACTIVATE_RING_TO_OPEN,
        unlock_action=OpenerAction.ACTIVATE_RING_TO_OPEN,
        open_action=OpenerAction.OPEN,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a lock entity for every lock and Opener, now and when one appears."""
    async_add_nuki_entities(entry, async_add_entities, LOCKS, NukiLock)


class NukiLock(NukiEntity, LockEntity):
    """A Nuki lock or Opener."""

    entity_description: NukiLockEntityDescription
    _attr_supported_features = LockEntityFeature.OPEN

    @override
    async def async_added_to_hass(self) -> None:
        self._show_state()
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._show_state()
        super()._handle_coordinator_update()

    def _show_state(self) -> None:
        """Show the device's state, or the transitional state of an action Nuki just accepted."""
        state = None
        if self.available:
            description = self.entity_description
            action = self.coordinator.data.accepted_actions.get(self.smartlock_id)
            state = description.action_states.get(action) if action is not None else None
            state = state or description.state_fn(self.device)
        self._attr_is_locked = None if state is None else state is LockState.LOCKED
        self._attr_is_locking = state is LockState.LOCKING
        self._attr_is_unlocking = state is LockState.UNLOCKING
        self._attr_is_open = state is LockState.OPEN  # the latch is pulled, the strike open
        self._attr_is_opening = state is LockState.OPENING
        self._attr_is_jammed = state is LockState.JAMMED

    @property
    @override
    def changed_by(self) -> str | None:
        """Who operated the lock last, from the activity log."""
        return actor_name(self.actor_log)

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Lock (Opener: deactivate ring to open)."""
        await self.async_send_action(self.entity_description.lock_action)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock (Opener: activate ring to open)."""
        await self.async_send_action(self.entity_description.unlock_action)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Unlatch (Opener: actuate the electric strike)."""
        await self.async_send_action(self.entity_description.open_action)
