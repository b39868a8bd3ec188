"""Poll Nuki Web: one GET /smartlock and one GET /smartlock/log page per cycle, for all devices.

Older log pages are read only to catch up (see logbook_cursor.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DeviceType,
    LockState,
    NukiAuthError,
    NukiConflictError,
    NukiConnectionError,
    NukiDeviceBusyError,
    NukiError,
    NukiForbiddenError,
    NukiInvalidResponseError,
    NukiNotAllowedError,
    NukiNotFoundError,
    NukiRateLimitError,
    NukiRequestError,
    NukiServerError,
    NukiSmartHostingError,
    NukiWebApiClient,
    OpenerState,
    ServerState,
    Smartlock,
    SmartlockLog,
    default_name,
)
from .const import (
    ACTION_RETRY_DELAYS,
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    FOLLOW_UP_DELAYS,
    LOG_PAGE_SIZE,
    LOGGER,
    OUTAGE_GRACE,
    RATE_LIMIT_BACKOFF_MAX,
    RATE_LIMIT_BACKOFF_MIN,
)
from .failing_devices import FailingDevices
from .logbook_cursor import LogCursor
from .repairs import (
    SmartHostingEnding,
    async_create_missing_scope_issue,
    async_create_smart_hosting_ending_issue,
    async_create_smart_hosting_issue,
    async_delete_missing_scope_issue,
    async_delete_smart_hosting_ending_issue,
    async_delete_smart_hosting_issue,
    smart_hosting_ending,
)

if TYPE_CHECKING:
    from .auth_coordinator import NukiAuthCoordinator
    from .push import NukiPush

type NukiConfigEntry = ConfigEntry[NukiRuntimeData]
# What an action call may return: the wait for a result that Nuki announces later (an
# advanced action's result webhook, push.py). async_run_action awaits it after scheduling
# the follow-up reads and outside the device's action lock.
type ResultWait = Callable[[], Awaitable[None]]

_TRANSITIONAL_LOCK_STATES = frozenset(
    {LockState.UNLOCKING, LockState.LOCKING, LockState.UNLATCHING}
)
_TRANSITIONAL_OPENER_STATES = frozenset({OpenerState.OPENING})

# Client error -> translation key of the HomeAssistantError an action raises (first match wins).
_ACTION_ERROR_KEYS: tuple[tuple[type[NukiError], str], ...] = (
    (NukiSmartHostingError, "smart_hosting_required"),
    (NukiAuthError, "auth_failed"),
    (NukiDeviceBusyError, "device_busy"),
    (NukiNotAllowedError, "not_allowed"),
    (NukiNotFoundError, "not_found"),
    (NukiRateLimitError, "rate_limited"),
    (NukiServerError, "cannot_connect"),
    (NukiConnectionError, "cannot_connect"),
    (NukiInvalidResponseError, "invalid_response"),
)

# Failures that count as an outage while polling: the last state is kept through the grace
# period. Besides server, network and garbled answers, reads that Nuki refuses only for the moment
# (423 Locked, 409 Conflict, 408 Request Timeout) pass like a short outage, and so does 403: in
# Nuki's outage of November 2024 GET /smartlock answered a plain-text "403 Forbidden" and recovered
# by itself (ioBroker.nuki-extended #382). Only the first two kinds mean "not reachable".
_OUTAGE_ERRORS = (
    NukiServerError,
    NukiConnectionError,
    NukiInvalidResponseError,
    NukiDeviceBusyError,
    NukiConflictError,
    NukiForbiddenError,
)
_UNREACHABLE_ERRORS = (NukiServerError, NukiConnectionError)
_TRANSIENT_STATUSES = frozenset({408})


def _is_outage(err: NukiError) -> bool:
    return isinstance(err, _OUTAGE_ERRORS) or (
        isinstance(err, NukiRequestError) and err.status in _TRANSIENT_STATUSES
    )


class _OwnTransitionLines(logging.Filter):
    """Drop the base coordinator's "Error fetching"/"recovered" lines.

    This coordinator logs the start (warning) and the end (info) of an outage itself, and
    entities only become unavailable after a grace period, so the base class's lines would
    repeat or contradict ours.
    """

    _TEMPLATES = frozenset({"Error fetching %s data: %s", "Fetching %s data recovered"})

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in self._TEMPLATES


_REFRESH_LOGGER = LOGGER.getChild("coordinator")
_REFRESH_LOGGER.addFilter(_OwnTransitionLines())


@dataclass(slots=True)
class NukiRuntimeData:
    """What a loaded config entry holds (entry.runtime_data)."""

    client: NukiWebApiClient
    coordinator: NukiCoordinator
    # The authorizations, read by the switch platform (auth_switch.py); device triggers list them.
    auths: NukiAuthCoordinator | None = None


@dataclass(frozen=True, slots=True)
class NukiData:
    """One polling cycle's snapshot of the account."""

    devices: dict[int, Smartlock]
    smart_hosting_missing: frozenset[int]
    new_logs: tuple[SmartlockLog, ...]
    last_log: dict[int, SmartlockLog] = field(default_factory=dict)
    # Devices Nuki sent no usable data for, past the grace period or ever (failing_devices.py).
    unavailable: frozenset[int] = frozenset()
    # new_logs by smartlockId, so that each entity finds its device's entries in one lookup.
    new_logs_by_device: dict[int, tuple[SmartlockLog, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Group the new entries by device (``dataclasses.replace`` groups again)."""
        grouped: dict[int, list[SmartlockLog]] = {}
        for entry in self.new_logs:
            grouped.setdefault(entry.smartlock_id, []).append(entry)
        object.__setattr__(
            self,
            "new_logs_by_device",
            {smartlock_id: tuple(entries) for smartlock_id, entries in grouped.items()},
        )


def _lock_state(device: Smartlock | None) -> LockState | OpenerState | None:
    return None if device is None or device.state is None else device.state.state


def is_transitional(device: Smartlock) -> bool:
    """Tell whether the device is moving (locking, unlocking, opening ...)."""
    if device.state is None:
        return False
    if device.type == DeviceType.OPENER:
        return device.state.state in _TRANSITIONAL_OPENER_STATES
    return device.state.state in _TRANSITIONAL_LOCK_STATES


def device_smartlock_ids(device: dr.DeviceEntry) -> set[int]:
    """Return the smartlock ids in a registry device's identifiers, `(DOMAIN, str(id))`."""
    return {
        int(value) for domain, value in device.identifiers if domain == DOMAIN and value.isdigit()
    }


class NukiCoordinator(DataUpdateCoordinator[NukiData]):
    """Polls the account and runs actions; see docs/architecture.md for the contract."""

    config_entry: NukiConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
    ) -> None:
        """Poll at the interval from the options."""
        self._interval = timedelta(
            seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
        )
        super().__init__(
            hass,
            _REFRESH_LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=self._interval,
        )
        self.client = client
        # Set while push updates (Advanced API webhooks) run; see push.py.
        self.push: NukiPush | None = None
        self._configured_interval = self._interval
        self.log_cursor = LogCursor.for_entry(hass, entry.entry_id)
        self._known_ids: set[int] | None = None
        self._names: dict[int, str] = {}
        self._failing = FailingDevices()
        self._outage_since: datetime | None = None
        # What the info line says when the outage ends (it matches the warning that began it).
        self._outage_end_line = ""
        self._rate_limit_backoff: float | None = None
        self._logs_forbidden = False
        self._action_locks: dict[int, asyncio.Lock] = {}
        self._smart_hosting_issues: set[int] = set()
        self._smart_hosting_ending: dict[int, SmartHostingEnding] = {}
        # Devices acted on, with their lock/opener state before the action, until it settles.
        self._unsettled: dict[int, LockState | OpenerState | None] = {}
        self._cancel_follow_up: CALLBACK_TYPE | None = None
        # Pushed device states so far, and per device the number of its last one: a poll that
        # started before a device's push keeps the pushed state (see _keep_pushed).
        self._pushes = 0
        self._pushed: dict[int, int] = {}

    # --- polling ---------------------------------------------------------------------

    @override
    async def _async_setup(self) -> None:
        await self.log_cursor.async_load()

    @override
    async def _async_update_data(self) -> NukiData:
        started = self._pushes
        try:
            devices = await self.client.smartlocks()
            logs = await self._fetch_logs()
        except NukiAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="update_auth_failed"
            ) from err
        except NukiRateLimitError as err:
            return self._rate_limited(err)
        except NukiError as err:
            if _is_outage(err):
                return self._outage(err)
            if self.data is not None and self._outage_since is None:
                # The base class's line is filtered out (see _OwnTransitionLines).
                self._outage_since = dt_util.utcnow()
                self._outage_end_line = "Nuki Web API answers normally again"
                LOGGER.warning("Reading from Nuki Web API failed: %s", err)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self._end_outage()
        data = self._keep_pushed(self._snapshot(devices, logs), started)
        if self.push is not None:
            await self.push.async_polled(self.data, data)
            data = self._keep_pushed(data, started)  # a push may have come in meanwhile
        return data

    def _keep_pushed(self, data: NukiData, started: int) -> NukiData:
        """Keep the devices pushed while this poll was in flight: the poll read them earlier."""
        newer = {
            smartlock_id: self.data.devices[smartlock_id]
            for smartlock_id, number in self._pushed.items()
            if number > started and smartlock_id in data.devices.keys() & self.data.devices.keys()
        }
        return replace(data, devices={**data.devices, **newer}) if newer else data

    @callback
    def async_set_pushed_device(self, device: Smartlock) -> None:
        """Apply a device that arrived by push (newer than what a poll in flight will bring)."""
        self._pushes += 1
        self._pushed[device.smartlock_id] = self._pushes
        self.async_set_pushed_data(
            replace(
                self.data, devices={**self.data.devices, device.smartlock_id: device}, new_logs=()
            )
        )

    @callback
    def async_set_pushed_data(self, data: NukiData) -> None:
        """Show pushed data at once; unlike async_set_updated_data, change nothing else.

        The safety poll keeps its schedule (pushes more frequent than it must not postpone
        it forever), and the refresh's success stays as the last poll left it: a push in
        the middle of an outage does not make the entities available.
        """
        self.data = data
        self.async_update_listeners()

    async def _fetch_logs(self) -> list[SmartlockLog]:
        """Read the newest log page (older ones while all is new); a 401 means no log scope."""
        try:
            logs = await self.log_cursor.async_fetch(
                lambda before: self.client.logs(before_id=before, limit=LOG_PAGE_SIZE),
                LOG_PAGE_SIZE,
            )
        except NukiAuthError:
            if not self._logs_forbidden:
                self._logs_forbidden = True
                LOGGER.warning("The API token may not read the activity log (scope smartlock.log)")
                async_create_missing_scope_issue(
                    self.hass,
                    self.config_entry.entry_id,
                    scope="smartlock.log",
                    scope_name="Activity log",
                )
            return []
        if self._logs_forbidden:
            self._logs_forbidden = False
            async_delete_missing_scope_issue(self.hass, self.config_entry.entry_id)
        return logs

    def _snapshot(self, devices: list[Smartlock], logs: list[SmartlockLog]) -> NukiData:
        for device in devices:
            if device.name:
                self._names[device.smartlock_id] = device.name
        by_id, unavailable = self._failing.apply(
            {} if self.data is None else self.data.devices, devices, self.device_name
        )
        activity = [entry for entry in logs if entry.error is None]
        # Error-only items (a fault, or no Smart Hosting) are not remembered: the real entry
        # behind the same id must still be reported once it can be read.
        new_logs = self.log_cursor.advance(activity)
        last_log = {} if self.data is None else dict(self.data.last_log)
        for entry in reversed(activity):
            last_log[entry.smartlock_id] = entry
        return NukiData(
            devices=by_id,
            smart_hosting_missing=frozenset(
                device.smartlock_id for device in by_id.values() if device.smart_hosting_missing
            ),
            new_logs=new_logs,
            last_log={sid: entry for sid, entry in last_log.items() if sid in by_id},
            unavailable=unavailable,
        )

    def _previous(self) -> NukiData:
        """Return the last snapshot without its new log entries (they were reported)."""
        return replace(self.data, new_logs=())

    def _rate_limited(self, err: NukiRateLimitError) -> NukiData:
        """Slow down and keep the last state; log once per rate-limit episode."""
        # One warning per episode of trouble: none if an outage was already reported.
        first = self._rate_limit_backoff is None and self._outage_since is None
        self._rate_limit_backoff = (
            RATE_LIMIT_BACKOFF_MIN
            if self._rate_limit_backoff is None
            else min(self._rate_limit_backoff * 2, RATE_LIMIT_BACKOFF_MAX)
        )
        # Nuki's Retry-After is a hint within the back-off bounds: never decades, never a storm.
        delay = max(
            self._rate_limit_backoff
            if err.retry_after is None
            else min(max(err.retry_after, RATE_LIMIT_BACKOFF_MIN), RATE_LIMIT_BACKOFF_MAX),
            self._interval.total_seconds(),
        )
        if self.data is None:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="update_rate_limited", retry_after=delay
            ) from err
        if first:
            LOGGER.warning(
                "Nuki Web API rate limit reached; polling again in %.0f s, keeping the last state",
                delay,
            )
        self.update_interval = timedelta(seconds=delay)
        return self._previous()

    def _outage(self, err: NukiError) -> NukiData:
        """Keep the last state through a short outage, then give up (entities unavailable)."""
        if self.data is None:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        now = dt_util.utcnow()
        if self._outage_since is None:
            self._outage_since = now
            unreachable = isinstance(err, _UNREACHABLE_ERRORS)
            self._outage_end_line = (
                "Nuki Web API is reachable again"
                if unreachable
                else "Nuki Web API answers normally again"
            )
            if self._rate_limit_backoff is None:  # else the rate limit was reported already
                LOGGER.warning(
                    "Nuki Web API is %s (%s); keeping the last state for up to %s",
                    "not reachable" if unreachable else "not answering normally",
                    err,
                    OUTAGE_GRACE,
                )
        if now - self._outage_since < OUTAGE_GRACE:
            return self._previous()
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err

    def _end_outage(self) -> None:
        if self._outage_since is not None:
            self._outage_since = None
            LOGGER.info(self._outage_end_line)
        if self._rate_limit_backoff is not None:
            self._rate_limit_backoff = None
            self.update_interval = self._interval
            LOGGER.info("Nuki Web API accepts requests again; polling every %s", self._interval)

    # --- after each cycle: devices, issues, listeners ----------------------------------

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        if not self.last_update_success or self.data is None:
            return
        ids = set(self.data.devices)
        if self._known_ids != ids:
            # Before the listeners run, so that platforms never see a stale device.
            self._remove_stale_devices(ids)
            self._known_ids = ids
        self._sync_smart_hosting_issues(set(self.data.smart_hosting_missing))
        self._sync_smart_hosting_ending()

    @callback
    def _remove_stale_devices(self, ids: set[int]) -> None:
        """Drop registry devices that are no longer on the account, and their issues."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            smartlock_ids = device_smartlock_ids(device)
            if smartlock_ids and not smartlock_ids & ids:
                registry.async_remove_device(device.id)
                for smartlock_id in smartlock_ids:
                    self._smart_hosting_issues.discard(smartlock_id)
                    async_delete_smart_hosting_issue(self.hass, smartlock_id)

    @callback
    def _sync_smart_hosting_issues(self, wanted: set[int]) -> None:
        for smartlock_id in wanted - self._smart_hosting_issues:
            async_create_smart_hosting_issue(
                self.hass, smartlock_id, self.device_name(smartlock_id)
            )
        for smartlock_id in self._smart_hosting_issues - wanted:
            async_delete_smart_hosting_issue(self.hass, smartlock_id)
        self._smart_hosting_issues = wanted

    @callback
    def _sync_smart_hosting_ending(self) -> None:
        """Warn before a subscription ends, not only once Nuki refuses the device; clear on renewal."""
        now = dt_util.utcnow()
        wanted = {
            smartlock_id: ending
            for smartlock_id, device in self.data.devices.items()
            if (ending := smart_hosting_ending(device, now)) is not None
        }
        for smartlock_id, ending in wanted.items():
            if self._smart_hosting_ending.get(smartlock_id) != ending:
                async_create_smart_hosting_ending_issue(
                    self.hass, smartlock_id, self.device_name(smartlock_id), ending
                )
        for smartlock_id in self._smart_hosting_ending.keys() - wanted.keys():
            async_delete_smart_hosting_ending_issue(self.hass, smartlock_id)
        self._smart_hosting_ending = wanted

    @callback
    def async_set_poll_interval(self, interval: timedelta | None) -> None:
        """Poll at `interval` (push is healthy) or, with None, at the configured interval."""
        self._interval = interval or self._configured_interval
        if self._rate_limit_backoff is None:
            self.update_interval = self._interval

    @callback
    def async_mark_smart_hosting_missing(self, smartlock_ids: list[int]) -> None:
        """Raise the Smart Hosting issue for devices that Nuki refused in a write."""
        self._sync_smart_hosting_issues(self._smart_hosting_issues | set(smartlock_ids))

    def device_name(self, smartlock_id: int) -> str:
        """Return the device's name as last seen, also before a restart, else the Nuki app's.

        Nuki sends no name for a device without Smart Hosting: the registry keeps the last
        one; a device never seen with one is named like "Smart Door 20BE908C".
        """
        if (name := self._names.get(smartlock_id)) is not None:
            return name
        known = self.known_device(smartlock_id)
        return known.name if known is not None and known.name else default_name(smartlock_id)

    def known_device(self, smartlock_id: int) -> dr.DeviceEntry | None:
        """Return the device's registry entry, which keeps what Nuki last sent about it."""
        return dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, str(smartlock_id)), self.config_entry.entry_id
        )

    # --- actions ---------------------------------------------------------------------

    async def async_device_action(self, smartlock_id: int, action: int) -> ResultWait | None:
        """Send a Nuki action code: through the Advanced API while push is healthy."""
        if self.push is not None and self.push.healthy:
            return await self.push.async_action(smartlock_id, action)
        await self.client.action(smartlock_id, action)
        return None

    async def async_run_action(
        self,
        smartlock_id: int,
        call: Callable[[], Awaitable[ResultWait | None]],
        *,
        follow_up: bool = True,
    ) -> None:
        """Send one action to a device, then follow its state until it settles.

        Actions on one device run one after another; a busy device (423) is retried
        briefly. Client errors become translated HomeAssistantErrors. Writes that
        change nothing in GET /smartlock (authorisations, the admin PIN) pass
        ``follow_up=False``: the follow-up reads could not confirm them. A ResultWait
        that ``call`` returns runs last, once the follow-ups are scheduled.
        """
        device = self.data.devices.get(smartlock_id)
        if device is not None and device.server_state == ServerState.OFFLINE:
            raise self._action_error("device_offline", smartlock_id)
        lock = self._action_locks.setdefault(smartlock_id, asyncio.Lock())
        async with lock:
            try:
                result_wait = await self._call_with_retry(call)
            except NukiError as err:
                raise self._map_action_error(err, smartlock_id) from err
        if follow_up:
            self._start_follow_ups(smartlock_id)
        if result_wait is not None:
            await result_wait()

    @staticmethod
    async def _call_with_retry(
        call: Callable[[], Awaitable[ResultWait | None]],
    ) -> ResultWait | None:
        for delay in ACTION_RETRY_DELAYS:
            try:
                return await call()
            except NukiDeviceBusyError:
                await asyncio.sleep(delay)
        return await call()

    def _map_action_error(self, err: NukiError, smartlock_id: int) -> HomeAssistantError:
        key = next(
            (key for error_type, key in _ACTION_ERROR_KEYS if isinstance(err, error_type)),
            "unknown_error",
        )
        if isinstance(err, NukiSmartHostingError):
            # Until the next cycle shows whether the device list carries the error too.
            self._sync_smart_hosting_issues(
                self._smart_hosting_issues | {smartlock_id, *err.smartlock_ids}
            )
        elif isinstance(err, NukiAuthError):
            self.config_entry.async_start_reauth(self.hass)
        return self._action_error(key, smartlock_id)

    def _action_error(self, key: str, smartlock_id: int) -> HomeAssistantError:
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"name": self.device_name(smartlock_id)},
        )

    # --- follow-up refreshes after an action -----------------------------------------

    @callback
    def _start_follow_ups(self, smartlock_id: int) -> None:
        device = self.data.devices.get(smartlock_id)
        self._unsettled[smartlock_id] = _lock_state(device)
        self._schedule_follow_up(0)

    @callback
    def _schedule_follow_up(self, index: int) -> None:
        self._cancel_follow_ups()
        previous = FOLLOW_UP_DELAYS[index - 1] if index else 0.0
        self._cancel_follow_up = async_call_later(
            self.hass,
            FOLLOW_UP_DELAYS[index] - previous,
            HassJob(partial(self._follow_up, index), cancel_on_shutdown=True),
        )

    @callback
    def _follow_up(self, index: int, _now: datetime) -> None:
        self._cancel_follow_up = None
        self.config_entry.async_create_background_task(
            self.hass, self._async_follow_up(index), name=f"{DOMAIN} follow-up refresh"
        )

    async def _async_follow_up(self, index: int) -> None:
        await self.async_refresh()
        devices = self.data.devices
        for smartlock_id, before in list(self._unsettled.items()):
            device = devices.get(smartlock_id)
            if device is None or (_lock_state(device) != before and not is_transitional(device)):
                del self._unsettled[smartlock_id]
        if self._unsettled and index + 1 < len(FOLLOW_UP_DELAYS):
            self._schedule_follow_up(index + 1)
        else:
            self._unsettled.clear()

    @callback
    def _cancel_follow_ups(self) -> None:
        if self._cancel_follow_up is not None:
            self._cancel_follow_up()
            self._cancel_follow_up = None

    @override
    async def async_shutdown(self) -> None:
        self._cancel_follow_ups()
        await self.log_cursor.async_save()
        await super().async_shutdown()
