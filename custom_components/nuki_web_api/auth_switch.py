"""Switches that enable or disable one authorization: an app user, a fob or a keypad code.

Set up by the switch platform next to its other switches. The switches are disabled by
default; only while one is enabled does NukiAuthCoordinator read the authorizations
(see auth_coordinator.py). A write is shown at once and confirmed by a read shortly after.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import AuthType, SmartlockAuth
from .auth_coordinator import NukiAuthCoordinator
from .auth_writes import auth_update_body
from .const import DOMAIN
from .coordinator import NukiConfigEntry, NukiCoordinator


@dataclass(frozen=True, kw_only=True)
class NukiAuthSwitchEntityDescription(SwitchEntityDescription):
    """The switch of one authorization type (its name and icon)."""

    auth_type: AuthType
    entity_category: EntityCategory | None = EntityCategory.CONFIG
    entity_registry_enabled_default: bool = False


AUTH_SWITCHES: tuple[NukiAuthSwitchEntityDescription, ...] = (
    NukiAuthSwitchEntityDescription(
        key="app_authorization", translation_key="app_authorization", auth_type=AuthType.APP
    ),
    NukiAuthSwitchEntityDescription(
        key="fob_authorization", translation_key="fob_authorization", auth_type=AuthType.FOB
    ),
    NukiAuthSwitchEntityDescription(
        key="keypad_code_authorization",
        translation_key="keypad_code_authorization",
        auth_type=AuthType.KEYPAD_CODE,
    ),
)
_BY_TYPE = {description.auth_type: description for description in AUTH_SWITCHES}


async def async_add_auth_switches(
    hass: HomeAssistant, entry: NukiConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Read the authorizations once (the one extra request at setup) and add their switches.

    Authorizations created later get their switch on a later read, which happens only while
    a switch is enabled (or after a reload). Items with a Smart Hosting error get none.
    """
    main = entry.runtime_data.coordinator
    coordinator = NukiAuthCoordinator(hass, entry, entry.runtime_data.client)
    entry.runtime_data.auths = coordinator  # device triggers offer its authorizations
    await coordinator.async_refresh()
    added: dict[str, int] = {}  # auth id -> smartlockId

    @callback
    def _add_new() -> None:
        devices = main.data.devices
        for auth_id in [a for a, smartlock_id in added.items() if smartlock_id not in devices]:
            del added[auth_id]  # the device left: its entities went with it
        new: list[NukiAuthSwitch] = []
        for auth_id, auth in coordinator.data.items():
            description = _BY_TYPE.get(auth.type) if auth.type is not None else None
            if (
                description is None
                or auth_id in added
                or auth.error is not None
                or auth.smartlock_id not in devices
            ):
                continue
            added[auth_id] = auth.smartlock_id
            new.append(NukiAuthSwitch(coordinator, main, auth, description))
        if new:
            async_add_entities(new)

    _add_new()
    entry.async_on_unload(coordinator.async_on_refresh(_add_new))


class NukiAuthSwitch(CoordinatorEntity[NukiAuthCoordinator], SwitchEntity):
    """On while the authorization is enabled in Nuki."""

    _attr_has_entity_name = True
    entity_description: NukiAuthSwitchEntityDescription

    def __init__(
        self,
        coordinator: NukiAuthCoordinator,
        main: NukiCoordinator,
        auth: SmartlockAuth,
        description: NukiAuthSwitchEntityDescription,
    ) -> None:
        """Bind the switch to the authorization and its device."""
        super().__init__(coordinator)
        assert auth.id is not None  # only auths with an id get a switch
        self.entity_description = description
        self.auth_id = auth.id
        self.smartlock_id = auth.smartlock_id
        self._main = main
        self._attr_unique_id = f"{auth.smartlock_id}_auth_{auth.id}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, str(auth.smartlock_id))})
        self._attr_translation_placeholders = {"name": auth.name or auth.id}
        self._was_available: bool | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to both coordinators: this one starts the slow polling of authorizations."""
        await super().async_added_to_hass()
        self._was_available = self.available
        self.async_on_remove(self._main.async_add_listener(self._main_updated))

    @callback
    def _main_updated(self) -> None:
        """Show the device's availability (it left, or lost Smart Hosting) without a read."""
        if self.available != self._was_available:
            self._handle_coordinator_update()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._was_available = self.available
        super()._handle_coordinator_update()

    @property
    def _auth(self) -> SmartlockAuth | None:
        return self.coordinator.data.get(self.auth_id)

    @property
    @override
    def available(self) -> bool:
        """Unavailable when the read failed, the auth is gone or its device is unusable."""
        auth = self._auth
        main = self._main
        return (
            super().available
            and auth is not None
            and auth.error is None
            and main.last_update_success
            and self.smartlock_id in main.data.devices
            and self.smartlock_id not in main.data.smart_hosting_missing
        )

    @property
    @override
    def is_on(self) -> bool | None:
        """The enabled flag written last until a read confirms it, else as Nuki reports it."""
        expected = self.coordinator.expected(self.auth_id)
        if expected is not None:
            return expected
        auth = self._auth
        return None if auth is None else auth.enabled

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enable the authorization."""
        await self._async_set_enabled(enabled=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disable the authorization."""
        await self._async_set_enabled(enabled=False)

    async def _async_set_enabled(self, *, enabled: bool) -> None:
        auth = self._auth
        if auth is None:  # pragma: no cover - Home Assistant skips unavailable entities
            return
        client = self.coordinator.client
        body = auth_update_body(auth, enabled=enabled)
        await self._main.async_run_action(
            self.smartlock_id,
            partial(client.update_auth, self.smartlock_id, self.auth_id, body),
            follow_up=False,
        )
        self.coordinator.async_expect(self.auth_id, enabled)
        self.async_write_ha_state()
