"""The aiohttp application: Nuki's endpoints, bearer/scope checks, faults and counters."""

from __future__ import annotations

import copy
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from . import SMART_HOSTING_MESSAGE
from .core import OPENER, Actor, Device, Json, Simulator, Token, parse_iso
from .errors import (
    LOCKED_BODY,
    NOT_AUTHORIZED,
    RESTLET_500,
    ApiError,
    error_body,
    not_found,
    not_valid,
)
from .validation import (
    ADVANCED_CONFIG_FIELDS,
    AUTH_CREATE_FIELDS,
    CONFIG_FIELDS,
    OPENER_ADVANCED_CONFIG_FIELDS,
    SMARTDOOR_ADVANCED_CONFIG_FIELDS,
    WEB_CONFIG_FIELDS,
    check_auth_create,
    check_auth_update,
    check_list,
    check_object,
    require_int,
)

SIMULATOR = web.AppKey("simulator", Simulator)
TOKEN = "nuki_token"  # noqa: S105 - a request key, not a secret

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

WEBHOOK_FEATURES = frozenset(
    {
        "DEVICE_STATUS",
        "DEVICE_MASTERDATA",
        "DEVICE_CONFIG",
        "DEVICE_LOGS",
        "DEVICE_AUTHS",
        "ACCOUNT_USER",
    }
)
NGINX = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
LIST_ERROR = "Internal error, please try again later"


@dataclass(frozen=True)
class RouteSpec:
    """What a Nuki route needs: any one of `scopes`; `advanced` = Advanced API only."""

    scopes: frozenset[str]
    advanced: bool = False
    list_items: bool = False


def sim_of(request: web.Request) -> Simulator:
    """Return the Simulator behind the app."""
    return request.app[SIMULATOR]


def token_of(request: web.Request) -> Token:
    """Return the token the middleware accepted."""
    token: Token = request[TOKEN]
    return token


def error_response(status: int, message: str) -> web.Response:
    """Return Nuki's JSON error body."""
    return web.json_response(error_body(message), status=status)


