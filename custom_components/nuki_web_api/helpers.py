"""Run actions and writes on a device: one at a time, errors translated, followed by reads.

Entities and service actions send everything through ``async_run_action``, as elgato's decorator,
and raise their translated errors with ``invalid`` (wrong as given) and ``failed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.translation import async_get_cached_translations

from .api import (
    DEFAULT_BASE_URL,
    NukiAuthError,
    NukiConnectionError,
    NukiDeviceBusyError,
    NukiError,
    NukiInvalidResponseError,
    NukiNotAllowedError,
    NukiNotFoundError,
    NukiRateLimitError,
    NukiServerError,
    NukiSmartHostingError,
    NukiWebApiClient,
    ServerState,
)
from .const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from .coordinator import NukiCoordinator, ResultWait

# Pauses between tries of an action that Nuki answers with 423 (device busy).
ACTION_RETRY_DELAYS: Final = (1.0, 2.0)

# Client error -> translation key of the HomeAssistantError an action raises (first match wins).
_ACTION_ERROR_KEYS: tuple[tuple[type[NukiError], str], ...] = (
    (NukiSmartHostingError, "smart_hosting_required"),
    (NukiAuthError, "auth_failed"),
    (NukiDeviceBusyError, "device_busy"),
    (NukiNotAllowedError, "not_allowed"),
    (NukiNotFoundError, "not_found"),
    (NukiRateLimitError, "rate_limited"),
    (NukiServerError, "cannot_connect"),
    (NukiConnectionError, "cannot_connect"),
    (NukiInvalidResponseError, "invalid_response"),
)


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated error for a call that is wrong as given (nothing was sent)."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def failed(key: str, **placeholders: str) -> HomeAssistantError:
    """Return the translated error for a call that was right but did not succeed."""
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def text(hass: HomeAssistant, key: str) -> str:
    """Return our text ``key`` ("common.verb_created") in HA's language, without a closing stop."""
    texts = async_get_cached_translations(hass, hass.config.language, key.partition(".")[0], DOMAIN)
    return (texts.get(f"component.{DOMAIN}.{key}") or key).rstrip(".")


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> NukiWebApiClient:
    """Return the client for an entry's (or a flow's) token and API URL, without spaces."""
    return NukiWebApiClient(
        async_get_clientsession(hass),
        str(data[CONF_API_TOKEN]).strip(),
        base_url=str(data.get(CONF_API_URL, DEFAULT_BASE_URL)).strip(),
    )


async def async_run_action(
    coordinator: NukiCoordinator,
    smartlock_id: int,
    call: Callable[[], Awaitable[ResultWait | None]],
    *,
    follow_up: bool = True,
) -> None:
    """Send one action or write to a device, then follow its state until it settles.

    Actions on one device run one after another; a busy device (423) is retried briefly.
    Writes that GET /smartlock cannot show (authorizations, the admin PIN) pass
    ``follow_up=False``. A ResultWait runs last, outside the device's lock.
    """
    device = coordinator.data.devices.get(smartlock_id)
    if device is not None and device.server_state == ServerState.OFFLINE:
        raise failed("device_offline", name=coordinator.device_name(smartlock_id))
    locks = coordinator.config_entry.runtime_data.action_locks
    async with locks.setdefault(smartlock_id, asyncio.Lock()):
        try:
            result_wait = await _call_with_retry(call)
        except NukiError as err:
            raise _map_error(coordinator, err, smartlock_id) from err
    if follow_up:
        coordinator.async_follow(smartlock_id, None)  # a write; an action's reads serve it too
    if result_wait is not None:
        try:
            await result_wait()
        except HomeAssistantError:
            coordinator.async_action_refused(smartlock_id)
            raise


async def async_device_action(
    coordinator: NukiCoordinator, smartlock_id: int, action: int
) -> ResultWait | None:
    """Send a Nuki action code (through the Advanced API while push runs); follow the device."""
    result_wait: ResultWait | None = None
    if (push := coordinator.config_entry.runtime_data.push) is not None:
        result_wait = await push.async_action(smartlock_id, action)
    else:
        await coordinator.client.action(smartlock_id, action)
    coordinator.async_follow(smartlock_id, action)
    return result_wait


async def _call_with_retry(call: Callable[[], Awaitable[ResultWait | None]]) -> ResultWait | None:
    for delay in ACTION_RETRY_DELAYS:
        try:
            return await call()
        except NukiDeviceBusyError:
            await asyncio.sleep(delay)
    return await call()


def _map_error(
    coordinator: NukiCoordinator, err: NukiError, smartlock_id: int
) -> HomeAssistantError:
    key = next((key for kind, key in _ACTION_ERROR_KEYS if isinstance(err, kind)), "unknown_error")
    if isinstance(err, NukiSmartHostingError):
        # Until the next cycle shows whether the device list carries the error too.
        coordinator.issues.mark_missing({smartlock_id, *err.smartlock_ids})
    elif isinstance(err, NukiAuthError):
        coordinator.config_entry.async_start_reauth(coordinator.hass)
    return failed(key, name=coordinator.device_name(smartlock_id))
