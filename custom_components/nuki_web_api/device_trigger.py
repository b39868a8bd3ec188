"""Device triggers on a device's activity: "unlocked with a keypad code by Anna", "it rang".

Each is an event trigger on the activity bus event (event.py): the device, the type and,
optionally, how it was operated (``method``) and by which of its authorizations (``auth_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import probatio
from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_DEVICE_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .api import DOOR_ACTIVITIES, LOCK_ACTIVITIES, METHODS, OPERATIONS, REJECTED, RING, Smartlock
from .const import DOMAIN
from .coordinator import NukiConfigEntry, device_smartlock_ids
from .entity import is_lock, is_opener
from .event import EVENT_NUKI_WEB_API
from .switch import AUTH_SWITCH_OF_TYPE

CONF_METHOD: Final = "method"
CONF_AUTH_ID: Final = "auth_id"

_LOCK_TYPES: Final = tuple(t for t in LOCK_ACTIVITIES if t not in DOOR_ACTIVITIES)
_OPENER_TYPES: Final = (RING, "opened")
TRIGGER_TYPES: Final = (*_LOCK_TYPES, *DOOR_ACTIVITIES, *_OPENER_TYPES)
# Who and how for an operation; how for a rejected attempt (its person is not known).
_FILTERS: Mapping[str, tuple[str, ...]] = {
    **{t: (CONF_METHOD, CONF_AUTH_ID) for t in TRIGGER_TYPES if t in OPERATIONS},
    REJECTED: (CONF_METHOD,),
}

TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        probatio.Required(CONF_TYPE): probatio.In(TRIGGER_TYPES),
        probatio.Optional(CONF_METHOD): probatio.In(METHODS),
        probatio.Optional(CONF_AUTH_ID): cv.string,
    }
)


def trigger_types(device: Smartlock) -> tuple[str, ...]:
    """Return the trigger types that fit the device (door triggers need a door sensor)."""
    if is_opener(device):
        return _OPENER_TYPES
    if not is_lock(device):
        return ()
    return (*_LOCK_TYPES, *DOOR_ACTIVITIES) if device.has_door_sensor() else _LOCK_TYPES


def _loaded(hass: HomeAssistant, device_id: str) -> tuple[NukiConfigEntry, Smartlock] | None:
    """Return the device's loaded entry and Nuki data, or None while they are not known."""
    device = dr.async_get(hass).async_get(device_id)
    if not isinstance(device, dr.DeviceEntry) or not (
        smartlock_ids := device_smartlock_ids(device)
    ):
        return None
    entry: NukiConfigEntry | None = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    smartlock = entry.runtime_data.coordinator.data.devices.get(min(smartlock_ids))
    return None if smartlock is None else (entry, smartlock)


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Check the trigger's fields, and its type against the device once the device is known.

    A device without data (Smart Hosting missing, entry not loaded yet) is not checked: its
    type and hardware are not known then.
    """
    config = TRIGGER_SCHEMA(config)
    trigger_type = config[CONF_TYPE]
    for field in (CONF_METHOD, CONF_AUTH_ID):
        if field in config and field not in _FILTERS.get(trigger_type, ()):
            raise InvalidDeviceAutomationConfig(
                translation_domain=DOMAIN,
                translation_key="trigger_filter_not_allowed",
                translation_placeholders={"type": trigger_type, "field": field},
            )
    loaded = _loaded(hass, config[CONF_DEVICE_ID])
    if loaded is not None and loaded[1].state is not None:
        entry, device = loaded
        if trigger_type not in trigger_types(device):
            raise InvalidDeviceAutomationConfig(
                translation_domain=DOMAIN,
                translation_key="invalid_trigger",
                translation_placeholders={
                    "device": entry.runtime_data.coordinator.device_name(device.smartlock_id),
                    "type": trigger_type,
                },
            )
    return config


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the device's activity triggers."""
    loaded = _loaded(hass, device_id)
    if loaded is None:
        return []
    return [
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: device_id, CONF_TYPE: t}
        for t in trigger_types(loaded[1])
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, probatio.Schema]:
    """Offer the method and person filters of an operation (labels in the configured language).

    The person list is the device's authorizations; they are read again first (at most
    once in ten seconds), since a keypad code created a moment ago belongs in the list.
    """
    fields = _FILTERS.get(config[CONF_TYPE], ())
    if not fields:
        return {}
    selector = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])
    prefix = f"component.{DOMAIN}.selector.method.options."
    methods = [SelectOptionDict(value=m, label=selector.get(prefix + m, m)) for m in METHODS]
    schema: dict[probatio.Marker, Any] = {
        probatio.Optional(CONF_METHOD): SelectSelector(
            SelectSelectorConfig(
                options=methods, mode=SelectSelectorMode.DROPDOWN, translation_key=CONF_METHOD
            )
        )
    }
    if CONF_AUTH_ID in fields:
        schema[probatio.Optional(CONF_AUTH_ID)] = SelectSelector(
            SelectSelectorConfig(
                options=await _person_options(hass, config[CONF_DEVICE_ID]),
                mode=SelectSelectorMode.DROPDOWN,
            )
        )
    return {"extra_fields": probatio.Schema(schema)}


async def _person_options(hass: HomeAssistant, device_id: str) -> list[SelectOptionDict]:
    """Return the device's authorizations, labelled as their switches ("Keypad code Anna")."""
    loaded = _loaded(hass, device_id)
    if loaded is None:
        return []
    auths = loaded[0].runtime_data.auth_coordinator
    await auths.async_request_refresh()
    entity = await async_get_translations(hass, hass.config.language, "entity", [DOMAIN])
    options: list[SelectOptionDict] = []
    for auth_id, auth in auths.data.items():
        if auth.smartlock_id != loaded[1].smartlock_id or auth.error or not auth.name:
            continue
        switch = AUTH_SWITCH_OF_TYPE.get(auth.type) if auth.type is not None else None
        name = f"component.{DOMAIN}.entity.switch.{switch.translation_key}.name" if switch else ""
        template = entity.get(name)
        label = template.replace("{name}", auth.name) if template else auth.name
        options.append(SelectOptionDict(value=auth_id, label=label))
    return sorted(options, key=lambda option: option["label"].casefold())


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the device's activity events of the type, with the filters given."""
    event_data = {ATTR_DEVICE_ID: config[CONF_DEVICE_ID], "type": config[CONF_TYPE]}
    event_data |= {field: config[field] for field in (CONF_METHOD, CONF_AUTH_ID) if field in config}
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: CONF_EVENT,
            event_trigger.CONF_EVENT_TYPE: EVENT_NUKI_WEB_API,
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
