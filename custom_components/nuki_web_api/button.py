"""Button entities: lock 'n' go (with unlatch) on locks, sync on every device."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import LockAction
from .const import DOMAIN
from .coordinator import NukiCoordinator, ResultWait
from .entity import NukiEntity, NukiEntityDescription, is_lock, nuki_platform
from .helpers import async_device_action, async_run_action

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiButtonEntityDescription(ButtonEntityDescription, NukiEntityDescription):
    """A button: the client call a press makes, and how long it refuses a second press."""

    press_fn: Callable[[NukiCoordinator, int], Awaitable[ResultWait | None]]
    cooldown: timedelta | None = None


def _action(code: int) -> Callable[[NukiCoordinator, int], Awaitable[ResultWait | None]]:
    """Send the Nuki action ``code``."""
    return lambda coordinator, smartlock_id: async_device_action(coordinator, smartlock_id, code)


BUTTONS: tuple[NukiButtonEntityDescription, ...] = (
    NukiButtonEntityDescription(
        key="lock_n_go",
        translation_key="lock_n_go",
        exists_fn=is_lock,
        press_fn=_action(LockAction.LOCK_N_GO),
    ),
    NukiButtonEntityDescription(
        key="lock_n_go_unlatch",
        translation_key="lock_n_go_unlatch",
        exists_fn=is_lock,
        entity_registry_enabled_default=False,
        press_fn=_action(LockAction.LOCK_N_GO_UNLATCH),
    ),
    NukiButtonEntityDescription(
        key="sync",
        translation_key="sync",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda coordinator, smartlock_id: coordinator.client.sync(smartlock_id),
        # /sync wakes the device and costs battery: one press per minute is plenty.
        cooldown=timedelta(seconds=60),
    ),
)


class NukiButton(NukiEntity, ButtonEntity):
    """A button that makes one client call, at most once per cooldown."""

    entity_description: NukiButtonEntityDescription
    _last_success: datetime | None = None

    @override
    async def async_press(self) -> None:
        """Make the call unless the previous one succeeded less than a cooldown ago."""
        cooldown = self.entity_description.cooldown
        now = dt_util.utcnow()
        if cooldown and self._last_success and now - self._last_success < cooldown:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="button_cooldown",
                translation_placeholders={
                    "seconds": str(math.ceil((self._last_success + cooldown - now).total_seconds()))
                },
            )
        press_fn = self.entity_description.press_fn
        coordinator = self.coordinator
        await async_run_action(
            coordinator, self.smartlock_id, lambda: press_fn(coordinator, self.smartlock_id)
        )
        self._last_success = now


async_setup_entry = nuki_platform(BUTTONS, NukiButton)
