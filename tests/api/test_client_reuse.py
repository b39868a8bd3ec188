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


async def test_log_entries_seen_before_come_back_identical(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    """logs(): an equal entry -> the same object; an error item sharing the id -> parsed anew."""
    nuki_server.respond(200, [payloads.LOG_OPENER, payloads.LOG_LOCK])
    opener, lock = await client.logs()
    nuki_server.respond(200, copy.deepcopy([payloads.LOG_LOCK]))
    (again,) = await client.logs(before_id=opener.id)
    assert again is lock

    error_item = {**payloads.LOG_NO_SHS, "id": payloads.LOG_LOCK["id"]}
    nuki_server.respond(200, [error_item])
    (replaced,) = await client.logs()
    assert replaced is not lock
    assert replaced.smartlock_id == error_item["smartlockId"]
    assert replaced.error is not None


async def test_remembered_log_entries_are_bounded(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    """Only the newest few pages are kept: an entry that fell out is parsed anew."""
    nuki_server.respond(200, [payloads.LOG_LOCK])
    (first,) = await client.logs()
    for page in range(4):
        items = [{**payloads.LOG_LOCK, "id": f"{page:04x}{index:020x}"} for index in range(50)]
        nuki_server.respond(200, items)
        await client.logs()
    nuki_server.respond(200, [payloads.LOG_LOCK])
    (again,) = await client.logs()
    assert again is not first
    assert again == first
