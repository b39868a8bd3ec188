"""Service actions on authorizations: keypad codes, app access, listing.

Nuki's rules are in api/authorizations.py, the read-back and undo in api/ledger.py. The last
read of each account goes to the authorization switches, so a new code gets its switch at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, override

import probatio
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .api import AuthType, NukiError, NukiWebApiClient, ParsedList, SmartlockAuth
from .api import authorizations as rules
from .api.ledger import AuthWrite, Doomed, Ledger, Request, Verb, WriteProblem
from .const import DOMAIN
from .helpers import failed, invalid
from .services import (
    DEVICES,
    SchemaDict,
    Step,
    Target,
    by_coordinator,
    device_item,
    resolve_targets,
    write_all,
)

_DAYS = probatio.All(cv.ensure_list, [probatio.In(rules.WEEK_DAYS)])
_WINDOW: SchemaDict = {
    probatio.Optional("allowed_from"): cv.datetime,
    probatio.Optional("allowed_until"): cv.datetime,
    probatio.Optional("allowed_week_days"): _DAYS,
    probatio.Optional("allowed_from_time"): cv.time,
    probatio.Optional("allowed_until_time"): cv.time,
}
_PICK: SchemaDict = {probatio.Optional("auth_id"): cv.string, probatio.Optional("name"): cv.string}
_CODE: SchemaDict = {probatio.Optional("code"): cv.string, **_WINDOW}
_CREATE: SchemaDict = {**DEVICES, probatio.Required("name"): cv.string, **_CODE}
_UPDATE: SchemaDict = {
    **DEVICES,
    **_PICK,
    probatio.Optional("new_name"): cv.string,
    probatio.Optional("enabled"): cv.boolean,
    **_CODE,
}
_GRANT: SchemaDict = {
    **DEVICES,
    # Checked in the handler, so that a wrong value gets a translated error.
    probatio.Required("account_user_id"): cv.match_all,
    probatio.Required("name"): cv.string,
    probatio.Optional("remote_allowed", default=True): cv.boolean,
    **_WINDOW,
}
_EXPIRED: SchemaDict = {**DEVICES, probatio.Optional("dry_run", default=False): cv.boolean}
_LIST: SchemaDict = {**DEVICES, probatio.Optional("include_codes", default=False): cv.boolean}


@contextmanager
def _rule_errors() -> Iterator[None]:
    """Turn a value that breaks Nuki's rules into the translated error."""
    try:
        yield
    except rules.NukiAuthRuleError as err:
        raise invalid(err.problem.value, **err.placeholders) from err


def _window(data: Mapping[str, Any]) -> rules.TimeWindow:
    """Return the call's window; naive moments are in Home Assistant's time zone."""
    given = {name: data[name] for name in map(str, _WINDOW) if name in data}
    return rules.TimeWindow(zone=dt_util.get_default_time_zone(), **given)


class ActionWrite(AuthWrite[Target]):
    """An authorization write of one action, with translated errors, over all its accounts."""

    failure = HomeAssistantError

    def __init__(self, targets: Sequence[Target], verb: Verb, *, app: bool = False) -> None:
        """``verb`` names the change; ``app`` picks the app-access errors."""
        super().__init__(Ledger(targets, verb))
        self._app = app

    @override
    def error(
        self, problem: WriteProblem, targets: Sequence[Target], cause: NukiError | None = None
    ) -> HomeAssistantError:
        names = ", ".join(target.name for target in targets)
        match problem:
            case WriteProblem.SMART_HOSTING:
                for target in targets:
                    target.coordinator.issues.mark_missing([target.smartlock_id])
                key = "app_access_smart_hosting" if self._app else "keypad_smart_hosting"
                return failed(key, device=names)
            case WriteProblem.READ_FAILED:
                return failed("auth_read_failed", error=str(cause))
            case WriteProblem.FAILED:
                key = "app_access_failed" if self._app else "keypad_write_failed"
                return failed(key, error=str(cause))
            case WriteProblem.DUPLICATE:
                return failed("keypad_duplicate", device=names)
            case WriteProblem.LEFT:
                return failed("device_left", device=names)
        return failed("keypad_timeout", device=names)

    async def run(self, step: Step, undo: Step | None = None) -> None:
        """Write account by account (services.write_all); then show the last reads' switches."""
        try:
            await write_all(self.ledger, step, undo)
        finally:
            for coordinator in by_coordinator(self.ledger.targets):
                if (auths := self.reads.get(coordinator.client)) is not None:
                    coordinator.config_entry.runtime_data.auth_coordinator.async_set_read(auths)

    async def delete_all(self, doomed: Doomed) -> None:
        """Delete ``doomed``, account by account; a deletion is never undone, but named.

        A deleted code cannot come back with its id, lock count and history, and creating
        it again would give back an access the user meant to remove.
        """
        await self.run(partial(self.delete, doomed=doomed))

    def response(self, **extra: JsonValueType) -> ServiceResponse:
        """Return, per device, the authorization's id and what was done; ``extra`` on top."""
        devices: list[JsonValueType] = []
        for target in self.ledger.targets:
            auth = self.found.get(target.smartlock_id)
            auth_id = None if auth is None else auth.id
            devices.append(device_item(target, auth_id=auth_id, outcome=self.ledger.verb.value))
        return {"devices": devices, **extra}


