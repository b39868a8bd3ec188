"""Device triggers on the Nuki activity: which devices get which, their fields, firing, validation.

The Activity event entities stay disabled (their default) in these tests: the triggers are
built on the bus event, not on the entities.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import probatio
import pytest
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_get_device_automations,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.nuki_web_api import device_trigger
from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.event import EVENT_NUKI_WEB_API
from simulator.core import Actor
from simulator.testing import SimulatorServer

from .platform_helpers import (
    BUILDING_ENTRANCE,
    FRONT_DOOR,
    GARDEN_DOOR,
    HOLIDAY_FLAT,
    foreign_device,
    refresh,
)

LOCK_TYPES = [
    "locked",
    "unlocked",
    "unlatched",
    "lock_n_go",
    "lock_n_go_unlatch",
    "jammed",
    "rejected",
]
DOOR_TYPES = ["door_opened", "door_closed", "door_ajar"]


def device_id(hass: HomeAssistant, smartlock_id: int) -> str:
    devices = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, str(smartlock_id))})
    assert len(devices) == 1
    return devices[0].id


def auth_id(simulator: SimulatorServer, smartlock_id: int, name: str) -> str:
    return str(
        next(
            auth["id"]
            for auth in simulator.state.auths.values()
            if auth["smartlockId"] == smartlock_id and auth["name"] == name
        )
    )


async def trigger_types(hass: HomeAssistant, smartlock_id: int) -> list[str]:
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device_id(hass, smartlock_id)
    )
    ours = [t for t in triggers if t["domain"] == DOMAIN]
    assert {t["platform"] for t in ours} <= {"device"}
    return [t["type"] for t in ours]


async def wait_for_log(simulator: SimulatorServer, count: int) -> None:
    """Wait until the simulator has written `count` log entries (actions run in the background)."""
    while len(simulator.state.logs) < count:  # noqa: ASYNC110 - the simulator offers no event
        await asyncio.sleep(0.01)


async def keypad_unlock(
    hass: HomeAssistant, simulator: SimulatorServer, entry: MockConfigEntry, code: int = 456789
) -> None:
    before = len(simulator.state.logs)
    assert simulator.use_keypad(FRONT_DOOR, code)
    await wait_for_log(simulator, before + 1)
    await refresh(hass, entry)


async def test_trigger_list_per_device_type(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """Locks get the lock triggers, door triggers only with a door sensor; Openers ring and open."""
    simulator.state.devices[GARDEN_DOOR].state["doorState"] = 0  # no door sensor
    box = simulator.add_device({"name": "Box", "type": 1})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert await trigger_types(hass, FRONT_DOOR) == LOCK_TYPES + DOOR_TYPES
    assert await trigger_types(hass, GARDEN_DOOR) == LOCK_TYPES
    assert await trigger_types(hass, BUILDING_ENTRANCE) == ["ring", "opened"]
    assert await trigger_types(hass, box) == []
    # Without Smart Hosting Nuki tells no hardware: no door triggers.
    assert await trigger_types(hass, HOLIDAY_FLAT) == LOCK_TYPES


async def capabilities(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, trigger: dict[str, Any]
) -> dict[str, Any]:
    """The capabilities as the automation editor receives them (serialized for the frontend)."""
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "device_automation/trigger/capabilities", "trigger": trigger}
    )
    message = await client.receive_json()
    assert message["success"], message
    result: dict[str, Any] = message["result"]
    return result


def options(field: dict[str, Any]) -> dict[str, str]:
    return {option["value"]: option["label"] for option in field["selector"]["select"]["options"]}


def front_door_unlocked(hass: HomeAssistant) -> dict[str, Any]:
    return {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": device_id(hass, FRONT_DOOR),
        "type": "unlocked",
    }


async def persons(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> dict[str, str]:
    """The person list of the Front door's unlock trigger: authorization id -> label."""
    fields = (await capabilities(hass, hass_ws_client, front_door_unlocked(hass)))["extra_fields"]
    return options(next(f for f in fields if f["name"] == "auth_id"))


@pytest.mark.parametrize(
    ("language", "anna", "keypad_code", "sam"),
    [
        ("en", "Keypad code Anna", "Keypad code", "App access Sam"),
        ("de", "Keypad-Code Anna", "Keypad-Code", "App-Zugang Sam"),
    ],
)
async def test_capabilities_offer_method_and_the_device_persons(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    language: str,
    anna: str,
    keypad_code: str,
    sam: str,
) -> None:
    """An unlock takes how and who (this device's authorizations, named in HA's language)."""
    hass.config.language = language
    capability = await capabilities(hass, hass_ws_client, front_door_unlocked(hass))
    fields = {f["name"]: f for f in capability["extra_fields"]}
    assert set(fields) == {"method", "auth_id"}
    assert all(f["optional"] for f in fields.values())
    assert options(fields["method"])["keypad_code"] == keypad_code
    assert list(options(fields["method"])) == list(device_trigger.METHODS)
    labels = options(fields["auth_id"])
    assert labels[auth_id(simulator, FRONT_DOOR, "Anna")] == anna
    assert labels[auth_id(simulator, FRONT_DOOR, "Sam")] == sam
    # Only the Front door's authorizations (Alex Demo has an app access on every device).
    assert len(labels) == 4


