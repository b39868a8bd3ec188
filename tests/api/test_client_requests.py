"""Every client method sends the right method, path, query and body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from custom_components.nuki_web_api.api import (
    Account,
    ActionOption,
    AuthType,
    DecentralWebhook,
    JsonValue,
    LockAction,
    NukiInvalidResponseError,
    NukiWebApiClient,
    OpenerAction,
    Smartlock,
    SmartlockAuth,
    SmartlockLog,
)

from . import payloads
from .conftest import TOKEN, FakeNuki

NO_BODY = object()
ID = 17929391234

type Call = Callable[[NukiWebApiClient], Awaitable[Any]]

# (call, reply status, reply json, method, path, expected body or NO_BODY)
WRITES: list[tuple[str, Call, str, str, Any]] = [
    (
        "action",
        lambda c: c.action(ID, LockAction.UNLATCH),
        "POST",
        f"/smartlock/{ID}/action",
        {"action": 3, "option": 0},
    ),
    (
        "action-option",
        lambda c: c.action(ID, OpenerAction.ACTIVATE_CONTINUOUS_MODE, ActionOption.FORCE),
        "POST",
        f"/smartlock/{ID}/action",
        {"action": 6, "option": 2},
    ),
    ("lock", lambda c: c.lock(ID), "POST", f"/smartlock/{ID}/action/lock", NO_BODY),
    ("unlock", lambda c: c.unlock(ID), "POST", f"/smartlock/{ID}/action/unlock", NO_BODY),
    ("sync", lambda c: c.sync(ID), "POST", f"/smartlock/{ID}/sync", NO_BODY),
    (
        "create_auths",
        lambda c: c.create_auths([1, 2], {"name": "Gast", "remoteAllowed": True, "type": 0}),
        "PUT",
        "/smartlock/auth",
        {"name": "Gast", "remoteAllowed": True, "type": 0, "smartlockIds": [1, 2]},
    ),
    (
        "create_auth",
        lambda c: c.create_auth(ID, {"name": "Putzhilfe", "type": 13, "code": 345678}),
        "PUT",
        f"/smartlock/{ID}/auth",
        {"name": "Putzhilfe", "type": 13, "code": 345678},
    ),
    (
        "update_auth",
        lambda c: c.update_auth(ID, "65219648fe57", {"name": "Neu", "enabled": False}),
        "POST",
        f"/smartlock/{ID}/auth/65219648fe57",
        {"name": "Neu", "enabled": False},
    ),
    (
        "delete_auth",
        lambda c: c.delete_auth(ID, "65219648fe57"),
        "DELETE",
        f"/smartlock/{ID}/auth/65219648fe57",
        NO_BODY,
    ),
    (
        "update_auths",
        lambda c: c.update_auths([{"id": "a1", "name": "A"}, {"id": "b2", "name": "B"}]),
        "POST",
        "/smartlock/auth",
        [{"id": "a1", "name": "A"}, {"id": "b2", "name": "B"}],
    ),
    (
        "delete_auths",
        lambda c: c.delete_auths(["a1", "b2"]),
        "DELETE",
        "/smartlock/auth",
        ["a1", "b2"],
    ),
    (
        "update_config",
        lambda c: c.update_config(ID, {"ledEnabled": False, "name": "Tür"}),
        "POST",
        f"/smartlock/{ID}/config",
        {"ledEnabled": False, "name": "Tür"},
    ),
    (
        "update_advanced_config",
        lambda c: c.update_advanced_config(ID, {"autoLock": True, "autoLockTimeout": 60}),
        "POST",
        f"/smartlock/{ID}/advanced/config",
        {"autoLock": True, "autoLockTimeout": 60},
    ),
    (
        "update_opener_advanced_config",
        lambda c: c.update_opener_advanced_config(ID, {"rtoTimeout": 30}),
        "POST",
        f"/smartlock/{ID}/advanced/openerconfig",
        {"rtoTimeout": 30},
    ),
    (
        "update_smartdoor_advanced_config",
        lambda c: c.update_smartdoor_advanced_config(ID, {"buzzerVolume": 0}),
        "POST",
        f"/smartlock/{ID}/advanced/smartdoorconfig",
        {"buzzerVolume": 0},
    ),
    (
        "update_web_config",
        lambda c: c.update_web_config(ID, {"batteryWarningPerMailEnabled": True}),
        "POST",
        f"/smartlock/{ID}/web/config",
        {"batteryWarningPerMailEnabled": True},
    ),
    (
        "bulk_web_config",
        lambda c: c.bulk_web_config([1, 2], {"batteryWarningPerMailEnabled": False}),
        "POST",
        "/bulk-web-config",
        {
            "webConfigRequests": [
                {"smartlockId": 1, "webConfig": {"batteryWarningPerMailEnabled": False}},
                {"smartlockId": 2, "webConfig": {"batteryWarningPerMailEnabled": False}},
            ]
        },
    ),
    (
        "set_admin_pin",
        lambda c: c.set_admin_pin(ID, 1234),
        "POST",
        f"/smartlock/{ID}/admin/pin",
        {"adminPin": 1234},
    ),
    (
        "delete_decentral_webhook",
        lambda c: c.delete_decentral_webhook(7),
        "DELETE",
        "/api/decentralWebhook/7",
        NO_BODY,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "body"), [w[1:] for w in WRITES], ids=[w[0] for w in WRITES]
)
async def test_write_methods(
    client: NukiWebApiClient, nuki_server: FakeNuki, call: Call, method: str, path: str, body: Any
) -> None:
    nuki_server.respond(204)
    assert await call(client) is None
    received = nuki_server.last
    assert received.method == method
    assert received.path == path
    assert received.query == {}
    assert received.headers["Authorization"] == f"Bearer {TOKEN}"
    if body is NO_BODY:
        assert received.body == b""
        assert "Content-Type" not in received.headers
    else:
        assert received.headers["Content-Type"] == "application/json"
        assert received.json == body


async def test_account(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    nuki_server.respond(200, payloads.ACCOUNT)
    account = await client.account()
    assert isinstance(account, Account)
    assert account.account_id == 682876543
    assert (nuki_server.last.method, nuki_server.last.path) == ("GET", "/account")
    assert nuki_server.last.headers["Accept"] == "application/json"


async def test_smartlocks_parses_error_items(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(200, [payloads.SMARTLOCK_3_4, payloads.SMARTLOCK_NO_SHS, payloads.OPENER])
    devices = await client.smartlocks()
    assert [type(d) for d in devices] == [Smartlock] * 3
    assert [d.smart_hosting_missing for d in devices] == [False, True, False]
    assert devices[1].state is None
    assert (nuki_server.last.method, nuki_server.last.path) == ("GET", "/smartlock")


async def test_smartlock(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    nuki_server.respond(200, payloads.SMART_DOOR)
    door = await client.smartlock(13476674782)
    assert door.model == "Smart Door"
    assert nuki_server.last.path == "/smartlock/13476674782"


@pytest.mark.parametrize(
    ("kwargs", "path", "query"),
    [
        ({}, "/smartlock/log", {"limit": "50"}),
        ({"limit": 500}, "/smartlock/log", {"limit": "50"}),
        ({"limit": 0}, "/smartlock/log", {"limit": "1"}),
        (
            {"smartlock_id": ID, "before_id": "68c55a4f", "limit": 10},
            f"/smartlock/{ID}/log",
            {"limit": "10", "id": "68c55a4f"},
        ),
        (
            {
                "from_date": datetime(
                    2025, 9, 13, 13, 0, 5, 123456, tzinfo=timezone(timedelta(hours=2))
                )
            },
            "/smartlock/log",
            {"limit": "50", "fromDate": "2025-09-13T11:00:05.123Z"},
        ),
        (
            {"from_date": datetime(2025, 9, 13, 11, 0)},  # noqa: DTZ001 - naive is read as UTC
            "/smartlock/log",
            {"limit": "50", "fromDate": "2025-09-13T11:00:00.000Z"},
        ),
    ],
)
async def test_logs(
    client: NukiWebApiClient,
    nuki_server: FakeNuki,
    kwargs: dict[str, Any],
    path: str,
    query: dict[str, str],
) -> None:
    nuki_server.respond(200, [payloads.LOG_LOCK, payloads.LOG_OPENER, payloads.LOG_NO_SHS])
    logs = await client.logs(**kwargs)
    assert [type(entry) for entry in logs] == [SmartlockLog] * 3
    assert [entry.id for entry in logs] == [
        payloads.LOG_LOCK["id"],
        payloads.LOG_OPENER["id"],
        payloads.LOG_NO_SHS["id"],
    ]
    assert (nuki_server.last.method, nuki_server.last.path) == ("GET", path)
    assert nuki_server.last.query == query


@pytest.mark.parametrize(
    ("kwargs", "path", "query"),
    [
        ({}, "/smartlock/auth", {}),
        (
            {"smartlock_id": ID, "types": [AuthType.APP, AuthType.KEYPAD_CODE, 2]},
            f"/smartlock/{ID}/auth",
            {"types": "0,13,2"},
        ),
    ],
)
async def test_auths(
    client: NukiWebApiClient,
    nuki_server: FakeNuki,
    kwargs: dict[str, Any],
    path: str,
    query: dict[str, str],
) -> None:
    nuki_server.respond(200, [payloads.AUTH_KEYPAD, payloads.AUTH_NO_SHS])
    auths = await client.auths(**kwargs)
    assert [type(a) for a in auths] == [SmartlockAuth] * 2
    assert auths[1].error == payloads.SMART_HOSTING
    assert (nuki_server.last.method, nuki_server.last.path) == ("GET", path)
    assert nuki_server.last.query == query


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        (
            lambda c: c.advanced_action(ID, LockAction.LOCK_N_GO, 4),
            f"/smartlock/{ID}/action/advanced",
            {"action": 4, "option": 4},
        ),
        (lambda c: c.advanced_lock(ID), f"/smartlock/{ID}/action/lock/advanced", NO_BODY),
        (lambda c: c.advanced_unlock(ID), f"/smartlock/{ID}/action/unlock/advanced", NO_BODY),
    ],
    ids=["advanced_action", "advanced_lock", "advanced_unlock"],
)
async def test_advanced_actions(
    client: NukiWebApiClient, nuki_server: FakeNuki, call: Call, path: str, body: Any
) -> None:
    nuki_server.respond(200, {"requestId": "9a8b7c6d-uuid"})
    assert await call(client) == "9a8b7c6d-uuid"
    assert (nuki_server.last.method, nuki_server.last.path) == ("POST", path)
    if body is NO_BODY:
        assert nuki_server.last.body == b""
    else:
        assert nuki_server.last.json == body


async def test_advanced_action_without_request_id(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(200, {"error": "device unreachable"})
    with pytest.raises(NukiInvalidResponseError, match="device unreachable"):
        await client.advanced_lock(ID)


async def test_create_auths_advanced(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    nuki_server.respond(200, {"requestId": "r-1"})
    auth: dict[str, JsonValue] = {"name": "Gast", "remoteAllowed": True, "accountUserId": 99}
    confirmation = await client.create_auths_advanced([1, 2], auth)
    assert confirmation.request_id == "r-1"
    assert confirmation.error is None
    assert (nuki_server.last.method, nuki_server.last.path) == ("PUT", "/smartlock/auth/advanced")
    assert nuki_server.last.json == {**auth, "smartlockIds": [1, 2]}


async def test_decentral_webhooks(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    hook = {
        "id": 7,
        "secret": "abc",
        "webhookUrl": "https://example.com/hook",
        "webhookFeatures": ["DEVICE_STATUS"],
    }
    nuki_server.respond(200, [hook])
    hooks = await client.decentral_webhooks()
    assert hooks == [DecentralWebhook.from_json(hook)]
    assert (nuki_server.last.method, nuki_server.last.path) == ("GET", "/api/decentralWebhook")


async def test_register_decentral_webhook(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    nuki_server.respond(
        200,
        {
            "id": 8,
            "secret": "f00",
            "webhookUrl": "https://example.com/hook",
            "webhookFeatures": ["DEVICE_STATUS", "DEVICE_LOGS"],
        },
    )
    hook = await client.register_decentral_webhook(
        "https://example.com/hook", ("DEVICE_STATUS", "DEVICE_LOGS")
    )
    assert hook.id == 8
    assert hook.secret == "f00"
    assert (nuki_server.last.method, nuki_server.last.path) == ("PUT", "/api/decentralWebhook")
    assert nuki_server.last.json == {
        "webhookUrl": "https://example.com/hook",
        "webhookFeatures": ["DEVICE_STATUS", "DEVICE_LOGS"],
    }


async def test_base_url_trailing_slash_and_repr(session: Any, nuki_server: FakeNuki) -> None:
    client = NukiWebApiClient(session, TOKEN, base_url=nuki_server.url + "/")
    nuki_server.respond(204)
    await client.sync(1)
    assert nuki_server.last.path == "/smartlock/1/sync"
    assert repr(client) == f"NukiWebApiClient(base_url={nuki_server.url!r})"
    assert TOKEN not in repr(client)


def test_default_base_url(session: Any) -> None:
    assert "https://api.nuki.io" in repr(NukiWebApiClient(session, TOKEN))
