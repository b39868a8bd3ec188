"""Poll Nuki Web: one GET /smartlock and one GET /smartlock/log page per cycle, for all devices.

The rules (merging polls and pushes, riding out trouble, follow-up reads) live in ``api``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    CursorState,
    FollowUps,
    JsonObject,
    LogCursor,
    NukiAuthError,
    NukiError,
    NukiRateLimitError,
    NukiWebApiClient,
    PollTrouble,
    Read,
    Smartlock,
    SmartlockLog,
    Snapshot,
    Snapshots,
    default_name,
    device_type_of,
    is_outage,
    model_name,
)
from .const import (
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOG_PAGE_SIZE,
    LOGGER,
    OUTAGE_GRACE,
)
from .issues import Issues
from .writes import NukiAuthCoordinator, SettingsWriter

type NukiConfigEntry = ConfigEntry[NukiRuntimeData]
# What an action call may return: the wait for a result Nuki announces later (an advanced
# action's result webhook), awaited after the follow-ups start, outside the device's lock.
type ResultWait = Callable[[], Awaitable[None]]
# Awaited after each successful poll with the snapshots before and after it (push).
type PollListener = Callable[[Snapshot | None, Snapshot], Awaitable[None]]


class AdvancedApi(Protocol):
    """Calls through Nuki's Advanced API, whose results arrive by webhook (push offers them)."""

    async def async_action(self, smartlock_id: int, action: int) -> ResultWait | None:
        """Send a device action; return the wait for its result (None: sent plainly)."""

    async def async_create_auths(self, smartlock_ids: Sequence[int], auth: JsonObject) -> None:
        """Create an account user's authorization on the devices; wait for the result."""


@dataclass(slots=True)
class NukiRuntimeData:
    """What a loaded config entry holds (entry.runtime_data), built in async_setup_entry."""

    client: NukiWebApiClient
    coordinator: NukiCoordinator
    auth_coordinator: NukiAuthCoordinator
    settings: SettingsWriter
    push: AdvancedApi | None = None  # push.NukiPush, while it runs
    # One lock per device: its actions run one after another (helpers.async_run_action).
    action_locks: dict[int, asyncio.Lock] = field(default_factory=dict)


def log_cursor_store(hass: HomeAssistant, entry_id: str) -> Store[CursorState]:
    """Return the Store of an entry's log cursor: nothing is reported twice across restarts."""
    return Store(hass, 1, f"{DOMAIN}.{entry_id}.log_cursor")


def device_smartlock_ids(device: dr.DeviceEntry) -> set[int]:
    """Return the smartlock ids in a registry device's identifiers, `(DOMAIN, str(id))`."""
    return {
        int(value) for domain, value in device.identifiers if domain == DOMAIN and value.isdigit()
    }


# The base class's "Error fetching"/"recovered" lines are dropped: api.PollTrouble logs ours.
_BASE_LINES = frozenset({"Error fetching %s data: %s", "Fetching %s data recovered"})
_REFRESH_LOGGER = LOGGER.getChild("coordinator")
_REFRESH_LOGGER.addFilter(lambda record: record.msg not in _BASE_LINES)


class NukiCoordinator(DataUpdateCoordinator[Snapshot]):
    """Polls the account; see docs/architecture.md for the contract."""

    config_entry: NukiConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
    ) -> None:
        """Poll at the interval from the options."""
        self._configured_interval = timedelta(
            seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
        )
        super().__init__(
            hass,
            _REFRESH_LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=self._configured_interval,
        )
        self.client = client
        self.issues = Issues(hass, entry.entry_id, self.device_name, self.device_model)
        self._interval = self._configured_interval
        self._store = log_cursor_store(hass, entry.entry_id)
        cursor = LogCursor(
            since=dt_util.utcnow(),
            on_change=lambda: self._store.async_delay_save(cursor.state, 10.0),
        )
        self.snapshots = Snapshots(cursor, grace=OUTAGE_GRACE)
        self._trouble = PollTrouble(OUTAGE_GRACE)
        self._poll_listeners: list[PollListener] = []
        self._known_ids: set[int] | None = None
        self._notified: tuple[Snapshot, bool] | None = None  # see async_update_listeners
        self._follow_ups = FollowUps()
        self._next_read = Read.ALL  # a follow-up reads less
        self._cancel_follow_up: CALLBACK_TYPE | None = None

    @override
    async def _async_setup(self) -> None:
        """Restore the log cursor; at the first setup, now is its cut-off from here on."""
        stored = await self._store.async_load()
        if stored is None or not self.snapshots.cursor.load(stored):
            await self._store.async_save(self.snapshots.cursor.state())

    @override
    async def _async_update_data(self) -> Snapshot:
        read, self._next_read = self._next_read, Read.ALL
        try:
            data = await self._async_read(read)
        except BaseException:
            self._stop_follow_ups()  # entities become unavailable, or reauth starts
            raise
        return self._follow(data, read)

    async def _async_read(self, read: Read) -> Snapshot:
        """Read a whole cycle, or what a follow-up needs: the device list or the log alone."""
        started = self.snapshots.pushes
        devices: list[Smartlock] | None = None
        try:
            devices = None if read is Read.LOG else await self.client.smartlocks()
            logs = [] if read is Read.DEVICES else await self._async_fetch_logs()
        except NukiAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="update_auth_failed"
            ) from err
        except NukiRateLimitError as err:
            delay = self._trouble.rate_limited(
                err, self._interval.total_seconds(), shown=self.data is not None
            )
            if self.data is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="update_rate_limited",
                    retry_after=delay,
                ) from err
            self._follow_ups.clear()  # no quick reads while Nuki asks to slow down
            self.update_interval = timedelta(seconds=delay)
            if devices is None:
                return replace(self.data, new_logs=())
            logs = []  # the log's 429: the device list read before counts
        except NukiError as err:
            if self._trouble.keep(err, dt_util.utcnow(), shown=self.data is not None):
                return replace(self.data, new_logs=())
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_cannot_connect" if is_outage(err) else "update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        else:
            if self._trouble.ended(self._interval):
                self.update_interval = self._interval
        if devices is None:
            data = self.snapshots.polled_log(self.data, logs)
        else:
            polled = self.snapshots.polled(
                self.data, devices, logs, self.device_name, dt_util.utcnow()
            )
            data = self.snapshots.keep_pushed(polled, self.data, started)
        for listener in list(self._poll_listeners):
            await listener(self.data, data)
            data = self.snapshots.keep_pushed(data, self.data, started)  # pushed meanwhile
        return data

    async def _async_fetch_logs(self) -> list[SmartlockLog]:
        """Read the newest log page (older ones while all is new); a 401 means no log scope."""
        logs, permitted = await self.snapshots.read_log(
            lambda before: self.client.logs(before_id=before, limit=LOG_PAGE_SIZE),
            LOG_PAGE_SIZE,
            dt_util.utcnow(),
        )
        if permitted is not None:
            self.issues.log_scope(permitted=permitted)
        return logs

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        if not self.last_update_success or self.data is None:
            return
        ids = set(self.data.devices)
        if self._known_ids != ids:
            # Before the listeners run, so that platforms never see a stale device.
            registry = dr.async_get(self.hass)
            for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
                smartlock_ids = device_smartlock_ids(device)
                if smartlock_ids and not smartlock_ids & ids:
                    registry.async_remove_device(device.id)
                    self.issues.forget(smartlock_ids)
            self._known_ids = ids
        self.issues.sync(self.data.devices, self.data.smart_hosting_missing)

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Call only the listeners of devices that changed (an entity's context is its id).

        Calling every entity each cycle would cost more than the requests. All run when the
        snapshot is not new (a written setting) or the refresh's success changed.
        """
        data, success = self.data, self.last_update_success
        before, self._notified = self._notified, (data, success)
        if before is not None and (before[0] is data or before[1] != success):
            before = None  # all run
        changed: dict[int, bool] = {}
        for update, context in list(self._listeners.values()):
            if before is not None and isinstance(context, int):
                if (due := changed.get(context)) is None:
                    due = changed[context] = data.changed(before[0], context)
                if not due:
                    continue
            try:
                update()
            except Exception:
                self.logger.exception("Unexpected error updating %s", self.name)

    def device_name(self, smartlock_id: int) -> str:
        """Return the name last seen, else the registry's, else the Nuki app's default name."""
        if (name := self.snapshots.name(smartlock_id)) is not None:
            return name
        known = self._registry_device(smartlock_id)
        return known.name if known is not None and known.name else default_name(smartlock_id)

    def device_model(self, smartlock_id: int) -> str:
        """Return the registry's model (it knows the Smart Lock 5 variant), else the type's."""
        known = self._registry_device(smartlock_id)
        if known is not None and known.model:
            return known.model
        return model_name(device_type_of(smartlock_id))

    def _registry_device(self, smartlock_id: int) -> dr.DeviceEntry | None:
        return dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, str(smartlock_id)), self.config_entry.entry_id
        )

    # --- the interface of push, and of the action runner (helpers.py) ----------------------

    @callback
    def async_add_poll_listener(self, listener: PollListener) -> CALLBACK_TYPE:
        """Await `listener(before, after)` after each successful poll; return its remover."""
        self._poll_listeners.append(listener)
        return partial(self._poll_listeners.remove, listener)

    @callback
    def async_set_poll_interval(self, interval: timedelta | None) -> None:
        """Poll at `interval` (push is healthy) or, with None, at the configured interval."""
        self._interval = interval or self._configured_interval
        if self._trouble.backoff is None:
            self.update_interval = self._interval

    @callback
    def async_set_pushed_device(self, device: Smartlock) -> None:
        """Show a pushed device (a poll in flight will not replace it with its older read)."""
        self.async_set_pushed_data(self.snapshots.pushed_device(self.data, device))

    @callback
    def async_set_pushed_log(self, entry: SmartlockLog) -> None:
        """Report a pushed log entry, unless a poll reported it already."""
        if (data := self.snapshots.pushed_log(self.data, entry)) is not None:
            self.async_set_pushed_data(data)

    @callback
    def async_set_pushed_data(self, data: Snapshot) -> None:
        """Show pushed data at once; unlike async_set_updated_data, keep the poll's schedule.

        The refresh's success stays too: a push during an outage does not make entities available.
        """
        self.data = self._follow(data, None)
        self.async_update_listeners()

    @callback
    def async_follow(self, smartlock_id: int, action: int | None) -> None:
        """Follow a device after Nuki accepted an action (shown at once) or a write (None)."""
        if (device := self.data.devices.get(smartlock_id)) is not None:
            self._follow_ups.start(device, action, self.hass.loop.time())
            self._show_follow_ups()

    @callback
    def async_action_refused(self, smartlock_id: int) -> None:
        """Nuki refused an action it had accepted: show the device's own state again."""
        self._follow_ups.stop(smartlock_id)
        self._show_follow_ups()

    @callback
    def _show_follow_ups(self) -> None:
        """Plan the next read; show a change of the accepted actions that came without data."""
        self._schedule_follow_up()
        shown = self._follow_ups.shown()
        if shown != self.data.accepted_actions:
            self.data = replace(self.data, accepted_actions=shown)
            self.async_update_listeners()

    def _follow(self, data: Snapshot, read: Read | None) -> Snapshot:
        """Let the follow-ups see a new snapshot; return it with the actions still shown."""
        self._follow_ups.observe(data.devices, read, self.hass.loop.time())
        if self._trouble.backoff is None:  # no quick reads while Nuki asks to slow down
            self._schedule_follow_up()
        shown = self._follow_ups.shown()
        return data if shown == data.accepted_actions else replace(data, accepted_actions=shown)

    @callback
    def _schedule_follow_up(self) -> None:
        self._cancel_follow_up_timer()
        if (planned := self._follow_ups.next_read()) is not None:
            due, read = planned
            self._cancel_follow_up = async_call_later(
                self.hass,
                max(0.0, due - self.hass.loop.time()),
                HassJob(partial(self._follow_up, read), cancel_on_shutdown=True),
            )

    @callback
    def _follow_up(self, read: Read, _now: datetime) -> None:
        self._cancel_follow_up = None
        self.config_entry.async_create_background_task(
            self.hass, self._async_follow_up(read), name=f"{DOMAIN} follow-up read"
        )

    async def _async_follow_up(self, read: Read) -> None:
        self._next_read = read
        await self.async_refresh()

    @callback
    def _stop_follow_ups(self) -> None:
        self._follow_ups.clear()
        self._cancel_follow_up_timer()

    @callback
    def _cancel_follow_up_timer(self) -> None:
        if self._cancel_follow_up is not None:
            self._cancel_follow_up()
            self._cancel_follow_up = None

    @override
    async def async_shutdown(self) -> None:
        self._cancel_follow_up_timer()
        await self._store.async_save(self.snapshots.cursor.state())
        await super().async_shutdown()
