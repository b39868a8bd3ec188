"""Writing authorizations and confirming them, shared by the keypad-code and app-access actions.

The authorization switches use only ``auth_update_body`` (they confirm through their coordinator).

Nuki writes authorizations asynchronously, and its bulk endpoints silently skip devices
without Smart Hosting, so every authorization write reads the authorizations back until the
change shows (or a bounded wait ends) and reports the outcome per device.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any, Final

import probatio
from homeassistant.core import ServiceResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from .api import (
    JsonValue,
    NukiConflictError,
    NukiError,
    NukiSmartHostingError,
    SmartlockAuth,
    is_smart_hosting_error,
)
from .coordinator import NukiCoordinator
from .service_targets import SchemaDict, Target, failed, invalid

# Read-back of authorization writes: pause between reads and the longest wait, in seconds.
AUTH_POLL_INTERVAL = 1.0
AUTH_POLL_TIMEOUT = 30.0

MAX_NAME_LENGTH: Final = 32
WEEK_DAYS: Final = {"mon": 64, "tue": 32, "wed": 16, "thu": 8, "fri": 4, "sat": 2, "sun": 1}

WINDOW_FIELDS: SchemaDict = {
    probatio.Optional("allowed_from"): cv.datetime,
    probatio.Optional("allowed_until"): cv.datetime,
    probatio.Optional("allowed_week_days"): probatio.All(cv.ensure_list, [probatio.In(WEEK_DAYS)]),
    probatio.Optional("allowed_from_time"): cv.time,
    probatio.Optional("allowed_until_time"): cv.time,
}

type Body = dict[str, JsonValue]

# SmartlockAuthUpdate fields: a partial update may clear the time limits, so an update
# sends all of them as read, with the change applied.
UPDATABLE_FIELDS: Final = frozenset(
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


def auth_update_body(auth: SmartlockAuth, **changes: JsonValue) -> Body:
    """Return the complete SmartlockAuthUpdate body for ``auth`` with ``changes`` applied.

    A partial update may clear the time limits, so every field is sent as read.
    """
    body: Body = {
        key: value
        for key, value in auth.raw.items()
        if key in UPDATABLE_FIELDS and value is not None
    }
    body.update(changes)
    return body


def checked_name(text: str) -> str:
    """Apply Nuki's limit on an authorization's name."""
    if not 0 < len(text) <= MAX_NAME_LENGTH:
        raise invalid("invalid_name", max=str(MAX_NAME_LENGTH))
    return text


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _date(value: datetime) -> str:
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def window(data: Mapping[str, Any]) -> Body:
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


def hosting_missing(auths: Sequence[SmartlockAuth], target: Target) -> bool:
    """Whether Nuki answers for this device only with the Smart Hosting error."""
    if target.smartlock_id in target.coordinator.data.smart_hosting_missing:
        return True
    return any(
        a.smartlock_id == target.smartlock_id and is_smart_hosting_error(a.error) for a in auths
    )


async def read_auths(coordinator: NukiCoordinator) -> list[SmartlockAuth]:
    """Read the account's authorizations; a client error fails the action."""
    try:
        return await coordinator.client.auths()
    except NukiError as err:
        raise failed("auth_read_failed", error=str(err)) from err


def smart_hosting(
    targets: Sequence[Target], key: str = "keypad_smart_hosting"
) -> HomeAssistantError:
    """Report devices that lack Smart Hosting, and raise their repair issues."""
    for target in targets:
        target.coordinator.async_mark_smart_hosting_missing([target.smartlock_id])
    return failed(key, device=", ".join(t.name for t in targets))


async def await_change(
    coordinator: NukiCoordinator,
    targets: Sequence[Target],
    done: Callable[[list[SmartlockAuth], Target], bool],
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Read the authorizations back until `done` holds for every device, or fail.

    A device that answers with the Smart Hosting error is given up at once, the others
    after AUTH_POLL_TIMEOUT seconds; the error names every device that failed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + AUTH_POLL_TIMEOUT
    pending = list(targets)
    unhosted: list[Target] = []
    while pending:
        auths = await read_auths(coordinator)
        for target in list(pending):
            if done(auths, target):
                pending.remove(target)
            elif hosting_missing(auths, target):
                pending.remove(target)
                unhosted.append(target)
        if pending and loop.time() >= deadline:
            raise failed("keypad_timeout", device=", ".join(t.name for t in pending))
        if pending:
            await asyncio.sleep(AUTH_POLL_INTERVAL)
    if unhosted:
        raise smart_hosting(unhosted, hosting_key)


async def write(
    targets: Sequence[Target],
    send: Callable[[], Any],
    failed_key: str = "keypad_write_failed",
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Send a write; a 409 is a duplicate code, other client errors a failed write."""
    try:
        await send()
    except NukiConflictError as err:
        raise failed("keypad_duplicate", device=", ".join(t.name for t in targets)) from err
    except NukiSmartHostingError as err:
        raise smart_hosting(targets, hosting_key) from err
    except NukiError as err:
        raise failed(failed_key, error=str(err)) from err


def outcome(
    targets: Sequence[Target], action: str, auths: Mapping[int, SmartlockAuth]
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
                "outcome": action,
            }
        )
    return {"devices": result}