async def test_capabilities_per_type(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A rejected attempt takes only how; door and doorbell triggers take nothing."""
    base = {"platform": "device", "domain": DOMAIN, "device_id": device_id(hass, FRONT_DOOR)}
    rejected = await capabilities(hass, hass_ws_client, base | {"type": "rejected"})
    assert [f["name"] for f in rejected["extra_fields"]] == ["method"]
    assert await capabilities(hass, hass_ws_client, base | {"type": "door_ajar"}) == {
        "extra_fields": []
    }
    opener = base | {"device_id": device_id(hass, BUILDING_ENTRANCE)}
    assert await capabilities(hass, hass_ws_client, opener | {"type": "ring"}) == {
        "extra_fields": []
    }


async def test_person_list_reads_new_authorizations(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
) -> None:
    """A keypad code created after setup is offered (the authorizations are read again)."""
    sim = simulator.state
    sim.auths["new"] = sim.auths[auth_id(simulator, FRONT_DOOR, "Anna")] | {
        "id": "new",
        "name": "Bea",
        "code": 345678,
    }
    assert (await persons(hass, hass_ws_client))["new"] == "Keypad code Bea"


async def automation(hass: HomeAssistant, triggers: dict[str, dict[str, Any]]) -> list[Any]:
    """Set up one automation per trigger; return the service calls their actions make."""
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": name,
                    "triggers": [{"trigger": "device", "domain": DOMAIN, **trigger}],
                    "actions": [
                        {
                            "action": "test.automation",
                            "data": {
                                "name": name,
                                "who": "{{ trigger.event.data.actor }}",
                                "platform": "{{ trigger.platform }}",
                            },
                        }
                    ],
                }
                for name, trigger in triggers.items()
            ]
        },
    )
    await hass.async_block_till_done()
    return calls


def names(calls: list[Any]) -> list[str]:
    return [call.data["name"] for call in calls]


async def test_unlock_triggers_fire_with_and_without_filters(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """ "Anna with her keypad code" and "any unlock" fire; other methods and persons do not."""
    front_door = device_id(hass, FRONT_DOOR)
    anna = auth_id(simulator, FRONT_DOOR, "Anna")
    sam = auth_id(simulator, FRONT_DOOR, "Sam")
    calls = await automation(
        hass,
        {
            "any_unlock": {"device_id": front_door, "type": "unlocked"},
            "anna_keypad": {
                "device_id": front_door,
                "type": "unlocked",
                "method": "keypad_code",
                "auth_id": anna,
            },
            "any_keypad": {"device_id": front_door, "type": "unlocked", "method": "keypad_code"},
            "by_app": {"device_id": front_door, "type": "unlocked", "method": "app"},
            "sam": {"device_id": front_door, "type": "unlocked", "auth_id": sam},
            "locked": {"device_id": front_door, "type": "locked"},
            "other_lock": {"device_id": device_id(hass, GARDEN_DOOR), "type": "unlocked"},
        },
    )
    await keypad_unlock(hass, simulator, setup_integration)
    assert sorted(names(calls)) == ["anna_keypad", "any_keypad", "any_unlock"]
    assert {call.data["who"] for call in calls} == {"Anna"}
    assert {call.data["platform"] for call in calls} == {"device"}


async def test_wrong_code_door_and_doorbell_triggers(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """A wrong code is a rejected attempt with a keypad code; the door and the doorbell fire."""
    front_door = device_id(hass, FRONT_DOOR)
    calls = await automation(
        hass,
        {
            "rejected": {"device_id": front_door, "type": "rejected", "method": "keypad_code"},
            "unlocked": {"device_id": front_door, "type": "unlocked"},
            "ajar": {"device_id": front_door, "type": "door_ajar"},
            "ring": {"device_id": device_id(hass, BUILDING_ENTRANCE), "type": "ring"},
        },
    )
    assert not simulator.use_keypad(FRONT_DOOR, 111111)
    simulator.set_door(FRONT_DOOR, "open")
    simulator.set_door(FRONT_DOOR, "ajar", 10)
    simulator.ring(BUILDING_ENTRANCE)
    await refresh(hass, setup_integration)
    assert names(calls) == ["rejected", "ajar", "ring"]


@pytest.mark.parametrize(
    ("trigger", "error"),
    [
        ({"type": "opened_wide"}, probatio.Invalid),
        ({"type": "unlocked", "method": "telepathy"}, probatio.Invalid),
        ({"type": "door_ajar", "method": "keypad_code"}, InvalidDeviceAutomationConfig),
        ({"type": "rejected", "auth_id": "x"}, InvalidDeviceAutomationConfig),
        ({"type": "ring"}, InvalidDeviceAutomationConfig),  # a lock does not ring
    ],
)
async def test_bad_config_is_refused(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    trigger: dict[str, Any],
    error: type[Exception],
) -> None:
    config = {"platform": "device", "domain": DOMAIN, "device_id": device_id(hass, FRONT_DOOR)}
    with pytest.raises(error):
        await device_trigger.async_validate_trigger_config(hass, config | trigger)


async def test_door_trigger_needs_a_door_sensor(
    hass: HomeAssistant, simulator: SimulatorServer, config_entry: MockConfigEntry
) -> None:
    """The error names the device; a device whose hardware is unknown is not refused."""
    simulator.state.devices[GARDEN_DOOR].state["doorState"] = 0
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    base = {"platform": "device", "domain": DOMAIN, "type": "door_opened"}
    with pytest.raises(InvalidDeviceAutomationConfig) as refused:
        await device_trigger.async_validate_trigger_config(
            hass, base | {"device_id": device_id(hass, GARDEN_DOOR)}
        )
    assert refused.value.translation_key == "invalid_trigger"
    assert refused.value.translation_placeholders == {
        "device": "Garden door",
        "type": "door_opened",
    }
    holiday_flat = base | {"device_id": device_id(hass, HOLIDAY_FLAT)}
    assert await device_trigger.async_validate_trigger_config(hass, holiday_flat) == holiday_flat


def install_blueprint(blueprints: str) -> None:
    """Copy the shipped blueprints into the test configuration.

    The configuration folder lives in the venv and outlasts a test run, so every blueprint
    a test uses is copied here, never left from an earlier run.
    """
    source = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
    target = Path(blueprints) / "automation" / DOMAIN
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in source.glob("*.yaml"):
        shutil.copy(blueprint, target / blueprint.name)


async def test_blueprint_drives_a_notification(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """The shipped blueprint (a device trigger, no template condition) reports a keypad unlock."""
    await hass.async_add_executor_job(install_blueprint, hass.config.path("blueprints"))
    calls = async_mock_service(hass, "test", "notify")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/keypad_code_used.yaml",
                    "input": {
                        "lock": device_id(hass, FRONT_DOOR),
                        "notify_action": [
                            {"action": "test.notify", "data": {"message": "{{ message }}"}}
                        ],
                    },
                }
            }
        },
    )
    before = len(simulator.state.logs)
    simulator.press_button(FRONT_DOOR)  # an unlock, but not with a keypad code
    await wait_for_log(simulator, before + 1)
    await refresh(hass, setup_integration)
    simulator.press_button(FRONT_DOOR)  # locks again
    await wait_for_log(simulator, before + 2)
    await keypad_unlock(hass, simulator, setup_integration)
    assert [call.data["message"] for call in calls] == ["Front door: unlocked by Anna (keypad)"]


async def test_unloaded_entry_and_foreign_device(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """While the entry is unloaded nothing is listed and a config is checked by its fields only."""
    assert await device_trigger.async_get_triggers(hass, foreign_device(hass)) == []
    front_door = device_id(hass, FRONT_DOOR)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    assert await device_trigger.async_get_triggers(hass, front_door) == []
    config = {"platform": "device", "domain": DOMAIN, "device_id": front_door, "type": "ring"}
    assert await device_trigger.async_validate_trigger_config(hass, config) == config


@pytest.mark.parametrize("platforms", [[Platform.LOCK]])
async def test_new_device_fires_with_its_device(
    hass: HomeAssistant, simulator: SimulatorServer, setup_integration: MockConfigEntry
) -> None:
    """A device added in Nuki Web whose first activity comes in its first cycle names its device."""
    events = async_capture_events(hass, EVENT_NUKI_WEB_API)
    shed = simulator.add_device({"name": "Shed", "type": 4})
    simulator.state.add_log(simulator.state.devices[shed], 1, Actor("Sam", 5))
    await refresh(hass, setup_integration)
    assert [(e.data["type"], e.data["device_id"]) for e in events] == [
        ("unlocked", device_id(hass, shed))
    ]
