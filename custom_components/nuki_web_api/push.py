"""Push updates through Nuki's Advanced API: a decentral webhook posts changes to Home Assistant.

Polling stays the source of truth. While pushes arrive it slows to a safety interval; it
returns to the configured interval (and raises a repair issue) as soon as a poll finds a change
that push never delivered, or the registration at Nuki is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from http import HTTPStatus
from typing import Any, Final, NoReturn, Self

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util import dt as dt_util

from .api import (
    JsonObject,
    NukiAuthError,
    NukiError,
    NukiForbiddenError,
    NukiNotFoundError,
    NukiWebApiClient,
    Smartlock,
    SmartlockAuth,
    SmartlockLog,
)
from .const import CONF_API_TOKEN, CONF_API_URL, DEFAULT_API_URL, DOMAIN, LOGGER
from .coordinator import NukiConfigEntry, NukiData, ResultWait

CONF_PUSH: Final = "push"
CONF_PUSH_REGISTRATION: Final = "push_registration"
# Why push is not running yet (no repair issue): it registers once the cloud connects.
CLOUD_NOT_CONNECTED: Final = "cloud_not_connected"

FEATURES: Final = (
    "DEVICE_STATUS",
    "DEVICE_MASTERDATA",
    "DEVICE_CONFIG",
    "DEVICE_LOGS",
    "DEVICE_AUTHS",
)
SIGNATURE_HEADER: Final = "X-Nuki-Signature-SHA256"

# Poll interval while push is healthy: catches what push missed, checks the registration.
SAFETY_INTERVAL: Final = timedelta(minutes=10)
# How long an accepted advanced call waits for its result webhook. Nuki does not document
# whether decentral webhooks get results of API calls, so the follow-up reads confirm an
# action either way; the wait only lets a quick refusal (busy, night mode) raise its error.
ACTION_RESULT_WAIT = 5.0
# How long a change that a poll found may take to arrive by push before push counts as broken.
MISSED_PUSH_GRACE = 30.0
# Results of advanced calls nobody waits for (yet): kept in case the webhook beats the answer;
# and ids of calls whose wait ended, so that a late failure is still reported.
_EARLY_RESULTS = 20
_LATE_RESULTS = 20
# Device pushes remembered to recognise a repeat (a few per device and day suffice).
_APPLIED_PUSHES = 256

# Device error code in a failed advanced result -> translation key of the raised error.
_RESULT_ERROR_KEYS: Final = {
    0x45: "device_busy",
    0x4F: "night_mode_rejected",
    0xFF: "device_offline",
}

# Nuki's payloads are a few levels deep; a deeper one is not Nuki's and is dropped.
_MAX_DEPTH: Final = 16
# Numbers a push may carry: Nuki's ids are int64; anything larger is not Nuki's.
_MAX_INT: Final = 2**63

# Smartlock fields that DEVICE_STATUS / DEVICE_CONFIG pushes replace.
_STATUS_KEYS: Final = ("state", "serverState", "adminPinState")
_CONFIG_KEYS: Final = (
    "config",
    "advancedConfig",
    "openerAdvancedConfig",
    "smartdoorAdvancedConfig",
    "webConfig",
)


def signal_auth_pushed(entry_id: str) -> str:
    """Dispatcher signal for a pushed authorization: args (SmartlockAuth, deleted: bool)."""
    return f"{DOMAIN}_{entry_id}_auth_pushed"


def push_issue_id(entry_id: str) -> str:
    """Return the id of the entry's push repair issue (one at a time)."""
    return f"push_{entry_id}"


class PushUnavailableError(Exception):
    """Push cannot work; ``reason`` is the translation key of the form error and issue."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Registration:
    """The HA webhook and the decentral webhook at Nuki that posts to it."""

    webhook_id: str
    nuki_id: int
    secret: str
    cloudhook: bool

    @classmethod
    def from_entry(cls, entry: NukiConfigEntry) -> Self | None:
        """Return the registration stored in the entry, if any."""
        stored = entry.data.get(CONF_PUSH_REGISTRATION)
        return None if stored is None else cls(**stored)

    def as_dict(self) -> dict[str, str | int | bool]:
        """Return the form stored in the entry's data."""
        return {
            "webhook_id": self.webhook_id,
            "nuki_id": self.nuki_id,
            "secret": self.secret,
            "cloudhook": self.cloudhook,
        }


