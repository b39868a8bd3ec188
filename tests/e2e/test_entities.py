"""Every entity of the demo account has a state in a real Home Assistant."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from .harness import DOMAIN, Stack
from .ui import call_ws, open_ui


def _hosted_ids(stack: Stack) -> set[str]:
    """The simulator's devices with Smart Hosting, as the integration's device identifiers."""
    devices = stack.sim("GET", "/_sim/state")["devices"]
    return {str(device["smartlockId"]) for device in devices if device["_sim"]["smartHosting"]}


def test_every_entity_has_a_state(page: Page, stack: Stack, nuki_entry: dict[str, Any]) -> None:
    """Each enabled entity has a state; only those of the device without Smart Hosting may be
    unavailable (its repair issue says why)."""
    open_ui(page, stack, "/config/entities")
    entities = [
        entity
        for entity in call_ws(page, {"type": "config/entity_registry/list"})
        if entity["config_entry_id"] == nuki_entry["entry_id"] and entity["disabled_by"] is None
    ]
    assert {entity["platform"] for entity in entities} == {DOMAIN}
    assert len(entities) > 50, len(entities)
    states = {state["entity_id"]: state["state"] for state in stack.api("GET", "/api/states")}
    assert [entity["entity_id"] for entity in entities if entity["entity_id"] not in states] == []

    hosted = _hosted_ids(stack)
    hosted_devices = {
        device["id"]
        for device in call_ws(page, {"type": "config/device_registry/list"})
        if any(domain == DOMAIN and value in hosted for domain, value in device["identifiers"])
    }
    assert len(hosted_devices) == 4
    unavailable = [
        entity["entity_id"]
        for entity in entities
        if entity["device_id"] in hosted_devices and states[entity["entity_id"]] == "unavailable"
    ]
    assert unavailable == []
