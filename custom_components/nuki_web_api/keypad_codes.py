"""The keypad-code actions: create, update and delete a code, each confirmed by reading back."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from .api import AuthType, SmartlockAuth
from .auth_writes import (
    WINDOW_FIELDS,
    Body,
    auth_update_body,
    await_change,
    checked_name,
    hosting_missing,
    outcome,
    read_auths,
    smart_hosting,
    window,
    write,
)
from .service_targets import DEVICES, SchemaDict, Target, by_coordinator, invalid, resolve_targets

_PICK_CODE: SchemaDict = {
    probatio.Optional("auth_id"): cv.string,
    probatio.Optional("name"): cv.string,
}

CREATE_SCHEMA = probatio.Schema(
    {
        **DEVICES,
        probatio.Required("name"): cv.string,
        probatio.Required("code"): cv.string,
        **WINDOW_FIELDS,
    }
)
UPDATE_SCHEMA = probatio.Schema(
    {
        **DEVICES,
        **_PICK_CODE,
        probatio.Optional("new_name"): cv.string,
        probatio.Optional("code"): cv.string,
        probatio.Optional("enabled"): cv.boolean,
        **WINDOW_FIELDS,
    }
)
DELETE_SCHEMA = probatio.Schema({**DEVICES, **_PICK_CODE})


def _code(text: str) -> int:
    """Apply Nuki's keypad-code rules: 6 digits, only 1-9, not starting with "12"."""
    if len(text) != 6 or not all("1" <= char <= "9" for char in text) or text.startswith("12"):
        raise invalid("invalid_code")
    return int(text)


def _check_keypad(target: Target) -> None:
    device = target.coordinator.data.devices[target.smartlock_id]
    config = device.config
    if config is not None and not (config.keypad_paired or config.keypad2_paired):
        raise invalid("no_keypad", device=target.name)


def _keypad_codes(auths: Sequence[SmartlockAuth], smartlock_id: int) -> list[SmartlockAuth]:
    return [a for a in auths if a.smartlock_id == smartlock_id and a.type == AuthType.KEYPAD_CODE]


def _pick_code(call: ServiceCall, auths: Sequence[SmartlockAuth], target: Target) -> SmartlockAuth:
    """Find the keypad code named by `auth_id` or `name` on the device."""
    auth_id, name = call.data.get("auth_id"), call.data.get("name")
    if (auth_id is None) == (name is None):
        raise invalid("pick_one_code")
    if hosting_missing(auths, target):
        raise smart_hosting([target])
    for auth in _keypad_codes(auths, target.smartlock_id):
        if auth.id is not None and (auth.id == auth_id or (auth_id is None and auth.name == name)):
            return auth
    raise invalid("code_not_found", device=target.name, code=str(auth_id or name))


async def async_create_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Create one keypad code on the chosen devices."""
    name = checked_name(call.data["name"])
    code = _code(call.data["code"])
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    body: Body = {
        "name": name,
        "type": int(AuthType.KEYPAD_CODE),
        "code": code,
        "remoteAllowed": False,
        **window(call.data),
    }
    created: dict[int, SmartlockAuth] = {}
    for coordinator, group in by_coordinator(targets).items():
        for target in group:
            _check_keypad(target)
        auths = await read_auths(coordinator)
        for target in group:
            if any(a.code == code for a in _keypad_codes(auths, target.smartlock_id)):
                raise invalid("code_exists", device=target.name)
        ids = [target.smartlock_id for target in group]
        await write(group, partial(coordinator.client.create_auths, ids, body))

        def done(auths: list[SmartlockAuth], target: Target) -> bool:
            for auth in _keypad_codes(auths, target.smartlock_id):
                if auth.code == code and auth.name == name:
                    created[target.smartlock_id] = auth
                    return True
            return False

        await await_change(coordinator, group, done)
    return outcome(targets, "created", created)


async def async_update_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Change a keypad code's name, code, enabled flag or window on the chosen devices."""
    changes: Body = window(call.data)
    if "new_name" in call.data:
        changes["name"] = checked_name(call.data["new_name"])
    if "code" in call.data:
        changes["code"] = _code(call.data["code"])
    if "enabled" in call.data:
        changes["enabled"] = call.data["enabled"]
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    updated: dict[int, SmartlockAuth] = {}
    picked: dict[int, SmartlockAuth] = {}
    for coordinator, group in by_coordinator(targets).items():
        auths = await read_auths(coordinator)
        picked.update({target.smartlock_id: _pick_code(call, auths, target) for target in group})
        for target in group:
            auth = picked[target.smartlock_id]
            body = auth_update_body(auth, **changes)
            auth_id = str(auth.id)
            await write(
                [target],
                partial(coordinator.client.update_auth, target.smartlock_id, auth_id, body),
            )

        def done(auths: list[SmartlockAuth], target: Target) -> bool:
            wanted = picked[target.smartlock_id].id
            for auth in auths:
                if auth.id == wanted and all(auth.raw.get(k) == v for k, v in changes.items()):
                    updated[target.smartlock_id] = auth
                    return True
            return False

        await await_change(coordinator, group, done)
    return outcome(targets, "updated", updated)


async def async_delete_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Delete a keypad code from the chosen devices."""
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    deleted: dict[int, SmartlockAuth] = {}
    for coordinator, group in by_coordinator(targets).items():
        auths = await read_auths(coordinator)
        for target in group:
            deleted[target.smartlock_id] = _pick_code(call, auths, target)
        ids = [str(deleted[target.smartlock_id].id) for target in group]
        await write(group, partial(coordinator.client.delete_auths, ids))

        def done(auths: list[SmartlockAuth], target: Target) -> bool:
            gone = deleted[target.smartlock_id].id
            return not any(auth.id == gone for auth in auths)

        await await_change(coordinator, group, done)
    return outcome(targets, "deleted", deleted)