# --- reachability and registration ---------------------------------------------------------


def _external_url(hass: HomeAssistant) -> str | None:
    try:
        return get_url(
            hass, allow_internal=False, allow_cloud=False, require_ssl=True, prefer_external=True
        )
    except NoURLAvailableError:
        return None


def _cloud_available(hass: HomeAssistant) -> bool:
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    return cloud.async_active_subscription(hass)


def _require_reachable(hass: HomeAssistant) -> None:
    if _external_url(hass) is None and not _cloud_available(hass):
        raise PushUnavailableError("no_external_url")


async def _webhook_url(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """Return the internet-facing https URL of the webhook and whether it is a cloudhook."""
    if (base := _external_url(hass)) is not None:
        return f"{base}{webhook.async_generate_path(webhook_id)}", False
    _require_reachable(hass)
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    try:
        return await cloud.async_create_cloudhook(hass, webhook_id), True
    except cloud.CloudNotConnected as err:  # at startup, before Nabu Casa connects
        raise PushUnavailableError(CLOUD_NOT_CONNECTED) from err
    except cloud.CloudNotAvailable as err:  # logged out meanwhile
        raise PushUnavailableError("no_external_url") from err


async def _nuki[T](call: Callable[[], Awaitable[T]]) -> T:
    """Run a client call; failures become the reason push is unavailable."""
    try:
        result = await call()
    except (NukiForbiddenError, NukiAuthError) as err:
        # 403: no Advanced API; 401: the token lacks the webhook.decentral scope.
        raise PushUnavailableError("advanced_api_forbidden") from err
    except NukiError as err:
        raise PushUnavailableError("cannot_connect") from err
    return result


def _client(hass: HomeAssistant, entry: NukiConfigEntry) -> NukiWebApiClient:
    return NukiWebApiClient(
        async_get_clientsession(hass),
        entry.data[CONF_API_TOKEN],
        base_url=entry.data.get(CONF_API_URL, DEFAULT_API_URL),
    )


async def async_validate_push(hass: HomeAssistant, entry: NukiConfigEntry) -> str | None:
    """Options flow: return a form error key, or None when push can be turned on."""
    try:
        _require_reachable(hass)
        await _nuki(_client(hass, entry).decentral_webhooks)
    except PushUnavailableError as err:
        return err.reason
    return None


async def _async_register(
    hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
) -> Registration:
    """Reuse the stored registration if Nuki still lists it, else register anew and store it."""
    stored = Registration.from_entry(entry)
    if stored is not None:
        hooks = await _nuki(client.decentral_webhooks)
        if any(hook.id == stored.nuki_id for hook in hooks):
            return stored
    webhook_id = webhook.async_generate_id()
    url, cloudhook = await _webhook_url(hass, webhook_id)
    hook = await _nuki(lambda: client.register_decentral_webhook(url, FEATURES))
    if hook.id is None or not hook.secret:
        raise PushUnavailableError("cannot_connect")
    registration = Registration(webhook_id, hook.id, hook.secret, cloudhook)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PUSH_REGISTRATION: registration.as_dict()}
    )
    LOGGER.debug("Registered decentral webhook %s at Nuki Web", hook.id)
    return registration


async def _async_unregister(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    client: NukiWebApiClient,
    registration: Registration,
    *,
    forget: bool = True,
) -> None:
    """Delete the decentral webhook at Nuki (and a cloudhook); forget it in the entry.

    ``forget=False`` on removal: Home Assistant has dropped the entry already.
    """
    try:
        await client.delete_decentral_webhook(registration.nuki_id)
    except NukiNotFoundError:
        pass
    except NukiError as err:
        LOGGER.warning("Could not remove the push webhook at Nuki Web: %s", err)
    if registration.cloudhook:
        from homeassistant.components import cloud  # noqa: PLC0415 - only when used

        try:
            await cloud.async_delete_cloudhook(hass, registration.webhook_id)
        except HomeAssistantError as err:
            LOGGER.debug("Could not remove the cloudhook: %s", err)
    if forget:
        hass.config_entries.async_update_entry(
            entry, data={k: v for k, v in entry.data.items() if k != CONF_PUSH_REGISTRATION}
        )


