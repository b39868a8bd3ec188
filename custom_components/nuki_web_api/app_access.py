"""The grant_app_access action: authorize an account user's Nuki app on devices.

With push on, PUT /smartlock/auth/advanced names the devices refused for lack of Smart
Hosting and the result arrives by webhook, so nothing is read back; without, PUT
/smartlock/auth skips them silently, so the authorizations are read back.
"""

from __future__ import annotations

from functools import partial

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from .api import AuthType, SmartlockAuth
from .auth_writes import (
    WINDOW_FIELDS,
    Body,
    await_change,
    checked_name,
    outcome,
    read_auths,
    window,
    write,
)
from .service_targets import DEVICES, Target, by_coordinator, invalid, resolve_targets

GRANT_APP_ACCESS_SCHEMA = probatio.Schema(
    {
        **DEVICES,
        # Checked in the handler, so that a wrong value gets a translated error.
        probatio.Required("account_user_id"): cv.match_all,
        probatio.Required("name"): cv.string,
        probatio.Optional("remote_allowed", default=True): cv.boolean,
        **WINDOW_FIELDS,
    }
)


def _account_user(value: object) -> int:
    """Accept a positive whole number, also as text or as a float from the number selector."""
    try:
        user = int(str(value).removesuffix(".0"))
    except ValueError:
        user = 0
    if isinstance(value, bool) or user <= 0:
        raise invalid("invalid_account_user")
    return user


async def async_grant_app_access(call: ServiceCall) -> ServiceResponse:
    """Authorize an account user's Nuki app on the chosen devices."""
    name = checked_name(call.data["name"])
    user = _account_user(call.data["account_user_id"])
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    body: Body = {
        "name": name,
        "accountUserId": user,
        "remoteAllowed": call.data["remote_allowed"],
        **window(call.data),
    }
    created: dict[int, SmartlockAuth] = {}
    for coordinator, group in by_coordinator(targets).items():
        ids = [target.smartlock_id for target in group]
        if coordinator.push is not None:
            await write(
                group,
                partial(coordinator.push.async_create_auths, ids, body),
                "app_access_failed",
                "app_access_smart_hosting",
            )
            continue
        # Only an authorization that was not there before counts as the new one.
        known = {auth.id for auth in await read_auths(coordinator)}
        await write(
            group,
            partial(coordinator.client.create_auths, ids, {**body, "type": int(AuthType.APP)}),
            "app_access_failed",
            "app_access_smart_hosting",
        )
        done = partial(_new_app_auth, known=frozenset(known), user=user, name=name, created=created)
        await await_change(coordinator, group, done, "app_access_smart_hosting")
    return outcome(targets, "created", created)


def _new_app_auth(
    auths: list[SmartlockAuth],
    target: Target,
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
