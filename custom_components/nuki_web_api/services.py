"""Service actions: Lock 'n' Go, continuous mode, keypad codes, app access and authorizations.

Nuki writes authorizations asynchronously, and its bulk endpoints silently skip devices
without Smart Hosting, so every authorization write reads the authorizations back until the
change shows (or a bounded wait ends) and reports the outcome per device. With push on, app
access goes through the Advanced API, whose answer names the refused devices and whose result
arrives by webhook, so nothing is read back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import partial
from typing import Any, Final

import probatio
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import service
from homeassistant.helpers.entity import Entity
from homeassistant.util.json import JsonValueType

from .api import (
    AuthType,
    JsonValue,
    LockAction,
    NukiConflictError,
    NukiError,
    NukiSmartHostingError,
    OpenerAction,
    SmartlockAuth,
    is_smart_hosting_error,
)
from .const import DOMAIN
from .coordinator import NukiConfigEntry, NukiCoordinator, device_smartlock_ids
from .entity import NukiEntity, is_lock, is_opener

SERVICE_LOCK_N_GO: Final = "lock_n_go"
SERVICE_SET_CONTINUOUS_MODE: Final = "set_continuous_mode"
SERVICE_CREATE_KEYPAD_CODE: Final = "create_keypad_code"
SERVICE_UPDATE_KEYPAD_CODE: Final = "update_keypad_code"
SERVICE_DELETE_KEYPAD_CODE: Final = "delete_keypad_code"
SERVICE_LIST_AUTHORIZATIONS: Final = "list_authorizations"
SERVICE_GRANT_APP_ACCESS: Final = "grant_app_access"

# Read-back of authorization writes: pause between reads and the longest wait, in seconds.
AUTH_POLL_INTERVAL = 1.0
AUTH_POLL_TIMEOUT = 30.0

MAX_NAME_LENGTH: Final = 32
WEEK_DAYS: Final = {"mon": 64, "tue": 32, "wed": 16, "thu": 8, "fri": 4, "sat": 2, "sun": 1}

type SchemaDict = dict[probatio.Marker, Any]

_WINDOW_FIELDS: SchemaDict = {
    probatio.Optional("allowed_from"): cv.datetime,
    probatio.Optional("allowed_until"): cv.datetime,
    probatio.Optional("allowed_week_days"): probatio.All(cv.ensure_list, [probatio.In(WEEK_DAYS)]),
    probatio.Optional("allowed_from_time"): cv.time,
    probatio.Optional("allowed_until_time"): cv.time,
}
_DEVICES: SchemaDict = {
    probatio.Required(ATTR_DEVICE_ID): probatio.All(cv.ensure_list, [cv.string])
}
_PICK_CODE: SchemaDict = {
    probatio.Optional("auth_id"): cv.string,
    probatio.Optional("name"): cv.string,
}

CREATE_SCHEMA = probatio.Schema(
    {
        **_DEVICES,
        probatio.Required("name"): cv.string,
        probatio.Required("code"): cv.string,
        **_WINDOW_FIELDS,
    }
)
UPDATE_SCHEMA = probatio.Schema(
    {
        **_DEVICES,
        **_PICK_CODE,
        probatio.Optional("new_name"): cv.string,
        probatio.Optional("code"): cv.string,
        probatio.Optional("enabled"): cv.boolean,
        **_WINDOW_FIELDS,
    }
)
GRANT_APP_ACCESS_SCHEMA = probatio.Schema(
    {
        **_DEVICES,
        # Checked in the handler, so that a wrong value gets a translated error.
        probatio.Required("account_user_id"): cv.match_all,
        probatio.Required("name"): cv.string,
        probatio.Optional("remote_allowed", default=True): cv.boolean,
        **_WINDOW_FIELDS,
    }
)
DELETE_SCHEMA = probatio.Schema({**_DEVICES, **_PICK_CODE})
LIST_SCHEMA = probatio.Schema(
    {**_DEVICES, probatio.Optional("include_codes", default=False): cv.boolean}
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _failed(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


# --- entity services ---------------------------------------------------------------------


def _nuki_entity(entity: Entity) -> NukiEntity:
    if not isinstance(entity, NukiEntity):  # pragma: no cover - HA only passes our platform's
        raise _invalid("not_nuki_entity", entity_id=entity.entity_id)
    return entity


async def _async_lock_n_go(entity: Entity, call: ServiceCall) -> None:
    """Lock 'n' Go (optionally unlatching first) on a lock."""
    nuki = _nuki_entity(entity)
    if not is_lock(nuki.device):
        raise _invalid("not_a_lock", entity_id=entity.entity_id)
    unlatch = call.data["unlatch"]
    await nuki.async_send_action(LockAction.LOCK_N_GO_UNLATCH if unlatch else LockAction.LOCK_N_GO)


async def _async_set_continuous_mode(entity: Entity, call: ServiceCall) -> None:
    """Switch an Opener's continuous mode on or off."""
    nuki = _nuki_entity(entity)
    if not is_opener(nuki.device):
        raise _invalid("not_an_opener", entity_id=entity.entity_id)
    enable = call.data["enable"]
    await nuki.async_send_action(
        OpenerAction.ACTIVATE_CONTINUOUS_MODE if enable else OpenerAction.DEACTIVATE_CONTINUOUS_MODE
    )


