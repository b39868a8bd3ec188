"""Shared fixtures for all tests."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


# --- integration-core fixtures (config flow, setup, coordinator, diagnostics) ------------

from collections.abc import AsyncIterator, Iterator  # noqa: E402
import logging  # noqa: E402

from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: E402

from custom_components.nuki_web_api.const import (  # noqa: E402
    CONF_API_TOKEN,
    CONF_API_URL,
    DOMAIN,
)
from homeassistant.core import HomeAssistant  # noqa: E402
from simulator import DEMO_TOKEN  # noqa: E402
from simulator.testing import SimulatorServer  # noqa: E402


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
