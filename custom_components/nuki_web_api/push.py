"""Push updates (Nuki's Advanced API webhooks) as a data source for the coordinator.

Polling stays the source of truth. While pushes arrive it slows to a safety interval; it
returns to the configured interval (and raises a repair issue) as soon as a poll finds a change
that push never delivered, or the registration at Nuki is gone. The protocol (signature,
bodies, replays, results of advanced calls) is `api.webhooks`; this module maps its events to
the coordinator's narrow interface. Registration at Nuki: push_registration.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from http import HTTPStatus
from typing import Final, Self

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import (
    SIGNATURE_HEADER,
    ActionResult,
    ActionResults,
    AuthPushed,
    DeviceDeleted,
    DeviceUpdate,
    JsonObject,
    LockState,
    LogPushed,
    NukiError,
    NukiResultsClosedError,
    NukiWebApiClient,
    NukiWebhookError,
    OpenerState,
    PushedDevices,
    Smartlock,
    WebhookEvent,
    parse_webhook,
    verify_signature,
)
from .const import CONF_PUSH_REGISTRATION, DOMAIN, LOGGER
from .coordinator import NukiCoordinator, NukiData, ResultWait

# Poll interval while push is healthy: catches what push missed, checks the registration.
SAFETY_INTERVAL: Final = timedelta(minutes=10)
# How long an accepted advanced call waits for its result webhook. Nuki does not document
# whether decentral webhooks get results of API calls, so the follow-up reads confirm an
# action either way; the wait only lets a quick refusal (busy, night mode) raise its error.
ACTION_RESULT_WAIT = 5.0
# How long a change that a poll found may take to arrive by push before push counts as broken.
MISSED_PUSH_GRACE = 30.0
# Results of advanced calls nobody waits for (yet), and ids of calls whose wait ended.
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


def signal_auth_pushed(entry_id: str) -> str:
    """Dispatcher signal for a pushed authorization: args (SmartlockAuth, deleted: bool)."""
    return f"{DOMAIN}_{entry_id}_auth_pushed"


def push_issue_id(entry_id: str) -> str:
    """Return the id of the entry's push repair issue (one at a time)."""
    return f"push_{entry_id}"


