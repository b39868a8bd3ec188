"""Service actions for settings without an entity: set_admin_pin, set_battery_warning."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service import async_get_all_descriptions
from pytest_homeassistant_custom_component.common import MockConfigEntry

import simulator.app as sim_app
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.writes import not_confirmed_issue_id
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, HOLIDAY_FLAT, refresh
from .settings_common import expire, wait_applied


@pytest.fixture
def platforms() -> list[Platform]:
    """The switch platform shows the battery warning setting."""
    return [Platform.SWITCH]


def _device_id(hass: HomeAssistant, smartlock_id: int) -> str:
    """Return the registry device of a demo device (the other platforms would create it)."""
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    return (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(DOMAIN, str(smartlock_id))}
        )
        .id
    )


ADMIN_PIN_ROUTE = "POST /smartlock/{smartlockId}/admin/pin"


async def test_set_admin_pin(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The PIN goes to Nuki as an integer and into no log line of the integration."""
    bodies: list[Any] = []
    read_json = sim_app.read_json

    async def spy(request: Any) -> Any:
        body = await read_json(request)
        bodies.append(body)
        return body

    with patch.object(sim_app, "read_json", spy):
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, FRONT_DOOR), "pin": "482913"},
            blocking=True,
        )
    assert bodies == [{"adminPin": 482913}]
    assert simulator.counters()["requests"][ADMIN_PIN_ROUTE] == 1
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert ours
    assert not [r for r in ours if "482913" in r.getMessage()]


@pytest.mark.parametrize("pin", ["123", "0123", "12a4", "1234567", " 1234", ""])
async def test_set_admin_pin_rejects_a_bad_pin(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    pin: str,
) -> None:
    """A PIN Nuki would not take (or would change) is refused before any request."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, FRONT_DOOR), "pin": pin},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_admin_pin"
    assert pin not in str(err.value) or not pin
    assert ADMIN_PIN_ROUTE not in simulator.counters()["requests"]


async def test_set_admin_pin_unknown_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A device id that is not a loaded Nuki device is a validation error."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    for device_id in ("no-such-device", foreign.id):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "set_admin_pin", {"device_id": device_id, "pin": "1234"}, blocking=True
            )
        assert err.value.translation_key == "invalid_device"


async def test_set_admin_pin_without_smart_hosting(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Nuki refuses the admin PIN of a device without Smart Hosting: a translated error."""
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_admin_pin",
            {"device_id": _device_id(hass, HOLIDAY_FLAT), "pin": "1234"},
            blocking=True,
        )
    assert err.value.translation_key == "smart_hosting_required"


async def test_set_battery_warning(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One bulk request for several devices, Smart Hosting or not; the switches follow at once."""
    await hass.services.async_call(
        DOMAIN,
        "set_battery_warning",
        {
            "device_id": [_device_id(hass, FRONT_DOOR), _device_id(hass, HOLIDAY_FLAT)],
            "enabled": False,
        },
        blocking=True,
    )
    assert simulator.counters()["requests"]["POST /bulk-web-config"] == 1
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "off"
    assert hass.states.get("switch.office_battery_warning_by_e_mail").state == "on"
    await wait_applied(
        hass, freezer, simulator, FRONT_DOOR, "webConfig", "batteryWarningPerMailEnabled", False
    )
    await wait_applied(
        hass, freezer, simulator, HOLIDAY_FLAT, "webConfig", "batteryWarningPerMailEnabled", False
    )
    await refresh(hass, setup_integration)
    await expire(hass, freezer)
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "off"
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, not_confirmed_issue_id(FRONT_DOOR, "batteryWarningPerMailEnabled")
    )


async def test_set_battery_warning_failure(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A failed bulk request is a translated error, and the switches keep their state."""
    simulator.fail_next("500", route="POST /bulk-web-config")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_battery_warning",
            {"device_id": _device_id(hass, FRONT_DOOR), "enabled": False},
            blocking=True,
        )
    assert err.value.translation_key == "settings_write_failed"
    assert hass.states.get("switch.front_door_battery_warning_by_e_mail").state == "on"


async def test_set_battery_warning_unknown_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """An unknown device fails the whole call before any request."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "set_battery_warning",
            {"device_id": [_device_id(hass, FRONT_DOOR), "nope"], "enabled": True},
            blocking=True,
        )
    assert "POST /bulk-web-config" not in simulator.counters()["requests"]


async def test_service_descriptions(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """services.yaml describes both actions; the fields match the schemas."""
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions["set_admin_pin"]["fields"]) == {"device_id", "pin"}
    assert set(descriptions["set_battery_warning"]["fields"]) == {"device_id", "enabled"}
