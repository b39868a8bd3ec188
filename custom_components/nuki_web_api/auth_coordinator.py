"""Read the account's authorizations slowly, apart from the two-request polling cycle.

``GET /smartlock/auth`` is read once at setup (to know which switches to create) and then
every ``AUTH_SCAN_INTERVAL`` only while at least one authorization switch is enabled:
a DataUpdateCoordinator polls only while it has listeners, and the switches, disabled by
default, are its only listeners. After a write it reads again to confirm (``CONFIRM_DELAYS``).
With push on, authorizations pushed by Nuki (DEVICE_AUTHS) apply at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Final, override

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import NukiError, NukiWebApiClient, SmartlockAuth, older_than_shown
from .const import DOMAIN, LOGGER
from .coordinator import NukiConfigEntry
from .push import signal_auth_pushed

AUTH_SCAN_INTERVAL: Final = timedelta(minutes=10)
# Seconds after a write at which the authorizations are read to confirm it; after the last
# one an unconfirmed switch shows what Nuki reports again.
CONFIRM_DELAYS: Final = (3.0, 8.0)
type AuthsById = dict[str, SmartlockAuth]


class NukiAuthCoordinator(DataUpdateCoordinator[AuthsById]):
    """The account's authorizations by id (items without an id, Smart Hosting errors, left out)."""

    config_entry: NukiConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NukiConfigEntry, client: NukiWebApiClient
    ) -> None:
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
        # Writes not yet seen in a read: auth id -> the enabled flag written.
        self._expected: dict[str, bool] = {}
        self._confirm_step: int | None = None
        self._cancel_confirm: CALLBACK_TYPE | None = None
        self._refresh_hooks: list[CALLBACK_TYPE] = []
        entry.async_on_unload(self._cancel)
        entry.async_on_unload(
            async_dispatcher_connect(hass, signal_auth_pushed(entry.entry_id), self._pushed)
        )

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
        return {auth.id: auth for auth in auths if auth.id is not None}

    @callback
    def _pushed(self, auth: SmartlockAuth, deleted: bool) -> None:
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
        """Settle the writes this read confirms (or, at the last confirmation, gives up on)."""
        final = self._confirm_step == len(CONFIRM_DELAYS)
        for auth_id, enabled in list(self._expected.items()):
            auth = self.data.get(auth_id)
            if auth is not None and auth.enabled is not enabled and not final:
                continue
            del self._expected[auth_id]
            if auth is not None and auth.enabled is not enabled:
                LOGGER.warning(
                    "Nuki Web did not apply the change to authorization %s of %s in time; "
                    "showing what it reports",
                    auth.name,
                    auth.smartlock_id,
                )
        if not self._expected:
            self._cancel()
        for hook in list(self._refresh_hooks):
            hook()

    def expected(self, auth_id: str) -> bool | None:
        """Return the enabled flag written to the auth and not yet confirmed, if any."""
        return self._expected.get(auth_id)

    @callback
    def async_expect(self, auth_id: str, enabled: bool) -> None:
        """Note a write and read the authorizations again after CONFIRM_DELAYS to confirm it."""
        self._expected[auth_id] = enabled
        self._cancel()
        self._schedule(0)

    @callback
    def _schedule(self, step: int) -> None:
        previous = CONFIRM_DELAYS[step - 1] if step else 0.0
        self._cancel_confirm = async_call_later(
            self.hass,
            CONFIRM_DELAYS[step] - previous,
            HassJob(partial(self._confirm, step), cancel_on_shutdown=True),
        )

    @callback
    def _confirm(self, step: int, _now: datetime) -> None:
        self._cancel_confirm = None
        self.config_entry.async_create_background_task(
            self.hass, self._async_confirm(step), name=f"{DOMAIN} authorization confirmation"
        )

    async def _async_confirm(self, step: int) -> None:
        self._confirm_step = step + 1
        await self.async_refresh()
        # The listeners ran only if the data changed; a write given up on must show too.
        self.async_update_listeners()
        if self._expected and step + 1 < len(CONFIRM_DELAYS):
            self._schedule(step + 1)
        self._confirm_step = None

    @callback
    def _cancel(self) -> None:
        if self._cancel_confirm is not None:
            self._cancel_confirm()
            self._cancel_confirm = None
