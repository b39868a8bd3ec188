"""Helpers for the service-action tests: devices, calls, simulated codes, a second account, faults.

Two accounts of the demo scenario take part where a test needs them: Alex's (Front door
with a keypad) and Robin's (Cellar, given a keypad where a test needs one). Nuki's failures
come from the simulator, queued just before the request that is to fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nuki_web_api import authorizations
from custom_components.nuki_web_api.const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from simulator.testing import SimulatorServer

from .platform_helpers import FRONT_DOOR

CELLAR = 1869644178  # Robin's account
SECOND_TOKEN = "nuki-sim-second-account-token"
KEYPAD_CODE = 13
PUT_AUTHS = "PUT /smartlock/auth"
UPDATE_AUTH = "POST /smartlock/{smartlockId}/auth/{id}"
DELETE_AUTHS = "DELETE /smartlock/auth"


@pytest.fixture
def fast_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read authorizations back quickly; the simulator stores them after 0.05 s."""
    monkeypatch.setattr(authorizations.ActionWrite, "interval", 0.01)
    monkeypatch.setattr(authorizations.ActionWrite, "timeout", 5.0)


def device_id(hass: HomeAssistant, entry: MockConfigEntry, smartlock_id: int) -> str:
    """Return the registry device of a device of the entry."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(smartlock_id)), entry.entry_id
    )
    assert device is not None
    return device.id


def lock_entity(hass: HomeAssistant, smartlock_id: int) -> str:
    """Return the lock entity of a device."""
    registry = er.async_get(hass)
    found = [
        e.entity_id
        for e in registry.entities.values()
        if e.platform == DOMAIN and e.domain == "lock" and e.unique_id.startswith(str(smartlock_id))
    ]
    assert len(found) == 1
    return found[0]


def codes(simulator: SimulatorServer, smartlock_id: int) -> dict[str, dict[str, Any]]:
    """The simulator's keypad codes of a device, by name."""
    return {
        a["name"]: a
        for a in simulator.state.auths.values()
        if a["smartlockId"] == smartlock_id and a["type"] == KEYPAD_CODE
    }


async def call(hass: HomeAssistant, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Call one of the integration's actions and wait for it."""
    return await hass.services.async_call(DOMAIN, name, data, blocking=True, **kwargs)


async def call_on(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    smartlock_id: int,
    action: str,
    /,
    *,
    return_response: bool = False,
    **fields: Any,
) -> Any:
    """Call ``action`` on one device of ``entry``; its fields as keywords."""
    data = {"device_id": device_id(hass, entry, smartlock_id), **fields}
    return await call(hass, action, data, return_response=return_response)


async def wait_for_log(simulator: SimulatorServer, count: int) -> dict[str, Any]:
    """Wait until the simulator logged ``count`` entries; return the newest."""
    while len(simulator.state.logs) < count:  # noqa: ASYNC110 - the simulator offers no event
        await asyncio.sleep(0.01)
    return simulator.state.logs[-1]


def give_keypad(simulator: SimulatorServer, smartlock_id: int) -> None:
    """Pair a keypad with a device (before its entry is set up)."""
    device = simulator.device(smartlock_id)
    device.keypad = True
    device.data["config"]["keypadPaired"] = True


def add_auth(simulator: SimulatorServer, smartlock_id: int, **fields: Any) -> str:
    """Store an authorization on a device, as if made in the Nuki app; return its id."""
    state = simulator.state
    auth = state.new_auth(state.devices[smartlock_id], fields)
    state.auths[auth["id"]] = auth
    return str(auth["id"])


def add_code(simulator: SimulatorServer, smartlock_id: int, name: str, code: int) -> None:
    """Store a keypad code on a device, as if made in the Nuki app."""
    add_auth(simulator, smartlock_id, name=name, type=KEYPAD_CODE, code=code, remoteAllowed=False)


def nuki_date(moment: datetime) -> str:
    """A moment as Nuki writes it."""
    return dt_util.as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def add_second_account(
    hass: HomeAssistant, simulator: SimulatorServer, first: MockConfigEntry, tokens: set[str]
) -> tuple[MockConfigEntry, list[str]]:
    """Set up Robin's account (Cellar) next to Alex's; return it and [Front door, Cellar]."""
    tokens.add(SECOND_TOKEN)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="robin@example.com",
        unique_id="682876544",
        data={CONF_API_TOKEN: SECOND_TOKEN, CONF_API_URL: simulator.url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, [device_id(hass, first, FRONT_DOOR), device_id(hass, entry, CELLAR)]


@contextmanager
def fail_request(
    simulator: SimulatorServer, entry: MockConfigEntry, method: str, kind: str, route: str
) -> Iterator[None]:
    """Let the simulator answer the entry's next `method` request with the fault `kind`."""
    client = entry.runtime_data.client
    real = getattr(client, method)

    async def failing(*args: Any, **kwargs: Any) -> Any:
        simulator.fail_next(kind, route=route)
        return await real(*args, **kwargs)

    with patch.object(client, method, failing):
        yield


@contextmanager
def leaving_after(
    simulator: SimulatorServer, entry: MockConfigEntry, method: str, smartlock_id: int
) -> Iterator[None]:
    """Let the device leave the account right after the entry's next `method` request."""
    client = entry.runtime_data.client
    real = getattr(client, method)

    async def then_the_device_leaves(*args: Any) -> None:
        await real(*args)
        simulator.remove_device(smartlock_id)
        await entry.runtime_data.coordinator.async_refresh()

    with patch.object(client, method, then_the_device_leaves):
        yield


def stands(err: pytest.ExceptionInfo[HomeAssistantError]) -> str:
    """Return what the error says stands on each device."""
    assert err.value.translation_key == "write_incomplete"
    assert err.value.translation_placeholders is not None
    return err.value.translation_placeholders["devices"]


def cause(err: pytest.ExceptionInfo[HomeAssistantError]) -> str | None:
    """Return the translation key of the failure behind the error."""
    assert isinstance(err.value.__cause__, HomeAssistantError)
    return err.value.__cause__.translation_key