def nginx(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    """Return an nginx-style HTML error page."""
    return web.Response(
        status=status,
        text=NGINX.format(f"{status} {reason}"),
        content_type="text/html",
        headers=headers,
    )


async def _pre_fault(kind: str, sim: Simulator) -> web.Response | None:
    """Answer a fault that replaces the request (None for 'timeout' after its sleep)."""
    match kind:
        case "401":
            return error_response(401, NOT_AUTHORIZED)
        case "403":
            return web.Response(status=403, text="403 Forbidden", content_type="text/plain")
        case "423":
            return web.json_response(LOCKED_BODY, status=423)
        case "429":
            return nginx(429, "Too Many Requests", {"Retry-After": str(sim.faults.retry_after)})
        case "429-no-retry-after":
            return nginx(429, "Too Many Requests")
        case "500":
            return nginx(500, "Internal Server Error")
        case "500-json":
            return web.json_response(RESTLET_500, status=500)
        case "502":
            return nginx(502, "Bad Gateway")
        case "timeout":
            await sim.pause(sim.faults.timeout_seconds)
    return None


def _error_items(body: Any) -> Any:
    """Reduce every list item to its ids plus an `error` (the 'error-items' fault)."""
    if not isinstance(body, list):
        return body
    keep = ("id", "smartlockId", "accountId", "type", "authId")
    return [{**{k: i[k] for k in keep if k in i}, "error": LIST_ERROR} for i in body]


def _bad_items(body: Any) -> Any:
    """Put unparsable items before the real ones (the 'bad-items' fault).

    Not JSON objects, an object without ids, and copies of the first item with one field
    broken: an id of the wrong type or missing, a null type/action/date, a date that is none.
    """
    if not isinstance(body, list) or not body:
        return body
    first = body[0]
    bad: list[Any] = [None, "item", 42, {}]
    for key, value in (("id", 12345), ("smartlockId", str(first.get("smartlockId")))):
        if key in first:
            bad.append({**first, key: value})
            bad.append({k: v for k, v in first.items() if k != key})
    for key in ("type", "action", "date"):
        if key in first:
            bad.append({**first, key: None})
    if "date" in first:
        bad.append({**first, "date": "0000-00-00T00:00:00Z"})
    return bad + body


async def _post_fault(
    kind: str, request: web.Request, response: web.StreamResponse
) -> web.StreamResponse:
    """Spoil a successful JSON answer: malformed, truncated, error-only or bad list items."""
    if not isinstance(response, web.Response) or response.content_type != "application/json":
        return response
    raw = response.text or ""
    if kind == "malformed":
        return web.Response(
            status=200, text=raw[: len(raw) // 2] + "<!-- oops", content_type="application/json"
        )
    if kind == "error-items":
        return web.json_response(_error_items(json.loads(raw)))
    if kind == "bad-items":
        return web.json_response(_bad_items(json.loads(raw)))
    # truncated: announce the full length, send half, drop the connection
    data = raw.encode()
    stream = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    stream.content_length = len(data)
    await stream.prepare(request)
    await stream.write(data[: len(data) // 2])
    if request.transport is not None:
        request.transport.close()
    return stream


@web.middleware
async def nuki_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count, delay, inject faults, check bearer token and scope, render ApiError."""
    resource = request.match_info.route.resource
    route = f"{request.method} {resource.canonical}" if resource is not None else ""
    spec = ROUTE_SPECS.get(route)
    if spec is None:
        return await handler(request)
    sim = sim_of(request)
    sim.counters[route] += 1
    sim.in_flight[route] += 1
    sim.max_in_flight[route] = max(sim.max_in_flight[route], sim.in_flight[route])
    try:
        if sim.faults.latency:
            await sim.pause(sim.faults.latency)
        kind = sim.faults.pick(route)
        if kind is not None:
            early = await _pre_fault(kind, sim)
            if early is not None:
                return early
        header = request.headers.get("Authorization", "")
        token = sim.token(header[7:] if header.startswith("Bearer ") else None)
        if token is None or not spec.scopes & token.scopes:
            return error_response(401, NOT_AUTHORIZED)
        if spec.advanced and not token.advanced_api:
            return error_response(403, "Forbidden")
        request[TOKEN] = token
        try:
            response = await handler(request)
        except ApiError as err:
            return web.json_response(err.body, status=err.status)
        if kind in ("malformed", "truncated") or (
            kind in ("error-items", "bad-items") and spec.list_items
        ):
            return await _post_fault(kind, request, response)
        return response
    finally:
        sim.in_flight[route] -= 1


async def read_json(request: web.Request) -> Any:
    """Return the request's JSON body or raise Nuki's 400."""
    try:
        return await request.json()
    except ValueError:
        raise not_valid(None, "body") from None


def no_content() -> web.Response:
    """Return Nuki's 204 for an accepted write."""
    return web.Response(status=204)


# ---- rendering ----------------------------------------------------------------------------


def smartlock_json(dev: Device) -> Json:
    """Return GET /smartlock/{id} for a device."""
    return copy.deepcopy(dev.data)


def smartlock_item(dev: Device) -> Json:
    """Return a GET /smartlock list item; without Smart Hosting, the seed's exact shape."""
    if not dev.no_subscription:
        return smartlock_json(dev)
    return {
        "smartlockId": dev.id,
        "accountId": 0,
        "type": 0,
        "favorite": False,
        "serverState": 1,
        "adminPinState": 1,
        "virtualDevice": False,
        "error": SMART_HOSTING_MESSAGE,
        "subscriptions": [],
    }


def auth_item(auth: Json, dev: Device) -> Json:
    """Return a GET /smartlock/auth item; without Smart Hosting, the seed's exact shape."""
    if not dev.no_subscription:
        return copy.deepcopy(auth)
    return {
        "smartlockId": dev.id,
        "authId": auth["authId"],
        "type": auth["type"],
        "enabled": auth["enabled"],
        "remoteAllowed": auth["remoteAllowed"],
        "lockCount": auth["lockCount"],
        "error": SMART_HOSTING_MESSAGE,
    }


def log_item(entry: Json, dev: Device | None) -> Json:
    """Return a GET /smartlock/log item; without Smart Hosting, the seed's exact shape."""
    if dev is None or not dev.no_subscription:
        return entry
    return {
        "id": entry["id"],
        "smartlockId": dev.id,
        "deviceType": 0,
        "action": 255,
        "trigger": 255,
        "state": 255,
        "autoUnlock": False,
        "date": entry["date"],
        "source": 6,
        "error": SMART_HOSTING_MESSAGE,
    }


def _int_query(request: web.Request, name: str) -> int | None:
    text = request.query.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise not_valid(text, name) from None


def _types_query(request: web.Request) -> set[int] | None:
    text = request.query.get("types")
    if not text:
        return None
    try:
        return {int(part) for part in text.split(",")}
    except ValueError:
        raise not_valid(text, "types") from None


# ---- account & smartlocks -----------------------------------------------------------------


async def get_account(request: web.Request) -> web.Response:
    """GET /account."""
    return web.json_response(copy.deepcopy(sim_of(request).accounts[token_of(request).account_id]))


async def get_smartlocks(request: web.Request) -> web.Response:
    """GET /smartlock (query authId, type)."""
    auth_id = _int_query(request, "authId")
    dev_type = _int_query(request, "type")
    items = [
        smartlock_item(d)
        for d in sim_of(request).account_devices(token_of(request))
        if (auth_id is None or d.data["authId"] == auth_id)
        and (dev_type is None or d.type == dev_type)
    ]
    return web.json_response(items)


def _device(request: web.Request, *, hosted: bool = True) -> Device:
    return sim_of(request).device(
        token_of(request), request.match_info["smartlockId"], hosted=hosted
    )


async def get_smartlock(request: web.Request) -> web.Response:
    """GET /smartlock/{smartlockId}."""
    return web.json_response(smartlock_json(_device(request)))


async def update_smartlock(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId} (SmartlockUpdate: name, favorite)."""
    dev = _device(request)
    fields = check_object(await read_json(request), {"name": "str", "favorite": "bool"})
    dev.data.update(fields)
    if "name" in fields:
        dev.data.setdefault("config", {})["name"] = fields["name"]
    sim_of(request).masterdata_changed(dev)
    return no_content()


async def delete_smartlock(request: web.Request) -> web.Response:
    """DELETE /smartlock/{smartlockId}."""
    dev = _device(request)
    sim_of(request).remove_device(dev.id)
    return no_content()


# ---- actions -------------------------------------------------------------------------------


def _web_actor(request: web.Request) -> Actor:
    token = token_of(request)
    return Actor(token.user_name, 4, account_user_id=token.account_user_id)


async def _action_body(request: web.Request) -> tuple[int, int]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise not_valid(body, "body")
    action = require_int(body, "action")
    option = require_int(body, "option", required=False) or 0
    if option not in (0, 2, 4, 6):
        raise not_valid(option, "option")
    assert action is not None
    return action, option


async def post_action(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/action {action, option}."""
    dev = _device(request)
    action, _ = await _action_body(request)
    sim_of(request).start_action(dev, action, _web_actor(request))
    return no_content()


def _lock_unlock(request: web.Request) -> tuple[Device, int]:
    dev = _device(request)
    if dev.type == OPENER:
        raise ApiError(405, "Not allowed")
    return dev, 2 if request.path.rstrip("/").split("/")[4] == "lock" else 1


async def post_lock_unlock(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/action/lock and /unlock (no body; 405 for the Opener)."""
    dev, action = _lock_unlock(request)
    sim_of(request).start_action(dev, action, _web_actor(request))
    return no_content()


async def post_sync(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/sync: accepted, nothing changes (also without Smart Hosting)."""
    _device(request, hosted=False)
    return no_content()


def _advanced_action(request: web.Request, dev: Device, action: int) -> web.Response:
    sim = sim_of(request)
    request_id = str(uuid.uuid4())
    names = {1: "Unlock", 2: "Lock", 3: "Unlatch", 4: "LockNGo", 5: "LockNGoUnlatch"}
    if dev.type == OPENER:
        names = {
            1: "ActivateRto",
            2: "DeactivateRto",
            3: "Open",
            6: "ActivateCm",
            7: "DeactivateCm",
        }
    kind = f"{names.get(action, 'Smartlock')}Action"

    def result(error_code: str | None) -> Json:
        payload: Json = {
            "type": kind,
            "requestId": request_id,
            "smartlockId": dev.id,
            "success": error_code is None,
        }
        if error_code is not None:
            payload["errorCode"] = error_code
        return payload

    def done(success: bool) -> None:
        sim.emit(dev.account_id, "API", result(None if success else "ff"))

    if (code := sim.advanced_errors.pop(dev.id, None)) is not None:
        sim.later(sim.actuation_delay, lambda: sim.emit(dev.account_id, "API", result(code)))
    else:
        sim.start_action(dev, action, _web_actor(request), done)
    return web.json_response({"requestId": request_id})


async def post_action_advanced(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/action/advanced: 200 {requestId}, result by webhook."""
    dev = _device(request)
    action, _ = await _action_body(request)
    return _advanced_action(request, dev, action)


async def post_lock_unlock_advanced(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/action/lock/advanced and /unlock/advanced."""
    dev, action = _lock_unlock(request)
    return _advanced_action(request, dev, action)


# ---- config ---------------------------------------------------------------------------------

# path suffix -> (object key, field table, device types or None = all, Smart Hosting enforced)
CONFIG_ROUTES: dict[str, tuple[str, dict[str, str], frozenset[int] | None, bool]] = {
    "config": ("config", CONFIG_FIELDS, None, True),
    "advanced/config": ("advancedConfig", ADVANCED_CONFIG_FIELDS, frozenset({0, 1, 4, 5}), True),
    "advanced/openerconfig": (
        "openerAdvancedConfig",
        OPENER_ADVANCED_CONFIG_FIELDS,
        frozenset({2}),
        False,
    ),
    "advanced/smartdoorconfig": (
        "smartdoorAdvancedConfig",
        SMARTDOOR_ADVANCED_CONFIG_FIELDS,
        frozenset({3}),
        True,
    ),
    "web/config": ("webConfig", WEB_CONFIG_FIELDS, None, False),
}


def config_handler(suffix: str) -> Handler:
    """Build the POST handler for one config object."""
    key, fields, types, hosted = CONFIG_ROUTES[suffix]

    async def handler(request: web.Request) -> web.Response:
        dev = _device(request, hosted=hosted)
        if types is not None and dev.type not in types:
            raise not_valid(dev.id, "smartlockId")
        values = check_object(await read_json(request), fields)
        sim_of(request).update_config_later(dev, key, values)
        return no_content()

    handler.__doc__ = f"POST /smartlock/{{smartlockId}}/{suffix}."
    return handler


async def post_admin_pin(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/admin/pin {adminPin}."""
    dev = _device(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise not_valid(body, "body")
    pin = require_int(body, "adminPin")
    assert pin is not None
    if not 0 <= pin <= 999999:
        raise not_valid(pin, "adminPin")
    sim = sim_of(request)
    sim.require_idle(dev)
    sim.later(sim.actuation_delay, lambda: dev.data.update(adminPinState=0))
    return no_content()


async def post_bulk_web_config(request: web.Request) -> web.Response:
    """POST /bulk-web-config {webConfigRequests: [{smartlockId, webConfig}]}."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise not_valid(body, "body")
    sim = sim_of(request)
    work = []
    for item in check_list(body.get("webConfigRequests"), "webConfigRequests"):
        if not isinstance(item, dict):
            raise not_valid(item, "webConfigRequests")
        dev = sim.device(token_of(request), item.get("smartlockId", ""), hosted=False)
        work.append((dev, check_object(item.get("webConfig"), WEB_CONFIG_FIELDS, "webConfig")))
    for dev, values in work:
        sim.update_config_later(dev, "webConfig", values)
    return no_content()


# ---- logs -----------------------------------------------------------------------------------


def _logs(request: web.Request, devices: list[Device]) -> web.Response:
    sim = sim_of(request)
    by_id = {d.id: d for d in devices}
    limit = _int_query(request, "limit")
    limit = 20 if limit is None else limit
    if not 1 <= limit <= 50:
        raise not_valid(limit, "limit")
    from_date = request.query.get("fromDate")
    to_date = request.query.get("toDate")
    start = parse_iso(from_date) if from_date else None
    end = parse_iso(to_date) if to_date else None
    older_than = request.query.get("id")
    action = _int_query(request, "action")
    user = _int_query(request, "accountUserId")
    auth_id = request.query.get("authId")
    result: list[Json] = []
    for entry in reversed(sim.logs):
        if entry["smartlockId"] not in by_id:
            continue
        if older_than is not None and entry["id"] >= older_than:
            continue
        stamp = parse_iso(entry["date"])
        if (start is not None and stamp < start) or (end is not None and stamp > end):
            continue
        if action is not None and entry["action"] != action:
            continue
        if user is not None and entry.get("accountUserId") != user:
            continue
        if auth_id is not None and entry.get("authId") != auth_id:
            continue
        result.append(log_item(entry, by_id[entry["smartlockId"]]))
        if len(result) == limit:
            break
    return web.json_response(result)


async def get_logs(request: web.Request) -> web.Response:
    """GET /smartlock/log (fromDate, toDate, id = older than, limit 20/50, action, accountUserId)."""
    return _logs(request, sim_of(request).account_devices(token_of(request)))


async def get_device_logs(request: web.Request) -> web.Response:
    """GET /smartlock/{smartlockId}/log (same filters plus authId)."""
    return _logs(request, [_device(request)])


# ---- auths ----------------------------------------------------------------------------------


def _auth_matches(auth: Json, types: set[int] | None, user: int | None) -> bool:
    return (types is None or auth["type"] in types) and (
        user is None or auth.get("accountUserId") == user
    )


async def get_auths(request: web.Request) -> web.Response:
    """GET /smartlock/auth (types, accountUserId)."""
    sim = sim_of(request)
    devices = {d.id: d for d in sim.account_devices(token_of(request))}
    types, user = _types_query(request), _int_query(request, "accountUserId")
    items = [
        auth_item(a, devices[a["smartlockId"]])
        for a in sim.auths.values()
        if a["smartlockId"] in devices and _auth_matches(a, types, user)
    ]
    return web.json_response(items)


async def get_device_auths(request: web.Request) -> web.Response:
    """GET /smartlock/{smartlockId}/auth (types)."""
    dev = _device(request)
    types = _types_query(request)
    items = [
        copy.deepcopy(a)
        for a in sim_of(request).auths.values()
        if a["smartlockId"] == dev.id and _auth_matches(a, types, None)
    ]
    return web.json_response(items)


def _check_create_on(sim: Simulator, devices: list[Device], fields: Json) -> None:
    for dev in devices:
        if fields.get("type") == 13:
            sim.check_code_free(dev, fields.get("code"))


async def put_auths(request: web.Request) -> web.Response:
    """PUT /smartlock/auth: create on several devices; devices without Smart Hosting are skipped."""
    sim = sim_of(request)
    fields = check_auth_create(
        await read_json(request), {**AUTH_CREATE_FIELDS, "smartlockIds": "list"}
    )
    ids = check_list(fields.pop("smartlockIds", None), "smartlockIds")
    devices = [sim.device(token_of(request), i, hosted=False) for i in ids]
    devices = [d for d in devices if not d.no_subscription]
    _check_create_on(sim, devices, fields)
    for dev in devices:
        sim.create_auth_later(dev, fields)
    return no_content()


async def post_auths(request: web.Request) -> web.Response:
    """POST /smartlock/auth: update several auths (Smart Hosting error if one device lacks it)."""
    sim = sim_of(request)
    token = token_of(request)
    work = []
    for item in check_list(await read_json(request)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "name" not in item:
            raise not_valid(item, "body")
        auth = sim.auth(token, item["id"])
        if sim.devices[auth["smartlockId"]].no_subscription:
            raise sim.smart_hosting_error()
        work.append((auth, check_auth_update({k: v for k, v in item.items() if k != "id"})))
    for auth, fields in work:
        sim.update_auth_later(auth, fields)
    return no_content()


async def delete_auths(request: web.Request) -> web.Response:
    """DELETE /smartlock/auth ["id", ...]: devices without Smart Hosting are skipped silently."""
    sim = sim_of(request)
    token = token_of(request)
    ids = check_list(await read_json(request))
    auths = [sim.auth(token, str(i)) for i in ids]
    for auth in auths:
        if not sim.devices[auth["smartlockId"]].no_subscription:
            sim.delete_auth_later(auth)
    return no_content()


async def put_device_auth(request: web.Request) -> web.Response:
    """PUT /smartlock/{smartlockId}/auth (SmartlockAuthCreate)."""
    dev = _device(request)
    fields = check_auth_create(await read_json(request))
    sim_of(request).create_auth_later(dev, fields)
    return no_content()


def _device_auth(request: web.Request) -> Json:
    return sim_of(request).auth(token_of(request), request.match_info["id"], _device(request))


async def get_device_auth(request: web.Request) -> web.Response:
    """GET /smartlock/{smartlockId}/auth/{id}."""
    return web.json_response(copy.deepcopy(_device_auth(request)))


async def post_device_auth(request: web.Request) -> web.Response:
    """POST /smartlock/{smartlockId}/auth/{id} (SmartlockAuthUpdate)."""
    auth = _device_auth(request)
    body = await read_json(request)
    if not isinstance(body, dict) or "name" not in body:
        raise not_valid(None, "name")
    sim_of(request).update_auth_later(auth, check_auth_update(body))
    return no_content()


async def delete_device_auth(request: web.Request) -> web.Response:
    """DELETE /smartlock/{smartlockId}/auth/{id}."""
    sim_of(request).delete_auth_later(_device_auth(request))
    return no_content()


async def put_auths_advanced(request: web.Request) -> web.Response:
    """PUT /smartlock/auth/advanced: 200 {requestId[, error listing devices without Smart Hosting]}."""
    sim = sim_of(request)
    fields = check_auth_create(
        await read_json(request),
        {k: v for k, v in AUTH_CREATE_FIELDS.items() if k not in ("type", "code")}
        | {"smartlockIds": "list"},
    )
    ids = check_list(fields.pop("smartlockIds", None), "smartlockIds")
    devices = [sim.device(token_of(request), i, hosted=False) for i in ids]
    request_id = str(uuid.uuid4())
    answer: Json = {"requestId": request_id}
    missing = [str(d.id) for d in devices if d.no_subscription]
    if missing:
        answer["error"] = (
            "Auths cannot be created. Please get Smart Hosting subscription for the Smart Locks with ID: "
            + ", ".join(missing)
        )
    hosted = [d for d in devices if not d.no_subscription]
    for dev in hosted:
        sim.create_auth_later(dev, fields)
    if hosted:
        account = hosted[0].account_id
        result = {"type": "AuthCreation", "requestId": request_id, "success": True}
        sim.later(sim.actuation_delay, lambda: sim.emit(account, "API", result))
    return web.json_response(answer)


# ---- decentral webhooks -----------------------------------------------------------------------


async def get_webhooks(request: web.Request) -> web.Response:
    """GET /api/decentralWebhook."""
    account = token_of(request).account_id
    items = [
        {k: v for k, v in w.items() if k != "accountId"}
        for w in sim_of(request).webhooks.values()
        if w["accountId"] == account
    ]
    return web.json_response(items)


def _webhook_url_ok(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    )


async def put_webhook(request: web.Request) -> web.Response:
    """PUT /api/decentralWebhook {webhookUrl, webhookFeatures}: 200 with id and secret."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise not_valid(body, "body")
    url, features = body.get("webhookUrl"), body.get("webhookFeatures")
    if not _webhook_url_ok(url):
        raise not_valid(url, "webhookUrl")
    if not isinstance(features, list) or not features or not set(features) <= WEBHOOK_FEATURES:
        raise not_valid(features, "webhookFeatures")
    sim = sim_of(request)
    hook: Json = {
        "id": max(sim.webhooks, default=0) + 1,
        "secret": secrets.token_hex(20),
        "webhookUrl": url,
        "webhookFeatures": list(dict.fromkeys(features)),
    }
    sim.webhooks[hook["id"]] = {**hook, "accountId": token_of(request).account_id}
    return web.json_response(hook)


async def delete_webhook(request: web.Request) -> web.Response:
    """DELETE /api/decentralWebhook/{id}."""
    sim = sim_of(request)
    try:
        hook_id = int(request.match_info["id"])
    except ValueError:
        raise not_found("Webhook") from None
    hook = sim.webhooks.get(hook_id)
    if hook is None or hook["accountId"] != token_of(request).account_id:
        raise not_found("Webhook")
    del sim.webhooks[hook_id]
    return no_content()


# ---- routing ----------------------------------------------------------------------------------

_READ = ("smartlock", "smartlock.readOnly")
_ACTION = ("smartlock.action",)
_AUTH = ("smartlock.auth",)
_CONFIG = ("smartlock.config",)
_LOG = ("smartlock.log",)
_HOOK = ("webhook.decentral",)
_ID = "/smartlock/{smartlockId}"

ROUTES: list[tuple[str, str, Handler, tuple[str, ...], dict[str, bool]]] = [
    ("GET", "/account", get_account, ("account",), {}),
    ("GET", "/smartlock", get_smartlocks, _READ, {"list_items": True}),
    ("GET", "/smartlock/log", get_logs, _LOG, {"list_items": True}),
    ("GET", "/smartlock/auth", get_auths, _AUTH, {"list_items": True}),
    ("PUT", "/smartlock/auth", put_auths, _AUTH, {}),
    ("POST", "/smartlock/auth", post_auths, _AUTH, {}),
    ("DELETE", "/smartlock/auth", delete_auths, _AUTH, {}),
    ("PUT", "/smartlock/auth/advanced", put_auths_advanced, _AUTH, {"advanced": True}),
    ("GET", _ID, get_smartlock, _READ, {}),
    ("POST", _ID, update_smartlock, ("smartlock",), {}),
    ("DELETE", _ID, delete_smartlock, ("smartlock",), {}),
    ("POST", f"{_ID}/action", post_action, _ACTION, {}),
    ("POST", f"{_ID}/action/lock", post_lock_unlock, _ACTION, {}),
    ("POST", f"{_ID}/action/unlock", post_lock_unlock, _ACTION, {}),
    ("POST", f"{_ID}/action/advanced", post_action_advanced, _ACTION, {"advanced": True}),
    ("POST", f"{_ID}/action/lock/advanced", post_lock_unlock_advanced, _ACTION, {"advanced": True}),
    (
        "POST",
        f"{_ID}/action/unlock/advanced",
        post_lock_unlock_advanced,
        _ACTION,
        {"advanced": True},
    ),
    ("POST", f"{_ID}/sync", post_sync, _ACTION, {}),
    ("GET", f"{_ID}/log", get_device_logs, _LOG, {"list_items": True}),
    ("GET", f"{_ID}/auth", get_device_auths, _AUTH, {"list_items": True}),
    ("PUT", f"{_ID}/auth", put_device_auth, _AUTH, {}),
    ("GET", f"{_ID}/auth/{{id}}", get_device_auth, _AUTH, {}),
    ("POST", f"{_ID}/auth/{{id}}", post_device_auth, _AUTH, {}),
    ("DELETE", f"{_ID}/auth/{{id}}", delete_device_auth, _AUTH, {}),
    ("POST", f"{_ID}/admin/pin", post_admin_pin, _CONFIG, {}),
    ("POST", "/bulk-web-config", post_bulk_web_config, _CONFIG, {}),
    ("GET", "/api/decentralWebhook", get_webhooks, _HOOK, {"advanced": True}),
    ("PUT", "/api/decentralWebhook", put_webhook, _HOOK, {"advanced": True}),
    ("DELETE", "/api/decentralWebhook/{id}", delete_webhook, _HOOK, {"advanced": True}),
    *[("POST", f"{_ID}/{suffix}", config_handler(suffix), _CONFIG, {}) for suffix in CONFIG_ROUTES],
]

ROUTE_SPECS: dict[str, RouteSpec] = {
    f"{method} {path}": RouteSpec(frozenset(scopes), **flags)
    for method, path, _, scopes, flags in ROUTES
}


def create_app(sim: Simulator) -> web.Application:
    """Return the aiohttp app serving `sim` (Nuki routes plus /_sim control routes)."""
    from .control import add_control_routes  # noqa: PLC0415 - control imports this module
    from .webhooks import WebhookSender  # noqa: PLC0415

    app = web.Application(middlewares=[nuki_middleware])
    app[SIMULATOR] = sim
    for method, path, handler, _, _ in ROUTES:
        app.router.add_route(method, path, handler)
    add_control_routes(app)
    WebhookSender.attach(app, sim)
    return app
