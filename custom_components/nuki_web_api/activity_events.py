"""Fire `nuki_web_api_event` on the bus for each new activity, whichever entities are enabled.

Device triggers (device_trigger.py) and the logbook sentence (logbook.py) are built on this
event, so it must not depend on the Activity event entity, which is disabled by default.
"""

from __future__ import annotations

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .activity import EVENT_NUKI_WEB_API, activity_attributes, activity_type
from .api import Smartlock, SmartlockLog
from .const import DOMAIN
from .coordinator import NukiConfigEntry


@callback
def async_fire_activity_events(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Fire the events of the cycle that ran at setup, then of every later cycle (or push).

    Called after the platforms are set up, so that the devices are in the registry; its
    listener comes after theirs, so that a new device is there too.
    """
    coordinator = entry.runtime_data.coordinator
    reported: tuple[SmartlockLog, ...] | None = None

    @callback
    def _fire_new_logs() -> None:
        nonlocal reported
        data = coordinator.data
        # Listeners also run after a failed refresh, with the last snapshot: report a batch once.
        if data.new_logs is reported:
            return
        reported = data.new_logs
        for log in data.new_logs:
            device = data.devices.get(log.smartlock_id)
            event_type = None if device is None else activity_type(device, log)
            if device is not None and event_type is not None:
                _fire(hass, entry, device, log, event_type)

    _fire_new_logs()
    entry.async_on_unload(coordinator.async_add_listener(_fire_new_logs))


@callback
def _fire(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    device: Smartlock,
    log: SmartlockLog,
    event_type: str,
) -> None:
    # The platforms create the registry device before this listener runs (it is added last).
    registry_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(device.smartlock_id)), entry.entry_id
    )
    hass.bus.async_fire(
        EVENT_NUKI_WEB_API,
        {
            ATTR_DEVICE_ID: None if registry_device is None else registry_device.id,
            # The device's lock entity: the logbook files the sentence under it, so that it
            # shows in the lock's dialog and wherever the logbook is filtered by entity.
            ATTR_ENTITY_ID: er.async_get(hass).async_get_entity_id(
                Platform.LOCK, DOMAIN, f"{device.smartlock_id}_lock"
            ),
            "type": event_type,
            **activity_attributes(log),
        },
    )
