"""Setting selects: entities per device type (snapshot), codes, and translations of every option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.nuki_web_api.number import NUMBERS
from custom_components.nuki_web_api.select import SELECTS
from custom_components.nuki_web_api.switch import CONFIG_SWITCHES
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, refresh
from .settings_common import stored, wait_applied

TRANSLATIONS = Path(__file__).parents[1] / "custom_components" / "nuki_web_api" / "translations"
ICONS = TRANSLATIONS.parent / "icons.json"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the select platform."""
    return [Platform.SELECT]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The selects of the demo account."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_lock_n_go_timeout(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A numeric option is written as Nuki's number of seconds."""
    entity_registry.async_update_entity("select.front_door_lock_n_go_timeout", disabled_by=None)
    await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.front_door_lock_n_go_timeout", "option": "45"},
        blocking=True,
    )
    await wait_applied(hass, freezer, simulator, FRONT_DOOR, "advancedConfig", "lngTimeout", 45)
    assert hass.states.get("select.front_door_lock_n_go_timeout").state == "45"


async def test_unknown_code_is_unknown(
    hass: HomeAssistant, setup_integration: MockConfigEntry, simulator: SimulatorServer
) -> None:
    """A code this integration does not know shows as unknown instead of failing."""
    stored(simulator, FRONT_DOOR, "advancedConfig")["singleButtonPressAction"] = 99
    await refresh(hass, setup_integration)
    assert hass.states.get("select.front_door_button_action_press_once").state == "unknown"


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_setting_is_translated(language: str) -> None:
    """Every setting has a name and every option a state, in English and German, and an icon."""
    entity = json.loads((TRANSLATIONS / f"{language}.json").read_text())["entity"]
    icons = json.loads(ICONS.read_text())["entity"]
    for platform, descriptions in (
        ("switch", CONFIG_SWITCHES),
        ("number", NUMBERS),
        ("select", SELECTS),
    ):
        for description in descriptions:
            key = description.translation_key
            assert entity[platform][key]["name"], key
            assert key in icons[platform], key
    for description in SELECTS:
        states = entity["select"][description.translation_key]["state"]
        assert set(states) == set(description.options or ()), description.key
