"""Diagnostics: useful content, nothing secret or personal."""

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator.testing import SimulatorServer

HOLIDAY_FLAT = 18764230785


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)
    dump = json.dumps(diagnostics)

    assert simulator.token not in dump
    codes = [str(auth["code"]) for auth in simulator.state.auths.values() if auth.get("code")]
    assert codes
    assert not [code for code in codes if code in dump]
    for device in simulator.state.devices.values():
        config = device.data.get("config", {})
        for secret in (device.data.get("name"), config.get("latitude"), device.account_id):
            if secret is not None:
                assert f": {json.dumps(secret)}" not in dump, secret
    assert "alex.demo@example.com" not in dump

    assert diagnostics["entry"]["data"] == {"api_token": "**REDACTED**", "api_url": simulator.url}
    assert len(diagnostics["devices"]) == len(
        setup_integration.runtime_data.coordinator.data.devices
    )
    assert diagnostics["smart_hosting_missing"] == [HOLIDAY_FLAT]
    front_door = next(d for d in diagnostics["devices"] if d["smartlockId"] == 17618910285)
    assert front_door["name"] == "**REDACTED**"
    assert front_door["config"]["latitude"] == "**REDACTED**"
    assert front_door["state"]["state"] == 1  # the useful parts stay
