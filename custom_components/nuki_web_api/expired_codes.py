"""The delete_expired_keypad_codes action: free the keypad slots of codes whose validity ended.

Nuki keeps a keypad code after its ``allowedUntilDate`` has passed; a holiday flat with a code
per booking would fill the keypad's slots (about 100) within a season.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import probatio
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .api import AuthType, SmartlockAuth
from .auth_writes import check_hosting, read_accounts
from .keypad_codes import delete_all
from .service_targets import DEVICES, Target, resolve_targets

EXPIRED_SCHEMA = probatio.Schema(
    {**DEVICES, probatio.Optional("dry_run", default=False): cv.boolean}
)


def _expired(
    auths: Sequence[SmartlockAuth], target: Target
) -> list[tuple[SmartlockAuth, datetime]]:
    """Return the device's keypad codes whose validity has ended, with its end."""
    now = dt_util.utcnow()
    return [
        (auth, auth.allowed_until_date)
        for auth in auths
        if auth.smartlock_id == target.smartlock_id
        and auth.type == AuthType.KEYPAD_CODE
        and auth.id is not None
        and auth.allowed_until_date is not None
        and auth.allowed_until_date <= now
    ]


async def async_delete_expired_keypad_codes(call: ServiceCall) -> ServiceResponse:
    """Delete (or, as a dry run, only list) the expired keypad codes of the chosen devices."""
    dry_run: bool = call.data["dry_run"]
    targets = resolve_targets(call.hass, call.data[ATTR_DEVICE_ID])
    auths = await read_accounts(targets)
    check_hosting(auths, targets)
    expired = {t: _expired(auths[t.coordinator], t) for t in targets}
    doomed = [target for target in targets if expired[target]]
    if doomed and not dry_run:
        await delete_all(doomed, {t.smartlock_id: [auth for auth, _ in expired[t]] for t in doomed})
    codes: list[JsonValueType] = [
        {
            "device_id": target.device_id,
            "device": target.name,
            "auth_id": auth.id,
            "name": auth.name,
            "allowed_until": until.isoformat(),
        }
        for target in doomed
        for auth, until in expired[target]
    ]
    return {"dry_run": dry_run, "codes": codes}
