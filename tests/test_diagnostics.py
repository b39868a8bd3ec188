"""Diagnostics: useful content, nothing secret or personal."""

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from simulator.testing import SimulatorServer

HOLIDAY_FLAT = 18764230785
ANNA_CODE = "456789"


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


async def test_diagnostics_authorizations_without_people(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Keypad codes and whom an authorization belongs to never leave; its settings do."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)
    dump = json.dumps(diagnostics)
    auths = diagnostics["authorizations"]

    assert ANNA_CODE in json.dumps(list(simulator.state.auths.values()))  # the scenario has it
    assert ANNA_CODE not in dump
    assert simulator.token not in dump
    devices = setup_integration.runtime_data.coordinator.data.devices
    on_account = [a for a in simulator.state.auths.values() if a["smartlockId"] in devices]
    assert len(auths) == len(on_account) > 0
    for name in ("Anna", "Sam", "Alex Demo"):
        assert json.dumps(name) not in dump
    for auth in simulator.state.auths.values():
        for key in ("id", "authId", "accountUserId", "appId"):
            if auth.get(key) is not None:
                assert f": {json.dumps(auth[key])}" not in dump, (key, auth[key])
    anna = next(a for a in auths if a["type"] == 13)  # keypad code
    assert anna["code"] == anna["name"] == "**REDACTED**"
    assert anna["remoteAllowed"] is False
    assert anna["smartlockId"] == 17618910285
    sam = next(a for a in auths if a.get("allowedWeekDays") == 124)
    assert (sam["allowedFromTime"], sam["allowedUntilTime"]) == (420, 1200)
    assert auths == snapshot(exclude=props("updateDate"))  # the simulator's start time


async def test_diagnostics_authorizations_unreadable(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A failing read is named in the download instead of failing it."""
    simulator.fail_next("401", route="GET /smartlock/auth")

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)

    assert diagnostics["authorizations"] == {"error": "NukiAuthError"}
    assert len(diagnostics["devices"]) == len(
        setup_integration.runtime_data.coordinator.data.devices
    )
