"""Diagnostics: the entry's settings, Nuki's raw device and authorization JSON, without secrets or personal data."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .api import NukiError, NukiWebApiClient
from .const import CONF_API_TOKEN
from .coordinator import NukiConfigEntry

TO_REDACT = {
    CONF_API_TOKEN,
    "accountId",
    "accountUserId",
    "adminPin",
    "code",
    "email",
    "latitude",
    "longitude",
    "name",
    "password",
    "secret",
    "sharedSecret",
    "token",
    "webhook_id",
    "webhookUrl",
}
# Authorizations also carry ids that point at people; type, windows and errors stay.
AUTH_TO_REDACT = TO_REDACT | {"appId", "authId", "fingerprints", "id"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: NukiConfigEntry
) -> dict[str, Any]:
    """Return what helps to debug a report, with secrets and personal data redacted."""
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "last_update_success": coordinator.last_update_success,
        "smart_hosting_missing": sorted(data.smart_hosting_missing),
        "devices": [async_redact_data(device.raw, TO_REDACT) for device in data.devices.values()],
        "authorizations": await _authorizations(entry.runtime_data.client),
    }


async def _authorizations(client: NukiWebApiClient) -> list[dict[str, Any]] | dict[str, str]:
    """Read on demand (to debug "my code does not work"); a failure must not fail the download."""
    try:
        auths = await client.auths()
    except NukiError as err:
        return {"error": type(err).__name__}
    return [dict(async_redact_data(auth.raw, AUTH_TO_REDACT)) for auth in auths]
