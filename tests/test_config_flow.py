"""Config, reauth, reconfigure and options flows against the simulator."""

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import (
    CONF_ADVANCED,
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_SCAN_INTERVAL,
    DOMAIN,
)
from simulator.testing import SimulatorServer

SECOND_ACCOUNT_TOKEN = "nuki-sim-second-account-token"
READONLY_TOKEN = "nuki-sim-readonly-token"
NO_LOG_TOKEN = "nuki-sim-no-log-token"
ACCOUNT_ONLY_TOKEN = "sim-token-account-scope-only"
DEMO_ACCOUNT_ID = 682876543


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep flow tests to the flow: entries are not really set up."""
    with patch(
        "custom_components.nuki_web_api.async_setup_entry", return_value=True
    ) as setup_entry:
        yield setup_entry


@pytest.fixture(autouse=True)
def _flow_tokens(secret_tokens: set[str]) -> None:
    secret_tokens.update({SECOND_ACCOUNT_TOKEN, READONLY_TOKEN, NO_LOG_TOKEN, ACCOUNT_ONLY_TOKEN})


def _user_input(token: str, url: str) -> dict[str, object]:
    return {CONF_API_TOKEN: token, CONF_ADVANCED: {CONF_API_URL: url}}


def _suggested(result: ConfigFlowResult, *path: str) -> object:
    """Return what the form suggests for a field (a section's field: section, field)."""
    schema = result["data_schema"].schema
    *sections, field = path
    for name in sections:
        schema = next(value for key, value in schema.items() if key == name).schema.schema
    marker = next(key for key in schema if key == field)
    return (marker.description or {}).get("suggested_value")


async def _start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def test_user_flow_creates_entry(
    hass: HomeAssistant, simulator: SimulatorServer, mock_setup_entry: AsyncMock
) -> None:
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(simulator.token, simulator.url + "/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "alex.demo@example.com"
    assert result["data"] == {CONF_API_TOKEN: simulator.token, CONF_API_URL: simulator.url}
    assert result["result"].unique_id == str(DEMO_ACCOUNT_ID)
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_account_only_token_is_invalid_auth(
    hass: HomeAssistant, simulator: SimulatorServer
) -> None:
    """A token that may read /account but not /smartlock cannot run the integration."""
    demo = simulator.state.tokens[simulator.token]
    simulator.state.tokens[ACCOUNT_ONLY_TOKEN] = replace(
        demo, value=ACCOUNT_ONLY_TOKEN, scopes=frozenset({"account"})
    )
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(ACCOUNT_ONLY_TOKEN, simulator.url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.parametrize(
    ("token", "missing"),
    [
        (NO_LOG_TOKEN, "smartlock.log"),
        (READONLY_TOKEN, "smartlock.log, smartlock.auth"),
    ],
)
async def test_user_flow_insufficient_scope(
    hass: HomeAssistant, simulator: SimulatorServer, token: str, missing: str
) -> None:
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(token, simulator.url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "insufficient_scope"}
    assert result["description_placeholders"]["missing_scopes"] == missing


async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, simulator: SimulatorServer, mock_setup_entry: AsyncMock
) -> None:
    """Each failure shows its error and keeps the form; a good try then creates the entry."""
    flow_id = await _start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input("not-a-valid-token", simulator.url)
    )
    assert result["errors"] == {"base": "invalid_auth"}
    # What the user typed stays in the form, to be corrected rather than typed again.
    assert _suggested(result, CONF_API_TOKEN) == "not-a-valid-token"
    assert _suggested(result, CONF_ADVANCED, CONF_API_URL) == simulator.url

    simulator.state.faults.fail_next("500", route="GET /smartlock")
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(simulator.token, simulator.url)
    )
    assert result["errors"] == {"base": "cannot_connect"}

    with patch(
        "custom_components.nuki_web_api.api.NukiWebApiClient.account",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, _user_input(simulator.token, simulator.url)
        )
    assert result["errors"] == {"base": "unknown"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(simulator.token, simulator.url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_unreachable_url(hass: HomeAssistant, socket_enabled: None) -> None:
    flow_id = await _start_user_flow(hass)
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input("any-token", "http://127.0.0.1:9")
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_aborts_for_configured_account(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(simulator.token, simulator.url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """A new token of the same account replaces the old one; a bad one shows an error first."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_TOKEN: "revoked-token"}
    )
    result = await config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"

    assert _suggested(result, CONF_API_TOKEN) is None

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _suggested(result, CONF_API_TOKEN) == "still-wrong"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NO_LOG_TOKEN}
    )
    assert result["errors"] == {"base": "insufficient_scope"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: simulator.token}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_API_TOKEN] == simulator.token
    assert config_entry.data[CONF_API_URL] == simulator.url


async def test_reauth_wrong_account(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: SECOND_ACCOUNT_TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data[CONF_API_TOKEN] == simulator.token


async def test_reconfigure(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """The token and the URL can change; the form suggests the current URL, then what was typed."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_URL: "http://127.0.0.1:9"}
    )
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    # The stored URL is suggested, the stored token never (it would reach the browser).
    assert _suggested(result, CONF_ADVANCED, CONF_API_URL) == "http://127.0.0.1:9"
    assert _suggested(result, CONF_API_TOKEN) is None

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator.token, "http://127.0.0.1:9")
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(NO_LOG_TOKEN, simulator.url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "insufficient_scope"}
    assert _suggested(result, CONF_API_TOKEN) == NO_LOG_TOKEN
    assert _suggested(result, CONF_ADVANCED, CONF_API_URL) == simulator.url

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator.token, simulator.url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == {CONF_API_TOKEN: simulator.token, CONF_API_URL: simulator.url}


async def test_reconfigure_wrong_account(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(SECOND_ACCOUNT_TOKEN, simulator.url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data[CONF_API_TOKEN] == simulator.token


@pytest.mark.parametrize("interval", [5, 9.9, 12.5, 3601, float("inf")])
async def test_options_flow(hass: HomeAssistant, interval: float) -> None:
    """The polling interval is whole seconds from 10 to 3600; else a translated field error."""
    entry = MockConfigEntry(domain=DOMAIN, data={}, unique_id="1")
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: interval}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SCAN_INTERVAL: "invalid_scan_interval"}
    assert result["description_placeholders"] == {"min": "10", "max": "3600"}
    assert _suggested(result, CONF_SCAN_INTERVAL) == interval

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 45.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 45}
    assert type(entry.options[CONF_SCAN_INTERVAL]) is int


@pytest.mark.parametrize("language", ["en", "de"])
def test_options_title_names_the_integration(language: str) -> None:
    """The options dialog's title names the integration as its card does ("Nuki Web API")."""
    integration = Path(__file__).parent.parent / "custom_components" / DOMAIN
    name = json.loads((integration / "manifest.json").read_text())["name"]
    texts = json.loads((integration / "translations" / f"{language}.json").read_text())
    assert name in texts["options"]["step"]["init"]["title"]


# --- what a token and an API URL may be (the token only goes where it is safe) -------------


@pytest.fixture
def sent() -> Iterator[AsyncMock]:
    """Record every HTTP request instead of letting it leave (a refused one must not)."""
    with patch("aiohttp.ClientSession._request") as request:
        yield request


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://169.254.169.254", "insecure_url"),  # link-local: another host, not this one
        ("http://192.168.1.20:8080", "insecure_url"),
        ("http://api.nuki.io", "insecure_url"),
        ("http://127.0.0.1.nip.io:8080", "insecure_url"),
        ("https://user:secret@api.nuki.io", "url_credentials"),
        ("https://api.nuki.io/?proxy=1", "url_query"),
        ("https://api.nuki.io/#top", "url_fragment"),
        ("api.nuki.io", "invalid_url"),
        ("ftp://api.nuki.io", "invalid_url"),
    ],
)
async def test_user_flow_refuses_unsafe_url(
    hass: HomeAssistant, sent: AsyncMock, url: str, error: str
) -> None:
    """A URL the token must not go to is a form error that says why; nothing is sent."""
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input("a-good-looking-token", url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert result["description_placeholders"] == {"default_url": "https://api.nuki.io"}
    assert not sent.called


@pytest.mark.parametrize("token", ["line\nbreak", "tab\tinside", "nul\x00", "two words", " "])
async def test_user_flow_refuses_token_with_control_characters(
    hass: HomeAssistant, sent: AsyncMock, token: str
) -> None:
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(token, "https://api.nuki.io")
    )
    assert result["errors"] == {"base": "invalid_token"}
    assert not sent.called


