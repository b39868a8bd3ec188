"""Control endpoints under /_sim/ (no auth): faults, settings, physical events, devices, counters."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .app import SIMULATOR, Handler, read_json
from .core import Json, Simulator
from .errors import ApiError, error_body, not_valid
from .webhooks import WEBHOOKS


def _sim(request: web.Request) -> Simulator:
    return request.app[SIMULATOR]


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["smartlockId"])
    except ValueError:
        raise not_valid(request.match_info["smartlockId"], "smartlockId") from None


async def _body(request: web.Request) -> Json:
    if not request.can_read_body:
        return {}
    body = await read_json(request)
    if not isinstance(body, dict):
        raise not_valid(body, "body")
    return body


def _guard(handler: Handler) -> Handler:
    """Render ApiError and ValueError as JSON errors (the Nuki middleware skips /_sim)."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as err:
            return web.json_response(error_body(err.message), status=err.status)
        except (ValueError, TypeError, KeyError) as err:
            return web.json_response(error_body(str(err)), status=400)

    wrapped.__doc__ = handler.__doc__
    return wrapped


def ok(data: Any = None) -> web.Response:
    """Return 200 with `data` (or {"ok": true})."""
    return web.json_response({"ok": True} if data is None else data)


async def get_state(request: web.Request) -> web.Response:
    """GET /_sim/state: dump everything."""
    data = _sim(request).dump()
    data["webhook_deliveries"] = request.app[WEBHOOKS].deliveries
    return ok(data)


async def get_faults(request: web.Request) -> web.Response:
    """GET /_sim/faults."""
    return ok(_sim(request).faults.as_json())


async def post_faults(request: web.Request) -> web.Response:
    """POST /_sim/faults {rate, kinds, latency, timeout_seconds, retry_after, seed}."""
    body = await _body(request)
    faults = _sim(request).faults
    faults.configure(
        rate=body.get("rate"),
        kinds=body.get("kinds"),
        latency=body.get("latency"),
        timeout_seconds=body.get("timeout_seconds"),
        retry_after=body.get("retry_after"),
        seed=body.get("seed"),
    )
    return ok(faults.as_json())


async def delete_faults(request: web.Request) -> web.Response:
    """DELETE /_sim/faults: no random errors, no latency, empty queue."""
    _sim(request).faults.reset()
    return ok()


async def post_fail_next(request: web.Request) -> web.Response:
    """POST /_sim/faults/next {kind, count=1, route=null}."""
    body = await _body(request)
    faults = _sim(request).faults
    faults.fail_next(str(body["kind"]), int(body.get("count", 1)), body.get("route"))
    return ok(faults.as_json())


async def post_settings(request: web.Request) -> web.Response:
    """POST /_sim/settings {actuation_delay, hold_scale, smart_hosting_status, smart_hosting_body, busy_conflicts, webhook_*}.

    webhook_delay (s), webhook_loss (0..1), webhook_redirect (base URL for deliveries).
    """
    body = await _body(request)
    sim = _sim(request)
    if "actuation_delay" in body:
        sim.actuation_delay = float(body["actuation_delay"])
    if "hold_scale" in body:
        sim.hold_scale = float(body["hold_scale"])
    if "smart_hosting_status" in body:
        sim.smart_hosting_status = int(body["smart_hosting_status"])
    if "smart_hosting_body" in body:
        sim.set_smart_hosting_body(str(body["smart_hosting_body"]))
    if "busy_conflicts" in body:
        sim.busy_conflicts = bool(body["busy_conflicts"])
    request.app[WEBHOOKS].configure(
        delay=body.get("webhook_delay"),
        loss=body.get("webhook_loss"),
        redirect=body.get("webhook_redirect"),
    )
    return ok(sim.dump()["settings"])


async def post_button(request: web.Request) -> web.Response:
    """POST /_sim/devices/{id}/button: press the device button."""
    _sim(request).press_button(_id(request))
    return ok()


async def post_door(request: web.Request) -> web.Response:
    """POST /_sim/devices/{id}/door {"door": "open"|"closed"|"ajar", "ajarTimeout": 5}."""
    body = await _body(request)
    _sim(request).set_door(_id(request), str(body.get("door")), int(body.get("ajarTimeout", 5)))
    return ok()


async def post_ring(request: web.Request) -> web.Response:
    """POST /_sim/devices/{id}/ring: ring the bell at an Opener."""
    _sim(request).ring(_id(request))
    return ok()


async def post_keypad(request: web.Request) -> web.Response:
    """POST /_sim/devices/{id}/keypad {"code": 456789, "action": 1}: enter a code."""
    body = await _body(request)
    accepted = _sim(request).use_keypad(_id(request), int(body["code"]), body.get("action"))
    return ok({"accepted": accepted})


async def post_smart_hosting(request: web.Request) -> web.Response:
    """POST /_sim/devices/{id}/smart-hosting {"active": bool}."""
    body = await _body(request)
    _sim(request).set_smart_hosting(_id(request), bool(body["active"]))
    return ok()


async def patch_device(request: web.Request) -> web.Response:
    """PATCH /_sim/devices/{id}: deep-merge fields into the device JSON (e.g. serverState, state)."""
    body = await _body(request)
    dev = _sim(request).any_device(_id(request))
    _merge(dev.data, body)
    if "batteryCharge" in body.get("state", {}):
        dev.battery = float(body["state"]["batteryCharge"])
    return ok(dev.data)


def _merge(target: Json, changes: Json) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


async def put_device(request: web.Request) -> web.Response:
    """PUT /_sim/devices: add a device (Smartlock JSON; `_sim` flags keypad/doorSensor/smartHosting)."""
    dev = _sim(request).add_device(await _body(request))
    return ok(dev.data)


async def delete_device(request: web.Request) -> web.Response:
    """DELETE /_sim/devices/{id}: remove a device."""
    _sim(request).remove_device(_id(request))
    return ok()


async def get_counters(request: web.Request) -> web.Response:
    """GET /_sim/counters: requests per route, in flight now, max in flight."""
    return ok(_sim(request).counters_json())


async def delete_counters(request: web.Request) -> web.Response:
    """DELETE /_sim/counters: reset."""
    _sim(request).reset_counters()
    return ok()


_DEV = "/_sim/devices/{smartlockId}"
CONTROL_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/_sim/state", get_state),
    ("GET", "/_sim/faults", get_faults),
    ("POST", "/_sim/faults", post_faults),
    ("DELETE", "/_sim/faults", delete_faults),
    ("POST", "/_sim/faults/next", post_fail_next),
    ("POST", "/_sim/settings", post_settings),
    ("PUT", "/_sim/devices", put_device),
    ("PATCH", _DEV, patch_device),
    ("DELETE", _DEV, delete_device),
    ("POST", f"{_DEV}/button", post_button),
    ("POST", f"{_DEV}/door", post_door),
    ("POST", f"{_DEV}/ring", post_ring),
    ("POST", f"{_DEV}/keypad", post_keypad),
    ("POST", f"{_DEV}/smart-hosting", post_smart_hosting),
    ("GET", "/_sim/counters", get_counters),
    ("DELETE", "/_sim/counters", delete_counters),
]


def add_control_routes(app: web.Application) -> None:
    """Register the /_sim routes."""
    for method, path, handler in CONTROL_ROUTES:
        app.router.add_route(method, path, _guard(handler))
