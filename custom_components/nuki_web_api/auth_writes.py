"""Writing authorizations and confirming them, shared by the keypad-code and app-access actions.

The authorization switches use only ``auth_update_body`` (they confirm through their coordinator).

Nuki writes authorizations asynchronously, and its bulk endpoints silently skip devices
without Smart Hosting, so every authorization write reads the authorizations back until the
change shows (or a bounded wait ends) and reports the outcome per device. Everything that
can be checked is checked on every target before the first write (see write_ledger).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from datetime import datetime, time
from functools import partial
from typing import Any, Final

import probatio
from homeassistant.core import ServiceResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
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
from .service_targets import SchemaDict, Target, by_coordinator, failed, invalid
from .write_ledger import Ledger, Stand

# Read-back of authorization writes: pause between reads and the longest wait, in seconds.
AUTH_POLL_INTERVAL = 1.0
AUTH_POLL_TIMEOUT = 30.0

# Swagger: "The name of the authorization (max 32 chars)". Nuki keeps only 20 characters
# of a keypad code's name ("PIN_NAME (string; up to 20 characters)",
# developer.nuki.io/t/web-api-example-manage-pin-codes-for-your-nuki-keypad/54; rental
# tools such as Seam list the same limit for Nuki), so a longer one never reads back as sent.
MAX_NAME_LENGTH: Final = 32
KEYPAD_NAME_LENGTH: Final = 20
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


def checked_name(text: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """Apply Nuki's limit on an authorization's name."""
    if not 0 < len(text) <= max_length:
        raise invalid("invalid_name", max=str(max_length))
    return text


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def window(data: Mapping[str, Any], current: SmartlockAuth | None = None) -> Body:
    """Return Nuki's time-limit fields for the call's window; refuse one that can never work.

    Naive moments are in Home Assistant's time zone (as the date-time selector sends them).
    For an update, ``current`` supplies what the call leaves as it is. Nuki documents the
    daily window only as minutes from midnight, so it must end later on the same day.
    """
    merged = {**_window_of(current), **_normalized(data)}
    body: Body = {}
    if data.keys() & {"allowed_from", "allowed_until"}:
        start, end = merged.get("allowed_from"), merged.get("allowed_until")
        if start is not None and end is not None and start >= end:
            raise invalid("window_reversed")
        if end is not None and end <= dt_util.utcnow():
            raise invalid("window_ended")
        if "allowed_from" in data:
            body["allowedFromDate"] = _date(merged["allowed_from"])
        if "allowed_until" in data:
            body["allowedUntilDate"] = _date(merged["allowed_until"])
    if "allowed_week_days" in data:
        if not data["allowed_week_days"]:
            raise invalid("window_no_week_day")
        body["allowedWeekDays"] = sum(WEEK_DAYS[day] for day in set(data["allowed_week_days"]))
    if data.keys() & {"allowed_from_time", "allowed_until_time"}:
        start, end = merged.get("allowed_from_time"), merged.get("allowed_until_time")
        if start is None or end is None:
            raise invalid("window_times_incomplete")
        if start == end:
            raise invalid("window_empty")
        if start > end:
            raise invalid("window_overnight")
        body["allowedFromTime"] = start
        body["allowedUntilTime"] = end
    return body


def _normalized(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the call's window with moments in UTC and daily times in minutes, as Nuki keeps them."""
    values: dict[str, Any] = {}
    for key in ("allowed_from", "allowed_until"):
        if key in data:
            values[key] = dt_util.as_utc(data[key])
    for key in ("allowed_from_time", "allowed_until_time"):
        if key in data:
            values[key] = _minutes(data[key])
    return values


def _window_of(auth: SmartlockAuth | None) -> dict[str, Any]:
    """Return the window an authorization has now, under the call's field names."""
    if auth is None:
        return {}
    values = {
        "allowed_from": auth.allowed_from_date,
        "allowed_until": auth.allowed_until_date,
        "allowed_from_time": auth.allowed_from_time,
        "allowed_until_time": auth.allowed_until_time,
    }
    return {key: value for key, value in values.items() if value is not None}


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
        target.coordinator.issues.mark_missing([target.smartlock_id])
    return failed(key, device=", ".join(t.name for t in targets))


async def read_accounts(targets: Sequence[Target]) -> dict[NukiCoordinator, list[SmartlockAuth]]:
    """Read the authorizations of every account of the call once, before anything is written."""
    return {coordinator: await read_auths(coordinator) for coordinator in by_coordinator(targets)}


def check_hosting(
    auths: Mapping[NukiCoordinator, Sequence[SmartlockAuth]],
    targets: Sequence[Target],
    key: str = "keypad_smart_hosting",
) -> None:
    """Refuse the call if any target lacks Smart Hosting (Nuki would skip it silently)."""
    unhosted = [t for t in targets if hosting_missing(auths[t.coordinator], t)]
    if unhosted:
        raise smart_hosting(unhosted, key)