# --- device targets ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """A device picked in a service call, with the coordinator of its config entry."""

    coordinator: NukiCoordinator
    smartlock_id: int
    device_id: str

    @property
    def name(self) -> str:
        return self.coordinator.device_name(self.smartlock_id)


def _targets(hass: HomeAssistant, call: ServiceCall) -> list[_Target]:
    """Resolve the call's devices; every wrong pick is a ServiceValidationError."""
    registry = dr.async_get(hass)
    targets: list[_Target] = []
    for device_id in call.data[ATTR_DEVICE_ID]:
        device = registry.async_get(device_id)
        if not isinstance(device, dr.DeviceEntry):
            raise _invalid("unknown_device", device_id=device_id)
        smartlock_ids = device_smartlock_ids(device)
        entry: NukiConfigEntry | None = hass.config_entries.async_get_entry(device.config_entry_id)
        name = device.name_by_user or device.name or device_id
        if not smartlock_ids or entry is None or entry.domain != DOMAIN:
            raise _invalid("not_nuki_device", device=name)
        if entry.state is not ConfigEntryState.LOADED:
            raise _invalid("entry_not_loaded", device=name)
        coordinator = entry.runtime_data.coordinator
        smartlock_id = min(smartlock_ids)
        if smartlock_id not in coordinator.data.devices:
            raise _invalid("unknown_device", device_id=device_id)
        targets.append(_Target(coordinator, smartlock_id, device_id))
    return targets


def _by_coordinator(targets: Sequence[_Target]) -> dict[NukiCoordinator, list[_Target]]:
    groups: dict[NukiCoordinator, list[_Target]] = {}
    for target in targets:
        groups.setdefault(target.coordinator, []).append(target)
    return groups


# --- keypad-code fields ------------------------------------------------------------------


def _code(text: str) -> int:
    """Apply Nuki's keypad-code rules: 6 digits, only 1-9, not starting with "12"."""
    if len(text) != 6 or not all("1" <= char <= "9" for char in text) or text.startswith("12"):
        raise _invalid("invalid_code")
    return int(text)


def _name(text: str) -> str:
    if not 0 < len(text) <= MAX_NAME_LENGTH:
        raise _invalid("invalid_name", max=str(MAX_NAME_LENGTH))
    return text


def _account_user(value: object) -> int:
    """Accept a positive whole number, also as text or as a float from the number selector."""
    try:
        user = int(str(value).removesuffix(".0"))
    except ValueError:
        user = 0
    if isinstance(value, bool) or user <= 0:
        raise _invalid("invalid_account_user")
    return user


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _date(value: datetime) -> str:
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


type Body = dict[str, JsonValue]


def _window(data: Mapping[str, Any]) -> Body:
    """Return Nuki's time-limit fields for the window given in the call."""
    body: Body = {}
    if "allowed_from" in data:
        body["allowedFromDate"] = _date(data["allowed_from"])
    if "allowed_until" in data:
        body["allowedUntilDate"] = _date(data["allowed_until"])
    if "allowed_week_days" in data:
        body["allowedWeekDays"] = sum(WEEK_DAYS[day] for day in set(data["allowed_week_days"]))
    if "allowed_from_time" in data:
        body["allowedFromTime"] = _minutes(data["allowed_from_time"])
    if "allowed_until_time" in data:
        body["allowedUntilTime"] = _minutes(data["allowed_until_time"])
    return body


