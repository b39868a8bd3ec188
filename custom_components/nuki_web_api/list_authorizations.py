"""The list_authorizations action: a device's authorizations as a response, codes on request.

Each item's ``auth_id`` is the id the keypad-code actions take and an activity event carries
(Nuki's ``SmartlockAuth.id``); the lock-internal number Nuki also sends is left out, so that
one id has one name everywhere. Daily times are ``HH:MM``, as the create form takes them.
"""

from __future__ import annotations

from datetime import datetime

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from .api import SmartlockAuth
from .auth_writes import WEEK_DAYS, read_auths
from .service_targets import DEVICES, Target, by_coordinator, resolve_targets

# 1440 may stand for the end of the day (24:00).
MINUTES_PER_DAY = 24 * 60

LIST_SCHEMA = probatio.Schema(
    {**DEVICES, probatio.Optional("include_codes", default=False): cv.boolean}
)


async def async_list_authorizations(call: ServiceCall) -> ServiceResponse:
    """Return the authorizations of the chosen devices; keypad codes only on request."""
    include_codes = call.data["include_codes"]
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    items: list[JsonValueType] = []
    for coordinator, group in by_coordinator(targets).items():
        auths = await read_auths(coordinator)
        for target in group:
            items.extend(
                _auth_item(auth, target, include_codes)
                for auth in auths
                if auth.smartlock_id == target.smartlock_id
            )
    return {"authorizations": items}


def _auth_item(auth: SmartlockAuth, target: Target, include_code: bool) -> JsonValueType:
    item: dict[str, JsonValueType] = {
        "device_id": target.device_id,
        "device": target.name,
        "auth_id": auth.id,
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
        "allowed_from_time": _time_of_day(auth.allowed_from_time),
        "allowed_until_time": _time_of_day(auth.allowed_until_time),
        "last_active": _iso(auth.last_active_date),
        "error": auth.error,
    }
    if include_code and auth.code is not None:
        item["code"] = str(auth.code)
    return item


def _time_of_day(minutes: int | None) -> str | None:
    """Return Nuki's minutes from midnight as ``HH:MM``; a value outside the day as unknown."""
    if minutes is None or not 0 <= minutes <= MINUTES_PER_DAY:
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
