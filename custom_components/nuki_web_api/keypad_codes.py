"""The keypad-code actions: create, update and delete a code, each confirmed by reading back."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from functools import partial
from typing import Final

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from .api import AuthType, SmartlockAuth
from .auth_writes import (
    KEYPAD_NAME_LENGTH,
    WINDOW_FIELDS,
    Body,
    auth_update_body,
    check_hosting,
    checked_name,
    delete_and_confirm,
    outcome,
    read_accounts,
    undo_created,
    window,
    write_and_confirm,
)
from .coordinator import NukiCoordinator
from .service_targets import DEVICES, SchemaDict, Target, invalid, resolve_targets
from .write_ledger import Ledger, Stand, write_all

_PICK_CODE: SchemaDict = {
    probatio.Optional("auth_id"): cv.string,
    probatio.Optional("name"): cv.string,
}

CREATE_SCHEMA = probatio.Schema(
    {
        **DEVICES,
        probatio.Required("name"): cv.string,
        probatio.Optional("code"): cv.string,
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


# A generated code is drawn at most this often: with ~525,000 codes by Nuki's rules and a
# keypad's ~100 slots the first draw almost always fits, but a hostile list of taken codes
# must not keep the action spinning.
_DRAWS: Final = 1000


def _follows_rules(text: str) -> bool:
    """Nuki's keypad-code rules: 6 digits, only 1-9, not starting with "12"."""
    return len(text) == 6 and all("1" <= char <= "9" for char in text) and not text.startswith("12")


def _code(text: str) -> int:
    if not _follows_rules(text):
        raise invalid("invalid_code")
    return int(text)


def generate_code(taken: Collection[int]) -> int:
    """Draw a code by Nuki's rules that is not ``taken``; ``secrets``, as it opens a door."""
    for _ in range(_DRAWS):
        text = "".join(secrets.choice("123456789") for _ in range(6))
        if _follows_rules(text) and int(text) not in taken:
            return int(text)
    raise invalid("no_free_code")


def _check_keypad(target: Target) -> None:
    device = target.coordinator.data.devices.get(target.smartlock_id)
    config = None if device is None else device.config
    if config is not None and not (config.keypad_paired or config.keypad2_paired):
        raise invalid("no_keypad", device=target.name)


def _keypad_codes(auths: Sequence[SmartlockAuth], smartlock_id: int) -> list[SmartlockAuth]:
    return [a for a in auths if a.smartlock_id == smartlock_id and a.type == AuthType.KEYPAD_CODE]


def _check_code_free(
    auths: Sequence[SmartlockAuth], target: Target, code: int, keep: SmartlockAuth | None = None
) -> None:
    """Refuse a code another keypad code of the device has (``keep`` is the one changed)."""
    for auth in _keypad_codes(auths, target.smartlock_id):
        if auth.code == code and (keep is None or auth.id != keep.id):
            raise invalid("code_exists", device=target.name)


def _pick_code(call: ServiceCall, auths: Sequence[SmartlockAuth], target: Target) -> SmartlockAuth:
    """Find the keypad code named by `auth_id` or `name` on the device."""
    auth_id, name = call.data.get("auth_id"), call.data.get("name")
    for auth in _keypad_codes(auths, target.smartlock_id):
        if auth.id is not None and (auth.id == auth_id or (auth_id is None and auth.name == name)):
            return auth
    raise invalid("code_not_found", device=target.name, code=str(auth_id or name))


async def _picked_codes(
    call: ServiceCall, targets: list[Target]
) -> tuple[dict[NukiCoordinator, list[SmartlockAuth]], dict[int, SmartlockAuth]]:
    """Read every account and find the chosen code on every device, before any write."""
    if ("auth_id" in call.data) == ("name" in call.data):
        raise invalid("pick_one_code")
    auths = await read_accounts(targets)
    check_hosting(auths, targets)
    picked = {t.smartlock_id: _pick_code(call, auths[t.coordinator], t) for t in targets}
    return auths, picked


