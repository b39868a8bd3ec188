"""Setup, unload, reload and the setup failures of a config entry."""

from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.nuki_web_api.const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from simulator.testing import SimulatorServer

FRONT_DOOR = 17618910285


async def test_setup_unload_reload(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    coordinator = config_entry.runtime_data.coordinator
    assert FRONT_DOOR in coordinator.data.devices
    assert hass.states.async_entity_ids()

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.runtime_data.coordinator is not coordinator

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.NOT_LOADED


async def test_setup_retries_when_nuki_web_is_down(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    simulator.fail_next("502", route="GET /smartlock")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_retries_when_unreachable(hass: HomeAssistant, socket_enabled: None) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="1",
        data={CONF_API_TOKEN: "some-token", CONF_API_URL: "http://127.0.0.1:9"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize(
    ("token", "sent"),
    [("revoked-token", True), ("tok\r\nX-Injected: 1", False)],
    ids=["rejected_by_nuki", "unusable_never_sent"],
)
async def test_setup_with_bad_token_starts_reauth(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    config_entry: MockConfigEntry,
    token: str,
    sent: bool,
) -> None:
    """Nuki rejects the token, or it has characters no token has (then nothing is sent)."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_TOKEN: token}
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == config_entry.entry_id
    assert (sum(simulator.state.counters.values()) > 0) is sent


async def test_setup_with_unsafe_stored_url_sends_no_token(hass: HomeAssistant) -> None:
    """An entry from before the https rule fails with the reason; the token stays home."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="1",
        data={CONF_API_TOKEN: "some-token", CONF_API_URL: "http://169.254.169.254"},
    )
    entry.add_to_hass(hass)
    with patch("aiohttp.ClientSession._request") as sent:
        await hass.config_entries.async_setup(entry.entry_id)
    assert not sent.called
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "must use https" in entry.reason


async def test_setup_strips_a_stored_token(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """A token stored with the whitespace it was pasted with (before it was stripped) works."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_TOKEN: f" {simulator.token}\n"}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED


async def test_yaml_setup_without_entries(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})


async def test_remove_device_only_when_gone(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A device still on the account cannot be removed by hand; one that is gone can."""
    assert await async_setup_component(hass, "config", {})
    entry = setup_integration
    present = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(FRONT_DOOR)), entry.entry_id
    )
    assert present is not None
    gone = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "4242")}
    )
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry.entry_id,
                "device_id": device_id,
            }
        )
        return bool((await client.receive_json())["success"])

    assert not await remove(present.id)
    assert await remove(gone.id)
    assert device_registry.async_get(gone.id) is None
    assert device_registry.async_get(present.id) is not None


async def test_remove_entry(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(setup_integration.entry_id) is None
    assert setup_integration.state is ConfigEntryState.NOT_LOADED
