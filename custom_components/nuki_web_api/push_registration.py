"""Setting push up: the options check, the webhook registration at Nuki, start and removal.

Push needs a Home Assistant that Nuki can reach over https (an external URL or a Nabu Casa
cloudhook) and an account with the Advanced API. It never fails the entry: polling goes on,
and a repair issue says why push is off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .api import (
    WEBHOOK_FEATURES,
    NukiAuthError,
    NukiError,
    NukiForbiddenError,
    NukiNotFoundError,
    NukiWebApiClient,
)
from .const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_PUSH,
    CONF_PUSH_REGISTRATION,
    DEFAULT_API_URL,
    DOMAIN,
    LOGGER,
)
from .coordinator import NukiConfigEntry
from .push import NukiPush, Registration, async_create_push_issue, push_issue_id

# Why push is not running yet (no repair issue): it registers once the cloud connects.
CLOUD_NOT_CONNECTED = "cloud_not_connected"


class PushUnavailableError(Exception):
    """Push cannot work; ``reason`` is the translation key of the form error and issue."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- reachability ---------------------------------------------------------------------------


def _external_url(hass: HomeAssistant) -> str | None:
    try:
        return get_url(
            hass, allow_internal=False, allow_cloud=False, require_ssl=True, prefer_external=True
        )
    except NoURLAvailableError:
        return None


def _cloud_available(hass: HomeAssistant) -> bool:
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    return cloud.async_active_subscription(hass)


def _require_reachable(hass: HomeAssistant) -> None:
    if _external_url(hass) is None and not _cloud_available(hass):
        raise PushUnavailableError("no_external_url")


async def _webhook_url(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """Return the internet-facing https URL of the webhook and whether it is a cloudhook."""
    if (base := _external_url(hass)) is not None:
        return f"{base}{webhook.async_generate_path(webhook_id)}", False
    _require_reachable(hass)
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    try:
        return await cloud.async_create_cloudhook(hass, webhook_id), True
    except cloud.CloudNotConnected as err:  # at startup, before Nabu Casa connects
        raise PushUnavailableError(CLOUD_NOT_CONNECTED) from err
    except cloud.CloudNotAvailable as err:  # logged out meanwhile
        raise PushUnavailableError("no_external_url") from err


# --- the registration at Nuki ---------------------------------------------------------------


async def _nuki[T](call: Callable[[], Awaitable[T]]) -> T:
    """Run a client call; failures become the reason push is unavailable."""
    try:
        result = await call()
    except (NukiForbiddenError, NukiAuthError) as err:
        # 403: no Advanced API; 401: the token lacks the webhook.decentral scope.
        raise PushUnavailableError("advanced_api_forbidden") from err
    except NukiError as err:
        raise PushUnavailableError("cannot_connect") from err
    return result


def _client(hass: HomeAssistant, entry: NukiConfigEntry) -> NukiWebApiClient:
    return NukiWebApiClient(
        async_get_clientsession(hass),
        entry.data[CONF_API_TOKEN],
        base_url=entry.data.get(CONF_API_URL, DEFAULT_API_URL),
    )


async def async_validate_push(hass: HomeAssistant, entry: NukiConfigEntry) -> str | None:
    """Options flow: return a form error key, or None when push can be turned on."""
    try:
        _require_reachable(hass)
        await _nuki(_client(hass, entry).decentral_webhooks)
    except PushUnavailableError as err:
        return err.reason
    return None


async def _async_register(
    hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
) -> Registration:
    """Reuse the stored registration if Nuki still lists it, else register anew and store it."""
    stored = Registration.from_entry(entry)
    if stored is not None:
        hooks = await _nuki(client.decentral_webhooks)
        if any(hook.id == stored.nuki_id for hook in hooks):
            return stored
    webhook_id = webhook.async_generate_id()
    url, cloudhook = await _webhook_url(hass, webhook_id)
    hook = await _nuki(lambda: client.register_decentral_webhook(url, WEBHOOK_FEATURES))
    if hook.id is None or not hook.secret:
        raise PushUnavailableError("cannot_connect")
    registration = Registration(webhook_id, hook.id, hook.secret, cloudhook)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PUSH_REGISTRATION: registration.as_dict()}
    )
    LOGGER.debug("Registered decentral webhook %s at Nuki Web", hook.id)
    return registration


async def _async_unregister(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    client: NukiWebApiClient,
    registration: Registration,
    *,
    forget: bool = True,
) -> None:
    """Delete the decentral webhook at Nuki (and a cloudhook); forget it in the entry.

    ``forget=False`` on removal: Home Assistant has dropped the entry already.
    """
    try:
        await client.delete_decentral_webhook(registration.nuki_id)
    except NukiNotFoundError:
        pass
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


# --- setup, unload, removal -----------------------------------------------------------------


async def async_setup_push(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Start push if the option is on; otherwise remove a registration left behind.

    Before Home Assistant Cloud connects, push registers once it does.
    """
    client = entry.runtime_data.client
    if not entry.options.get(CONF_PUSH):
        ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry.entry_id))
        if (stored := Registration.from_entry(entry)) is not None:
            await _async_unregister(hass, entry, client, stored)
        return
    reason = await _async_start(hass, entry)
    if reason == CLOUD_NOT_CONNECTED:
        LOGGER.info("Push updates wait for Home Assistant Cloud to connect; polling meanwhile")
        entry.async_on_unload(_listen_for_cloud(hass, entry))
    elif reason is not None:
        _report_unavailable(hass, entry, reason)


async def _async_start(hass: HomeAssistant, entry: NukiConfigEntry) -> str | None:
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
        reason = await _async_start(hass, entry)
        if reason is not None and reason != CLOUD_NOT_CONNECTED:
            _report_unavailable(hass, entry, reason)

    @callback
    def _changed(state: cloud.CloudConnectionState) -> None:
        nonlocal starting
        if (
            state is not cloud.CloudConnectionState.CLOUD_CONNECTED
            or entry.runtime_data.coordinator.advanced_api is not None  # push runs
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


async def async_remove_push(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """On removal: delete a registration that an unload did not (entry was not loaded)."""
    if (stored := Registration.from_entry(entry)) is not None:
        await _async_unregister(hass, entry, _client(hass, entry), stored, forget=False)
