"""Lock entities: Nuki locks (lock, unlock, unlatch) and the Opener (ring to open, open)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.components.lock.const import LockEntityFeature

from .api import actor_name
from .api.lock_view import Shown, lock_actions, shown_state
from .entity import NukiEntity, NukiEntityDescription, is_lock, is_opener, nuki_platform

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiLockEntityDescription(LockEntityDescription, NukiEntityDescription):
    """A lock: a Nuki lock, or an Opener (api.lock_view tells how it is a lock)."""


LOCKS: tuple[NukiLockEntityDescription, ...] = (
    NukiLockEntityDescription(key="lock", translation_key="lock", name=None, exists_fn=is_lock),
    NukiLockEntityDescription(key="lock", translation_key="opener", name=None, exists_fn=is_opener),
)


class NukiLock(NukiEntity, LockEntity):
    """A Nuki lock or Opener."""

    entity_description: NukiLockEntityDescription
    _attr_supported_features = LockEntityFeature.OPEN

    @override
    def _shown(self, available: bool) -> tuple[object, ...]:
        """Work the state out first: the device's, or the first of an action Nuki just accepted.

        The accepted action shows until a read shows the device under way (or the follow-up
        reads end).
        """
        state = None
        if available:
            action = self.coordinator.data.accepted_actions.get(self.smartlock_id)
            state = shown_state(self.device, action)
        self._attr_is_locked = None if state is None else state is Shown.LOCKED
        self._attr_is_locking = state is Shown.LOCKING
        self._attr_is_unlocking = state is Shown.UNLOCKING
        self._attr_is_open = state is Shown.OPEN  # the latch is pulled, the strike open
        self._attr_is_opening = state is Shown.OPENING
        self._attr_is_jammed = state is Shown.JAMMED
        return super()._shown(available)

    @property
    @override
    def changed_by(self) -> str | None:
        """Who operated the lock last, from the activity log."""
        return actor_name(self.actor_log)

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Lock (Opener: deactivate ring to open)."""
        await self.async_send_action(lock_actions(self.device).lock)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock (Opener: activate ring to open)."""
        await self.async_send_action(lock_actions(self.device).unlock)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Unlatch (Opener: actuate the electric strike)."""
        await self.async_send_action(lock_actions(self.device).open)


async_setup_entry = nuki_platform(LOCKS, NukiLock)
