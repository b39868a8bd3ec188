"""Shared fixtures for all tests."""

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    DOMAIN,
)
from simulator import DEMO_TOKEN

if TYPE_CHECKING:
    from simulator.testing import SimulatorServer


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


# --- integration-core fixtures (config flow, setup, coordinator, diagnostics) ------------


@pytest.fixture(autouse=True)
def secret_tokens(caplog: pytest.LogCaptureFixture) -> Iterator[set[str]]:
    """Fail the test if an API token shows up in anything it logged (at any level).

    A test that uses another token adds it to the yielded set.
    """
    caplog.set_level(logging.DEBUG)
    tokens = {DEMO_TOKEN}
    yield tokens
    formatter = logging.Formatter("%(message)s")
    for when in ("setup", "call"):
        for record in caplog.get_records(when):
            text = formatter.format(record)
            leaked = sorted(token for token in tokens if token in text)
            assert not leaked, f"an API token was logged by {record.name}: {text[:200]}"


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[SimulatorServer]:
    """A Nuki Web API simulator on loopback with the demo scenario."""
    from simulator.testing import SimulatorServer  # noqa: PLC0415 - lands with the simulator

    async with SimulatorServer(scenario="demo", actuation_delay=0.05) as sim:
        yield sim


@pytest.fixture
def config_entry(simulator: SimulatorServer) -> MockConfigEntry:
    """A config entry for the simulator's demo account (not yet added to hass)."""
    token = simulator.state.tokens[simulator.token]
    return MockConfigEntry(
        domain=DOMAIN,
        title="demo@example.com",
        unique_id=str(token.account_id),
        data={CONF_API_TOKEN: simulator.token, CONF_API_URL: simulator.url},
    )


@pytest.fixture
async def setup_integration(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """Add the entry and set it up against the simulator."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
