"""The Nuki Web API integration: Nuki locks, Openers and Smart Doors through Nuki's cloud."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import ConfigType

from .api import (
    NukiInvalidTokenError,
    NukiUnsafeUrlError,
    NukiWebApiClient,
    check_base_url,
    check_token,
)
from .authorizations import async_setup_authorization_services
from .const import CONF_API_TOKEN, CONF_API_URL, DEFAULT_API_URL, DOMAIN, PLATFORMS
from .coordinator import (
    NukiConfigEntry,
    NukiCoordinator,
    NukiRuntimeData,
    device_smartlock_ids,
)
from .event import async_fire_activity_events
from .logbook_cursor import StoredLogCursor
from .push import signal_auth_pushed
from .push_registration import async_remove_push, async_setup_push
from .services import async_setup_services
from .writes import NukiAuthCoordinator, SettingsWriter

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what does not depend on an entry (service actions are registered here)."""
    async_setup_services(hass)
    async_setup_authorization_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> bool:
    """Connect to Nuki Web with the entry's token and set up the platforms.

    An entry stored before the https rule may hold a URL the token must not go to: it
    fails with a reason (Reconfigure changes it) before any request.
    """
    try:
        url = check_base_url(entry.data.get(CONF_API_URL, DEFAULT_API_URL))
    except NukiUnsafeUrlError:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="unsafe_api_url"
        ) from None
    try:
        token = check_token(entry.data[CONF_API_TOKEN])
    except NukiInvalidTokenError:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_stored_token"
        ) from None
    client = NukiWebApiClient(async_get_clientsession(hass), token, base_url=url)
    coordinator = NukiCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    auth_coordinator = NukiAuthCoordinator(hass, entry, client)
    # The one extra read at setup (which authorization switches exist); failing, it fails nothing.
    await auth_coordinator.async_refresh()
    entry.async_on_unload(
        async_dispatcher_connect(
            hass, signal_auth_pushed(entry.entry_id), auth_coordinator.async_apply_pushed
        )
    )
    settings = SettingsWriter(
        hass, entry, lambda: coordinator.data.devices, coordinator.async_update_listeners
    )
    entry.async_on_unload(coordinator.async_add_listener(settings.check))
    entry.runtime_data = NukiRuntimeData(client, coordinator, auth_coordinator, settings)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_fire_activity_events(hass, entry)
    await async_setup_push(hass, entry)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> bool:
    """Unload the platforms; the coordinator shuts down with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Delete what the entry left at Nuki Web (a push webhook) and its stored log cursor."""
    try:
        await async_remove_push(hass, entry)
    finally:
        await StoredLogCursor.for_entry(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: NukiConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a device only once it is gone from the Nuki Web account."""
    return not device_smartlock_ids(device) & set(entry.runtime_data.coordinator.data.devices)