# --- keypad codes -----------------------------------------------------------------------------


async def _picked_codes(
    call: ServiceCall, write: ActionWrite
) -> tuple[dict[NukiWebApiClient, ParsedList[SmartlockAuth]], dict[int, SmartlockAuth]]:
    """Read every account and find the chosen code on every device, before any write."""
    auth_id, name = call.data.get("auth_id"), call.data.get("name")
    if (auth_id is None) == (name is None):
        raise invalid("pick_one_code")
    auths = await write.check()
    picked: dict[int, SmartlockAuth] = {}
    for t in write.ledger.targets:
        auth = rules.find_code(auths[t.client], t.smartlock_id, auth_id=auth_id, name=name)
        if auth is None:
            raise invalid("code_not_found", device=t.name, code=str(auth_id or name))
        picked[t.smartlock_id] = auth
    return auths, picked


async def async_create_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Create one keypad code on the chosen devices: on all of them or, as far as Nuki allows, none.

    Without a ``code``, one unused on every device is generated and returned in the response.
    """
    with _rule_errors():
        name = rules.checked_name(call.data["name"], rules.KEYPAD_NAME_LENGTH)
        given = rules.keypad_code(call.data["code"]) if "code" in call.data else None
        window = _window(call.data).body()
    targets = resolve_targets(call)
    for t in targets:
        device = t.coordinator.data.devices.get(t.smartlock_id)
        if device is not None and rules.keypad_paired(device) is False:
            raise invalid("no_keypad", device=t.name)
    write = ActionWrite(targets, Verb.CREATED)
    auths = await write.check()
    if given is None:
        codes = [rules.keypad_codes(auths[t.client], t.smartlock_id) for t in targets]
        with _rule_errors():
            code = rules.generate_keypad_code({a.code for c in codes for a in c if a.code})
    else:
        code = given
        if taken := [t for t in targets if rules.code_taken(auths[t.client], t.smartlock_id, code)]:
            raise invalid("code_exists", device=taken[0].name)
    body = rules.keypad_code_body(name, code, window)
    await write.run(
        *write.creating(
            lambda group: group[0].client.create_auths([t.smartlock_id for t in group], body),
            lambda found, t: rules.created_code(found, t.smartlock_id, code, name),
        )
    )
    return write.response(code=str(code)) if given is None else write.response()


async def async_update_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Change a keypad code's name, code, enabled flag or window on the chosen devices.

    When a device fails, the devices already changed get their previous values back.
    """
    changes: rules.AuthBody = {}
    with _rule_errors():
        if "new_name" in call.data:
            changes["name"] = rules.checked_name(call.data["new_name"], rules.KEYPAD_NAME_LENGTH)
        if "code" in call.data:
            changes["code"] = rules.keypad_code(call.data["code"])
    if "enabled" in call.data:
        changes["enabled"] = call.data["enabled"]
    write = ActionWrite(resolve_targets(call), Verb.UPDATED)
    auths, picked = await _picked_codes(call, write)
    wanted: dict[int, rules.AuthBody] = {}
    for target in write.ledger.targets:
        auth = picked[target.smartlock_id]
        code = changes.get("code")
        if isinstance(code, int) and rules.code_taken(
            auths[target.client], target.smartlock_id, code, auth.id
        ):
            raise invalid("code_exists", device=target.name)
        with _rule_errors():
            wanted[target.smartlock_id] = {**changes, **_window(call.data).body(auth)}

    async def update(
        group: list[Target],
        values: Mapping[int, rules.AuthBody],
        ledger: Ledger[Target] | None = None,
    ) -> None:
        """Send one update per device (every field, ``values`` applied) and read it back."""
        requests: list[Request[Target]] = []
        for t in group:
            auth, client = picked[t.smartlock_id], t.client
            body = rules.update_body(auth, values[t.smartlock_id])
            requests.append(([t], partial(client.update_auth, t.smartlock_id, str(auth.id), body)))

        def shows(found: Sequence[SmartlockAuth], t: Target) -> SmartlockAuth | None:
            return rules.updated(found, picked[t.smartlock_id], values[t.smartlock_id])

        await write.send(requests, shows, ledger)

    async def undo(group: list[Target]) -> None:
        before = {
            t.smartlock_id: rules.previous_values(picked[t.smartlock_id], wanted[t.smartlock_id])
            for t in group
        }
        # A field the code did not have (a new window) cannot be cleared again: it stands.
        group = [t for t in group if None not in before[t.smartlock_id].values()]
        with write.ledger.undoing(group, Verb.RESTORED) as ledger:
            await update(group, before, ledger)

    await write.run(partial(update, values=wanted), undo)
    return write.response()


