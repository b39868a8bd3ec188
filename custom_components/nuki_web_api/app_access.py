"""The grant_app_access action: authorize an account user's Nuki app on devices.

With push on, the authorization goes through PUT /smartlock/auth/advanced (its result
arrives by webhook), without through PUT /smartlock/auth (which skips devices without Smart
Hosting silently). Either way the authorizations are read back: that confirms the grant,
gives its id, and lets a failure on another device or account undo it.
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
    check_hosting,
    checked_name,
    outcome,
    read_accounts,
    undo_created,
    window,
    write_and_confirm,
)
from .coordinator import NukiCoordinator
from .service_targets import DEVICES, Target, invalid, resolve_targets
from .write_ledger import Ledger, write_all

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
    """Authorize an account user's Nuki app on the chosen devices: on all of them or none."""
    name = checked_name(call.data["name"])
    user = _account_user(call.data["account_user_id"])
    body: Body = {
        "name": name,
        "accountUserId": user,
        "remoteAllowed": call.data["remote_allowed"],
        **window(call.data),
    }
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    auths = await read_accounts(targets)
    check_hosting(auths, targets, "app_access_smart_hosting")
    created: dict[int, SmartlockAuth] = {}
    ledger = Ledger(targets, "created")

    async def step(coordinator: NukiCoordinator, group: list[Target]) -> None:
        ids = [target.smartlock_id for target in group]
        if (push := coordinator.config_entry.runtime_data.push) is not None:
            send = partial(push.async_create_auths, ids, body)
        else:
            send = partial(
                coordinator.client.create_auths, ids, {**body, "type": int(AuthType.APP)}
            )
        # Only an authorization that was not there before counts as the new one.
        known = frozenset(auth.id for auth in auths[coordinator])
        done = partial(_new_app_auth, known=known, user=user, name=name, created=created)
        await write_and_confirm(
            coordinator,
            [(group, send)],
            done,
            ledger,
            failed_key="app_access_failed",
            hosting_key="app_access_smart_hosting",
        )

    await write_all(ledger, step, undo_created(ledger, created))
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
