"""Registration of the integration's service actions; each action lives in its own module."""

from __future__ import annotations

from typing import Final

import probatio
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN
from homeassistant.core import HomeAssistant, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service

from .app_access import GRANT_APP_ACCESS_SCHEMA, async_grant_app_access
from .const import DOMAIN
from .entity_services import async_lock_n_go, async_set_continuous_mode
from .expired_codes import EXPIRED_SCHEMA, async_delete_expired_keypad_codes
from .keypad_codes import (
    CREATE_SCHEMA,
    DELETE_SCHEMA,
    UPDATE_SCHEMA,
    async_create_keypad_code,
    async_delete_keypad_code,
    async_update_keypad_code,
)
from .list_authorizations import LIST_SCHEMA, async_list_authorizations
from .settings_services import (
    SET_ADMIN_PIN_SCHEMA,
    SET_BATTERY_WARNING_SCHEMA,
    async_set_admin_pin,
    async_set_battery_warning,
)

SERVICE_LOCK_N_GO: Final = "lock_n_go"
SERVICE_SET_CONTINUOUS_MODE: Final = "set_continuous_mode"
SERVICE_CREATE_KEYPAD_CODE: Final = "create_keypad_code"
SERVICE_UPDATE_KEYPAD_CODE: Final = "update_keypad_code"
SERVICE_DELETE_KEYPAD_CODE: Final = "delete_keypad_code"
SERVICE_DELETE_EXPIRED_KEYPAD_CODES: Final = "delete_expired_keypad_codes"
SERVICE_LIST_AUTHORIZATIONS: Final = "list_authorizations"
SERVICE_GRANT_APP_ACCESS: Final = "grant_app_access"
SERVICE_SET_ADMIN_PIN: Final = "set_admin_pin"
SERVICE_SET_BATTERY_WARNING: Final = "set_battery_warning"


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's service actions (once, in async_setup, for all entries)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_ADMIN_PIN, async_set_admin_pin, schema=SET_ADMIN_PIN_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_BATTERY_WARNING,
        async_set_battery_warning,
        schema=SET_BATTERY_WARNING_SCHEMA,
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_LOCK_N_GO,
        entity_domain=LOCK_DOMAIN,
        schema={probatio.Optional("unlatch", default=False): cv.boolean},
        func=async_lock_n_go,
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SET_CONTINUOUS_MODE,
        entity_domain=LOCK_DOMAIN,
        schema={probatio.Required("enable"): cv.boolean},
        func=async_set_continuous_mode,
    )
    for name, handler, schema in (
        (SERVICE_CREATE_KEYPAD_CODE, async_create_keypad_code, CREATE_SCHEMA),
        (SERVICE_UPDATE_KEYPAD_CODE, async_update_keypad_code, UPDATE_SCHEMA),
        (SERVICE_DELETE_KEYPAD_CODE, async_delete_keypad_code, DELETE_SCHEMA),
        (
            SERVICE_DELETE_EXPIRED_KEYPAD_CODES,
            async_delete_expired_keypad_codes,
            EXPIRED_SCHEMA,
        ),
        (SERVICE_GRANT_APP_ACCESS, async_grant_app_access, GRANT_APP_ACCESS_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=SupportsResponse.OPTIONAL
        )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_AUTHORIZATIONS,
        async_list_authorizations,
        schema=LIST_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