def _check_keypad(target: _Target) -> None:
    device = target.coordinator.data.devices[target.smartlock_id]
    config = device.config
    if config is not None and not (config.keypad_paired or config.keypad2_paired):
        raise _invalid("no_keypad", device=target.name)


def _keypad_codes(auths: Sequence[SmartlockAuth], smartlock_id: int) -> list[SmartlockAuth]:
    return [a for a in auths if a.smartlock_id == smartlock_id and a.type == AuthType.KEYPAD_CODE]


def _hosting_missing(auths: Sequence[SmartlockAuth], target: _Target) -> bool:
    """Whether Nuki answers for this device only with the Smart Hosting error."""
    if target.smartlock_id in target.coordinator.data.smart_hosting_missing:
        return True
    return any(
        a.smartlock_id == target.smartlock_id and is_smart_hosting_error(a.error) for a in auths
    )


async def _read_auths(coordinator: NukiCoordinator) -> list[SmartlockAuth]:
    try:
        return await coordinator.client.auths()
    except NukiError as err:
        raise _failed("auth_read_failed", error=str(err)) from err


def _pick_code(call: ServiceCall, auths: Sequence[SmartlockAuth], target: _Target) -> SmartlockAuth:
    """Find the keypad code named by `auth_id` or `name` on the device."""
    auth_id, name = call.data.get("auth_id"), call.data.get("name")
    if (auth_id is None) == (name is None):
        raise _invalid("pick_one_code")
    if _hosting_missing(auths, target):
        raise _smart_hosting([target])
    for auth in _keypad_codes(auths, target.smartlock_id):
        if auth.id is not None and (auth.id == auth_id or (auth_id is None and auth.name == name)):
            return auth
    raise _invalid("code_not_found", device=target.name, code=str(auth_id or name))


def _smart_hosting(
    targets: Sequence[_Target], key: str = "keypad_smart_hosting"
) -> HomeAssistantError:
    """Report devices that lack Smart Hosting, and raise their repair issues."""
    for target in targets:
        target.coordinator.async_mark_smart_hosting_missing([target.smartlock_id])
    return _failed(key, device=", ".join(t.name for t in targets))