@callback
def async_create_push_issue(hass: HomeAssistant, entry: ConfigEntry, reason: str) -> None:
    """Raise the entry's push repair issue; `reason` picks its text (push_<reason>)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        push_issue_id(entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"push_{reason}",
        translation_placeholders={"title": entry.title},
    )


@dataclass(frozen=True, slots=True)
class Registration:
    """The HA webhook and the decentral webhook at Nuki that posts to it."""

    webhook_id: str
    nuki_id: int
    secret: str
    cloudhook: bool

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> Self | None:
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


class NukiPush:
    """Applies signed pushes to the coordinator, watches its own health, runs advanced calls.

    While it runs, it is the coordinator's `advanced_api`: device actions go through the
    Advanced API as long as push is healthy, and plainly once it fell back to polling.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: NukiWebApiClient,
        coordinator: NukiCoordinator,
        registration: Registration,
    ) -> None:
        """Feed `coordinator` with what the webhook of `registration` receives."""
        self.hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._registration = registration
        self.healthy = True
        self._results = ActionResults(early=_EARLY_RESULTS, late=_LATE_RESULTS)
        self._devices = PushedDevices(_APPLIED_PUSHES)
        # Changes that a poll found and push has not delivered yet, with when they were found.
        self._unconfirmed: dict[str, datetime] = {}
        # The lock state and time of a repeated push that a read checks instead.
        self._announced: dict[int, tuple[LockState | OpenerState | None, datetime]] = {}
        self._cancel_check: CALLBACK_TYPE | None = None
        self._remove_poll_listener: CALLBACK_TYPE | None = None
        self._registration_checked = dt_util.utcnow()

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
        self._remove_poll_listener = self._coordinator.async_add_poll_listener(self.async_polled)
        self._coordinator.advanced_api = self
        self._coordinator.async_set_poll_interval(SAFETY_INTERVAL)
        ir.async_delete_issue(self.hass, DOMAIN, push_issue_id(self._entry.entry_id))

    @callback
    def stop(self) -> None:
        """On unload: stop receiving; waiting calls end in a translated error."""
        webhook.async_unregister(self.hass, self._registration.webhook_id)
        self._coordinator.advanced_api = None
        if self._remove_poll_listener is not None:
            self._remove_poll_listener()
            self._remove_poll_listener = None
        self._cancel_missed_check()
        self._results.close()

    # --- receiving ------------------------------------------------------------------------

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        body = await request.read()
        signature = request.headers.get(SIGNATURE_HEADER)
        if not verify_signature(self._registration.secret, body, signature):
            LOGGER.warning("Rejected a push without a valid signature")
            return web.Response(status=HTTPStatus.UNAUTHORIZED)
        try:
            self._apply(parse_webhook(body))
        except NukiWebhookError as err:
            LOGGER.debug("Ignored a push: %s", err)
        return web.Response()

    @callback
    def _apply(self, event: WebhookEvent) -> None:
        match event:
            case DeviceUpdate():
                self._update_device(event)
            case DeviceDeleted():
                self._refresh()  # the poll removes the device and its entities
            case LogPushed(entry=log):
                self._unconfirmed.pop(f"log:{log.id}", None)
                self._coordinator.async_set_pushed_log(log)
            case AuthPushed(auth=auth, deleted=deleted):
                signal = signal_auth_pushed(self._entry.entry_id)
                async_dispatcher_send(self.hass, signal, auth, deleted)
            case ActionResult():
                self._on_result(event)

    def _update_device(self, update: DeviceUpdate) -> None:
        """Apply pushed device fields, unless Nuki's ordering rules say to read instead."""
        smartlock_id = update.smartlock_id
        if update.feature == "DEVICE_STATUS":
            self._unconfirmed.pop(f"state:{smartlock_id}", None)
        if (shown := self._coordinator.data.devices.get(smartlock_id)) is None:
            self._refresh()  # a device this account did not have: read it completely
            return
        if (merged := self._devices.merge(update, shown)) is None:
            return
        if merged.repeated:
            LOGGER.debug("A push for %s repeats an earlier one; reading the device", smartlock_id)
            self._announced[smartlock_id] = (merged.device.lock_state, dt_util.utcnow())
            self._refresh()
            return
        self._coordinator.async_set_pushed_device(merged.device)

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
                and old.lock_state != device.lock_state
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
            and announced[0] == device.lock_state
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
        async_create_push_issue(self.hass, self._entry, reason)

    # --- advanced calls (coordinator.AdvancedApi) -----------------------------------------

    async def async_action(self, smartlock_id: int, action: int) -> ResultWait | None:
        """Send an action through the Advanced API; return the short wait for its result.

        The coordinator starts its follow-up reads first, as in polling mode, then waits
        (outside the device's action lock). A failure that arrives in time raises its
        translated error; one that arrives later is logged, and any result refreshes.
        Once push fell back to polling, the action goes the plain way (None).
        """
        if not self.healthy:
            await self._client.action(smartlock_id, action)
            return None
        request_id = await self._client.advanced_action(smartlock_id, action)
        self._results.expect(request_id)
        return partial(self._async_action_result, request_id, smartlock_id)

    async def _async_action_result(self, request_id: str, smartlock_id: int) -> None:
        result = await self._async_wait(request_id, smartlock_id)
        if result is None:
            LOGGER.debug("No result yet for the action on %s; polling confirms it", smartlock_id)
        elif not result.success:
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
            self._results.expect(confirmation.request_id)
            result = await self._async_wait(confirmation.request_id, smartlock_ids[0])
            if result is not None and not result.success:
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

    async def _async_wait(self, request_id: str, smartlock_id: int) -> ActionResult | None:
        """Wait at most ACTION_RESULT_WAIT; None if no result came (a later one is logged)."""
        try:
            return await self._results.wait(request_id, smartlock_id, ACTION_RESULT_WAIT)
        except NukiResultsClosedError:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="push_stopped",
                translation_placeholders={"name": self._coordinator.device_name(smartlock_id)},
            ) from None

    @callback
    def _on_result(self, result: ActionResult) -> None:
        self._refresh()  # the device acted (or refused): read what it shows now
        if (late := self._results.deliver(result)) is not None and not result.success:
            _, smartlock_id = late
            self._coordinator.async_action_refused(smartlock_id)
            LOGGER.warning(
                "Nuki Web reported after the call had returned: %s",
                self._result_error(smartlock_id, result),
            )

    def _result_error(self, smartlock_id: int, result: ActionResult) -> HomeAssistantError:
        """Return the translated error of a failed result (its device, else the call's)."""
        code = result.error_code
        if result.smartlock_id is not None:
            smartlock_id = result.smartlock_id
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=_RESULT_ERROR_KEYS.get(code or 0, "action_failed"),
            translation_placeholders={
                "name": self._coordinator.device_name(smartlock_id),
                "code": "?" if code is None else f"0x{code:02X}",
            },
        )
