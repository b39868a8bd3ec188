"""Event entities (each device's activity, the Opener's doorbell) and the activity bus event.

The bus event fires whichever entities are enabled: device triggers and the logbook
sentence build on it. So the Activity entities, which would add a second logbook line to
each activity, are disabled by default; the Doorbell is not (dashboards and voice
assistants show its rings).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.event import EventDeviceClass, EventEntity, EventEntityDescription
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .api import (
    LOCK_ACTIVITIES,
    OPENER_ACTIVITIES,
    RING,
    SmartlockLog,
    Snapshot,
    activity_attributes,
    activity_type,
)
from .const import DOMAIN
from .coordinator import NukiConfigEntry
from .entity import NukiEntity, NukiEntityDescription, is_lock, is_opener, nuki_platform

PARALLEL_UPDATES = 0

EVENT_NUKI_WEB_API: Final = "nuki_web_api_event"


@dataclass(frozen=True, kw_only=True)
class NukiEventEntityDescription(NukiEntityDescription, EventEntityDescription):
    """An event entity: fires its device's new activities of the types it lists."""


DESCRIPTIONS: tuple[NukiEventEntityDescription, ...] = (
    *(
        NukiEventEntityDescription(
            key=key,
            translation_key="activity",
            entity_registry_enabled_default=False,
            event_types=list(types),
            exists_fn=exists,
        )
        for key, types, exists in (
            ("activity", LOCK_ACTIVITIES, is_lock),
            ("opener_activity", OPENER_ACTIVITIES, is_opener),
        )
    ),
    NukiEventEntityDescription(
        key="doorbell",
        translation_key="doorbell",
        device_class=EventDeviceClass.DOORBELL,
        event_types=[RING],
        exists_fn=is_opener,
    ),
)


def _activities(
    data: Snapshot, entries: Iterable[SmartlockLog]
) -> Iterator[tuple[SmartlockLog, str]]:
    """Yield the entries that are activities of a device on the account, with their type."""
    for entry in entries:
        device = data.devices.get(entry.smartlock_id)
        if device is not None and (kind := activity_type(device.type, entry)) is not None:
            yield entry, kind


class NukiEventEntity(NukiEntity, EventEntity):
    """Fires one event per new activity of its device, oldest first."""

    entity_description: NukiEventEntityDescription
    _reported: tuple[SmartlockLog, ...] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Report the activity of the cycle that ran before the entity existed (setup)."""
        await super().async_added_to_hass()
        self._fire_new()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._fire_new()
        super()._handle_coordinator_update()

    @override
    def _shown(self, available: bool) -> tuple[object, ...]:
        """Only availability: the event itself is written when it fires."""
        return (available,)

    @callback
    def _fire_new(self) -> None:
        data = self.coordinator.data
        if data.new_logs is self._reported:  # listeners also run after a failed refresh
            return
        self._reported = data.new_logs
        new = data.new_logs_by_device.get(self.smartlock_id, ())
        for entry, kind in _activities(data, new):
            if kind in self.event_types:
                self._trigger_event(kind, activity_attributes(entry))
                self.async_write_ha_state()


async_setup_entry = nuki_platform(DESCRIPTIONS, NukiEventEntity)


@callback
def async_fire_activity_events(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Fire ``nuki_web_api_event`` for the activity of the setup cycle, then of each later one.

    Called after the platforms are set up: its listener runs after theirs, so a new device
    is in the registry with its lock entity when its first activity fires.
    """
    coordinator = entry.runtime_data.coordinator
    devices, entities = dr.async_get(hass), er.async_get(hass)
    reported: tuple[SmartlockLog, ...] | None = None

    @callback
    def fire_new() -> None:
        nonlocal reported
        data = coordinator.data
        if data.new_logs is reported:  # listeners also run after a failed refresh
            return
        reported = data.new_logs
        for log, kind in _activities(data, data.new_logs):
            device = devices.async_get_device_by_identifier(
                (DOMAIN, str(log.smartlock_id)), entry.entry_id
            )
            hass.bus.async_fire(
                EVENT_NUKI_WEB_API,
                {
                    ATTR_DEVICE_ID: None if device is None else device.id,
                    # The logbook files the sentence under this entity: the lock's dialog shows it.
                    ATTR_ENTITY_ID: entities.async_get_entity_id(
                        Platform.LOCK, DOMAIN, f"{log.smartlock_id}_lock"
                    ),
                    "type": kind,
                    **activity_attributes(log),
                },
            )

    fire_new()
    entry.async_on_unload(coordinator.async_add_listener(fire_new))