async def test_user_flow_strips_pasted_token_and_url(
    hass: HomeAssistant, simulator: SimulatorServer
) -> None:
    """Whitespace that comes with a pasted token or URL is not part of them."""
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(f"  {simulator.token}\n", f" {simulator.url}/ ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_TOKEN: simulator.token, CONF_API_URL: simulator.url}


async def test_user_flow_url_that_is_not_nuki(
    hass: HomeAssistant, simulator: SimulatorServer
) -> None:
    """Something answers, but /account is 404 (e.g. Home Assistant's own address)."""
    flow_id = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(simulator.token, simulator.url + "/not-the-api")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_nuki_api"}


async def test_reauth_at_a_url_that_is_not_nuki(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """The error names the default URL there too (the reauth form has no URL field)."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_URL: simulator.url + "/not-the-api"}
    )
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: simulator.token}
    )
    assert result["errors"] == {"base": "not_nuki_api"}
    assert result["description_placeholders"]["default_url"] == "https://api.nuki.io"


async def test_reauth_with_unsafe_stored_url_sends_nothing(
    hass: HomeAssistant, sent: AsyncMock
) -> None:
    """Reauth cannot change the URL: an unsafe stored one ends the flow with the reason."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=str(DEMO_ACCOUNT_ID),
        data={CONF_API_TOKEN: "old", CONF_API_URL: "http://169.254.169.254"},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unsafe_stored_url"
    assert not sent.called


async def test_reconfigure_refuses_unsafe_url(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["description_placeholders"] == {"default_url": "https://api.nuki.io"}
    with patch("aiohttp.ClientSession._request") as sent:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(simulator.token, "http://169.254.169.254/")
        )
    assert result["errors"] == {"base": "insecure_url"}
    assert not sent.called
    assert config_entry.data[CONF_API_URL] == simulator.url
