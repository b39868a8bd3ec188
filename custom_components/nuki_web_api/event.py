"""Event entities: the activity of each device from the Nuki log, and the Opener's doorbell.

The Activity entities are disabled by default: the bus event (activity_events.py) with its
device triggers and logbook sentence says the same, and an enabled Activity entity adds a
second logbook line to each activity. The Opener's Doorbell stays enabled (device class
doorbell: it is what a ring shows on dashboards and in voice assistants).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.event import (
    EventDeviceClass,
    EventEntity,
    EventEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .activity import (
    LOCK_EVENT_TYPES,
    OPENER_EVENT_TYPES,
    RING,
    activity_attributes,
    activity_type,
)
from .api import Smartlock, SmartlockLog
from .coordinator import NukiConfigEntry
from .entity import NukiEntity, NukiEntityDescription, async_add_nuki_entities, is_lock, is_opener

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class NukiEventEntityDescription(NukiEntityDescription, EventEntityDescription):
    """An event entity fed from the device's new log entries."""

    type_fn: Callable[[Smartlock, SmartlockLog], str | None]


def _ring_only(device: Smartlock, entry: SmartlockLog) -> str | None:
    return RING if activity_type(device, entry) == RING else None


DESCRIPTIONS: tuple[NukiEventEntityDescription, ...] = (
    NukiEventEntityDescription(
        key="activity",
        translation_key="activity",
        entity_registry_enabled_default=False,
        event_types=list(LOCK_EVENT_TYPES),
        exists_fn=is_lock,
        type_fn=activity_type,
    ),
    NukiEventEntityDescription(
        key="opener_activity",
        translation_key="activity",
        entity_registry_enabled_default=False,
        event_types=list(OPENER_EVENT_TYPES),
        exists_fn=is_opener,
        type_fn=activity_type,
    ),
    NukiEventEntityDescription(
        key="doorbell",
        translation_key="doorbell",
        device_class=EventDeviceClass.DOORBELL,
        event_types=[RING],
        exists_fn=is_opener,
        type_fn=_ring_only,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of every device, now and as devices appear."""
    async_add_nuki_entities(entry, async_add_entities, DESCRIPTIONS, NukiEventEntity)


class NukiEventEntity(NukiEntity, EventEntity):
    """Fires one event per new log entry of its device, oldest first."""

    entity_description: NukiEventEntityDescription
    _reported: tuple[SmartlockLog, ...] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Report the entries of the cycle that ran before the entity existed (setup)."""
        await super().async_added_to_hass()
        self._fire_new_logs()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._fire_new_logs()
        super()._handle_coordinator_update()

    @override
    def _shown(self, available: bool) -> tuple[object, ...]:
        """Only availability: the event itself is written when it fires."""
        return (available,)

    @callback
    def _fire_new_logs(self) -> None:
        data = self.coordinator.data
        # Listeners also run after a failed refresh, with the last snapshot: report a batch once.
        if data.new_logs is self._reported:
            return
        self._reported = data.new_logs
        device = data.devices.get(self.smartlock_id)
        if device is not None:
            for entry in data.new_logs_by_device.get(self.smartlock_id, ()):
                self._fire(device, entry)

    @callback
    def _fire(self, device: Smartlock, entry: SmartlockLog) -> None:
        event_type = self.entity_description.type_fn(device, entry)
        if event_type is None:
            return
        self._trigger_event(event_type, dict(activity_attributes(entry)))
        self.async_write_ha_state()