async def async_delete_keypad_code(call: ServiceCall) -> ServiceResponse:
    """Delete a keypad code from the chosen devices; a failure midway names what is gone."""
    write = ActionWrite(resolve_targets(call), Verb.DELETED)
    _, picked = await _picked_codes(call, write)
    await write.delete_all({smartlock_id: [auth] for smartlock_id, auth in picked.items()})
    return write.response()


async def async_delete_expired_keypad_codes(call: ServiceCall) -> ServiceResponse:
    """Delete (or, as a dry run, only list) the keypad codes whose validity has ended.

    Nuki keeps a keypad code after its ``allowedUntilDate``; a holiday flat with a code per
    booking would fill the keypad's slots (about 100) within a season.
    """
    targets = resolve_targets(call)
    auths = await ActionWrite(targets, Verb.DELETED).check()
    now = dt_util.utcnow()
    expired = {t: rules.expired_codes(auths[t.client], t.smartlock_id, now) for t in targets}
    doomed = [target for target in targets if expired[target]]
    if doomed and not call.data["dry_run"]:
        await ActionWrite(doomed, Verb.DELETED).delete_all(
            {t.smartlock_id: expired[t] for t in doomed}
        )
    codes: list[JsonValueType] = [
        device_item(t, auth_id=a.id, name=a.name, allowed_until=rules.iso(a.allowed_until_date))
        for t in doomed
        for a in expired[t]
    ]
    return {"dry_run": call.data["dry_run"], "codes": codes}


# --- app access and listing -------------------------------------------------------------------


async def async_grant_app_access(call: ServiceCall) -> ServiceResponse:
    """Authorize an account user's Nuki app on the chosen devices: on all of them or none.

    With push on, through PUT /smartlock/auth/advanced (its result arrives by webhook),
    else PUT /smartlock/auth; either way read back, for its id and a possible undo.
    """
    with _rule_errors():
        name = rules.checked_name(call.data["name"])
        user = rules.account_user_id(call.data["account_user_id"])
        window = _window(call.data).body()
    body = rules.app_access_body(name, user, call.data["remote_allowed"], window)
    write = ActionWrite(resolve_targets(call), Verb.CREATED, app=True)
    # Only an authorization that was not there before counts as the new one.
    known = {auth.id for auths in (await write.check()).values() for auth in auths}

    def request(group: list[Target]) -> Awaitable[object]:
        coordinator, ids = group[0].coordinator, [target.smartlock_id for target in group]
        if (push := coordinator.config_entry.runtime_data.push) is not None:
            return push.async_create_auths(ids, body)
        return coordinator.client.create_auths(ids, {**body, "type": int(AuthType.APP)})

    def shows(found: Sequence[SmartlockAuth], target: Target) -> SmartlockAuth | None:
        return rules.created_app_auth(found, target.smartlock_id, known=known, user=user, name=name)

    await write.run(*write.creating(request, shows))
    return write.response()


async def async_list_authorizations(call: ServiceCall) -> ServiceResponse:
    """Return the authorizations of the chosen devices; keypad codes only on request."""
    items: list[JsonValueType] = []
    write = ActionWrite(resolve_targets(call), Verb.LISTED)
    for coordinator, group in by_coordinator(write.ledger.targets).items():
        auths = await write.read(coordinator.client)
        items += [
            device_item(target, **rules.listed(auth, include_code=call.data["include_codes"]))
            for target in group
            for auth in auths
            if auth.smartlock_id == target.smartlock_id
        ]
    return {"authorizations": items}


@callback
def async_setup_authorization_services(hass: HomeAssistant) -> None:
    """Register the authorization actions (once, in async_setup, for all entries)."""
    optional, only = SupportsResponse.OPTIONAL, SupportsResponse.ONLY
    for action, handler, fields, response in (
        ("create_keypad_code", async_create_keypad_code, _CREATE, optional),
        ("update_keypad_code", async_update_keypad_code, _UPDATE, optional),
        ("delete_keypad_code", async_delete_keypad_code, {**DEVICES, **_PICK}, optional),
        ("delete_expired_keypad_codes", async_delete_expired_keypad_codes, _EXPIRED, optional),
        ("grant_app_access", async_grant_app_access, _GRANT, optional),
        ("list_authorizations", async_list_authorizations, _LIST, only),
    ):
        schema = probatio.Schema(fields)
        hass.services.async_register(DOMAIN, action, handler, schema, response)
