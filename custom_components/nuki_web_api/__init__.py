"""The Nuki Web API integration: Nuki locks, Openers and Smart Doors through Nuki's cloud.

Push needs an https URL Nuki reaches (external or a Nabu Casa cloudhook) and the Advanced API;
it never fails the entry: polling goes on, and a repair issue says why push is off.
"""

from __future__ import annotations

import asyncio

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.typing import ConfigType

from .api import (
    DEFAULT_BASE_URL,
    NukiAuthError,
    NukiError,
    NukiForbiddenError,
    NukiInvalidTokenError,
    NukiUnsafeUrlError,
    NukiWebApiClient,
    Registration,
    check_base_url,
    check_token,
    delete_webhook,
    register_webhook,
    webhook_listed,
)
from .authorizations import async_setup_authorization_services
from .const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_PUSH,
    CONF_PUSH_REGISTRATION,
    DOMAIN,
    LOGGER,
    PLATFORMS,
)
from .coordinator import (
    NukiConfigEntry,
    NukiCoordinator,
    NukiRuntimeData,
    device_smartlock_ids,
    log_cursor_store,
)
from .entity import async_keep_device_registry
from .event import async_fire_activity_events
from .helpers import create_client
from .issues import async_create_push_issue, async_delete_push_issue
from .push import NukiPush
from .services import async_setup_services
from .writes import NukiAuthCoordinator, SettingsWriter

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# Why push is not running yet (no repair issue): it registers once the cloud connects.
CLOUD_NOT_CONNECTED = "cloud_not_connected"


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what does not depend on an entry (service actions are registered here)."""
    async_setup_services(hass)
    async_setup_authorization_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> bool:
    """Build the runtime data, then the platforms, then push if the option is on.

    An entry stored before the https rule may hold a URL the token must not go to: it fails
    before any request (Reconfigure changes it).
    """
    try:
        check_base_url(entry.data.get(CONF_API_URL, DEFAULT_BASE_URL))
    except NukiUnsafeUrlError:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="unsafe_api_url"
        ) from None
    try:
        check_token(entry.data[CONF_API_TOKEN])
    except NukiInvalidTokenError:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_stored_token"
        ) from None
    client = create_client(hass, entry.data)
    coordinator = NukiCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    auth_coordinator = NukiAuthCoordinator(hass, entry, client)
    # The one extra read at setup (which authorization switches exist); failing, it fails nothing.
    await auth_coordinator.async_refresh()
    settings = SettingsWriter(
        hass, entry, lambda: coordinator.data.devices, coordinator.async_update_listeners
    )
    entry.async_on_unload(coordinator.async_add_listener(settings.check))
    entry.runtime_data = NukiRuntimeData(client, coordinator, auth_coordinator, settings)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(async_keep_device_registry(entry))
    async_fire_activity_events(hass, entry)
    await async_setup_push(hass, entry)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> bool:
    """Unload the platforms; the coordinator shuts down with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Delete what the entry left at Nuki Web (a push webhook) and its stored log cursor."""
    try:
        if (stored := _stored(entry)) is not None:
            client = create_client(hass, entry.data)
            await _async_unregister(hass, entry, client, stored, forget=False)
    finally:
        await log_cursor_store(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: NukiConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a device only once it is gone from the Nuki Web account."""
    return not device_smartlock_ids(device) & set(entry.runtime_data.coordinator.data.devices)


# --- push: can it work here, the registration at Nuki, start and stop ------------------------


def _stored(entry: ConfigEntry) -> Registration | None:
    return Registration.from_data(entry.data.get(CONF_PUSH_REGISTRATION))


class PushUnavailableError(Exception):
    """Push cannot work; ``reason`` is the translation key of the form error and the issue."""

    def __init__(self, reason: str) -> None:
        """Keep the reason."""
        super().__init__(reason)
        self.reason = reason


def _reason(err: NukiError) -> str:
    # 403: no Advanced API; 401: the token lacks the webhook.decentral scope.
    if isinstance(err, (NukiForbiddenError, NukiAuthError)):
        return "advanced_api_forbidden"
    return "cannot_connect"


def _external_url(hass: HomeAssistant) -> str | None:
    try:
        return get_url(
            hass, allow_internal=False, allow_cloud=False, require_ssl=True, prefer_external=True
        )
    except NoURLAvailableError:
        return None


def _reachable(hass: HomeAssistant) -> bool:
    """Whether Nuki reaches this Home Assistant: an external https URL or a cloud subscription."""
    if _external_url(hass) is not None:
        return True
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    return cloud.async_active_subscription(hass)


