"""Shared fixtures for all tests."""

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.api import authorizations
from custom_components.nuki_web_api.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    DOMAIN,
    PLATFORMS,
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


# --- entity-platform fixtures -------------------------------------------------------------


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms to set up; a platform's test module overrides this with its own."""
    return list(PLATFORMS)


@pytest.fixture(autouse=True)
def only_platforms(platforms: list[Platform]) -> Iterator[None]:
    """Set up only the `platforms` (snapshots and entity counts stay per platform)."""
    with patch("custom_components.nuki_web_api.PLATFORMS", platforms):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer, stored in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let ``secrets.choice`` give the digits of the keypad codes put into the yielded list.

    In order: each draw of a generated code (api/authorizations.py) takes the next one.
    """
    planned: list[str] = []
    digits: Iterator[str] = iter(())

    def choice(alphabet: str) -> str:
        nonlocal digits
        assert alphabet == "123456789"
        if (digit := next(digits, None)) is None:
            digits = iter(planned.pop(0))
            digit = next(digits)
        return digit

    monkeypatch.setattr(authorizations.secrets, "choice", choice)
    return planned


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield
