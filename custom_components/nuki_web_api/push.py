"""Push updates (Nuki's Advanced API webhooks): a data source of the coordinator.

Polling stays the source of truth: it slows to a safety interval while push is healthy, and
goes back (with a repair issue) once a poll finds a change push never delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from http import HTTPStatus
from typing import Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
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
    LogPushed,
    MissedPushes,
    NukiError,
    NukiResultsClosedError,
    NukiWebApiClient,
    NukiWebhookError,
    PushedDevices,
    Registration,
    Snapshot,
    WebhookEvent,
    parse_webhook,
    verify_signature,
    webhook_listed,
)
from .const import DOMAIN, LOGGER
from .coordinator import NukiConfigEntry, NukiCoordinator, ResultWait
from .issues import async_create_push_issue, async_delete_push_issue

# Poll interval while push is healthy: catches what push missed, checks the registration.
SAFETY_INTERVAL: Final = timedelta(minutes=10)
# How long an accepted advanced call waits for its result webhook. Nuki does not document
# whether decentral webhooks get results of API calls, so the follow-up reads confirm an
# action either way; the wait only lets a quick refusal (busy, night mode) raise its error.
ACTION_RESULT_WAIT = 5.0
# How long a change that a poll found may take to arrive by push before push counts as broken.
MISSED_PUSH_GRACE = 30.0
# Device error code in a failed advanced result -> translation key of the raised error.
_RESULT_ERROR_KEYS: Final = {
    0x45: "device_busy",
    0x4F: "night_mode_rejected",
    0xFF: "device_offline",
}


class NukiPush:
    """Applies signed pushes to the coordinator, watches its own health, runs advanced calls.

    While it runs it is ``entry.runtime_data.push``: device actions go through the Advanced
    API as long as push is healthy, and plainly once it fell back to polling.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: NukiConfigEntry,
        client: NukiWebApiClient,
        coordinator: NukiCoordinator,
        registration: Registration,
    ) -> None:
        """Feed `coordinator` with what the webhook of `registration` receives."""
        self.hass, self._entry, self._client = hass, entry, client
        self._coordinator, self._registration = coordinator, registration
        self.healthy = True
        self._results = ActionResults(early=20, late=20)
        self._devices = PushedDevices(256)  # a few pushes per device and day
        self._missed = MissedPushes(MISSED_PUSH_GRACE)
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
        self._entry.runtime_data.push = self
        self._coordinator.async_set_poll_interval(SAFETY_INTERVAL)
        async_delete_push_issue(self.hass, self._entry.entry_id)

    @callback
    def stop(self) -> None:
        """On unload: stop receiving; waiting calls end in a translated error."""
        webhook.async_unregister(self.hass, self._registration.webhook_id)
        self._entry.runtime_data.push = None
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
        if not verify_signature(
            self._registration.secret, body, request.headers.get(SIGNATURE_HEADER)
        ):
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
                self._missed.log_pushed(log.id)
                self._coordinator.async_set_pushed_log(log)
            case AuthPushed(auth=auth, deleted=deleted):
                self._entry.runtime_data.auth_coordinator.async_apply_pushed(auth, deleted)
            case ActionResult():
                self._on_result(event)

    def _update_device(self, update: DeviceUpdate) -> None:
        """Apply pushed device fields, unless Nuki's ordering rules say to read instead."""
        if update.feature == "DEVICE_STATUS":
            self._missed.state_pushed(update.smartlock_id)
        if (shown := self._coordinator.data.devices.get(update.smartlock_id)) is None:
            self._refresh()  # a device this account did not have: read it completely
        elif (merged := self._devices.merge(update, shown)) is None:
            return
        elif merged.repeated:
            LOGGER.debug("A push for %s repeats an earlier one; reading it", update.smartlock_id)
            self._missed.announced(merged.device, dt_util.utcnow())
            self._refresh()
        else:
            self._coordinator.async_set_pushed_device(merged.device)

    @callback
    def _refresh(self) -> None:
        self._entry.async_create_background_task(
            self.hass, self._coordinator.async_request_refresh(), name=f"{DOMAIN} push refresh"
        )

    # --- health ---------------------------------------------------------------------------

    async def async_polled(self, before: Snapshot | None, after: Snapshot) -> None:
        """Compare a poll with what push delivered; check the registration at the safety poll."""
        if not self.healthy:
            return
        now = dt_util.utcnow()
        self._missed.polled(
            {} if before is None else before.devices, after.devices, after.new_logs, now
        )
        if self._cancel_check is None and self._missed.overdue_in(now) is not None:
            self._schedule_missed_check(MISSED_PUSH_GRACE)
        if now - self._registration_checked >= SAFETY_INTERVAL:
            self._registration_checked = now
            try:
                listed = await webhook_listed(self._client, self._registration)
            except NukiError as err:
                LOGGER.debug("Could not check the push webhook at Nuki Web: %s", err)
                return
            if not listed:
                self._fall_back("webhook_gone")

    @callback
    def _schedule_missed_check(self, delay: float) -> None:
        self._cancel_check = async_call_later(
            self.hass, delay, HassJob(self._check_missed, cancel_on_shutdown=True)
        )

    @callback
    def _check_missed(self, now: datetime) -> None:
        self._cancel_check = None
        if (wait := self._missed.overdue_in(now)) is None:
            return
        if wait <= 0:
            self._fall_back("missed")
        else:
            self._schedule_missed_check(wait)

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
        self._missed.clear()
        self._coordinator.async_set_poll_interval(None)
        LOGGER.warning("Push updates stopped working (%s); polling at the normal interval", reason)
        async_create_push_issue(self.hass, self._entry, reason)

    # --- advanced calls (coordinator.AdvancedApi) -----------------------------------------

    async def async_action(self, smartlock_id: int, action: int) -> ResultWait | None:
        """Send an action through the Advanced API; return the short wait for its result.

        The runner starts its follow-up reads first, then waits (outside the device's lock).
        A failure in time raises its translated error; a later one is logged, and any result
        refreshes. Once push fell back to polling, the action goes the plain way (None).
        """
        if not self.healthy:
            await self._client.action(smartlock_id, action)
            return None
        request_id = await self._client.advanced_action(smartlock_id, action)
        self._results.expect(request_id)
        return partial(self._async_result, request_id, smartlock_id)

    async def async_create_auths(self, smartlock_ids: Sequence[int], auth: JsonObject) -> None:
        """Create an account user's authorization through the Advanced API; wait for the result.

        (Swagger's SmartlocksAuthAdvancedCreate has no ``type`` or ``code``: no keypad codes.)
        Devices Nuki refuses for lack of Smart Hosting are named in the raised error and get
        their repair issue; the others still get the authorization.
        """
        confirmation = await self._client.create_auths_advanced(smartlock_ids, auth)
        refused = [i for i in smartlock_ids if i in confirmation.smartlock_ids]
        if not confirmation.smart_hosting_missing:
            refused = []
        if confirmation.request_id is not None and len(refused) < len(smartlock_ids):
            self._results.expect(confirmation.request_id)
            await self._async_result(confirmation.request_id, smartlock_ids[0])
        if refused:
            self._coordinator.issues.mark_missing(refused)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="smart_hosting_refused",
                translation_placeholders={
                    "names": ", ".join(self._coordinator.device_name(i) for i in refused)
                },
            )

    async def _async_result(self, request_id: str, smartlock_id: int) -> None:
        """Wait at most ACTION_RESULT_WAIT; a failure raises, none in time is left to polling."""
        try:
            result = await self._results.wait(request_id, smartlock_id, ACTION_RESULT_WAIT)
        except NukiResultsClosedError:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="push_stopped",
                translation_placeholders={"name": self._coordinator.device_name(smartlock_id)},
            ) from None
        if result is None:
            LOGGER.debug("No result yet for the call on %s; polling confirms it", smartlock_id)
        elif not result.success:
            raise self._result_error(smartlock_id, result)

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