async def _webhook_url(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """Return the internet-facing https URL of the webhook and whether it is a cloudhook."""
    if (base := _external_url(hass)) is not None:
        return f"{base}{webhook.async_generate_path(webhook_id)}", False
    if not _reachable(hass):
        raise PushUnavailableError("no_external_url")
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    try:
        return await cloud.async_create_cloudhook(hass, webhook_id), True
    except cloud.CloudNotConnected as err:  # at startup, before Nabu Casa connects
        raise PushUnavailableError(CLOUD_NOT_CONNECTED) from err
    except cloud.CloudNotAvailable as err:  # logged out meanwhile
        raise PushUnavailableError("no_external_url") from err


async def async_validate_push(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Options flow: return a form error key, or None when push can be turned on."""
    if not _reachable(hass):
        return "no_external_url"
    try:
        await create_client(hass, entry.data).decentral_webhooks()
    except NukiError as err:
        return _reason(err)
    return None


async def _async_register(
    hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
) -> Registration:
    """Reuse the stored registration if Nuki still lists it, else register anew and store it."""
    stored = _stored(entry)
    try:
        if stored is not None and await webhook_listed(client, stored):
            return stored
        webhook_id = webhook.async_generate_id()
        url, cloudhook = await _webhook_url(hass, webhook_id)
        registration = await register_webhook(client, webhook_id, url, cloudhook=cloudhook)
    except NukiError as err:
        raise PushUnavailableError(_reason(err)) from err
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PUSH_REGISTRATION: registration.as_data()}
    )
    LOGGER.debug("Registered decentral webhook %s at Nuki Web", registration.nuki_id)
    return registration


async def _async_unregister(
    hass: HomeAssistant,
    entry: ConfigEntry,
    client: NukiWebApiClient,
    registration: Registration,
    *,
    forget: bool = True,
) -> None:
    """Delete the webhook at Nuki (and a cloudhook); forget it, unless the entry is gone."""
    try:
        await delete_webhook(client, registration)
    except NukiError as err:
        LOGGER.warning("Could not remove the push webhook at Nuki Web: %s", err)
    if registration.cloudhook:
        from homeassistant.components import cloud  # noqa: PLC0415 - only when used

        try:
            await cloud.async_delete_cloudhook(hass, registration.webhook_id)
        except HomeAssistantError as err:
            LOGGER.debug("Could not remove the cloudhook: %s", err)
    if forget:
        hass.config_entries.async_update_entry(
            entry, data={k: v for k, v in entry.data.items() if k != CONF_PUSH_REGISTRATION}
        )


async def async_setup_push(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Start push if the option is on (or once the cloud connects); else remove a registration."""
    if not entry.options.get(CONF_PUSH):
        async_delete_push_issue(hass, entry.entry_id)
        if (stored := _stored(entry)) is not None:
            await _async_unregister(hass, entry, entry.runtime_data.client, stored)
        return
    reason = await _async_start_push(hass, entry)
    if reason == CLOUD_NOT_CONNECTED:
        LOGGER.info("Push updates wait for Home Assistant Cloud to connect; polling meanwhile")
        entry.async_on_unload(_listen_for_cloud(hass, entry))
    elif reason is not None:
        _report_unavailable(hass, entry, reason)


async def _async_start_push(hass: HomeAssistant, entry: NukiConfigEntry) -> str | None:
    """Register and start push (stopped and unregistered on unload); return why not, or None."""
    client = entry.runtime_data.client
    try:
        registration = await _async_register(hass, entry, client)
    except PushUnavailableError as err:
        return err.reason
    push = NukiPush(hass, entry, client, entry.runtime_data.coordinator, registration)
    push.start()

    async def _async_stop() -> None:
        push.stop()
        await _async_unregister(hass, entry, client, registration)

    entry.async_on_unload(_async_stop)
    return None


@callback
def _listen_for_cloud(hass: HomeAssistant, entry: NukiConfigEntry) -> CALLBACK_TYPE:
    """Register push when the cloud connects (as withings and netatmo do)."""
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    starting: asyncio.Task[None] | None = None

    async def _async_connected() -> None:
        reason = await _async_start_push(hass, entry)
        if reason is not None and reason != CLOUD_NOT_CONNECTED:
            _report_unavailable(hass, entry, reason)

    @callback
    def _changed(state: cloud.CloudConnectionState) -> None:
        nonlocal starting
        if (
            state is not cloud.CloudConnectionState.CLOUD_CONNECTED
            or entry.runtime_data.push is not None
            or (starting is not None and not starting.done())
        ):
            return
        starting = entry.async_create_background_task(
            hass, _async_connected(), name=f"{DOMAIN} push after cloud connected"
        )

    return cloud.async_listen_connection_change(hass, _changed)


@callback
def _report_unavailable(hass: HomeAssistant, entry: NukiConfigEntry, reason: str) -> None:
    LOGGER.warning("Push updates are not available (%s); polling continues", reason)
    async_create_push_issue(hass, entry, reason)
