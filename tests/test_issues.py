"""Repair issues: Smart Hosting missing or ending, the log scope; their texts."""

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock import SERVICE_LOCK
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api.const import DOMAIN
from custom_components.nuki_web_api.issues import Issues
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR, HOLIDAY_FLAT, refresh
from .test_coordinator import (
    coordinator_of,
    entity_of,
    front_door_lock,
    let_devices_move,
    next_cycle,
)

TRANSLATIONS = Path(__file__).parents[1] / "custom_components" / DOMAIN / "translations"


@pytest.mark.parametrize(
    ("smartlock_id", "name", "model", "key", "shown_id"),
    [
        (0x4_1A2B3C4D, "Back door", "Smart Lock 3.0/4.0", "smart_hosting", "1A2B3C4D"),
        # Known only by the Nuki app's default name: the other text explains that name.
        (0x3_20BE908C, "Smart Door 20BE908C", "Smart Door", "smart_hosting_unnamed", "20BE908C"),
    ],
)
async def test_smart_hosting_issue(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    smartlock_id: int,
    name: str,
    model: str,
    key: str,
    shown_id: str,
) -> None:
    """The issue names the device with its model and Nuki ID, so that the user can find it."""
    issues = Issues(hass, "entry1", lambda _: name, lambda _: model)
    issues.mark_missing([smartlock_id])
    issues.mark_missing([smartlock_id])  # idempotent
    issue = issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{smartlock_id}")
    assert issue is not None
    assert issue.translation_key == key
    assert issue.translation_placeholders == {"name": name, "model": model, "nuki_id": shown_id}
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    assert issue.learn_more_url == "https://nuki.io/en/smart-hosting/"
    assert len(issue_registry.issues) == 1

    issues.forget([smartlock_id])
    issues.forget([smartlock_id])  # deleting a missing issue is fine
    assert issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{smartlock_id}") is None


async def test_missing_scope_issue(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    issues = Issues(hass, "entry1", str, str)
    issues.log_scope(permitted=False)
    issues.log_scope(permitted=False)  # warned once
    issue = issue_registry.async_get_issue(DOMAIN, "missing_scope_entry1")
    assert issue is not None
    assert issue.translation_key == "missing_scope"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "scope": "smartlock.log",
        "scope_name": "Activity log",
    }
    assert caplog.text.count("may not read the activity log") == 1

    issues.log_scope(permitted=True)
    assert issue_registry.async_get_issue(DOMAIN, "missing_scope_entry1") is None


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    ("key", "placeholders"),
    [
        ("smart_hosting", {"name", "model", "nuki_id"}),
        ("smart_hosting_unnamed", {"name", "model", "nuki_id"}),
        ("smart_hosting_ending", {"name", "date"}),
        ("smart_hosting_grace_period", {"name", "date"}),
        ("missing_scope", {"scope", "scope_name"}),
    ],
)
def test_issue_texts_use_the_given_placeholders(
    language: str, key: str, placeholders: set[str]
) -> None:
    """Every placeholder in the texts is one the helper passes (else the frontend shows braces)."""
    issues = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))["issues"]
    texts = issues[key]["title"] + issues[key]["description"]
    assert set(re.findall(r"{(\w+)}", texts)) <= placeholders


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("key", ["smart_hosting", "smart_hosting_unnamed"])
def test_smart_hosting_texts_identify_the_device(language: str, key: str) -> None:
    """The Smart Hosting issue tells which device it is: its model and Nuki ID, not only a name."""
    issue = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))["issues"]
    assert {"model", "nuki_id"} <= set(re.findall(r"{(\w+)}", issue[key]["description"]))


# --- kept in step with the reads -------------------------------------------------------------


async def test_missing_log_scope_raises_and_clears_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"missing_scope_{setup_integration.entry_id}"
    token = simulator.state.tokens[simulator.token]
    simulator.state.tokens[simulator.token] = replace(
        token, scopes=token.scopes - {"smartlock.log"}
    )
    simulator.press_button(FRONT_DOOR)
    await let_devices_move(hass, freezer, simulator)
    await next_cycle(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "scope": "smartlock.log",
        "scope_name": "Activity log",
    }
    coordinator = coordinator_of(setup_integration)
    assert coordinator.data.new_logs == ()
    assert coordinator.last_update_success
    assert hass.states.get(front_door_lock(hass)).state != STATE_UNAVAILABLE  # type: ignore[union-attr]

    simulator.state.tokens[simulator.token] = token
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert [entry.smartlock_id for entry in coordinator.data.new_logs] == [FRONT_DOOR]


