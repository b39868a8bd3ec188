"""smartlocks() hands back the previous object for an item that did not change."""

from __future__ import annotations

import copy

from custom_components.nuki_web_api.api import NukiWebApiClient

from . import payloads
from .conftest import FakeNuki


async def test_unchanged_items_come_back_identical(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    """Equal JSON -> the same object (not parsed again); changed JSON -> a new object."""
    items = [payloads.SMARTLOCK_3_4, payloads.OPENER]
    nuki_server.respond(200, items)
    first = await client.smartlocks()
    nuki_server.respond(200, copy.deepcopy(items))
    second = await client.smartlocks()
    assert second[0] is first[0]
    assert second[1] is first[1]

    changed = copy.deepcopy(items)
    changed[1]["state"]["state"] = 5 if changed[1]["state"]["state"] != 5 else 3
    nuki_server.respond(200, changed)
    third = await client.smartlocks()
    assert third[0] is first[0]
    assert third[1] is not first[1]
    assert third[1].raw == changed[1]
    assert third[1].state is not None
    assert third[1].state.state.value == changed[1]["state"]["state"]
    # Nested objects whose JSON did not change are taken over, not parsed again.
    assert third[1].config is not None
    assert third[1].config is first[1].config
    assert third[1].opener_advanced_config is first[1].opener_advanced_config


async def test_a_device_that_left_is_forgotten(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    """Only the last answer is remembered: a device that returns is parsed anew."""
    nuki_server.respond(200, [payloads.SMARTLOCK_3_4])
    (first,) = await client.smartlocks()
    nuki_server.respond(200, [])
    assert await client.smartlocks() == []
    nuki_server.respond(200, [payloads.SMARTLOCK_3_4])
    (again,) = await client.smartlocks()
    assert again is not first
    assert again == first
