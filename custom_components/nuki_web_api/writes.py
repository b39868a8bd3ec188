"""Optimistic writes: show a written value at once, confirm it by reads, revert with a warning.

Nuki answers a write with 204 and applies it later. ``Optimistic`` serves both kinds of
write that entities show: settings (``SettingsWriter``, confirmed by the polling
coordinator's reads) and authorization switches (``NukiAuthCoordinator``, confirmed by its
own reads). The runtime data in coordinator.py holds them: this module does not import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import NukiError, NukiWebApiClient, Setting, Smartlock, SmartlockAuth, older_than_shown
from .const import DOMAIN, LOGGER

# Seconds a written setting may stay unconfirmed before the entity shows the device's value.
CONFIRM_TIMEOUT: Final = 60.0
AUTH_SCAN_INTERVAL: Final = timedelta(minutes=10)
# Seconds after an authorization write at which the authorizations are read to confirm it.
CONFIRM_DELAYS: Final = (3.0, 8.0)
# What ``reported`` returns for a key whose device or authorization left: dropped silently.
GONE: Final = object()


@dataclass(slots=True)
class _Pending[V]:
    value: V
    device: str
    label: str
    cancel: CALLBACK_TYPE


class Optimistic[K: Hashable, V]:
    """Written values, shown until a read confirms them or the last of ``delays`` passes.

    ``check`` runs after every read: it drops the values that ``reported`` now shows and those
    whose owner is GONE. At each of ``delays`` (seconds after the write) ``read`` runs, if
    given; a value unconfirmed after the last is given up with a warning, and ``changed``
    lets the entities show what Nuki reports. Subclasses may hook ``_confirmed``/``_expired``.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        what: str,
        reported: Callable[[K], object],
        changed: CALLBACK_TYPE,
        *,
        delays: tuple[float, ...],
        read: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Cancel the timers when the entry unloads."""
        self._hass, self._entry, self._what = hass, entry, what
        self._reported, self._changed = reported, changed
        self._delays, self._read = delays, read
        self._pending: dict[K, _Pending[V]] = {}
        entry.async_on_unload(self._cancel_all)

    def get(self, key: K) -> V | None:
        """Return the value written to ``key`` and not yet confirmed, if any."""
        pending = self._pending.get(key)
        return None if pending is None else pending.value

    @callback
    def expect(self, key: K, value: V, device: str, label: str) -> None:
        """Show ``value`` (written to ``device``'s ``label``) until a read confirms it."""
        self._drop(key)
        if self._reported(key) == value:
            self._confirmed(key)
        else:
            self._pending[key] = _Pending(value, device, label, self._schedule(key, 0))

    @callback
    def check(self) -> None:
        """Drop the values the last read confirms, and those of devices or auths that left."""
        for key, pending in list(self._pending.items()):
            if (reported := self._reported(key)) is GONE:
                self._drop(key)
            elif reported == pending.value:
                self._drop(key)
                self._confirmed(key)

    def _confirmed(self, key: K) -> None:
        """Call when a read shows the value written to ``key``."""

    def _expired(self, key: K, device: str, label: str) -> None:
        """Call when the value written to ``key`` is given up (after the warning)."""

    def _schedule(self, key: K, step: int) -> CALLBACK_TYPE:
        previous = self._delays[step - 1] if step else 0.0
        return async_call_later(
            self._hass,
            self._delays[step] - previous,
            HassJob(partial(self._due, key, step), cancel_on_shutdown=True),
        )

    @callback
    def _due(self, key: K, step: int, _now: datetime) -> None:
        if self._read is None:
            self._give_up(key)
        else:
            self._entry.async_create_background_task(
                self._hass, self._async_read(key, step, self._read), name=f"{DOMAIN} confirmation"
            )

    async def _async_read(self, key: K, step: int, read: Callable[[], Awaitable[None]]) -> None:
        pending = self._pending.get(key)
        await read()
        if pending is None or self._pending.get(key) is not pending:
            return  # confirmed meanwhile, or written again (with its own timer)
        if step + 1 < len(self._delays):
            pending.cancel = self._schedule(key, step + 1)
        else:
            self._give_up(key)

    def _give_up(self, key: K) -> None:
        pending = self._pending.pop(key)
        LOGGER.warning(
            "%s did not apply %s %s within %.0f s; showing the reported value",
            pending.device,
            self._what,
            pending.label,
            self._delays[-1],
        )
        self._expired(key, pending.device, pending.label)
        self._changed()

    def _drop(self, key: K) -> None:
        if (pending := self._pending.pop(key, None)) is not None:
            pending.cancel()

    @callback
    def _cancel_all(self) -> None:
        for key in list(self._pending):
            self._drop(key)


# --- device settings ------------------------------------------------------------------------


def not_confirmed_issue_id(smartlock_id: int, field: str) -> str:
    """Return the id of the repair issue for a setting the device did not apply."""
    return f"setting_not_confirmed_{smartlock_id}_{field}"


type _SettingKey = tuple[int, Setting]


class SettingsWriter(Optimistic[_SettingKey, int]):
    """Writes the settings of one account's devices; the polling coordinator's reads confirm.

    A write sends the complete config object with one field changed (nothing else gets
    reset). A value the device never reports within ``CONFIRM_TIMEOUT`` is dropped and a
    repair issue says so; a later confirmed write withdraws it.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        devices: Callable[[], Mapping[int, Smartlock]],
        changed: CALLBACK_TYPE,
    ) -> None:
        """Take the devices from ``devices``; ``check`` runs after each of their refreshes."""
        super().__init__(
            hass, entry, "the setting", self._reported_value, changed, delays=(CONFIRM_TIMEOUT,)
        )
        self._devices = devices

    def value(self, device: Smartlock, setting: Setting) -> int | None:
        """Return the value written last and not yet confirmed, else the reported one."""
        pending = self.get((device.smartlock_id, setting))
        return setting.get(device) if pending is None else pending

    async def async_write(
        self,
        client: NukiWebApiClient,
        device: Smartlock,
        setting: Setting,
        value: int,
        *,
        name: str,
        label: str | None,
    ) -> None:
        """Send the config object with ``value`` (and earlier unconfirmed writes), then show it."""
        obj = setting.obj
        unconfirmed = {
            other.field: pending.value
            for (smartlock_id, other), pending in self._pending.items()
            if smartlock_id == device.smartlock_id and other.obj == obj
        }
        body = obj.body(device, {**unconfirmed, setting.field: value})
        await obj.write(client, device.smartlock_id, body)
        self.remember(device, setting, value, name=name, label=label)

    @callback
    def remember(
        self, device: Smartlock, setting: Setting, value: int, *, name: str, label: str | None
    ) -> None:
        """Show ``value`` until the device reports it (nothing to show while Nuki hides it).

        ``name`` (the device's) and ``label`` (the entity's) name the setting in the warning.
        """
        if setting.obj.model(device) is not None:
            self.expect(
                (device.smartlock_id, setting),
                value,
                name,
                label or f"{setting.obj.name}.{setting.field}",
            )

    def _reported_value(self, key: _SettingKey) -> object:
        smartlock_id, setting = key
        if (device := self._devices().get(smartlock_id)) is None:
            return GONE
        raw = setting.obj.raw(device)
        return None if raw is None else raw.get(setting.field)

    @override
    def _confirmed(self, key: _SettingKey) -> None:
        """Withdraw the warning about an earlier value of the field, if there is one."""
        smartlock_id, setting = key
        ir.async_delete_issue(
            self._hass, DOMAIN, not_confirmed_issue_id(smartlock_id, setting.field)
        )

    @override
    def _expired(self, key: _SettingKey, device: str, label: str) -> None:
        smartlock_id, setting = key
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            not_confirmed_issue_id(smartlock_id, setting.field),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="setting_not_confirmed",
            translation_placeholders={
                "name": device,
                "setting": label,
                "timeout": f"{CONFIRM_TIMEOUT:.0f}",
            },
        )


# --- authorizations ---------------------------------------------------------------------------

type AuthsById = dict[str, SmartlockAuth]


def _by_id(auths: Iterable[SmartlockAuth]) -> AuthsById:
    """Key the authorizations by id; items without one (Smart Hosting errors) are left out."""
    return {auth.id: auth for auth in auths if auth.id is not None}


class NukiAuthCoordinator(DataUpdateCoordinator[AuthsById]):
    """The account's authorizations by id (items without an id, Smart Hosting errors, left out).

    ``GET /smartlock/auth`` is read at setup, then every ``AUTH_SCAN_INTERVAL`` only while an
    authorization switch (disabled by default, its only listeners) is enabled, and at
    ``CONFIRM_DELAYS`` after a write (``writes``). Pushed authorizations apply at once.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: NukiWebApiClient) -> None:
        """Poll every AUTH_SCAN_INTERVAL while someone listens."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} authorizations",
            update_interval=AUTH_SCAN_INTERVAL,
        )
        self.client = client
        self.data = {}
        # Auth id -> the enabled flag written.
        self.writes = Optimistic[str, bool](
            hass,
            entry,
            "the change to authorization",
            self._enabled,
            self.async_update_listeners,
            delays=CONFIRM_DELAYS,
            read=self.async_refresh,
        )
        self._refresh_hooks: list[CALLBACK_TYPE] = []

    def _enabled(self, auth_id: str) -> object:
        auth = self.data.get(auth_id)
        return GONE if auth is None else auth.enabled

    @override
    async def _async_update_data(self) -> AuthsById:
        try:
            auths = await self.client.auths()
        except NukiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="auth_read_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return _by_id(auths)

    @callback
    def async_set_read(self, auths: Iterable[SmartlockAuth]) -> None:
        """Take a read of the account's authorizations made elsewhere (a service action's)."""
        self._async_take(_by_id(auths))

    @callback
    def async_apply_pushed(self, auth: SmartlockAuth, deleted: bool) -> None:
        """Apply an authorization that push delivered (DEVICE_AUTHS) like a read would."""
        if auth.id is None:
            return
        shown = self.data.get(auth.id)
        if not deleted and shown is not None and older_than_shown(auth.raw, shown.raw):
            return  # older than what is shown: a replay or a late re-delivery
        data = dict(self.data)
        if deleted:
            data.pop(auth.id, None)
        else:
            data[auth.id] = auth
        self._async_take(data)

    def _async_take(self, data: AuthsById) -> None:
        """Show ``data`` as if this coordinator had read it (the hooks add new switches)."""
        self.data = data
        self._async_refresh_finished()
        self.async_set_updated_data(data)

    @callback
    def async_on_refresh(self, hook: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``hook`` after each refresh without becoming a listener (no polling for it)."""
        self._refresh_hooks.append(hook)
        return partial(self._refresh_hooks.remove, hook)

    @callback
    @override
    def _async_refresh_finished(self) -> None:
        """Settle the writes this read confirms, then run the hooks (before the listeners)."""
        self.writes.check()
        for hook in list(self._refresh_hooks):
            hook()