async def async_setup_push(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """Start push if the option is on; otherwise remove a registration left behind.

    Push never fails the entry: polling goes on, and a repair issue says why push is off.
    Before Home Assistant Cloud connects, push registers once it does.
    """
    client = entry.runtime_data.client
    if not entry.options.get(CONF_PUSH):
        ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry.entry_id))
        if (stored := Registration.from_entry(entry)) is not None:
            await _async_unregister(hass, entry, client, stored)
        return
    reason = await _async_start(hass, entry)
    if reason == CLOUD_NOT_CONNECTED:
        LOGGER.info("Push updates wait for Home Assistant Cloud to connect; polling meanwhile")
        entry.async_on_unload(_listen_for_cloud(hass, entry))
    elif reason is not None:
        _report_unavailable(hass, entry, reason)


async def _async_start(hass: HomeAssistant, entry: NukiConfigEntry) -> str | None:
    """Register and start push; return why it cannot run, or None."""
    try:
        registration = await _async_register(hass, entry, entry.runtime_data.client)
    except PushUnavailableError as err:
        return err.reason
    push = NukiPush(hass, entry, registration)
    push.start()
    entry.async_on_unload(push.async_stop)
    return None


@callback
def _listen_for_cloud(hass: HomeAssistant, entry: NukiConfigEntry) -> CALLBACK_TYPE:
    """Register push when the cloud connects (as withings and netatmo do)."""
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    starting: asyncio.Task[None] | None = None

    async def _async_connected() -> None:
        reason = await _async_start(hass, entry)
        if reason is not None and reason != CLOUD_NOT_CONNECTED:
            _report_unavailable(hass, entry, reason)

    @callback
    def _changed(state: cloud.CloudConnectionState) -> None:
        nonlocal starting
        if (
            state is not cloud.CloudConnectionState.CLOUD_CONNECTED
            or entry.runtime_data.coordinator.push is not None
            or (starting is not None and not starting.done())
        ):
            return
        starting = entry.async_create_background_task(
            hass, _async_connected(), name=f"{DOMAIN} push after cloud connected"
        )

    return cloud.async_listen_connection_change(hass, _changed)


@callback
def _report_unavailable(hass: HomeAssistant, entry: NukiConfigEntry, reason: str) -> None:
    LOGGER.warning("Push updates are not available (%s); polling continues", reason)
    _create_issue(hass, entry, reason)


async def async_remove_push(hass: HomeAssistant, entry: NukiConfigEntry) -> None:
    """On removal: delete a registration that an unload did not (entry was not loaded)."""
    if (stored := Registration.from_entry(entry)) is not None:
        await _async_unregister(hass, entry, _client(hass, entry), stored, forget=False)


@callback
def _create_issue(hass: HomeAssistant, entry: NukiConfigEntry, reason: str) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        push_issue_id(entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"push_{reason}",
        translation_placeholders={"title": entry.title},
    )


# --- the running push ---------------------------------------------------------------------


def _signed(secret: str, body: bytes, signature: str | None) -> bool:
    """Check Nuki's HMAC; a header that is not ASCII text (raw bytes) is simply wrong."""
    if signature is None:
        return False
    try:
        given = signature.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, expected.encode())


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number")


def _finite(text: str) -> float:
    if not math.isfinite(value := float(text)):
        raise ValueError("a number is out of range")
    return value


def _bounded(text: str) -> int:
    if abs(value := int(text)) >= _MAX_INT:
        raise ValueError("integer out of range")
    return value


def _too_deep(value: object) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > _MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _decode(body: bytes) -> object:
    """Parse a push strictly (finite numbers, bounded nesting); ValueError if it is not."""
    try:
        payload = json.loads(
            body, parse_float=_finite, parse_int=_bounded, parse_constant=_no_constant
        )
    except RecursionError as err:
        raise ValueError("nested too deeply") from err
    if _too_deep(payload):
        raise ValueError("nested too deeply")
    return payload


def older_than_shown(pushed: Mapping[str, Any], shown: Mapping[str, Any]) -> bool:
    """Whether a pushed object's Nuki ``updateDate`` is older than the shown one's."""
    pushed_at, shown_at = pushed.get("updateDate"), shown.get("updateDate")
    if not isinstance(pushed_at, str) or not isinstance(shown_at, str):
        return False
    pushed_dt, shown_dt = dt_util.parse_datetime(pushed_at), dt_util.parse_datetime(shown_at)
    return pushed_dt is not None and shown_dt is not None and pushed_dt < shown_dt


def _smartlock_id(payload: Mapping[str, Any]) -> int:
    """Return the payload's smartlockId: a JSON integer, nothing that merely converts to one."""
    value = payload["smartlockId"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("smartlockId is not an integer")
    return value


def _error_code(payload: Mapping[str, Any]) -> int | None:
    """Return the device error code of a failed result (top level or first detail item)."""
    detail = payload.get("detail")
    codes = [payload.get("errorCode")]
    if isinstance(detail, list):
        codes += [item.get("errorCode") for item in detail if isinstance(item, dict)]
    for code in codes:
        if isinstance(code, str):
            try:
                return int(code, 16)
            except ValueError:
                continue
    return None


class NukiPush:
    """Applies signed pushes to the coordinator and waits for the results of advanced calls."""

    def __init__(
        self, hass: HomeAssistant, entry: NukiConfigEntry, registration: Registration
    ) -> None:
        """Bind to the loaded entry's coordinator and client."""
        self.hass = hass
        self._entry = entry
        self._registration = registration
        self._coordinator = entry.runtime_data.coordinator
        self._client = entry.runtime_data.client
        self.healthy = True
        # Result of an advanced call by requestId; None if push stopped while it waited.
        self._waiters: dict[str, asyncio.Future[Mapping[str, Any] | None]] = {}
        self._early: OrderedDict[str, Mapping[str, Any]] = OrderedDict()
        self._late: OrderedDict[str, int] = OrderedDict()  # requestId -> smartlockId
        # Changes that a poll found and push has not delivered yet, with when they were found.
        self._unconfirmed: dict[str, datetime] = {}
        # Digests of the device pushes received (newest last), and the lock state and time
        # of a repeated one that a read checks instead (see _update_device).
        self._applied: OrderedDict[bytes, None] = OrderedDict()
        self._announced: dict[int, tuple[int | None, datetime]] = {}
        self._cancel_check: CALLBACK_TYPE | None = None
        self._registration_checked = dt_util.utcnow()
        self._handlers: dict[str, Callable[[Mapping[str, Any]], None]] = {
            "DEVICE_STATUS": self._on_status,
            "DEVICE_MASTERDATA": self._on_masterdata,
            "DEVICE_CONFIG": self._on_config,
            "DEVICE_LOGS": self._on_log,
            "DEVICE_AUTHS": self._on_auth,
        }

    @callback
    def start(self) -> None:
        """Receive pushes and slow polling down to the safety interval."""
        webhook.async_register(
            self.hass,
            DOMAIN,
            "Nuki Web push",
            self._registration.webhook_id,
            self._async_handle,
            allowed_methods=("POST",),
        )
        self._coordinator.push = self
        self._coordinator.async_set_poll_interval(SAFETY_INTERVAL)
        ir.async_delete_issue(self.hass, DOMAIN, push_issue_id(self._entry.entry_id))

    async def async_stop(self) -> None:
        """On unload: stop receiving and delete the registration at Nuki."""
        webhook.async_unregister(self.hass, self._registration.webhook_id)
        self._coordinator.push = None
        self._cancel_missed_check()
        for future in self._waiters.values():
            if not future.done():
                future.set_result(None)  # the waiting call ends in a translated error
        await _async_unregister(self.hass, self._entry, self._client, self._registration)

    # --- receiving ------------------------------------------------------------------------

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        body = await request.read()
        if not _signed(self._registration.secret, body, request.headers.get(SIGNATURE_HEADER)):
            LOGGER.warning("Rejected a push without a valid signature")
            return web.Response(status=HTTPStatus.UNAUTHORIZED)
        try:
            payload = _decode(body)
        except ValueError as err:
            LOGGER.debug("Ignored a push that is not usable JSON: %s", err)
            return web.Response()
        if isinstance(payload, dict):
            self._apply(payload)
        else:
            LOGGER.debug("Ignored a push that is not a JSON object")
        return web.Response()

    @callback
    def _apply(self, payload: Mapping[str, Any]) -> None:
        feature = payload.get("feature")
        handler = self._handlers.get(feature) if isinstance(feature, str) else None
        if handler is None:
            if isinstance(payload.get("requestId"), str) and "success" in payload:
                self._on_result(payload)
            else:
                LOGGER.debug("Ignored a push of unknown feature %s", feature)
            return
        try:
            handler(payload)
        except (NukiError, KeyError, TypeError, ValueError) as err:
            LOGGER.debug("Ignored a malformed %s push: %s", feature, err)

    def _on_status(self, payload: Mapping[str, Any]) -> None:
        smartlock_id = _smartlock_id(payload)
        self._unconfirmed.pop(f"state:{smartlock_id}", None)
        self._update_device(smartlock_id, {k: payload[k] for k in _STATUS_KEYS if k in payload})

    def _on_masterdata(self, payload: Mapping[str, Any]) -> None:
        if payload.get("deleted"):
            self._refresh()  # the poll removes the device and its entities
            return
        changes = {k: v for k, v in payload.items() if k not in ("feature", "deleted")}
        self._update_device(_smartlock_id(payload), changes)

    def _on_config(self, payload: Mapping[str, Any]) -> None:
        changes = {k: payload[k] for k in _CONFIG_KEYS if k in payload}
        self._update_device(_smartlock_id(payload), changes)

    def _on_log(self, payload: Mapping[str, Any]) -> None:
        entry = SmartlockLog.from_json(payload["smartlockLog"])
        self._unconfirmed.pop(f"log:{entry.id}", None)
        data = self._coordinator.data
        # The same cursor as polling: an entry is reported once, whichever way it came first.
        new_logs = tuple(
            e for e in self._coordinator.log_cursor.advance([entry]) if e.error is None
        )
        if not new_logs:
            return
        last_log = dict(data.last_log)
        shown = last_log.get(entry.smartlock_id)
        # An entry delivered late is reported, but never replaces a newer last entry.
        if entry.smartlock_id in data.devices and (shown is None or entry.date >= shown.date):
            last_log[entry.smartlock_id] = entry
        self._coordinator.async_set_pushed_data(replace(data, new_logs=new_logs, last_log=last_log))

    def _on_auth(self, payload: Mapping[str, Any]) -> None:
        auth = SmartlockAuth.from_json(payload["smartlockAuth"])
        async_dispatcher_send(
            self.hass,
            signal_auth_pushed(self._entry.entry_id),
            auth,
            bool(payload.get("deleted")),
        )

    def _update_device(self, smartlock_id: int, changes: JsonObject) -> None:
        """Merge pushed fields into the device's JSON and parse it like a poll would.

        A pushed state never replaces a newer one. A push with Nuki's ``updateDate``
        (DEVICE_MASTERDATA) older than the device's is ignored. DEVICE_STATUS and
        DEVICE_CONFIG carry no date: a body that was applied before and would change the
        device now is a replay or a late re-delivery (or the same change once more), so
        the device is read instead of taking the push's word for it.
        """
        if (device := self._coordinator.data.devices.get(smartlock_id)) is None:
            self._refresh()  # a device this account did not have: read it completely
            return
        if older_than_shown(changes, device.raw):
            LOGGER.debug("Ignored a push for %s older than its data", smartlock_id)
            return
        digest = hashlib.sha256(
            json.dumps([smartlock_id, changes], sort_keys=True).encode()
        ).digest()
        repeated = digest in self._applied
        self._applied[digest] = None
        self._applied.move_to_end(digest)
        while len(self._applied) > _APPLIED_PUSHES:
            self._applied.popitem(last=False)
        merged = {**device.raw, **changes}
        if merged == device.raw:
            return
        pushed = Smartlock.from_json(merged)
        if repeated:
            LOGGER.debug("A push for %s repeats an earlier one; reading the device", smartlock_id)
            self._announced[smartlock_id] = (_lock_state(pushed), dt_util.utcnow())
            self._refresh()
            return
        self._coordinator.async_set_pushed_device(pushed)

    @callback
    def _refresh(self) -> None:
        self._entry.async_create_background_task(
            self.hass, self._coordinator.async_request_refresh(), name=f"{DOMAIN} push refresh"
        )

    # --- health ---------------------------------------------------------------------------

    async def async_polled(self, before: NukiData | None, after: NukiData) -> None:
        """Compare a poll with what push delivered; check the registration at the safety poll."""
        if not self.healthy:
            return
        now = dt_util.utcnow()
        for entry in after.new_logs:
            self._unconfirmed.setdefault(f"log:{entry.id}", now)
        for smartlock_id, device in after.devices.items():
            old = None if before is None else before.devices.get(smartlock_id)
            if (
                old is not None
                and _lock_state(old) != _lock_state(device)
                and not self._was_announced(smartlock_id, device, now)
            ):
                self._unconfirmed.setdefault(f"state:{smartlock_id}", now)
        if self._unconfirmed and self._cancel_check is None:
            self._schedule_missed_check(MISSED_PUSH_GRACE)
        if now - self._registration_checked >= SAFETY_INTERVAL:
            self._registration_checked = now
            await self._async_check_registration()

    def _was_announced(self, smartlock_id: int, device: Smartlock, now: datetime) -> bool:
        """Whether a repeated push (read instead of applied) announced this very change."""
        announced = self._announced.pop(smartlock_id, None)
        return (
            announced is not None
            and announced[0] == _lock_state(device)
            and (now - announced[1]).total_seconds() < MISSED_PUSH_GRACE
        )

    async def _async_check_registration(self) -> None:
        try:
            hooks = await self._client.decentral_webhooks()
        except NukiError as err:
            LOGGER.debug("Could not check the push webhook at Nuki Web: %s", err)
            return
        if not any(hook.id == self._registration.nuki_id for hook in hooks):
            self._fall_back("webhook_gone")

    @callback
    def _schedule_missed_check(self, delay: float) -> None:
        self._cancel_check = async_call_later(
            self.hass, delay, HassJob(self._check_missed, cancel_on_shutdown=True)
        )

    @callback
    def _check_missed(self, now: datetime) -> None:
        self._cancel_check = None
        if not self._unconfirmed:
            return
        oldest = min(self._unconfirmed.values())
        waited = (now - oldest).total_seconds()
        if waited >= MISSED_PUSH_GRACE:
            self._fall_back("missed")
        else:
            self._schedule_missed_check(MISSED_PUSH_GRACE - waited)

    @callback
    def _cancel_missed_check(self) -> None:
        if self._cancel_check is not None:
            self._cancel_check()
            self._cancel_check = None

    @callback
    def _fall_back(self, reason: str) -> None:
        """Push is unreliable: poll at the configured interval and tell the user why."""
        self.healthy = False
        self._cancel_missed_check()
        self._unconfirmed.clear()
        self._coordinator.async_set_poll_interval(None)
        LOGGER.warning("Push updates stopped working (%s); polling at the normal interval", reason)
        _create_issue(self.hass, self._entry, reason)

    # --- advanced calls -------------------------------------------------------------------

    async def async_action(self, smartlock_id: int, action: int) -> ResultWait:
        """Send an action through the Advanced API; return the short wait for its result.

        The coordinator starts its follow-up reads first, as in polling mode, then waits
        (outside the device's action lock). A failure that arrives in time raises its
        translated error; one that arrives later is logged, and any result refreshes.
        """
        request_id = await self._client.advanced_action(smartlock_id, action)
        future = self._expect(request_id)
        return partial(self._async_action_result, request_id, future, smartlock_id)

    async def _async_action_result(
        self,
        request_id: str,
        future: asyncio.Future[Mapping[str, Any] | None],
        smartlock_id: int,
    ) -> None:
        result = await self._async_wait(request_id, future, smartlock_id)
        if result is None:
            LOGGER.debug("No result yet for the action on %s; polling confirms it", smartlock_id)
        elif result.get("success") is not True:
            raise self._result_error(smartlock_id, result)

    async def async_create_auths(self, smartlock_ids: Sequence[int], auth: JsonObject) -> None:
        """Create an account user's authorization through the Advanced API; wait for the result.

        (Swagger's SmartlocksAuthAdvancedCreate has no ``type`` or ``code``: keypad codes
        cannot be created this way.)

        Devices that Nuki refuses for lack of Smart Hosting are named in the raised error
        and get the Smart Hosting repair issue; the others still get the authorization.
        """
        confirmation = await self._client.create_auths_advanced(smartlock_ids, auth)
        refused = [i for i in smartlock_ids if i in confirmation.smartlock_ids]
        if not confirmation.smart_hosting_missing:
            refused = []
        if confirmation.request_id is not None and len(refused) < len(smartlock_ids):
            future = self._expect(confirmation.request_id)
            result = await self._async_wait(confirmation.request_id, future, smartlock_ids[0])
            if result is not None and result.get("success") is not True:
                raise self._result_error(smartlock_ids[0], result)
        if refused:
            self._coordinator.async_mark_smart_hosting_missing(refused)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="smart_hosting_refused",
                translation_placeholders={
                    "names": ", ".join(self._coordinator.device_name(i) for i in refused)
                },
            )

    @callback
    def _expect(self, request_id: str) -> asyncio.Future[Mapping[str, Any] | None]:
        """Register for the result of an accepted call (it may have arrived already)."""
        future: asyncio.Future[Mapping[str, Any] | None] = self.hass.loop.create_future()
        if (early := self._early.pop(request_id, None)) is not None:
            future.set_result(early)
        self._waiters[request_id] = future
        return future

    async def _async_wait(
        self,
        request_id: str,
        future: asyncio.Future[Mapping[str, Any] | None],
        smartlock_id: int,
    ) -> Mapping[str, Any] | None:
        """Wait at most ACTION_RESULT_WAIT; None if no result came (a later one is logged)."""
        try:
            async with asyncio.timeout(ACTION_RESULT_WAIT):
                result = await future
        except TimeoutError:
            self._late[request_id] = smartlock_id
            while len(self._late) > _LATE_RESULTS:
                self._late.popitem(last=False)
            return None
        finally:
            del self._waiters[request_id]
        if result is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="push_stopped",
                translation_placeholders={"name": self._coordinator.device_name(smartlock_id)},
            )
        return result

    @callback
    def _on_result(self, payload: Mapping[str, Any]) -> None:
        request_id: str = payload["requestId"]
        self._refresh()  # the device acted (or refused): read what it shows now
        future = self._waiters.get(request_id)
        if future is not None and not future.done():
            future.set_result(payload)
        elif (smartlock_id := self._late.pop(request_id, None)) is not None:
            if payload.get("success") is not True:
                self._coordinator.async_action_refused(smartlock_id)
                LOGGER.warning(
                    "Nuki Web reported after the call had returned: %s",
                    self._result_error(smartlock_id, payload),
                )
        else:
            self._early[request_id] = payload
            while len(self._early) > _EARLY_RESULTS:
                self._early.popitem(last=False)

    def _result_error(self, smartlock_id: int, payload: Mapping[str, Any]) -> HomeAssistantError:
        code = _error_code(payload)
        named = payload.get("smartlockId")
        if isinstance(named, int) and not isinstance(named, bool):
            smartlock_id = named
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=_RESULT_ERROR_KEYS.get(code or 0, "action_failed"),
            translation_placeholders={
                "name": self._coordinator.device_name(smartlock_id),
                "code": "?" if code is None else f"0x{code:02X}",
            },
        )


def _lock_state(device: Smartlock) -> int | None:
    return None if device.state is None or device.state.state is None else int(device.state.state)
