"""Optimistic writes on Home Assistant's timers: device settings and authorization switches.

The mechanism is in ``api.optimistic``: a written value shows at once, reads confirm it, an
unconfirmed one is given up with a warning. Settings are confirmed by the polling
coordinator's reads (``SettingsWriter``), authorizations by ``NukiAuthCoordinator``'s own.
The runtime data in coordinator.py holds them: this module does not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import NukiError, NukiWebApiClient, Smartlock, SmartlockAuth
from .api.authorizations import ShownAuths
from .api.optimistic import GONE, Optimistic, SettingKey, SettingWrites
from .const import DOMAIN, LOGGER

# Seconds a written setting may stay unconfirmed before the entity shows the device's value.
CONFIRM_TIMEOUT: Final = 60.0
AUTH_SCAN_INTERVAL: Final = timedelta(minutes=10)
# Seconds after an authorization write at which the authorizations are read to confirm it.
CONFIRM_DELAYS: Final = (3.0, 8.0)


@dataclass(frozen=True, slots=True)
class _HassScheduler:
    """Timers that Home Assistant cancels when it stops, reads that end with the entry."""

    hass: HomeAssistant
    entry: ConfigEntry

    def call_later(self, delay: float, action: Callable[[], None]) -> CALLBACK_TYPE:
        job = HassJob(callback(lambda _now: action()), cancel_on_shutdown=True)
        return async_call_later(self.hass, delay, job)

    def spawn(self, job: Coroutine[object, object, None]) -> None:
        self.entry.async_create_background_task(self.hass, job, name=f"{DOMAIN} confirmation")


def not_confirmed_issue_id(smartlock_id: int, field: str) -> str:
    """Return the id of the repair issue for a setting the device did not apply."""
    return f"setting_not_confirmed_{smartlock_id}_{field}"


class SettingsWriter(SettingWrites):
    """Writes the account's settings; an unconfirmed one raises a repair issue.

    A later confirmed write of the field withdraws the issue.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        devices: Callable[[], Mapping[int, Smartlock]],
        changed: CALLBACK_TYPE,
    ) -> None:
        """Take the devices from ``devices``; ``check`` runs after each of their refreshes."""
        super().__init__(_HassScheduler(hass, entry), devices, changed, timeout=CONFIRM_TIMEOUT)
        self._hass = hass
        entry.async_on_unload(self.cancel_all)

    @override
    def _confirmed(self, key: SettingKey) -> None:
        """Withdraw the warning about an earlier value of the field, if there is one."""
        smartlock_id, setting = key
        ir.async_delete_issue(
            self._hass, DOMAIN, not_confirmed_issue_id(smartlock_id, setting.field)
        )

    @override
    def _expired(self, key: SettingKey, device: str, label: str) -> None:
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


class NukiAuthCoordinator(DataUpdateCoordinator[ShownAuths]):
    """The account's authorizations by id, and what the reads and pushes prove deleted.

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
        self.data = ShownAuths()
        # Auth id -> the enabled flag written.
        self.writes = Optimistic[str, bool](
            _HassScheduler(hass, entry),
            "the change to authorization",
            self._enabled,
            self.async_update_listeners,
            delays=CONFIRM_DELAYS,
            read=self.async_refresh,
        )
        entry.async_on_unload(self.writes.cancel_all)
        self._refresh_hooks: list[CALLBACK_TYPE] = []

    def _enabled(self, auth_id: str) -> object:
        auth = self.data.get(auth_id)
        return GONE if auth is None else auth.enabled

    @override
    async def _async_update_data(self) -> ShownAuths:
        try:
            auths = await self.client.auths()
        except NukiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="auth_read_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return ShownAuths.read(auths)

    @callback
    def async_set_read(self, auths: Iterable[SmartlockAuth]) -> None:
        """Take a read of the account's authorizations made elsewhere (a service action's)."""
        self._async_take(ShownAuths.read(auths))

    @callback
    def async_apply_pushed(self, auth: SmartlockAuth, deleted: bool) -> None:
        """Apply an authorization that push delivered (DEVICE_AUTHS) like a read would."""
        if (data := self.data.pushed(auth, deleted=deleted)) is not None:
            self._async_take(data)

    def _async_take(self, data: ShownAuths) -> None:
        """Show ``data`` as if this coordinator had read it (the hooks add and remove switches)."""
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