async def async_create_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Create one keypad code on the chosen devices: on all of them or, as far as Nuki allows, none.

    Without a ``code``, one unused on every device is generated and returned in the response.
    """
    name = checked_name(call.data["name"], KEYPAD_NAME_LENGTH)
    given = _code(call.data["code"]) if "code" in call.data else None
    limits = window(call.data)
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    for target in targets:
        _check_keypad(target)
    auths = await read_accounts(targets)
    check_hosting(auths, targets)
    if given is None:
        taken = {
            a.code for t in targets for a in _keypad_codes(auths[t.coordinator], t.smartlock_id)
        }
        code = generate_code({c for c in taken if c is not None})
    else:
        code = given
        for target in targets:
            _check_code_free(auths[target.coordinator], target, code)
    body: Body = {
        "name": name,
        "type": int(AuthType.KEYPAD_CODE),
        "code": code,
        "remoteAllowed": False,
        **limits,
    }
    created: dict[int, SmartlockAuth] = {}
    ledger = Ledger(targets, "created")

    def done(auths: list[SmartlockAuth], target: Target) -> bool:
        for auth in _keypad_codes(auths, target.smartlock_id):
            if auth.code == code and auth.name == name:
                created[target.smartlock_id] = auth
                return True
        return False

    async def step(coordinator: NukiCoordinator, group: list[Target]) -> None:
        ids = [target.smartlock_id for target in group]
        send = partial(coordinator.client.create_auths, ids, body)
        await write_and_confirm(coordinator, [(group, send)], done, ledger)

    await write_all(ledger, step, undo_created(ledger, created))
    if given is None:
        return outcome(targets, "created", created, code=str(code))
    return outcome(targets, "created", created)


async def async_update_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Change a keypad code's name, code, enabled flag or window on the chosen devices.

    When a device fails, the devices already changed get their previous values back.
    """
    changes: Body = {}
    if "new_name" in call.data:
        changes["name"] = checked_name(call.data["new_name"], KEYPAD_NAME_LENGTH)
    new_code = _code(call.data["code"]) if "code" in call.data else None
    if new_code is not None:
        changes["code"] = new_code
    if "enabled" in call.data:
        changes["enabled"] = call.data["enabled"]
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    auths, picked = await _picked_codes(call, targets)
    wanted: dict[int, Body] = {}
    for target in targets:
        auth = picked[target.smartlock_id]
        if new_code is not None:
            _check_code_free(auths[target.coordinator], target, new_code, auth)
        wanted[target.smartlock_id] = {**changes, **window(call.data, auth)}
    updated: dict[int, SmartlockAuth] = {}
    ledger = Ledger(targets, "updated")

    def done(auths: list[SmartlockAuth], target: Target) -> bool:
        found = _reading(auths, picked[target.smartlock_id], wanted[target.smartlock_id])
        if found is not None:
            updated[target.smartlock_id] = found
        return found is not None

    async def step(coordinator: NukiCoordinator, group: list[Target]) -> None:
        sends = _updates(coordinator, group, picked, wanted)
        await write_and_confirm(coordinator, sends, done, ledger)

    async def undo(coordinator: NukiCoordinator, group: list[Target]) -> None:
        before = {
            t.smartlock_id: _previous(picked[t.smartlock_id], wanted[t.smartlock_id]) for t in group
        }
        # A field the code did not have (a new window) cannot be cleared again: it stands.
        group = [t for t in group if None not in before[t.smartlock_id].values()]
        undoing = Ledger(group, "restored")

        def back(auths: list[SmartlockAuth], target: Target) -> bool:
            return (
                _reading(auths, picked[target.smartlock_id], before[target.smartlock_id])
                is not None
            )

        try:
            sends = _updates(coordinator, group, picked, before)
            await write_and_confirm(coordinator, sends, back, undoing)
        finally:
            ledger.mark(undoing.standing(), Stand.UNDONE)

    await write_all(ledger, step, undo)
    return outcome(targets, "updated", updated)


def _previous(auth: SmartlockAuth, changes: Body) -> Body:
    """Return the values the changed fields had before (what an undo writes back)."""
    return {key: auth.raw.get(key) for key in changes}


def _reading(auths: list[SmartlockAuth], auth: SmartlockAuth, values: Body) -> SmartlockAuth | None:
    """Return ``auth`` as read back if it has ``values`` now."""
    for current in auths:
        if current.id == auth.id and all(current.raw.get(k) == v for k, v in values.items()):
            return current
    return None


def _updates(
    coordinator: NukiCoordinator,
    group: list[Target],
    picked: dict[int, SmartlockAuth],
    values: dict[int, Body],
) -> list[tuple[list[Target], Callable[[], Awaitable[None]]]]:
    """Return one update per device: its code with ``values`` applied, all fields sent."""
    sends: list[tuple[list[Target], Callable[[], Awaitable[None]]]] = []
    for target in group:
        auth = picked[target.smartlock_id]
        body = auth_update_body(auth, **values[target.smartlock_id])
        client = coordinator.client
        sends.append(
            ([target], partial(client.update_auth, target.smartlock_id, str(auth.id), body))
        )
    return sends


async def async_delete_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Delete a keypad code from the chosen devices.

    A deleted code cannot come back with its id, lock count and history, and re-creating
    it would give back an access the user meant to remove; so a failure midway is not
    undone but named: the error says on which devices the code is gone.
    """
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    _, deleted = await _picked_codes(call, targets)
    await delete_all(targets, {id_: [auth] for id_, auth in deleted.items()})
    return outcome(targets, "deleted", deleted)


async def delete_all(targets: list[Target], doomed: Mapping[int, Sequence[SmartlockAuth]]) -> None:
    """Delete ``doomed`` per device, account by account; a failure midway names what stands."""
    ledger = Ledger(targets, "deleted")

    async def step(coordinator: NukiCoordinator, group: list[Target]) -> None:
        await delete_and_confirm(coordinator, group, doomed, ledger)

    await write_all(ledger, step)
