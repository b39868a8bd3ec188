"""Config flow: API token (user, reauth, reconfigure) and options (polling interval, push)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from . import async_validate_push
from .api import (
    DEFAULT_BASE_URL,
    Account,
    NukiAuthError,
    NukiConnectionError,
    NukiForbiddenError,
    NukiInvalidResponseError,
    NukiInvalidTokenError,
    NukiRateLimitError,
    NukiRequestError,
    NukiServerError,
    NukiUnsafeUrlError,
    check_base_url,
    check_token,
    missing_scopes,
)
from .const import (
    CONF_ADVANCED,
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_PUSH,
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
)
from .helpers import create_client

_TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))

_TOKEN_SCHEMA = probatio.Schema({probatio.Required(CONF_API_TOKEN): _TOKEN_SELECTOR})
_CONNECTION_SCHEMA = _TOKEN_SCHEMA.extend(
    {
        probatio.Required(CONF_ADVANCED): section(
            probatio.Schema(
                {probatio.Required(CONF_API_URL, default=DEFAULT_BASE_URL): _URL_SELECTOR}
            ),
            {"collapsed": True},
        )
    }
)


async def _try_validate(
    hass: HomeAssistant, token: str, url: str
) -> tuple[Account | None, dict[str, str], dict[str, str]]:
    """Check the token, or return the form errors and their placeholders.

    /account and /smartlock must work, and the read scopes exist. The token and the URL are
    checked first, so that the token is never sent where it is not safe (see api/safety.py).
    """
    try:
        check_token(token)
        check_base_url(url)
        client = create_client(hass, {CONF_API_TOKEN: token, CONF_API_URL: url})
        account = await client.account()
        await client.smartlocks()
        if missing := await missing_scopes(client):
            return None, {"base": "insufficient_scope"}, {"missing_scopes": ", ".join(missing)}
        return account, {}, {}
    except NukiInvalidTokenError:
        return None, {"base": "invalid_token"}, {}
    except NukiUnsafeUrlError as err:
        return None, {"base": err.problem.value}, {}
    except NukiAuthError:
        return None, {"base": "invalid_auth"}, {}
    except (
        NukiConnectionError,
        NukiServerError,
        NukiRateLimitError,
        NukiForbiddenError,  # Nuki's outages answered a plain-text 403
    ):
        return None, {"base": "cannot_connect"}, {}
    except NukiRequestError, NukiInvalidResponseError:
        # Something answers there, but not as the Nuki Web API (404 on /account, HTML).
        return None, {"base": "not_nuki_api"}, {}
    except Exception:  # noqa: BLE001 - the form shows "unknown" instead of failing
        LOGGER.exception("Unexpected error while checking the API token")
        return None, {"base": "unknown"}, {}


def _token(user_input: Mapping[str, Any]) -> str:
    """Return the token as pasted, without the spaces or line break that came with it."""
    return str(user_input[CONF_API_TOKEN]).strip()


def _url(user_input: Mapping[str, Any]) -> str:
    return str(user_input[CONF_ADVANCED][CONF_API_URL]).strip().rstrip("/")


# The flow's own texts name the default URL (hassfest wants URLs as placeholders).
_URL_PLACEHOLDERS = {"default_url": DEFAULT_BASE_URL}


class NukiWebApiConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Nuki Web account with a personal API token."""

    VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> NukiOptionsFlow:
        return NukiOptionsFlow()

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the API token (and, collapsed, the API URL)."""
        # After an error the form keeps what the user typed, the token included.
        return await self._async_connect("user", user_input, _CONNECTION_SCHEMA)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Nuki Web rejected the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take a new token for the same account."""
        entry = self._get_reauth_entry()
        url = entry.data.get(CONF_API_URL, DEFAULT_BASE_URL)
        try:
            check_base_url(url)
        except NukiUnsafeUrlError:
            # This form cannot change the URL, and no token may go there.
            return self.async_abort(reason="unsafe_stored_url")
        return await self._async_connect(
            "reauth_confirm",
            user_input,
            _TOKEN_SCHEMA,
            entry=entry,
            url=url,
            placeholders={"title": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the token or the API URL of the same account."""
        entry = self._get_reconfigure_entry()
        # The stored token is never sent to the browser; what the user typed comes back.
        suggested = {CONF_ADVANCED: {CONF_API_URL: entry.data.get(CONF_API_URL, DEFAULT_BASE_URL)}}
        return await self._async_connect(
            "reconfigure", user_input, _CONNECTION_SCHEMA, suggested=suggested, entry=entry
        )

    async def _async_connect(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        schema: probatio.Schema,
        *,
        suggested: Mapping[str, Any] | None = None,
        entry: ConfigEntry | None = None,
        url: str | None = None,
        placeholders: Mapping[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Check the form's token (and URL, unless ``url`` is fixed), then create the entry.

        With ``entry`` (reauth, reconfigure) the token must be of the same account, and the
        entry is updated and reloaded.
        """
        errors: dict[str, str] = {}
        found: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_API_TOKEN: _token(user_input)}
            if url is None:
                data[CONF_API_URL] = url = _url(user_input)
            account, errors, found = await _try_validate(self.hass, data[CONF_API_TOKEN], url)
            if account is not None:
                await self.async_set_unique_id(str(account.account_id))
                if entry is not None:
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    return self.async_update_reload_and_abort(entry, data_updates=data)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=account.email or account.name or f"Nuki Web {account.account_id}",
                    data=data,
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or suggested or {}),
            errors=errors,
            description_placeholders={**_URL_PLACEHOLDERS, **(placeholders or {}), **found},
        )


def _valid_interval(value: float) -> bool:
    """Whole seconds within the bounds (the form's own check would answer in English)."""
    return float(value).is_integer() and MIN_SCAN_INTERVAL <= value <= MAX_SCAN_INTERVAL


# No min/max in the selector: the selector would refuse a value with an untranslated
# message before the step could answer with its own.
_OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): NumberSelector(
            NumberSelectorConfig(step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s")
        ),
        probatio.Optional(CONF_PUSH): BooleanSelector(),
    }
)


class NukiOptionsFlow(OptionsFlowWithReload):
    """Polling interval and push updates (the entry reloads when they change)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; turning push on first checks that it can work."""
        errors: dict[str, str] = {}
        if user_input is not None and not _valid_interval(user_input[CONF_SCAN_INTERVAL]):
            errors[CONF_SCAN_INTERVAL] = "invalid_scan_interval"
        elif (
            user_input is not None
            and user_input.get(CONF_PUSH)
            and not self.config_entry.options.get(CONF_PUSH)
            and (error := await async_validate_push(self.hass, self.config_entry))
        ):
            errors["base"] = error
        elif user_input is not None:
            return self.async_create_entry(
                data={
                    **self.config_entry.options,
                    **user_input,
                    CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                _OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
            description_placeholders={
                "min": str(MIN_SCAN_INTERVAL),
                "max": str(MAX_SCAN_INTERVAL),
            },
        )