async def _await_change(
    coordinator: NukiCoordinator,
    targets: Sequence[_Target],
    done: Callable[[list[SmartlockAuth], _Target], bool],
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Read the authorizations back until `done` holds for every device, or fail.

    A device that answers with the Smart Hosting error is given up at once, the others
    after AUTH_POLL_TIMEOUT seconds; the error names every device that failed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + AUTH_POLL_TIMEOUT
    pending = list(targets)
    unhosted: list[_Target] = []
    while pending:
        auths = await _read_auths(coordinator)
        for target in list(pending):
            if done(auths, target):
                pending.remove(target)
            elif _hosting_missing(auths, target):
                pending.remove(target)
                unhosted.append(target)
        if pending and loop.time() >= deadline:
            raise _failed("keypad_timeout", device=", ".join(t.name for t in pending))
        if pending:
            await asyncio.sleep(AUTH_POLL_INTERVAL)
    if unhosted:
        raise _smart_hosting(unhosted, hosting_key)


async def _write(
    targets: Sequence[_Target],
    write: Callable[[], Any],
    failed_key: str = "keypad_write_failed",
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Send a write; a 409 is a duplicate code, other client errors a failed write."""
    try:
        await write()
    except NukiConflictError as err:
        raise _failed("keypad_duplicate", device=", ".join(t.name for t in targets)) from err
    except NukiSmartHostingError as err:
        raise _smart_hosting(targets, hosting_key) from err
    except NukiError as err:
        raise _failed(failed_key, error=str(err)) from err


def _outcome(
    targets: Sequence[_Target], outcome: str, auths: Mapping[int, SmartlockAuth]
) -> ServiceResponse:
    """Return the response: per device, the authorization's id and what was done."""
    result: list[JsonValueType] = []
    for target in targets:
        auth = auths.get(target.smartlock_id)
        result.append(
            {
                "device_id": target.device_id,
                "device": target.name,
                "auth_id": None if auth is None else auth.id,
                "outcome": outcome,
            }
        )
    return {"devices": result}


# --- keypad-code services ----------------------------------------------------------------


async def _async_create_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Create one keypad code on the chosen devices."""
    name = _name(call.data["name"])
    code = _code(call.data["code"])
    targets = _targets(call.hass, call)
    body: Body = {
        "name": name,
        "type": int(AuthType.KEYPAD_CODE),
        "code": code,
        "remoteAllowed": False,
        **_window(call.data),
    }
    created: dict[int, SmartlockAuth] = {}
    for coordinator, group in _by_coordinator(targets).items():
        for target in group:
            _check_keypad(target)
        auths = await _read_auths(coordinator)
        for target in group:
            if any(a.code == code for a in _keypad_codes(auths, target.smartlock_id)):
                raise _invalid("code_exists", device=target.name)
        ids = [target.smartlock_id for target in group]
        await _write(group, partial(coordinator.client.create_auths, ids, body))

        def done(auths: list[SmartlockAuth], target: _Target) -> bool:
            for auth in _keypad_codes(auths, target.smartlock_id):
                if auth.code == code and auth.name == name:
                    created[target.smartlock_id] = auth
                    return True
            return False

        await _await_change(coordinator, group, done)
    return _outcome(targets, "created", created)


async def _async_update_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Change a keypad code's name, code, enabled flag or window on the chosen devices."""
    changes: Body = _window(call.data)
    if "new_name" in call.data:
        changes["name"] = _name(call.data["new_name"])
    if "code" in call.data:
        changes["code"] = _code(call.data["code"])
    if "enabled" in call.data:
        changes["enabled"] = call.data["enabled"]
    targets = _targets(call.hass, call)
    updated: dict[int, SmartlockAuth] = {}
    picked: dict[int, SmartlockAuth] = {}
    for coordinator, group in _by_coordinator(targets).items():
        auths = await _read_auths(coordinator)
        picked.update({target.smartlock_id: _pick_code(call, auths, target) for target in group})
        for target in group:
            auth = picked[target.smartlock_id]
            body: Body = {
                key: value
                for key, value in auth.raw.items()
                if key in _UPDATABLE and value is not None
            }
            body.update(changes)
            auth_id = str(auth.id)
            await _write(
                [target],
                partial(coordinator.client.update_auth, target.smartlock_id, auth_id, body),
            )

        def done(auths: list[SmartlockAuth], target: _Target) -> bool:
            wanted = picked[target.smartlock_id].id
            for auth in auths:
                if auth.id == wanted and all(auth.raw.get(k) == v for k, v in changes.items()):
                    updated[target.smartlock_id] = auth
                    return True
            return False

        await _await_change(coordinator, group, done)
    return _outcome(targets, "updated", updated)


_UPDATABLE: Final = frozenset(
    {
        "name",
        "enabled",
        "remoteAllowed",
        "code",
        "allowedFromDate",
        "allowedUntilDate",
        "allowedWeekDays",
        "allowedFromTime",
        "allowedUntilTime",
    }
)


async def _async_delete_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Delete a keypad code from the chosen devices."""
    targets = _targets(call.hass, call)
    deleted: dict[int, SmartlockAuth] = {}
    for coordinator, group in _by_coordinator(targets).items():
        auths = await _read_auths(coordinator)
        for target in group:
            deleted[target.smartlock_id] = _pick_code(call, auths, target)
        ids = [str(deleted[target.smartlock_id].id) for target in group]
        await _write(group, partial(coordinator.client.delete_auths, ids))

        def done(auths: list[SmartlockAuth], target: _Target) -> bool:
            gone = deleted[target.smartlock_id].id
            return not any(auth.id == gone for auth in auths)

        await _await_change(coordinator, group, done)
    return _outcome(targets, "deleted", deleted)


async def _async_grant_app_access(call: ServiceCall) -> ServiceResponse:
    """Authorize an account user's Nuki app on the chosen devices.

    With push on, PUT /smartlock/auth/advanced names the devices refused for lack of Smart
    Hosting and the result arrives by webhook; without, PUT /smartlock/auth skips them
    silently, so the authorizations are read back.
    """
    name = _name(call.data["name"])
    user = _account_user(call.data["account_user_id"])
    targets = _targets(call.hass, call)
    body: Body = {
        "name": name,
        "accountUserId": user,
        "remoteAllowed": call.data["remote_allowed"],
        **_window(call.data),
    }
    created: dict[int, SmartlockAuth] = {}
    for coordinator, group in _by_coordinator(targets).items():
        ids = [target.smartlock_id for target in group]
        if coordinator.push is not None:
            await _write(
                group,
                partial(coordinator.push.async_create_auths, ids, body),
                "app_access_failed",
                "app_access_smart_hosting",
            )
            continue
        # Only an authorization that was not there before counts as the new one.
        known = {auth.id for auth in await _read_auths(coordinator)}
        await _write(
            group,
            partial(coordinator.client.create_auths, ids, {**body, "type": int(AuthType.APP)}),
            "app_access_failed",
            "app_access_smart_hosting",
        )
        done = partial(_new_app_auth, known=frozenset(known), user=user, name=name, created=created)
        await _await_change(coordinator, group, done, "app_access_smart_hosting")
    return _outcome(targets, "created", created)


def _new_app_auth(
    auths: list[SmartlockAuth],
    target: _Target,
    *,
    known: frozenset[str | None],
    user: int,
    name: str,
    created: dict[int, SmartlockAuth],
) -> bool:
    """Whether the user's new app authorization shows on the device (noted in `created`)."""
    for auth in auths:
        if (
            auth.id not in known
            and auth.smartlock_id == target.smartlock_id
            and auth.type == AuthType.APP
            and auth.account_user_id == user
            and auth.name == name
        ):
            created[target.smartlock_id] = auth
            return True
    return False


async def _async_list_authorizations(call: ServiceCall) -> ServiceResponse:
    """Return the authorizations of the chosen devices; keypad codes only on request."""
    include_codes = call.data["include_codes"]
    targets = _targets(call.hass, call)
    items: list[JsonValueType] = []
    for coordinator, group in _by_coordinator(targets).items():
        auths = await _read_auths(coordinator)
        for target in group:
            items.extend(
                _auth_item(auth, target, include_codes)
                for auth in auths
                if auth.smartlock_id == target.smartlock_id
            )
    return {"authorizations": items}


def _auth_item(auth: SmartlockAuth, target: _Target, include_code: bool) -> JsonValueType:
    item: dict[str, JsonValueType] = {
        "device_id": target.device_id,
        "device": target.name,
        "id": auth.id,
        "auth_id": auth.auth_id,
        "type": None if auth.type is None else auth.type.name.lower(),
        "name": auth.name,
        "enabled": auth.enabled,
        "remote_allowed": auth.remote_allowed,
        "lock_count": auth.lock_count,
        "allowed_from": _iso(auth.allowed_from_date),
        "allowed_until": _iso(auth.allowed_until_date),
        "allowed_week_days": [
            day for day, bit in WEEK_DAYS.items() if (auth.allowed_week_days or 0) & bit
        ],
        "allowed_from_time": auth.allowed_from_time,
        "allowed_until_time": auth.allowed_until_time,
        "last_active": _iso(auth.last_active_date),
        "error": auth.error,
    }
    if include_code and auth.code is not None:
        item["code"] = str(auth.code)
    return item


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's service actions (once, in async_setup)."""
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_LOCK_N_GO,
        entity_domain=LOCK_DOMAIN,
        schema={probatio.Optional("unlatch", default=False): cv.boolean},
        func=_async_lock_n_go,
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SET_CONTINUOUS_MODE,
        entity_domain=LOCK_DOMAIN,
        schema={probatio.Required("enable"): cv.boolean},
        func=_async_set_continuous_mode,
    )
    for name, handler, schema in (
        (SERVICE_CREATE_KEYPAD_CODE, _async_create_keypad_code, CREATE_SCHEMA),
        (SERVICE_UPDATE_KEYPAD_CODE, _async_update_keypad_code, UPDATE_SCHEMA),
        (SERVICE_DELETE_KEYPAD_CODE, _async_delete_keypad_code, DELETE_SCHEMA),
        (SERVICE_GRANT_APP_ACCESS, _async_grant_app_access, GRANT_APP_ACCESS_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=SupportsResponse.OPTIONAL
        )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_AUTHORIZATIONS,
        _async_list_authorizations,
        schema=LIST_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