type Done = Callable[[list[SmartlockAuth], Target], bool]


async def await_change(
    coordinator: NukiCoordinator,
    targets: Sequence[Target],
    done: Done,
    ledger: Ledger,
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Read the authorizations back until `done` holds for every device, or fail.

    A device that answers with the Smart Hosting error or has left the account is given up
    at once, the others after AUTH_POLL_TIMEOUT seconds; the error names the devices that
    failed, and ``ledger`` notes what stands on each device.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + AUTH_POLL_TIMEOUT
    pending = list(targets)
    unhosted: list[Target] = []
    left: list[Target] = []
    while pending:
        auths = await read_auths(coordinator)
        for target in list(pending):
            if done(auths, target):
                pending.remove(target)
                ledger.mark([target], Stand.CHANGED)
            elif target.smartlock_id not in coordinator.data.devices:
                pending.remove(target)
                left.append(target)
            elif hosting_missing(auths, target):
                pending.remove(target)
                unhosted.append(target)
        if pending and loop.time() >= deadline:
            break
        if pending:
            await asyncio.sleep(AUTH_POLL_INTERVAL)
    ledger.mark(unhosted, Stand.UNCHANGED)
    ledger.mark(left, Stand.LEFT)
    if unhosted:
        raise smart_hosting(unhosted, hosting_key)
    if left:
        raise failed("device_left", device=", ".join(t.name for t in left))
    if pending:
        raise failed("keypad_timeout", device=", ".join(t.name for t in pending))


async def write(
    targets: Sequence[Target],
    send: Callable[[], Awaitable[object]],
    ledger: Ledger,
    failed_key: str = "keypad_write_failed",
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Send a write; a 409 is a duplicate code, other client errors a failed write."""
    try:
        async with ledger.sending(targets):
            await send()
    except NukiConflictError as err:
        raise failed("keypad_duplicate", device=", ".join(t.name for t in targets)) from err
    except NukiSmartHostingError as err:
        raise smart_hosting(targets, hosting_key) from err
    except NukiError as err:
        raise failed(failed_key, error=str(err)) from err


async def write_and_confirm(
    coordinator: NukiCoordinator,
    sends: Sequence[tuple[list[Target], Callable[[], Awaitable[object]]]],
    done: Done,
    ledger: Ledger,
    *,
    failed_key: str = "keypad_write_failed",
    hosting_key: str = "keypad_smart_hosting",
) -> None:
    """Send the writes of one account, then read back until every change shows.

    After a failed write, whatever Nuki may have applied all the same (a write answered
    with a 5xx, one sent before the failed one) is still read back, so that the ledger
    knows what stands, and an undo can take it back, before the error goes on.
    """
    try:
        for targets, send in sends:
            await write(targets, send, ledger, failed_key, hosting_key)
    except HomeAssistantError:
        group = {target for targets, _ in sends for target in targets}
        if unsure := [t for t in ledger.standing(Stand.UNCONFIRMED) if t in group]:
            with suppress(HomeAssistantError):
                await await_change(coordinator, unsure, done, ledger, hosting_key)
        raise
    targets = [target for group, _ in sends for target in group]
    await await_change(coordinator, targets, done, ledger, hosting_key)


async def delete_and_confirm(
    coordinator: NukiCoordinator,
    group: list[Target],
    doomed: Mapping[int, Sequence[SmartlockAuth]],
    ledger: Ledger,
) -> None:
    """Delete the authorizations ``doomed`` per device of one account, in one request, and see them gone."""
    ids = {target: {auth.id for auth in doomed[target.smartlock_id]} for target in group}

    def gone(auths: list[SmartlockAuth], target: Target) -> bool:
        return not any(auth.id in ids[target] for auth in auths)

    send = partial(coordinator.client.delete_auths, [str(i) for t in group for i in ids[t]])
    await write_and_confirm(coordinator, [(group, send)], gone, ledger)


def undo_created(
    ledger: Ledger, created: Mapping[int, SmartlockAuth]
) -> Callable[[NukiCoordinator, list[Target]], Awaitable[None]]:
    """Return the undo of a create: delete the created authorizations and see them gone."""

    async def undo(coordinator: NukiCoordinator, group: list[Target]) -> None:
        undoing = Ledger(group, "deleted")
        try:
            doomed = {t.smartlock_id: [created[t.smartlock_id]] for t in group}
            await delete_and_confirm(coordinator, group, doomed, undoing)
        finally:
            ledger.mark(undoing.standing(), Stand.UNDONE)

    return undo


def outcome(
    targets: Sequence[Target],
    action: str,
    auths: Mapping[int, SmartlockAuth],
    **extra: JsonValueType,
) -> ServiceResponse:
    """Return the response: per device, the authorization's id and what was done; ``extra`` on top."""
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
    return {"devices": result, **extra}