async def test_smart_hosting_issue_from_device_list(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"smart_hosting_{HOLIDAY_FLAT}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    # Nuki's list item without Smart Hosting has no name, and this one was never seen before.
    assert issue.translation_key == "smart_hosting_unnamed"
    assert issue.translation_placeholders == {
        "name": "Smart Lock 3.0/4.0 5E6F7081",
        "model": "Smart Lock 3.0/4.0",
        "nuki_id": "5E6F7081",
    }
    assert issue.learn_more_url == "https://nuki.io/en/smart-hosting/"
    assert HOLIDAY_FLAT in coordinator_of(setup_integration).data.smart_hosting_missing
    assert hass.states.get(entity_of(hass, LOCK_DOMAIN, HOLIDAY_FLAT, "lock")).state == (  # type: ignore[union-attr]
        STATE_UNAVAILABLE
    )

    simulator.set_smart_hosting(HOLIDAY_FLAT, True)
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(entity_of(hass, LOCK_DOMAIN, HOLIDAY_FLAT, "lock")).state != (  # type: ignore[union-attr]
        STATE_UNAVAILABLE
    )


@pytest.mark.parametrize("body", ["detailMessage", "error"])
async def test_smart_hosting_issue_from_action(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    body: str,
) -> None:
    """The refusal is recognised in the seed's body and in docs.nuki.io's {"error": ...}."""
    issue_id = f"smart_hosting_{FRONT_DOOR}"
    simulator.state.set_smart_hosting_body(body)
    simulator.set_smart_hosting(FRONT_DOOR, False)
    with pytest.raises(HomeAssistantError) as exc_info:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: front_door_lock(hass)}, blocking=True
        )
    assert exc_info.value.translation_key == "smart_hosting_required"
    assert exc_info.value.translation_placeholders == {"name": "Front door"}
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await next_cycle(hass, freezer)  # the list now carries the error as well
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get(front_door_lock(hass)).state == STATE_UNAVAILABLE  # type: ignore[union-attr]

    simulator.set_smart_hosting(FRONT_DOOR, True)
    await next_cycle(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


# --- the early warning before a Smart Hosting subscription ends (issue 11) ---------------

ENDING = f"smart_hosting_ending_{FRONT_DOOR}"


def set_subscription(simulator: SimulatorServer, **fields: object) -> None:
    simulator.device(FRONT_DOOR).data["currentSubscription"].update(fields)


def in_days(days: float) -> str:
    return (dt_util.utcnow() + timedelta(days=days)).isoformat()


async def test_smart_hosting_ending_warns_and_clears_on_renewal(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Within 14 days of currentSubscription.expirationDate: a warning, gone once renewed."""
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is None  # the demo's ends in 2035
    set_subscription(simulator, expirationDate=in_days(15))
    await refresh(hass, setup_integration)
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is None

    end = dt_util.utcnow() + timedelta(days=10)
    set_subscription(simulator, expirationDate=end.isoformat())
    await refresh(hass, setup_integration)
    issue = issue_registry.async_get_issue(DOMAIN, ENDING)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "smart_hosting_ending"
    assert issue.translation_placeholders == {
        "name": "Front door",
        "date": dt_util.as_local(end).date().isoformat(),
    }
    assert issue.learn_more_url == "https://nuki.io/en/smart-hosting/"
    assert not issue.is_fixable
    # The device works meanwhile: no error issue, entities available.
    assert issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{FRONT_DOOR}") is None
    assert hass.states.get("lock.front_door").state == "locked"  # type: ignore[union-attr]

    set_subscription(simulator, expirationDate=in_days(365))  # renewed
    await refresh(hass, setup_integration)
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is None


async def test_smart_hosting_grace_period_then_lapse(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """In the grace period: a warning; once Nuki refuses the device, the error issue instead."""
    set_subscription(simulator, expirationDate=in_days(-3), isInGracePeriod=True)
    await refresh(hass, setup_integration)
    issue = issue_registry.async_get_issue(DOMAIN, ENDING)
    assert issue is not None
    assert issue.translation_key == "smart_hosting_grace_period"
    assert issue.severity is ir.IssueSeverity.WARNING

    simulator.set_smart_hosting(FRONT_DOOR, False)
    await refresh(hass, setup_integration)
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is None
    error = issue_registry.async_get_issue(DOMAIN, f"smart_hosting_{FRONT_DOOR}")
    assert error is not None
    assert error.severity is ir.IssueSeverity.ERROR


async def test_smart_hosting_warning_follows_the_clock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatorServer,
    setup_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Nothing changes at Nuki, time passes: the warning appears 14 days before the end."""
    set_subscription(simulator, expirationDate=in_days(15))
    await refresh(hass, setup_integration)
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is None
    freezer.tick(timedelta(days=1, minutes=1))
    await refresh(hass, setup_integration)
    assert issue_registry.async_get_issue(DOMAIN, ENDING) is not None
